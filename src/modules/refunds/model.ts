import { renderTransaction, type Transaction } from '../transactions/model.js';
import type { RefundReply } from './schemas.js';

/** A refund: the transaction fields, and which transaction it gives back (details written by its creator). */
export function renderRefund(t: Transaction): RefundReply {
  return {
    ...renderTransaction(t),
    InitialTransactionId: t.details.InitialTransactionId ?? null,
    InitialTransactionType: t.details.InitialTransactionType ?? null,
    RefundReason: t.details.RefundReason ?? null,
  };
}
