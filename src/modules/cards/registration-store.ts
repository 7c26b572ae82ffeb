import type { Queryable } from '../../db/index.js';
import type { CardRegistration, TokenCard } from './model.js';

const COLUMNS = `id, client_id, user_id, currency, card_type, access_key, preregistration_data, registration_data, card_id,
  result_code, result_message, status, tag, creation_date`;

function toRegistration(r: any): CardRegistration {
  return {
    id: r.id,
    clientId: r.client_id,
    userId: r.user_id,
    currency: r.currency,
    cardType: r.card_type,
    accessKey: r.access_key,
    preregistrationData: r.preregistration_data,
    registrationData: r.registration_data,
    cardId: r.card_id,
    resultCode: r.result_code,
    resultMessage: r.result_message,
    status: r.status,
    tag: r.tag,
    creationDate: Number(r.creation_date),
  };
}

export async function insertRegistration(q: Queryable, r: CardRegistration): Promise<void> {
  await q.query(
    `INSERT INTO card_registrations (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      r.id, r.clientId, r.userId, r.currency, r.cardType, r.accessKey, r.preregistrationData, r.registrationData, r.cardId,
      r.resultCode, r.resultMessage, r.status, r.tag, r.creationDate,
    ],
  );
}

/** One of the client's registrations, or null; `lock` takes its row FOR UPDATE. */
export async function findRegistration(q: Queryable, clientId: string, id: string, lock = false): Promise<CardRegistration | null> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM card_registrations WHERE id = $1 AND client_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [id, clientId],
  );
  return rows.length ? toRegistration(rows[0]) : null;
}

/** A registration by id whatever its client (the tokenizer: its secrets, not a token, say who may use it), locked. */
export async function findRegistrationToTokenize(q: Queryable, id: string): Promise<CardRegistration | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM card_registrations WHERE id = $1 FOR UPDATE`, [id]);
  return rows.length ? toRegistration(rows[0]) : null;
}

/** Keeps the token the tokenizer handed out, with the card facts it read; a later tokenization replaces both. */
export async function saveToken(q: Queryable, id: string, token: string, card: TokenCard): Promise<void> {
  await q.query('UPDATE card_registrations SET token = $2, token_card = $3 WHERE id = $1', [id, token, JSON.stringify(card)]);
}

/** The token handed out for a registration and its card facts, or null when none was. */
export async function findToken(q: Queryable, clientId: string, id: string): Promise<{ token: string; card: TokenCard } | null> {
  const rows = await q.query<{ token: string | null; token_card: TokenCard | null }>(
    'SELECT token, token_card FROM card_registrations WHERE id = $1 AND client_id = $2',
    [id, clientId],
  );
  const r = rows[0];
  return r?.token && r.token_card ? { token: r.token, card: r.token_card } : null;
}

/** Records the update's outcome; the token is spent either way. */
export async function saveOutcome(q: Queryable, r: CardRegistration): Promise<void> {
  await q.query(
    `UPDATE card_registrations SET registration_data = $3, card_id = $4, result_code = $5, result_message = $6, status = $7,
       token = NULL, token_card = NULL
     WHERE id = $1 AND client_id = $2`,
    [r.id, r.clientId, r.registrationData, r.cardId, r.resultCode, r.resultMessage, r.status],
  );
}
