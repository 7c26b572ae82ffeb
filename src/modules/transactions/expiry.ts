import type { RequestCtx } from '../../core/context.js';
import { recordEvent } from '../events/store.js';
import { expireDueSessions } from '../secure-mode/service.js';
import { failCreatedBefore } from './store.js';

/** A bank-wire pay-in's funds must arrive within a month of its creation. */
export const PAYIN_EXPIRY_SECONDS = 30 * 24 * 3600;
export const PAYIN_EXPIRED = { code: '101109', message: 'The payment period has expired' } as const;

/**
 * A CREATED pay-in a month old becomes FAILED (101109, with its event): when it is next read,
 * listed, settled or failed, when the client's sandbox clock moves, and at the latest at the next
 * sweep (`sweepExpired`). Settling or failing it is then refused. It lives with the transactions,
 * not the pay-ins, because every read of transactions settles the due ones first and the pay-ins
 * module builds on this one.
 */
export async function expireDue(ctx: Pick<RequestCtx, 'db' | 'clientId' | 'now'>): Promise<void> {
  // Card payments waiting on a 3-D Secure or payment page end with their session (its own codes,
  // 101304 for a challenge): the month applies to bank wires only.
  await expireDueSessions(ctx.db, ctx.clientId, ctx.now);
  await ctx.db.tx(async (q) => {
    const ids = await failCreatedBefore(q, ctx.clientId, 'PAYIN', ctx.now - PAYIN_EXPIRY_SECONDS, PAYIN_EXPIRED, 'BANK_WIRE');
    for (const id of ids) await recordEvent(q, ctx.clientId, 'PAYIN_NORMAL_FAILED', id, ctx.now);
  });
}
