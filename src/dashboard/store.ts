import type { Queryable } from '../db/index.js';

/** The SQL of the Dashboard: sessions, sign-in links, wrong sign-ins, and the user search. */

export interface SessionRow {
  clientId: string;
  csrfToken: string;
  expiresAt: number;
}

export async function insertSession(q: Queryable, s: { idHash: string; clientId: string; csrfToken: string; now: number; expiresAt: number }) {
  await q.query(
    'INSERT INTO dashboard_sessions (id_hash, client_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [s.idHash, s.clientId, s.csrfToken, s.now, s.expiresAt],
  );
  // Sessions expired a day ago are of no use to anyone.
  await q.query('DELETE FROM dashboard_sessions WHERE expires_at < $1', [s.now - 86400]);
}

export async function findLiveSession(q: Queryable, idHash: string, now: number): Promise<SessionRow | null> {
  const [row] = await q.query<{ client_id: string; csrf_token: string; expires_at: string | number }>(
    'SELECT client_id, csrf_token, expires_at FROM dashboard_sessions WHERE id_hash = $1 AND expires_at > $2',
    [idHash, now],
  );
  return row ? { clientId: row.client_id, csrfToken: row.csrf_token, expiresAt: Number(row.expires_at) } : null;
}

export async function deleteSession(q: Queryable, idHash: string): Promise<void> {
  await q.query('DELETE FROM dashboard_sessions WHERE id_hash = $1', [idHash]);
}

export async function insertLink(q: Queryable, l: { tokenHash: string; clientId: string; now: number; expiresAt: number }) {
  await q.query('INSERT INTO dashboard_links (token_hash, client_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
    l.tokenHash,
    l.clientId,
    l.now,
    l.expiresAt,
  ]);
  await q.query('DELETE FROM dashboard_links WHERE expires_at < $1', [l.now - 86400]);
}

/** Marks a live, unused link used and returns its client; null when unknown, expired or already used (atomic). */
export async function useLink(q: Queryable, tokenHash: string, now: number): Promise<string | null> {
  const [row] = await q.query<{ client_id: string }>(
    `UPDATE dashboard_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING client_id`,
    [tokenHash, now],
  );
  return row?.client_id ?? null;
}

/** Records a signed link as used; its client, or null when it was used before. */
export async function recordLinkUse(q: Queryable, l: { tokenHash: string; clientId: string; now: number; expiresAt: number }): Promise<string | null> {
  const [row] = await q.query<{ client_id: string }>(
    `INSERT INTO dashboard_links (token_hash, client_id, created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $3)
     ON CONFLICT (token_hash) DO NOTHING RETURNING client_id`,
    [l.tokenHash, l.clientId, l.now, l.expiresAt],
  );
  return row?.client_id ?? null;
}

/** Wrong sign-ins for this id in the current window. */
export async function failuresOf(q: Queryable, attemptedId: string, windowStart: number): Promise<number> {
  const [row] = await q.query<{ count: number }>(
    'SELECT count FROM dashboard_sign_in_failures WHERE attempted_id = $1 AND window_start = $2',
    [attemptedId, windowStart],
  );
  return row?.count ?? 0;
}

export async function addFailure(q: Queryable, attemptedId: string, windowStart: number): Promise<number> {
  const [row] = await q.query<{ count: number }>(
    `INSERT INTO dashboard_sign_in_failures AS f (attempted_id, window_start, count) VALUES ($1, $2, 1)
     ON CONFLICT (attempted_id) DO UPDATE SET
       count = CASE WHEN f.window_start = EXCLUDED.window_start THEN f.count + 1 ELSE 1 END,
       window_start = EXCLUDED.window_start
     RETURNING count`,
    [attemptedId, windowStart],
  );
  return row.count;
}

export interface UserSearch {
  /** An exact id, or the start of an e-mail, a name, a first or last name (case-insensitive). */
  text?: string;
  status?: string;
  category?: string;
  kycLevel?: string;
  personType?: string;
}

export interface UserRow {
  id: string;
  personType: string;
  category: string;
  status: string;
  kycLevel: string;
  email: string;
  name: string;
  creationDate: number;
}

const NAME = `coalesce(data->>'Name', data->>'LastName', '')`;
const FIRST = `coalesce(data->>'FirstName', '')`;

/** The WHERE clause of a search; each condition matches one index of migration 016. */
export function userSearchSql(clientId: string, s: UserSearch): { where: string; params: unknown[] } {
  const params: unknown[] = [clientId];
  const where = ['client_id = $1'];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  const text = s.text?.trim();
  if (text) {
    params.push(text);
    const exact = `$${params.length}`;
    params.push(`${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const prefix = `$${params.length}`;
    where.push(
      `(id = ${exact} OR lower(email) LIKE ${prefix} OR lower(${NAME}) LIKE ${prefix} OR lower(${FIRST}) LIKE ${prefix})`,
    );
  }
  if (s.status) add('status = ?', s.status);
  if (s.category) add('category = ?', s.category);
  if (s.kycLevel) add('kyc_level = ?', s.kycLevel);
  if (s.personType) add('person_type = ?', s.personType);
  return { where: where.join(' AND '), params };
}

/** One page of the client's users matching the search, newest first, and how many match. */
export async function searchUsers(
  q: Queryable,
  clientId: string,
  s: UserSearch,
  page: number,
  perPage: number,
): Promise<{ items: UserRow[]; total: number }> {
  const { where, params } = userSearchSql(clientId, s);
  const [{ total }] = await q.query<{ total: number }>(`SELECT count(*)::int AS total FROM users WHERE ${where}`, params);
  const rows = await q.query<any>(
    `SELECT id, person_type, category, status, kyc_level, email, creation_date,
       trim(coalesce(data->>'Name', '') || ' ' || coalesce(data->>'FirstName', '') || ' ' || coalesce(data->>'LastName', '')) AS name
     FROM users WHERE ${where} ORDER BY creation_date DESC, seq DESC LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`,
    params,
  );
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      personType: r.person_type,
      category: r.category,
      status: r.status,
      kycLevel: r.kyc_level,
      email: r.email,
      name: r.name,
      creationDate: Number(r.creation_date),
    })),
  };
}

/** The plan of a search (for the test that checks the indexes are used). */
export async function explainUserSearch(q: Queryable, clientId: string, s: UserSearch): Promise<string> {
  const { where, params } = userSearchSql(clientId, s);
  const rows = await q.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN SELECT id FROM users WHERE ${where} ORDER BY creation_date DESC, seq DESC LIMIT 25`,
    params,
  );
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}
