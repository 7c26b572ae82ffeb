import type { Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS } from '../../core/errors.js';
import { recordEvent } from '../events/store.js';
import { findUser } from '../users/store.js';
import type { BlockBody } from './schemas.js';
import * as store from './store.js';
import type { BlockState } from './store.js';

export type { BlockState };

/**
 * Mangopay's documented ActionCodes (reference notes §3.2). Others are accepted: the list grows
 * and closure's code is undocumented.
 */
export const ACTION_CODES = {
  '008701': 'Suspected fraud',
  '008702': 'Compliance issue',
  '008703': 'General issue',
  '008704': 'The user asked for the deletion of their data',
  '008705': 'Suspected fraudulent document',
  '008710': 'Potential PEP',
  '008711': 'A new proof of identity is needed',
  '008712': 'Wrong LegalPersonType',
  '008714': 'A proof of address is required',
} as const;

/** The code a block gets when the caller names none. */
export const DEFAULT_ACTION_CODE = '008703';

/** The flows a change asks for: true = change this flow, false or absent = leave it as it is. */
interface Flows {
  inflows: boolean;
  outflows: boolean;
}

/**
 * The user's block state, for the money paths: call it inside the transaction that moves money,
 * after taking the user's row lock (or with `lock`). Throws ressource_not_found for an unknown user.
 */
export async function blockState(q: Queryable, clientId: string, userId: string, lock = false): Promise<BlockState> {
  const state = await store.findBlockState(q, clientId, userId, lock);
  if (!state) throw ERRORS.notFound('User', userId);
  return state;
}

/**
 * Sets (`block`) or clears the asked flows under the user's row lock, with an event for each flag
 * that actually changes, in the caller's transaction. Unblocking everything clears the ActionCode;
 * a block keeps the current code unless it is given one.
 */
async function change(
  q: Queryable,
  clientId: string,
  userId: string,
  now: number,
  block: boolean,
  flows: Flows,
  actionCode?: string,
): Promise<BlockState> {
  const before = await blockState(q, clientId, userId, true);
  const after: BlockState = {
    inflows: flows.inflows ? block : before.inflows,
    outflows: flows.outflows ? block : before.outflows,
    actionCode: '',
  };
  if (after.inflows || after.outflows) after.actionCode = (block && actionCode) || before.actionCode || DEFAULT_ACTION_CODE;
  if (after.inflows === before.inflows && after.outflows === before.outflows && after.actionCode === before.actionCode) {
    return before;
  }
  await store.saveBlockState(q, clientId, userId, after);
  if (after.inflows !== before.inflows) {
    await recordEvent(q, clientId, after.inflows ? 'USER_INFLOWS_BLOCKED' : 'USER_INFLOWS_UNBLOCKED', userId, now);
  }
  if (after.outflows !== before.outflows) {
    await recordEvent(q, clientId, after.outflows ? 'USER_OUTFLOWS_BLOCKED' : 'USER_OUTFLOWS_UNBLOCKED', userId, now);
  }
  return after;
}

/** Blocks inflows and outflows (closure), with the events of the flags that change, in the caller's transaction. */
export function blockAll(q: Queryable, clientId: string, userId: string, now: number, actionCode?: string): Promise<BlockState> {
  return change(q, clientId, userId, now, true, { inflows: true, outflows: true }, actionCode);
}

export async function getRegulatory(ctx: RequestCtx, userId: string): Promise<{ userId: string; state: BlockState }> {
  return { userId, state: await blockState(ctx.db, ctx.clientId, userId) };
}

/** Sandbox: Mangopay blocks (`block`) or unblocks the flows the body names (an unblock's ActionCode is not read). */
export async function sandboxChange(
  ctx: RequestCtx,
  userId: string,
  block: boolean,
  input: BlockBody,
): Promise<{ userId: string; state: BlockState }> {
  const flows = { inflows: input.Inflows === true, outflows: input.Outflows === true };
  return ctx.db.tx(async (q) => {
    const user = await findUser(q, ctx.clientId, userId, true);
    if (!user) throw ERRORS.notFound('User', userId);
    if (user.status === 'CLOSED') throw ERRORS.userClosed();
    if (!flows.inflows && !flows.outflows) {
      const message = `At least one of Inflows and Outflows must be true: there is nothing to ${block ? 'block' : 'unblock'}.`;
      throw ERRORS.paramError({ Inflows: message, Outflows: message });
    }
    const actionCode = block ? input.ActionCode : undefined;
    return { userId, state: await change(q, ctx.clientId, userId, ctx.now, block, flows, actionCode) };
  });
}
