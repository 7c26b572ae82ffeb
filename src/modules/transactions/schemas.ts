import { MoneyReply } from '../../ledger/money.js';
import { Enum, NullableStr, OrNull, PagingQuery, Reply, SortField, Str, Type, type Static } from '../../lib/schema.js';
import { ScaContextField } from '../wallets/schemas.js';

export const TRANSACTION_STATUSES = ['CREATED', 'SUCCEEDED', 'FAILED'] as const;
export const TRANSACTION_TYPES = ['PAYIN', 'TRANSFER', 'PAYOUT'] as const;
export const TRANSACTION_NATURES = ['REGULAR', 'REPUDIATION', 'REFUND', 'SETTLEMENT'] as const;

export const WalletParams = Type.Object({ walletId: Str({ description: 'The wallet id' }) });
export { UserParams } from '../../lib/schema.js';
export const ClientWalletParams = Type.Object({
  fundsType: Str({ description: 'FEES or CREDIT' }),
  currency: Str({ description: 'An ISO 4217 currency code' }),
});

/** A multi-value filter: comma-separated (`Status=SUCCEEDED,FAILED`) or repeated; values in any case. */
function Multi(description: string) {
  return Type.Optional(Type.Unsafe<string | string[]>({ type: ['string', 'array'], items: { type: 'string' }, description }));
}

const FILTERS = {
  Status: Multi(TRANSACTION_STATUSES.join(', ')),
  'Status[]': Multi('Status, as axios sends a list'),
  Type: Multi(TRANSACTION_TYPES.join(', ')),
  'Type[]': Multi('Type, as axios sends a list'),
  Nature: Multi(TRANSACTION_NATURES.join(', ')),
  'Nature[]': Multi('Nature, as axios sends a list'),
  ResultCode: Multi('Six-digit result codes'),
  'ResultCode[]': Multi('ResultCode, as axios sends a list'),
};

/** The query of every transaction list. */
export const TransactionListQuery = Type.Object({ ...PagingQuery, Sort: Type.Optional(SortField(['CreationDate'])), ...FILTERS });
export type TransactionListQuery = Static<typeof TransactionListQuery>;

/** The lists of a wallet's or a user's transactions also take ScaContext (account access). */
export const AccountTransactionListQuery = Type.Object({ ...TransactionListQuery.properties, ScaContext: Type.Optional(ScaContextField) });
export type AccountTransactionListQuery = Static<typeof AccountTransactionListQuery>;

/** The fields every transaction shares, in Mangopay's order (reference notes §4.1); other replies spread them. */
export const TransactionFields = {
  Id: Str(),
  Tag: NullableStr(),
  CreationDate: Type.Integer(),
  AuthorId: Str(),
  CreditedUserId: NullableStr(),
  DebitedFunds: MoneyReply,
  CreditedFunds: MoneyReply,
  Fees: MoneyReply,
  Status: Enum(TRANSACTION_STATUSES),
  ResultCode: NullableStr(),
  ResultMessage: NullableStr(),
  ExecutionDate: OrNull(Type.Integer()),
  Type: Enum(TRANSACTION_TYPES),
  Nature: Enum(TRANSACTION_NATURES),
  CreditedWalletId: NullableStr(),
  DebitedWalletId: NullableStr(),
};

export const TransactionReply = Reply(TransactionFields, { title: 'Transaction', description: 'A pay-in, transfer or payout' });
export type TransactionReply = Static<typeof TransactionReply>;
