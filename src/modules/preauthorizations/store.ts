import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../core/paging.js';
import type { PaymentStatus, Preauthorization } from './model.js';

const COLUMNS = `id, client_id, author_id, card_id, currency, debited_amount, remaining_amount, status, payment_status,
  result_code, result_message, authorization_date, expiration_date, pay_in_id, details, tag, creation_date`;

function toPreauthorization(r: any): Preauthorization {
  return {
    id: r.id,
    clientId: r.client_id,
    authorId: r.author_id,
    cardId: r.card_id,
    currency: r.currency,
    debitedAmount: Number(r.debited_amount),
    remainingAmount: Number(r.remaining_amount),
    status: r.status,
    paymentStatus: r.payment_status,
    resultCode: r.result_code,
    resultMessage: r.result_message,
    authorizationDate: r.authorization_date === null ? null : Number(r.authorization_date),
    expirationDate: r.expiration_date === null ? null : Number(r.expiration_date),
    payInId: r.pay_in_id,
    details: r.details,
    tag: r.tag,
    creationDate: Number(r.creation_date),
  };
}

export async function insertPreauthorization(q: Queryable, p: Preauthorization): Promise<void> {
  await q.query(
    `INSERT INTO preauthorizations (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [
      p.id, p.clientId, p.authorId, p.cardId, p.currency, p.debitedAmount, p.remainingAmount, p.status, p.paymentStatus,
      p.resultCode, p.resultMessage, p.authorizationDate, p.expirationDate, p.payInId, JSON.stringify(p.details), p.tag,
      p.creationDate,
    ],
  );
}

/** One of the client's pre-authorizations, or null; `lock` takes its row FOR UPDATE. */
export async function findPreauthorization(q: Queryable, clientId: string, id: string, lock = false): Promise<Preauthorization | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM preauthorizations WHERE id = $1 AND client_id = $2${lock ? ' FOR UPDATE' : ''}`, [
    id,
    clientId,
  ]);
  return rows.length ? toPreauthorization(rows[0]) : null;
}

/** Saves what changes after creation: the outcome, the payment status, the funds left, the dates and the details. */
export async function savePreauthorization(q: Queryable, p: Preauthorization): Promise<void> {
  await q.query(
    `UPDATE preauthorizations SET status = $3, payment_status = $4, remaining_amount = $5, result_code = $6,
       result_message = $7, authorization_date = $8, expiration_date = $9, pay_in_id = $10, details = $11
     WHERE id = $1 AND client_id = $2`,
    [
      p.id, p.clientId, p.status, p.paymentStatus, p.remainingAmount, p.resultCode, p.resultMessage, p.authorizationDate,
      p.expirationDate, p.payInId, JSON.stringify(p.details),
    ],
  );
}

/**
 * Ends the client's holds past their ExpirationDate on its clock: EXPIRED when nothing was captured,
 * VALIDATED after a capture; nothing is left to capture either way. The rows are locked in id order
 * (two sweeps cannot deadlock); a row a capture holds is waited for and re-checked, so a hold ends
 * once. Returns the ids and their new payment status.
 */
export async function endDueHolds(q: Queryable, clientId: string, now: number): Promise<Array<{ id: string; paymentStatus: PaymentStatus }>> {
  const rows = await q.query<{ id: string; payment_status: PaymentStatus }>(
    `WITH due AS (
       SELECT id FROM preauthorizations
       WHERE client_id = $1 AND payment_status = 'WAITING' AND status = 'SUCCEEDED' AND expiration_date <= $2
       ORDER BY id COLLATE "C" FOR UPDATE
     )
     UPDATE preauthorizations p
     SET payment_status = CASE WHEN p.pay_in_id IS NULL THEN 'EXPIRED' ELSE 'VALIDATED' END, remaining_amount = 0
     FROM due WHERE p.id = due.id AND p.client_id = $1
     RETURNING p.id, p.payment_status`,
    [clientId, now],
  );
  return rows.map((r) => ({ id: r.id, paymentStatus: r.payment_status })).sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** The clients holding a hold past its ExpirationDate on their own sandbox clock, with that clock's offset. */
export async function clientsWithDueHolds(q: Queryable, serverNow: number): Promise<Array<{ clientId: string; clockOffset: number }>> {
  const rows = await q.query<{ client_id: string; clock_offset: number }>(
    `SELECT c.id AS client_id, c.clock_offset FROM clients c
     WHERE EXISTS (SELECT 1 FROM preauthorizations p WHERE p.client_id = c.id AND p.payment_status = 'WAITING'
                   AND p.status = 'SUCCEEDED' AND p.expiration_date <= $1 + c.clock_offset)`,
    [serverNow],
  );
  return rows.map((r) => ({ clientId: r.client_id, clockOffset: Number(r.clock_offset) }));
}

export interface PreauthorizationFilter {
  authorId?: string;
  cardId?: string;
  /** Any of the client's cards bearing this fingerprint. */
  fingerprint?: string;
  status?: string;
  paymentStatus?: string;
  resultCode?: string;
}

export async function listPreauthorizations(
  q: Queryable,
  clientId: string,
  f: PreauthorizationFilter,
  p: Paging,
): Promise<{ items: Preauthorization[]; total: number }> {
  const { rows, total } = await selectPage(
    q,
    {
      table: 'preauthorizations',
      columns: COLUMNS,
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['author_id = ?', f.authorId],
        ['card_id = ?', f.cardId],
        ['card_id IN (SELECT c.id FROM cards c WHERE c.client_id = preauthorizations.client_id AND c.fingerprint = ?)', f.fingerprint],
        ['status = ?', f.status],
        ['payment_status = ?', f.paymentStatus],
        ['result_code = ?', f.resultCode],
      ],
    },
    p,
  );
  return { items: rows.map(toPreauthorization), total };
}
