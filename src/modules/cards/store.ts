import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../core/paging.js';
import type { Card, CardValidity } from './model.js';

export const CARD_COLUMNS = `id, client_id, user_id, registration_id, alias, expiration_date, card_type, card_provider, country,
  currency, fingerprint, card_holder_name, active, validity, card_info, tag, creation_date`;

export function toCard(r: any): Card {
  return {
    id: r.id,
    clientId: r.client_id,
    userId: r.user_id,
    registrationId: r.registration_id,
    alias: r.alias,
    expirationDate: r.expiration_date,
    cardType: r.card_type,
    cardProvider: r.card_provider,
    country: r.country,
    currency: r.currency,
    fingerprint: r.fingerprint,
    cardHolderName: r.card_holder_name,
    active: r.active,
    validity: r.validity,
    cardInfo: r.card_info,
    tag: r.tag,
    creationDate: r.creation_date,
  };
}

export async function insertCard(q: Queryable, c: Card): Promise<void> {
  await q.query(
    `INSERT INTO cards (${CARD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [
      c.id, c.clientId, c.userId, c.registrationId, c.alias, c.expirationDate, c.cardType, c.cardProvider, c.country,
      c.currency, c.fingerprint, c.cardHolderName, c.active, c.validity, JSON.stringify(c.cardInfo), c.tag, c.creationDate,
    ],
  );
}

/** One of the client's cards, or null; `lock` takes its row FOR UPDATE. */
export async function findCard(q: Queryable, clientId: string, id: string, lock = false): Promise<Card | null> {
  const rows = await q.query(`SELECT ${CARD_COLUMNS} FROM cards WHERE id = $1 AND client_id = $2${lock ? ' FOR UPDATE' : ''}`, [
    id,
    clientId,
  ]);
  return rows.length ? toCard(rows[0]) : null;
}

/**
 * Records the outcome of a card's first payment or validation: an UNKNOWN card becomes VALID or
 * INVALID; a card already judged keeps its validity (INVALID is final, reference notes §2.2).
 */
export async function judgeCard(q: Queryable, clientId: string, cardId: string, validity: Exclude<CardValidity, 'UNKNOWN'>): Promise<void> {
  await q.query(`UPDATE cards SET validity = $3 WHERE id = $1 AND client_id = $2 AND validity = 'UNKNOWN'`, [cardId, clientId, validity]);
}

/**
 * This installation's fingerprint key: made on first use and kept in the database, so every process
 * sharing it (and every restart) fingerprints a number the same way.
 */
export async function fingerprintKey(q: Queryable): Promise<string> {
  await q.query('INSERT INTO card_fingerprint_key (id, key) VALUES (1, $1) ON CONFLICT DO NOTHING', [randomBytes(32).toString('hex')]);
  const [row] = await q.query<{ key: string }>('SELECT key FROM card_fingerprint_key WHERE id = 1');
  return row.key;
}

/** Deactivates a card and sets its holder's name, as the update decided. */
export async function saveCard(q: Queryable, c: Card): Promise<void> {
  await q.query('UPDATE cards SET active = $3, card_holder_name = $4 WHERE id = $1 AND client_id = $2', [
    c.id,
    c.clientId,
    c.active,
    c.cardHolderName,
  ]);
}

/**
 * Cards still UNKNOWN registered `unusedFor` seconds or more before `now` become INVALID (reference notes §2.2),
 * among one card, one user's or one fingerprint's; run before those are read.
 */
export async function invalidateUnused(
  q: Queryable,
  clientId: string,
  now: number,
  unusedFor: number,
  of: { cardId?: string; userId?: string; fingerprint?: string },
): Promise<void> {
  await q.query(
    `UPDATE cards SET validity = 'INVALID'
     WHERE client_id = $1 AND validity = 'UNKNOWN' AND creation_date <= $2
       AND ($3::text IS NULL OR id = $3) AND ($4::text IS NULL OR user_id = $4) AND ($5::text IS NULL OR fingerprint = $5)`,
    [clientId, now - unusedFor, of.cardId ?? null, of.userId ?? null, of.fingerprint ?? null],
  );
}

/** A page of the client's cards, of one user (optionally only the active or inactive ones) or of one fingerprint. */
export async function listCards(
  q: Queryable,
  clientId: string,
  f: { userId?: string; fingerprint?: string; active?: boolean | null },
  p: Paging,
): Promise<{ items: Card[]; total: number }> {
  const { rows, total } = await selectPage(
    q,
    {
      table: 'cards',
      columns: CARD_COLUMNS,
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['user_id = ?', f.userId],
        ['fingerprint = ?', f.fingerprint],
        ['active = ?', f.active],
      ],
    },
    p,
  );
  return { items: rows.map(toCard), total };
}

/** The ids of the client's users holding a card with this fingerprint, with how many there are (one page). */
export async function listFingerprintUserIds(
  q: Queryable,
  clientId: string,
  fingerprint: string,
  p: Paging,
): Promise<{ ids: string[]; total: number }> {
  const { rows, total } = await selectPage<{ id: string }>(
    q,
    {
      table: 'users',
      columns: 'id',
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['id IN (SELECT c.user_id FROM cards c WHERE c.client_id = users.client_id AND c.fingerprint = ?)', fingerprint],
      ],
    },
    p,
  );
  return { ids: rows.map((r) => r.id), total };
}
