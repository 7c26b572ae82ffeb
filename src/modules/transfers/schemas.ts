import { MoneyField } from '../../ledger/money.js';
import { Body, NullableStr, OrNull, Reply, Str, Type, type Static } from '../../lib/schema.js';
import { TransactionFields } from '../transactions/schemas.js';
import { ScaContextField } from '../wallets/schemas.js';

const MAX_TEXT = 255;

export const TransferParams = Type.Object({ transferId: Str({ description: 'The transfer id' }) });

export const TransferCreate = Body(
  {
    AuthorId: Str({ maxLength: MAX_TEXT, description: "The debited wallet's owner" }),
    CreditedUserId: Type.Optional(Str({ maxLength: MAX_TEXT, description: "The credited wallet's owner, checked when given" })),
    DebitedFunds: MoneyField(1),
    Fees: MoneyField(0, { description: "Taken out of DebitedFunds for the client's fee wallet" }),
    DebitedWalletId: Str({ maxLength: MAX_TEXT }),
    CreditedWalletId: Str({ maxLength: MAX_TEXT }),
    Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
    ScaContext: Type.Optional(ScaContextField),
  },
  { required: ['AuthorId', 'DebitedFunds', 'Fees', 'DebitedWalletId', 'CreditedWalletId'] },
);
export type TransferCreate = Static<typeof TransferCreate>;

export const TransferReply = Reply(
  {
    ...TransactionFields,
    ScaContext: NullableStr(),
    PendingUserAction: OrNull(Reply({ RedirectUrl: Str() })),
  },
  { title: 'Transfer', description: 'A transfer between two wallets' },
);
export type TransferReply = Static<typeof TransferReply>;
