import type { Queryable } from '../../db/index.js';
import type { CardValidation } from './model.js';

const COLUMNS = 'id, client_id, card_id, author_id, status, result_code, result_message, details, tag, creation_date, authorization_date';

function toValidation(r: any): CardValidation {
  return {
    id: r.id,
    clientId: r.client_id,
    cardId: r.card_id,
    authorId: r.author_id,
    status: r.status,
    resultCode: r.result_code,
    resultMessage: r.result_message,
    details: r.details,
    tag: r.tag,
    creationDate: Number(r.creation_date),
    authorizationDate: r.authorization_date === null ? null : Number(r.authorization_date),
  };
}

export async function insertValidation(q: Queryable, v: CardValidation): Promise<void> {
  await q.query(`INSERT INTO card_validations (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
    v.id, v.clientId, v.cardId, v.authorId, v.status, v.resultCode, v.resultMessage, JSON.stringify(v.details), v.tag,
    v.creationDate, v.authorizationDate,
  ]);
}

/** One of the client's validations (of this card when given), or null; `lock` takes its row FOR UPDATE. */
export async function findValidation(
  q: Queryable,
  clientId: string,
  id: string,
  cardId: string | null,
  lock = false,
): Promise<CardValidation | null> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM card_validations WHERE id = $1 AND client_id = $2 AND ($3::text IS NULL OR card_id = $3)${lock ? ' FOR UPDATE' : ''}`,
    [id, clientId, cardId],
  );
  return rows.length ? toValidation(rows[0]) : null;
}

/** Whether a validation of the card is still waiting for its 3-D Secure step. */
export async function hasPendingValidation(q: Queryable, clientId: string, cardId: string): Promise<boolean> {
  const rows = await q.query(`SELECT 1 FROM card_validations WHERE client_id = $1 AND card_id = $2 AND status = 'CREATED' LIMIT 1`, [
    clientId,
    cardId,
  ]);
  return rows.length > 0;
}

export async function saveValidation(q: Queryable, v: CardValidation): Promise<void> {
  await q.query(
    `UPDATE card_validations SET status = $3, result_code = $4, result_message = $5, details = $6, authorization_date = $7
     WHERE id = $1 AND client_id = $2`,
    [v.id, v.clientId, v.status, v.resultCode, v.resultMessage, JSON.stringify(v.details), v.authorizationDate],
  );
}
