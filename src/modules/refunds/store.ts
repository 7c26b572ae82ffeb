import type { Queryable } from '../../db/index.js';
import type { Transaction } from '../transactions/model.js';

/** What the SUCCEEDED refunds of a transaction have given back so far: DebitedFunds, and fees handed back (negative Fees). */
export interface Refunded {
  count: number;
  debited: number;
  feesBack: number;
}

/** The SUCCEEDED refunds of one initial transaction, summed; its row should be locked by the caller. */
export async function refundedSoFar(q: Queryable, clientId: string, initialId: string): Promise<Refunded> {
  const [r] = await q.query<{ count: number; debited: string; fees_back: string }>(
    `SELECT count(*)::int AS count, coalesce(sum(debited_amount), 0)::text AS debited,
       coalesce(sum(greatest(-fees_amount, 0)), 0)::text AS fees_back
     FROM transactions WHERE client_id = $1 AND nature = 'REFUND' AND details->>'InitialTransactionId' = $2 AND status = 'SUCCEEDED'`,
    [clientId, initialId],
  );
  return { count: r.count, debited: Number(r.debited), feesBack: Number(r.fees_back) };
}

/** The type of one of the client's refunds (PAYOUT for a pay-in's, PAYIN for a payout's), or null. */
export async function refundType(q: Queryable, clientId: string, id: string): Promise<Transaction['type'] | null> {
  const rows = await q.query<{ type: Transaction['type'] }>(
    `SELECT type FROM transactions WHERE id = $1 AND client_id = $2 AND nature = 'REFUND'`,
    [id, clientId],
  );
  return rows.length ? rows[0].type : null;
}
