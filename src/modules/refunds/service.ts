import type { RequestCtx } from '../../core/context.js';
import { ERRORS } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import { findTransaction, listTransactions } from '../transactions/store.js';

const ENTITY = { TRANSFER: 'Transfer', PAYOUT: 'PayOut' } as const;

/**
 * The refunds of one of the client's transfers or payouts, paged. Nothing in Mangrove creates
 * refunds yet, so the list is empty until it does; the transaction itself must exist.
 */
export async function listRefunds(ctx: RequestCtx, type: keyof typeof ENTITY, id: string, p: Paging) {
  if (!(await findTransaction(ctx.db, ctx.clientId, type, id))) throw ERRORS.notFound(ENTITY[type], id);
  return listTransactions(
    ctx.db,
    ctx.clientId,
    { refundOf: id, statuses: null, types: null, natures: null, resultCodes: null },
    p,
  );
}
