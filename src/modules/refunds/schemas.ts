import { NullableStr, OrNull, PagingQuery, Reply, SortField, Str, Type, type Static } from '../../lib/schema.js';
import { TransactionFields } from '../transactions/schemas.js';

export const TransferParams = Type.Object({ transferId: Str({ description: 'The transfer id' }) });
export const PayOutParams = Type.Object({ payOutId: Str({ description: 'The payout id' }) });

export const RefundListQuery = Type.Object({ ...PagingQuery, Sort: Type.Optional(SortField(['CreationDate'])) });
export type RefundListQuery = Static<typeof RefundListQuery>;

export const RefundReply = Reply(
  {
    ...TransactionFields,
    InitialTransactionId: NullableStr(),
    InitialTransactionType: NullableStr(),
    RefundReason: OrNull(Type.Object({ RefundReasonType: Type.Optional(Str()) }, { additionalProperties: true })),
  },
  { title: 'Refund', description: 'A refund of a transfer or payout' },
);
export type RefundReply = Static<typeof RefundReply>;
