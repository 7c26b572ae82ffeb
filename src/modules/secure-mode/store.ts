import type { Queryable } from '../../db/index.js';

export type SecureKind = 'PAYIN' | 'PREAUTHORIZATION' | 'CARD_VALIDATION' | 'WEB_PAYIN';
export type SecureState = 'OPEN' | 'APPROVED' | 'REFUSED' | 'EXPIRED' | 'CANCELED';

export interface SecureSession {
  id: string;
  clientId: string;
  kind: SecureKind;
  resourceId: string;
  /** Where the browser goes once the step is over (the resource's id already added). */
  returnUrl: string;
  state: SecureState;
  /** What the page needs to show (amount, currency, card alias, ...); never a card number. */
  data: Record<string, any>;
  creationDate: number;
  expiresAt: number;
  decidedAt: number | null;
}

const COLUMNS = 'id, client_id, kind, resource_id, return_url, state, data, creation_date, expires_at, decided_at';

function toSession(r: any): SecureSession {
  return {
    id: r.id,
    clientId: r.client_id,
    kind: r.kind,
    resourceId: r.resource_id,
    returnUrl: r.return_url,
    state: r.state,
    data: r.data,
    creationDate: r.creation_date,
    expiresAt: r.expires_at,
    decidedAt: r.decided_at,
  };
}

export async function insertSession(q: Queryable, s: SecureSession): Promise<void> {
  await q.query(`INSERT INTO secure_sessions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
    s.id, s.clientId, s.kind, s.resourceId, s.returnUrl, s.state, JSON.stringify(s.data), s.creationDate, s.expiresAt, s.decidedAt,
  ]);
}

/** A session by its secret id (any client: the id is the credential), or null; `lock` takes it FOR UPDATE. */
export async function findSession(q: Queryable, id: string, lock = false): Promise<SecureSession | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM secure_sessions WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows.length ? toSession(rows[0]) : null;
}

/** The open session of one resource (a pay-in waiting for its challenge), or null. */
export async function findOpenSessionFor(q: Queryable, clientId: string, kind: SecureKind, resourceId: string): Promise<SecureSession | null> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM secure_sessions WHERE client_id = $1 AND kind = $2 AND resource_id = $3 AND state = 'OPEN'
     ORDER BY creation_date DESC LIMIT 1`,
    [clientId, kind, resourceId],
  );
  return rows.length ? toSession(rows[0]) : null;
}

export async function saveSessionState(q: Queryable, s: SecureSession): Promise<void> {
  await q.query('UPDATE secure_sessions SET state = $2, decided_at = $3, data = $4 WHERE id = $1', [
    s.id, s.state, s.decidedAt, JSON.stringify(s.data),
  ]);
}

/** The ids of a client's open sessions past their expiry on its clock. */
export async function dueSessionIds(q: Queryable, clientId: string, now: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `SELECT id FROM secure_sessions WHERE client_id = $1 AND state = 'OPEN' AND expires_at <= $2 ORDER BY expires_at`,
    [clientId, now],
  );
  return rows.map((r) => r.id);
}

/** The clients with an open session past its expiry on their own sandbox clock, with that clock's offset. */
export async function clientsWithDueSessions(q: Queryable, serverNow: number): Promise<Array<{ clientId: string; clockOffset: number }>> {
  const rows = await q.query<{ client_id: string; clock_offset: number }>(
    `SELECT c.id AS client_id, c.clock_offset FROM clients c
     WHERE EXISTS (SELECT 1 FROM secure_sessions s WHERE s.client_id = c.id AND s.state = 'OPEN' AND s.expires_at <= $1 + c.clock_offset)`,
    [serverNow],
  );
  return rows.map((r) => ({ clientId: r.client_id, clockOffset: Number(r.clock_offset) }));
}
