import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../core/paging.js';
import type { UserRecord } from './model.js';

const COLUMNS = `id, client_id, person_type, category, status, kyc_level, email, tag, creation_date,
  tc_accepted, tc_date, legacy, sca_enrolled_at, consent_at, data`;

function toRecord(r: any): UserRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    personType: r.person_type,
    category: r.category,
    status: r.status,
    kycLevel: r.kyc_level,
    email: r.email,
    tag: r.tag,
    creationDate: r.creation_date,
    tcAccepted: r.tc_accepted,
    tcDate: r.tc_date,
    legacy: r.legacy,
    scaEnrolledAt: r.sca_enrolled_at,
    consentAt: r.consent_at,
    data: r.data,
  };
}

export async function insertUser(q: Queryable, u: UserRecord): Promise<void> {
  await q.query(
    `INSERT INTO users (id, client_id, person_type, category, status, kyc_level, email, tag, creation_date,
       tc_accepted, tc_date, legacy, sca_enrolled_at, consent_at, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      u.id, u.clientId, u.personType, u.category, u.status, u.kycLevel, u.email, u.tag, u.creationDate,
      u.tcAccepted, u.tcDate, u.legacy, u.scaEnrolledAt, u.consentAt, JSON.stringify(u.data),
    ],
  );
}

/** Reads one of the client's users; `lock` takes the row lock every change of the user goes through. */
export async function findUser(q: Queryable, clientId: string, id: string, lock = false): Promise<UserRecord | null> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM users WHERE id = $1 AND client_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [id, clientId],
  );
  return rows.length ? toRecord(rows[0]) : null;
}

export async function saveUser(q: Queryable, u: UserRecord): Promise<void> {
  await q.query(
    `UPDATE users SET category = $3, status = $4, kyc_level = $5, email = $6, tag = $7, tc_accepted = $8,
       tc_date = $9, sca_enrolled_at = $10, consent_at = $11, data = $12
     WHERE id = $1 AND client_id = $2`,
    [
      u.id, u.clientId, u.category, u.status, u.kycLevel, u.email, u.tag, u.tcAccepted, u.tcDate,
      u.scaEnrolledAt, u.consentAt, JSON.stringify(u.data),
    ],
  );
}

export async function listUsers(q: Queryable, clientId: string, p: Paging): Promise<{ items: UserRecord[]; total: number }> {
  const { rows, total } = await selectPage(
    q,
    { table: 'users', columns: COLUMNS, dateColumn: 'creation_date', filters: [['client_id = ?', clientId]] },
    p,
  );
  return { items: rows.map(toRecord), total };
}

export interface ScaSession {
  token: string;
  clientId: string;
  userId: string;
  kind: 'ENROLLMENT' | 'CONSENT' | 'AUTHENTICATION' | 'TRANSFER';
  createdAt: number;
  expiresAt: number;
  completedAt: number | null;
  /** The transfer a TRANSFER session authenticates. */
  transferId?: string | null;
}

export async function insertScaSession(q: Queryable, s: ScaSession): Promise<void> {
  await q.query(
    `INSERT INTO sca_sessions (token, client_id, user_id, kind, created_at, expires_at, transfer_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [s.token, s.clientId, s.userId, s.kind, s.createdAt, s.expiresAt, s.transferId ?? null],
  );
}

export async function findScaSession(q: Queryable, token: string, lock = false): Promise<ScaSession | null> {
  const rows = await q.query<any>(
    `SELECT token, client_id, user_id, kind, created_at, expires_at, completed_at, transfer_id FROM sca_sessions WHERE token = $1${lock ? ' FOR UPDATE' : ''}`,
    [token],
  );
  if (!rows.length) return null;
  const r = rows[0];
  return {
    token: r.token,
    clientId: r.client_id,
    userId: r.user_id,
    kind: r.kind,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    completedAt: r.completed_at,
    transferId: r.transfer_id,
  };
}

export async function completeScaSessions(q: Queryable, userId: string, kind: ScaSession['kind'], now: number): Promise<void> {
  await q.query(`UPDATE sca_sessions SET completed_at = $3 WHERE user_id = $1 AND kind = $2 AND completed_at IS NULL`, [
    userId,
    kind,
    now,
  ]);
}

/** When the user last completed SCA (enrollment or an authentication), or null if never. */
export async function lastScaAt(q: Queryable, clientId: string, userId: string): Promise<number | null> {
  const rows = await q.query<{ last: string | null }>(
    `SELECT greatest(sca_enrolled_at, sca_authenticated_at)::text AS last FROM users WHERE id = $1 AND client_id = $2`,
    [userId, clientId],
  );
  return rows.length && rows[0].last !== null ? Number(rows[0].last) : null;
}

/** Records an SCA authentication; the time never moves back. */
export async function recordAuthentication(q: Queryable, userId: string, now: number): Promise<void> {
  await q.query(`UPDATE users SET sca_authenticated_at = greatest(sca_authenticated_at, $2) WHERE id = $1`, [userId, now]);
}

/** The tokens of the user's sessions of these kinds not completed and not yet expired at `now`, oldest first. */
export async function openScaSessions(
  q: Queryable,
  userId: string,
  kinds: ScaSession['kind'][],
  now: number,
): Promise<Array<{ token: string; kind: ScaSession['kind'] }>> {
  return q.query<{ token: string; kind: ScaSession['kind'] }>(
    `SELECT token, kind FROM sca_sessions WHERE user_id = $1 AND kind = ANY($2) AND completed_at IS NULL AND expires_at >= $3
     ORDER BY created_at, token`,
    [userId, kinds, now],
  );
}

export async function completeScaSessionRow(q: Queryable, token: string, now: number): Promise<void> {
  await q.query(`UPDATE sca_sessions SET completed_at = $2 WHERE token = $1 AND completed_at IS NULL`, [token, now]);
}
