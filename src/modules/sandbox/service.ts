import type { RequestCtx } from '../../core/context.js';
import { ERRORS } from '../../core/errors.js';
import { advancePending } from '../../webhooks/store.js';
import { expireDue } from '../transactions/expiry.js';
import { expireHolds } from '../preauthorizations/service.js';
import { completeTransferSession, expireScaTransfers } from '../transfers/service.js';
import { expireScaRecipients } from '../recipients/service.js';
import { openScaSessions } from '../users/store.js';
import { completeScaSession, getUser, sandboxCompleteEnrollment } from '../users/service.js';
import type { UserRecord } from '../users/model.js';
import { createClientWallets } from '../wallets/store.js';
import type { ClockAdvance } from './schemas.js';
import * as store from './store.js';

type Ctx = RequestCtx;
export interface Clock {
  Date: number;
  OffsetSeconds: number;
}

export async function readClock(ctx: Ctx): Promise<Clock> {
  const offset = await store.clockOffset(ctx.db, ctx.clientId);
  return { Date: Math.floor(Date.now() / 1000) + offset, OffsetSeconds: offset };
}

/**
 * Moves the client's clock forward: everything dated afterwards (creation dates, expiries, token
 * lifetimes) reads the new time, pending webhook retries come due as if the time had passed, and
 * pay-ins that time expired are failed (and card holds ended) at once.
 */
export async function advanceClock(ctx: Ctx, input: ClockAdvance): Promise<Clock> {
  const seconds = input.Seconds;
  const offset = await ctx.db.tx(async (q) => {
    const next = await store.advanceClock(q, ctx.clientId, seconds);
    await advancePending(q, ctx.clientId, seconds);
    return next;
  });
  const now = Math.floor(Date.now() / 1000) + offset;
  // What the time that passed made due happens now, with its events and webhooks.
  await expireDue({ ...ctx, now });
  await expireScaTransfers({ ...ctx, now });
  await expireScaRecipients({ ...ctx, now });
  await expireHolds({ ...ctx, now });
  return { Date: now, OffsetSeconds: offset };
}

/**
 * Wipes the client's data and puts its clock back; its credentials, live tokens and profile stay,
 * and its FEES and CREDIT wallets are there again, empty, as for a new client.
 */
export async function reset(ctx: Ctx): Promise<void> {
  await ctx.db.tx(async (q) => {
    await store.wipeClient(q, ctx.clientId);
    await createClientWallets(q, ctx.clientId, Math.floor(Date.now() / 1000));
  });
}

/**
 * Completes every SCA step pending for the user, as if the user had passed them on the SCA page:
 * a pending enrollment, open authentications for account access, and open transfer authentications
 * (each transfer then runs, in its own transaction). 400 invalid_action when nothing is pending;
 * 400 user_closed for a closed user.
 */
export async function completePendingSca(ctx: Ctx, id: string): Promise<UserRecord> {
  const user = await getUser(ctx, id);
  if (user.status === 'CLOSED') throw ERRORS.userClosed();
  const open = await openScaSessions(ctx.db, id, ['AUTHENTICATION', 'TRANSFER'], ctx.now);
  if (user.status !== 'PENDING_USER_ACTION' && !open.length) {
    throw ERRORS.invalidAction('No SCA step (enrollment, authentication or transfer) is pending for this user');
  }
  if (user.status === 'PENDING_USER_ACTION') await sandboxCompleteEnrollment(ctx, id);
  for (const { token, kind } of open) {
    if (kind === 'TRANSFER') await completeTransferSession(ctx.db, token, ctx.now);
    else await completeScaSession(ctx.db, token, ctx.now);
  }
  return getUser(ctx, id);
}
