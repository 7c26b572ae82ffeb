import type { Queryable } from '../../db/index.js';

/** Keys are kept, and refused on reuse, for 24 hours (reference notes §7.5). */
export const KEY_LIFETIME_SECONDS = 86400;

/**
 * Takes the key for a new request, or returns false when it is taken: the primary key settles
 * concurrent requests with one key, so exactly one of them runs. An expired key is taken over.
 */
export async function claimKey(q: Queryable, clientId: string, key: string, requestHash: string, now: number): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO idempotency_keys AS k (client_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (client_id, key) DO UPDATE SET
       request_hash = EXCLUDED.request_hash, created_at = EXCLUDED.created_at, status_code = NULL,
       content_type = NULL, body = NULL, request_url = NULL, completed_at = NULL
     WHERE k.created_at <= $4 - ${KEY_LIFETIME_SECONDS}
     RETURNING key`,
    [clientId, key, requestHash, now],
  );
  return rows.length === 1;
}

/** The hash of the request that holds a live key, or null. */
export async function keyHolderHash(q: Queryable, clientId: string, key: string, now: number): Promise<string | null> {
  const rows = await q.query<{ request_hash: string }>(
    `SELECT request_hash FROM idempotency_keys WHERE client_id = $1 AND key = $2 AND created_at > $3 - ${KEY_LIFETIME_SECONDS}`,
    [clientId, key, now],
  );
  return rows.length ? rows[0].request_hash : null;
}

export interface StoredResponse {
  statusCode: number;
  contentType: string | null;
  body: string;
  requestUrl: string;
  completedAt: number;
}

export async function storeResponse(q: Queryable, clientId: string, key: string, r: StoredResponse): Promise<void> {
  await q.query(
    `UPDATE idempotency_keys SET status_code = $3, content_type = $4, body = $5, request_url = $6, completed_at = $7
     WHERE client_id = $1 AND key = $2`,
    [clientId, key, r.statusCode, r.contentType, r.body, r.requestUrl, r.completedAt],
  );
}

/** The stored response of a live key, or null (unknown, expired, or its request still running). */
export async function findResponse(q: Queryable, clientId: string, key: string, now: number): Promise<StoredResponse | null> {
  const rows = await q.query<any>(
    `SELECT status_code, content_type, body, request_url, completed_at FROM idempotency_keys
     WHERE client_id = $1 AND key = $2 AND created_at > $3 - ${KEY_LIFETIME_SECONDS} AND status_code IS NOT NULL`,
    [clientId, key, now],
  );
  if (!rows.length) return null;
  const r = rows[0];
  return { statusCode: r.status_code, contentType: r.content_type, body: r.body, requestUrl: r.request_url, completedAt: Number(r.completed_at) };
}
