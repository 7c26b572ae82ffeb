import { AmountField, CurrencyField, MAX_AMOUNT, MoneyField } from '../../ledger/money.js';
import { Body, Enum, NullableStr, PagingQuery, Reply, SortField, Str, Type, type Static } from '../../lib/schema.js';
import { TransactionFields } from '../transactions/schemas.js';

const MAX_TEXT = 255;

export const PayInParams = Type.Object({ payInId: Str({ description: 'The pay-in id' }) });
export const TransferParams = Type.Object({ transferId: Str({ description: 'The transfer id' }) });
export const PayOutParams = Type.Object({ payOutId: Str({ description: 'The payout id' }) });
export const RefundParams = Type.Object({ refundId: Str({ description: 'The refund id' }) });

/** A multi-value filter: comma-separated (`Status=SUCCEEDED,FAILED`) or repeated; values in any case. */
function Multi(description: string) {
  return Type.Optional(Type.Unsafe<string | string[]>({ type: ['string', 'array'], items: { type: 'string' }, description }));
}

/** The query of the refund lists: paging, dates, Sort, and the Status and ResultCode filters. */
export const RefundListQuery = Type.Object({
  ...PagingQuery,
  Sort: Type.Optional(SortField(['CreationDate'])),
  Status: Multi('CREATED, SUCCEEDED, FAILED'),
  'Status[]': Multi('Status, as axios sends a list'),
  ResultCode: Multi('Six-digit result codes'),
  'ResultCode[]': Multi('ResultCode, as axios sends a list'),
});
export type RefundListQuery = Static<typeof RefundListQuery>;

/** Fees of a refund are signed: negative gives the initial fees back, positive charges the refund. */
const SignedFees = Type.Object(
  { Currency: CurrencyField(), Amount: AmountField(-MAX_AMOUNT) },
  { description: "Signed: negative takes that much from the client's fee wallet for the payer, positive charges the refund" },
);

/**
 * `POST /payins/{Id}/refunds` and `POST /transfers/{Id}/refunds`. Without DebitedFunds and Fees, a full
 * refund of what remains. The wallet ids the SDKs send are ignored: the initial transaction names them.
 */
export const RefundCreate = Body(
  {
    AuthorId: Str({ maxLength: MAX_TEXT, description: "The initial transaction's author" }),
    DebitedFunds: Type.Optional(MoneyField(1, { description: 'Taken from the wallet the initial transaction credited' })),
    Fees: Type.Optional(SignedFees),
    Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  },
  { required: ['AuthorId'] },
);
export type RefundCreate = Static<typeof RefundCreate>;

export const PAYOUT_REFUND_REASONS = [
  'BANKACCOUNT_INCORRECT',
  'OWNER_DO_NOT_MATCH_BANKACCOUNT',
  'BANKACCOUNT_HAS_BEEN_CLOSED',
  'WITHDRAWAL_IMPOSSIBLE_ON_SAVINGS_ACCOUNTS',
  'OTHER',
] as const;

/** Sandbox "the payout came back": why the bank returned it (OTHER by default). */
export const SandboxPayOutRefund = Body({
  RefundReasonType: Type.Optional(Enum(PAYOUT_REFUND_REASONS)),
  RefundReasonMessage: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
});
export type SandboxPayOutRefund = Static<typeof SandboxPayOutRefund>;

// The transaction fields up to Nature; the wallets come after the initial transaction's.
const { CreditedWalletId: _c, DebitedWalletId: _d, ...common } = TransactionFields;

/** The Refund object, in Mangopay's key order (reference notes §6.3). */
export const RefundReply = Reply(
  {
    ...common,
    InitialTransactionId: Str(),
    InitialTransactionType: Str(),
    InitialTransactionNature: Str(),
    DebitedWalletId: NullableStr(),
    CreditedWalletId: NullableStr(),
    RefundReason: Reply({ RefundReasonMessage: NullableStr(), RefundReasonType: Str() }),
    StatementDescriptor: NullableStr(),
  },
  { title: 'Refund', description: 'A refund of a pay-in or a transfer, or a payout the bank sent back' },
);
export type RefundReply = Static<typeof RefundReply>;
