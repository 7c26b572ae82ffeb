import { MoneyField } from '../../ledger/money.js';
import { Body, Enum, NullableStr, Reply, Str, Type, type Static } from '../../lib/schema.js';
import { VerificationOfPayeeReply } from '../bankaccounts/schemas.js';
import { TransactionFields } from '../transactions/schemas.js';
import { PAYOUT_MODES } from './model.js';

const TEXT = 255;

export const PayOutParams = Type.Object({ payOutId: Str({ description: 'The payout id' }) });

/** Known modes; only STANDARD is enabled here (payOutRules refuses the others as disabled). */
const PayoutMode = (description: string) =>
  Enum(PAYOUT_MODES, { description, messages: { enum: `PayoutModeRequested must be one of: ${PAYOUT_MODES.join(', ')}.` } });

const wire = {
  BankWireRef: Type.Optional(Str({ maxLength: TEXT, description: "The reference on the owner's bank statement" })),
  Tag: Type.Optional(NullableStr({ maxLength: TEXT })),
};

export const PayOutCreate = Body(
  {
    AuthorId: Str({ maxLength: TEXT, description: "The debited wallet's owner" }),
    DebitedWalletId: Str({ maxLength: TEXT }),
    DebitedFunds: MoneyField(1),
    Fees: MoneyField(0, { description: "Taken out of DebitedFunds for the client's fee wallet" }),
    RecipientId: Type.Optional(Str({ maxLength: TEXT, description: "A recipient's (or a bank account's) id; wins over BankAccountId" })),
    BankAccountId: Type.Optional(Str({ maxLength: TEXT, description: 'Required unless RecipientId is given' })),
    ...wire,
    PayoutModeRequested: Type.Optional(PayoutMode('STANDARD when absent')),
  },
  { required: ['AuthorId', 'DebitedWalletId', 'DebitedFunds', 'Fees'] },
);
export type PayOutCreate = Static<typeof PayOutCreate>;

export const ClientPayOutCreate = Body(
  {
    DebitedWalletId: Str({ maxLength: TEXT, description: "One of the client's wallets, like FEES_EUR or CREDIT_EUR (any case)" }),
    DebitedFunds: MoneyField(1),
    Fees: Type.Optional(MoneyField(0, { description: 'The client pays itself no fees: 0 when sent' })),
    BankAccountId: Str({ maxLength: TEXT, description: "The client's own account (POST /clients/bankaccounts/iban)" }),
    ...wire,
    PayoutModeRequested: Type.Optional(PayoutMode('STANDARD when absent')),
  },
  {
    required: ['DebitedWalletId', 'DebitedFunds', 'BankAccountId'],
    'x-flatten': 'MeanOfPaymentDetails',
    description: 'The bank-wire fields may also come nested in MeanOfPaymentDetails, as the SDKs model them',
  },
);
export type ClientPayOutCreate = Static<typeof ClientPayOutCreate>;

export const ReachabilityCheck = Body(
  {
    AuthorId: Str({ maxLength: TEXT }),
    DebitedWalletId: Str({ maxLength: TEXT }),
    DebitedFunds: MoneyField(1),
    Fees: Type.Optional(MoneyField(0)),
    BankAccountId: Str({ maxLength: TEXT }),
    ...wire,
    PayoutModeRequested: Str({ 'x-upper': true, description: 'INSTANT_PAYMENT: the check is for instant payouts' }),
  },
  { required: ['AuthorId', 'DebitedWalletId', 'DebitedFunds', 'BankAccountId', 'PayoutModeRequested'] },
);
export type ReachabilityCheck = Static<typeof ReachabilityCheck>;

export const ReachabilityReply = Reply(
  {
    InstantPayout: Reply({
      IsReachable: Type.Boolean(),
      // Sent as null when reachable: the SDKs read the key either way.
      UnreachableReason: Type.Union([Reply({ Code: Str(), Message: Str() }), Type.Null()]),
    }),
  },
  { title: 'Reachability' },
);
export type ReachabilityReply = Static<typeof ReachabilityReply>;

export const SandboxFailBody = Body({
  ResultCode: Type.Optional(
    Str({ pattern: '^\\d{6}$', description: '001999 when absent', messages: { pattern: 'ResultCode must be six digits, like 121001.' } }),
  ),
  ResultMessage: Type.Optional(Str({ maxLength: TEXT, description: "The code's known message when absent" })),
});
export type SandboxFailBody = Static<typeof SandboxFailBody>;

export const NoBody = Body({}, { description: 'No body is read' });

export const PayOutReply = Reply(
  {
    ...TransactionFields,
    PaymentType: NullableStr(),
    BankAccountId: Str(),
    RecipientId: NullableStr(),
    BankWireRef: NullableStr(),
    PaymentRef: NullableStr(),
    ModeRequested: Str(),
    ModeApplied: Str(),
    FallbackReason: NullableStr(),
    EndToEndId: NullableStr(),
    ChargeBearer: NullableStr(),
    RecipientVerificationOfPayee: VerificationOfPayeeReply,
  },
  { title: 'PayOut', description: 'A bank-wire payout' },
);
export type PayOutReply = Static<typeof PayOutReply>;
