import type { Queryable } from '../../db/index.js';
import type { Paging } from '../../core/paging.js';
import type { Recipient } from './model.js';

const COLUMNS =
  'id, client_id, user_id, status, scope, sca_context, display_name, payout_method_type, recipient_type, currency, country, ' +
  'holder, account, verification, sca_token, tag, creation_date';

function toRecipient(r: any): Recipient {
  return {
    id: r.id,
    clientId: r.client_id,
    userId: r.user_id,
    status: r.status,
    scope: r.scope,
    scaContext: r.sca_context,
    displayName: r.display_name,
    payoutMethodType: r.payout_method_type,
    recipientType: r.recipient_type,
    currency: r.currency,
    country: r.country,
    holder: r.holder,
    account: r.account,
    verification: r.verification,
    scaToken: r.sca_token,
    tag: r.tag,
    creationDate: Number(r.creation_date),
  };
}

export async function insertRecipient(q: Queryable, r: Recipient): Promise<void> {
  await q.query(
    `INSERT INTO recipients (id, client_id, user_id, status, scope, sca_context, display_name, payout_method_type, recipient_type,
       currency, country, holder, account, verification, sca_token, tag, creation_date)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [
      r.id, r.clientId, r.userId, r.status, r.scope, r.scaContext, r.displayName, r.payoutMethodType, r.recipientType,
      r.currency, r.country, JSON.stringify(r.holder), JSON.stringify(r.account),
      r.verification ? JSON.stringify(r.verification) : null, r.scaToken, r.tag, r.creationDate,
    ],
  );
}

/** The client's recipient, or null (another client's recipient is not found). */
export async function findRecipient(q: Queryable, clientId: string, id: string, lock = false): Promise<Recipient | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM recipients WHERE id = $1 AND client_id = $2${lock ? ' FOR UPDATE' : ''}`, [
    id,
    clientId,
  ]);
  return rows.length ? toRecipient(rows[0]) : null;
}

export async function setStatus(q: Queryable, clientId: string, id: string, status: Recipient['status']): Promise<void> {
  await q.query('UPDATE recipients SET status = $3 WHERE id = $1 AND client_id = $2', [id, clientId, status]);
}

/** PENDING → ACTIVE for the recipients waiting on this SCA session; their ids. */
export async function activateBySession(q: Queryable, token: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `UPDATE recipients SET status = 'ACTIVE' WHERE sca_token = $1 AND status = 'PENDING' RETURNING id`,
    [token],
  );
  return rows.map((r) => r.id);
}

/**
 * PENDING → CANCELED for the client's recipients (of one user, or all) whose SCA session expired
 * before `now` without being completed; their ids, in creation order.
 */
export async function cancelExpired(q: Queryable, clientId: string, now: number, userId: string | null = null): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `WITH due AS (
       SELECT r.id FROM recipients r JOIN sca_sessions s ON s.token = r.sca_token
       WHERE r.client_id = $1 AND ($3::text IS NULL OR r.user_id = $3) AND r.status = 'PENDING'
         AND s.completed_at IS NULL AND s.expires_at < $2
       ORDER BY r.creation_date, r.seq
       FOR UPDATE OF r
     )
     UPDATE recipients SET status = 'CANCELED' FROM due WHERE recipients.id = due.id RETURNING recipients.id`,
    [clientId, now, userId],
  );
  return rows.map((r) => r.id);
}

/**
 * One page of a user's recipients and legacy bank accounts together (docs: the list shows both), by
 * creation date then insertion order; each row says which table it comes from. Legacy accounts are
 * PAYOUT scope, ACTIVE or DEACTIVATED.
 */
export async function listWithLegacy(
  q: Queryable,
  clientId: string,
  f: { userId: string; scope: string | null; status: string | null },
  p: Paging,
): Promise<{ rows: Array<{ kind: 'R' | 'B'; id: string }>; total: number }> {
  const params: unknown[] = [clientId, f.userId, f.scope, f.status, p.before ?? null, p.after ?? null];
  const dates = `($5::bigint IS NULL OR creation_date < $5) AND ($6::bigint IS NULL OR creation_date > $6)`;
  const union = `
    SELECT 'R' AS kind, id, creation_date, seq FROM recipients
     WHERE client_id = $1 AND user_id = $2 AND ($3::text IS NULL OR scope = $3) AND ($4::text IS NULL OR status = $4) AND ${dates}
    UNION ALL
    SELECT 'B' AS kind, id, creation_date, seq FROM bank_accounts
     WHERE client_id = $1 AND user_id = $2 AND ($3::text IS NULL OR $3 = 'PAYOUT')
       AND ($4::text IS NULL OR ($4 = 'ACTIVE' AND active) OR ($4 = 'DEACTIVATED' AND NOT active)) AND ${dates}`;
  const [{ total }] = await q.query<{ total: number }>(`SELECT count(*)::int AS total FROM (${union}) u`, params);
  const dir = p.sortDir === 'ASC' ? 'ASC' : 'DESC';
  // Legacy accounts predate recipients: at equal dates they come first (oldest first).
  const rows = await q.query<{ kind: 'R' | 'B'; id: string }>(
    `SELECT kind, id FROM (${union}) u ORDER BY creation_date ${dir}, kind ${dir === 'ASC' ? 'ASC' : 'DESC'}, seq ${dir}
     LIMIT ${p.perPage} OFFSET ${(p.page - 1) * p.perPage}`,
    params,
  );
  return { rows, total };
}

export async function findRecipients(q: Queryable, clientId: string, ids: string[]): Promise<Map<string, Recipient>> {
  if (!ids.length) return new Map();
  const rows = await q.query(`SELECT ${COLUMNS} FROM recipients WHERE client_id = $1 AND id = ANY($2)`, [clientId, ids]);
  return new Map(rows.map((r: any) => [r.id, toRecipient(r)]));
}

/** The clients (with their clock offsets) that have PENDING recipients, for the expiry sweep. */
export async function clientsWithPending(q: Queryable): Promise<Array<{ clientId: string; clockOffset: number }>> {
  const rows = await q.query<{ client_id: string; clock_offset: string }>(
    `SELECT c.id AS client_id, c.clock_offset FROM clients c
     WHERE EXISTS (SELECT 1 FROM recipients r WHERE r.client_id = c.id AND r.status = 'PENDING')`,
  );
  return rows.map((r) => ({ clientId: r.client_id, clockOffset: Number(r.clock_offset) }));
}
