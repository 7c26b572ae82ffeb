import { MoneyField } from '../../ledger/money.js';
import { Body, NullableStr, Reply, Str, Type, type Static } from '../../lib/schema.js';
import { TransactionFields } from '../transactions/schemas.js';

const MAX_TEXT = 255;

/** The SDKs also send CardId, SecureModeReturnURL, PaymentType and ExecutionType: not read. */
export const PreauthorizedPayInCreate = Body(
  {
    PreauthorizationId: Str({ maxLength: MAX_TEXT, description: 'The pre-authorization captured' }),
    CreditedWalletId: Str({ maxLength: MAX_TEXT }),
    DebitedFunds: MoneyField(1, { description: 'What is captured, at most the RemainingFunds' }),
    Fees: MoneyField(0, { description: "Taken out of DebitedFunds for the client's fee wallet" }),
    AuthorId: Type.Optional(Str({ maxLength: MAX_TEXT, description: "The pre-authorization's author, checked when given" })),
    CreditedUserId: Type.Optional(Str({ maxLength: MAX_TEXT, description: "The credited wallet's owner, checked when given" })),
    Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  },
  { required: ['PreauthorizationId', 'CreditedWalletId', 'DebitedFunds', 'Fees'] },
);
export type PreauthorizedPayInCreate = Static<typeof PreauthorizedPayInCreate>;

const F = TransactionFields;

/** A pre-authorized pay-in, in Mangopay's key order (ResultCode near the top; no CardId). */
export const PreauthorizedPayInReply = Reply(
  {
    Id: F.Id,
    Tag: F.Tag,
    CreationDate: F.CreationDate,
    ResultCode: F.ResultCode,
    ResultMessage: F.ResultMessage,
    AuthorId: F.AuthorId,
    CreditedUserId: F.CreditedUserId,
    DebitedFunds: F.DebitedFunds,
    CreditedFunds: F.CreditedFunds,
    Fees: F.Fees,
    Status: F.Status,
    ExecutionDate: F.ExecutionDate,
    Type: F.Type,
    Nature: F.Nature,
    CreditedWalletId: F.CreditedWalletId,
    DebitedWalletId: F.DebitedWalletId,
    PaymentType: Str(),
    ExecutionType: Str(),
    PreauthorizationId: Str(),
  },
  { title: 'PreAuthorizedPayIn', description: 'A capture of a pre-authorization' },
);
export type PreauthorizedPayInReply = Static<typeof PreauthorizedPayInReply>;
