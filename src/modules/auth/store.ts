import type { Db } from '../../db/index.js';

/** The SQL of clients, tokens, the token budget and the rate-limit windows (service.ts holds the rules). */

export async function insertClient(db: Db, c: { id: string; name: string; apiKeyHash: string; createdAt: number }): Promise<void> {
  await db.query('INSERT INTO clients (id, name, api_key_hash, created_at) VALUES ($1, $2, $3, $4)', [
    c.id,
    c.name,
    c.apiKeyHash,
    c.createdAt,
  ]);
}

export async function findClientKey(db: Db, id: string): Promise<{ apiKeyHash: string; clockOffset: number } | null> {
  const rows = await db.query<{ api_key_hash: string; clock_offset: number }>(
    'SELECT api_key_hash, clock_offset FROM clients WHERE id = $1',
    [id],
  );
  return rows.length ? { apiKeyHash: rows[0].api_key_hash, clockOffset: Number(rows[0].clock_offset) } : null;
}

export async function updateClientKey(db: Db, id: string, apiKeyHash: string): Promise<void> {
  await db.query('UPDATE clients SET api_key_hash = $2 WHERE id = $1', [id, apiKeyHash]);
}

export async function countClients(db: Db): Promise<number> {
  const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM clients');
  return n;
}

/** Counts one token request in the client's budget window and returns the window's count. */
export async function spendTokenBudget(db: Db, clientId: string, windowStart: number): Promise<number> {
  const [used] = await db.query<{ count: number }>(
    `INSERT INTO token_budget AS b (client_id, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (client_id) DO UPDATE SET
       count = CASE WHEN b.window_start = EXCLUDED.window_start THEN b.count + 1 ELSE 1 END,
       window_start = EXCLUDED.window_start
     RETURNING count`,
    [clientId, windowStart],
  );
  return used.count;
}

export async function insertToken(db: Db, t: { hash: string; clientId: string; createdAt: number; expiresAt: number }): Promise<void> {
  await db.query('INSERT INTO api_tokens (token_hash, client_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
    t.hash,
    t.clientId,
    t.createdAt,
    t.expiresAt,
  ]);
}

export async function purgeTokens(db: Db, clientId: string, expiredBefore: number): Promise<void> {
  await db.query('DELETE FROM api_tokens WHERE client_id = $1 AND expires_at < $2', [clientId, expiredBefore]);
}

export async function findLiveToken(db: Db, hash: string, now: number): Promise<{ clientId: string; expiresAt: number } | null> {
  const rows = await db.query<{ client_id: string; expires_at: number }>(
    'SELECT client_id, expires_at FROM api_tokens WHERE token_hash = $1 AND expires_at > $2',
    [hash, now],
  );
  return rows.length ? { clientId: rows[0].client_id, expiresAt: rows[0].expires_at } : null;
}

export async function addCalls(
  db: Db,
  calls: Map<string, number>,
  now: number,
  windows: readonly number[],
  steps: readonly number[],
): Promise<Map<string, { counts: number[]; resets: number[]; clockOffset: number }>> {
  // A fixed order of rows keeps two processes' batches from deadlocking; ids were checked by the caller.
  const ids = [...calls.keys()].sort();
  const w = windows.map((_, i) => i);
  const values = ids.map((id) => `('${id}', ${Math.trunc(calls.get(id)!)})`).join(', ');
  const t = Math.trunc(now);
  // One round trip, and no wait for a WAL flush: calls lost to a crash cost nothing, while a
  // flush would sit on the path of every request.
  const [, , rows] = await db.script(
    `BEGIN; SET LOCAL synchronous_commit = off;
     WITH t AS (
       SELECT x.client_id, x.n, c.clock_offset,
         ${w.map((i) => `${t} - ((${t} - c.created_at) % ${steps[i]} + ${steps[i]}) % ${steps[i]} AS s${i}`).join(', ')}
       FROM (VALUES ${values}) AS x(client_id, n) JOIN clients c ON c.id = x.client_id
       ORDER BY x.client_id
     )
     INSERT INTO rate_limits AS r (client_id, ${w.map((i) => `w${i}_start, w${i}_count`).join(', ')})
     SELECT client_id, ${w.map((i) => `s${i}, n`).join(', ')} FROM t
     ON CONFLICT (client_id) DO UPDATE SET
       ${w
         .map(
           (i) =>
             // A process whose clock lags behind another's never takes a window back to an older start.
             `w${i}_count = CASE WHEN EXCLUDED.w${i}_start > r.w${i}_start THEN EXCLUDED.w${i}_count ELSE r.w${i}_count + EXCLUDED.w${i}_count END, w${i}_start = GREATEST(r.w${i}_start, EXCLUDED.w${i}_start)`,
         )
         .join(',\n       ')}
     RETURNING client_id, ${w.map((i) => `w${i}_start, w${i}_count`).join(', ')},
       (SELECT clock_offset FROM t WHERE t.client_id = r.client_id) AS clock_offset;
     COMMIT;`,
  );
  return new Map(
    rows.map((r) => [
      r.client_id,
      {
        counts: w.map((i) => r[`w${i}_count`]),
        resets: w.map((i) => r[`w${i}_start`] + windows[i]),
        clockOffset: Number(r.clock_offset),
      },
    ]),
  );
}
