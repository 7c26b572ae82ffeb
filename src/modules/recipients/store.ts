import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../http/paging.js';
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

export async function listRecipients(
  q: Queryable,
  clientId: string,
  f: { userId: string; scope: string | null; status: string | null },
  p: Paging,
): Promise<{ items: Recipient[]; total: number }> {
  const { rows, total } = await selectPage(
    q,
    {
      table: 'recipients',
      columns: COLUMNS,
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['user_id = ?', f.userId],
        ['scope = ?', f.scope],
        ['status = ?', f.status],
      ],
    },
    p,
  );
  return { items: rows.map(toRecipient), total };
}
