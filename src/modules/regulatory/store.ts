import type { Queryable } from '../../db/index.js';

export interface BlockState {
  inflows: boolean;
  outflows: boolean;
  /** "" when nothing is blocked. */
  actionCode: string;
}

/** The user's block state, or null when the client has no such user; `lock` takes the user's row lock. */
export async function findBlockState(q: Queryable, clientId: string, userId: string, lock = false): Promise<BlockState | null> {
  const rows = await q.query<{ inflows_blocked: boolean; outflows_blocked: boolean; block_action_code: string }>(
    `SELECT inflows_blocked, outflows_blocked, block_action_code FROM users
     WHERE id = $1 AND client_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [userId, clientId],
  );
  if (!rows.length) return null;
  const r = rows[0];
  return { inflows: r.inflows_blocked, outflows: r.outflows_blocked, actionCode: r.block_action_code };
}

export async function saveBlockState(q: Queryable, clientId: string, userId: string, s: BlockState): Promise<void> {
  await q.query(
    `UPDATE users SET inflows_blocked = $3, outflows_blocked = $4, block_action_code = $5
     WHERE id = $1 AND client_id = $2`,
    [userId, clientId, s.inflows, s.outflows, s.actionCode],
  );
}
