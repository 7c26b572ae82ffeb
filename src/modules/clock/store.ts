import type { Queryable } from '../../db/index.js';

// The client's sandbox clock (business time = server time + offset). Its own module because users, KYC and the
// sandbox all read it, and the sandbox module builds on users.

/** Moves the client's clock forward and returns its new offset (seconds ahead of the server's clock). */
export async function advanceClock(q: Queryable, clientId: string, seconds: number): Promise<number> {
  const [row] = await q.query<{ clock_offset: number }>(
    'UPDATE clients SET clock_offset = clock_offset + $2 WHERE id = $1 RETURNING clock_offset',
    [clientId, seconds],
  );
  return Number(row.clock_offset);
}

export async function clockOffset(q: Queryable, clientId: string): Promise<number> {
  const [row] = await q.query<{ clock_offset: number }>('SELECT clock_offset FROM clients WHERE id = $1', [clientId]);
  return Number(row.clock_offset);
}
