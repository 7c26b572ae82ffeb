import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../core/paging.js';
import type { Wallet } from './model.js';

const COLUMNS = 'id, client_id, owner_id, funds_type, currency, description, tag, balance, creation_date';

function toWallet(r: any): Wallet {
  return {
    id: r.id,
    clientId: r.client_id,
    ownerId: r.owner_id,
    fundsType: r.funds_type,
    currency: r.currency,
    description: r.description,
    tag: r.tag,
    balance: r.balance,
    creationDate: r.creation_date,
  };
}

export async function insertWallet(q: Queryable, w: Wallet): Promise<void> {
  await q.query(
    `INSERT INTO wallets (id, client_id, owner_id, funds_type, currency, description, tag, balance, creation_date)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [w.id, w.clientId, w.ownerId, w.fundsType, w.currency, w.description, w.tag, w.balance, w.creationDate],
  );
}

/** One of the client's user (DEFAULT) wallets, or null; `lock` takes its row FOR UPDATE. */
export async function findUserWallet(q: Queryable, clientId: string, id: string, lock = false): Promise<Wallet | null> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM wallets WHERE id = $1 AND client_id = $2 AND funds_type = 'DEFAULT'${lock ? ' FOR UPDATE' : ''}`,
    [id, clientId],
  );
  return rows.length ? toWallet(rows[0]) : null;
}

/** Several of the client's user wallets at once, by id; unknown ids are left out. Takes no lock. */
export async function findUserWallets(q: Queryable, clientId: string, ids: string[]): Promise<Map<string, Wallet>> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM wallets WHERE id = ANY($1) AND client_id = $2 AND funds_type = 'DEFAULT'`, [
    ids,
    clientId,
  ]);
  return new Map(rows.map((r) => [r.id, toWallet(r)]));
}

export async function saveWalletText(q: Queryable, w: Wallet): Promise<void> {
  await q.query('UPDATE wallets SET description = $3, tag = $4 WHERE id = $1 AND client_id = $2', [
    w.id,
    w.clientId,
    w.description,
    w.tag,
  ]);
}

export async function listUserWallets(q: Queryable, clientId: string, ownerId: string, p: Paging) {
  const { rows, total } = await selectPage(
    q,
    {
      table: 'wallets',
      columns: COLUMNS,
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['owner_id = ?', ownerId],
      ],
    },
    p,
  );
  return { items: rows.map(toWallet), total };
}

/** The ids of every wallet the user owns, ascending (the order wallets are locked in). */
export async function walletIdsOfOwner(q: Queryable, clientId: string, ownerId: string): Promise<string[]> {
  const rows = await q.query<{ id: string }>('SELECT id FROM wallets WHERE client_id = $1 AND owner_id = $2 ORDER BY id', [
    clientId,
    ownerId,
  ]);
  return rows.map((r) => r.id);
}

/** The client's own wallets (FEES, CREDIT), optionally of one funds type. */
export async function listClientWallets(q: Queryable, clientId: string, fundsType: string | null, p: Paging) {
  const { rows, total } = await selectPage(
    q,
    {
      table: 'wallets',
      columns: COLUMNS,
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['funds_type = ANY(?)', fundsType ? [fundsType] : ['FEES', 'CREDIT']],
      ],
    },
    p,
  );
  return { items: rows.map(toWallet), total };
}

/** The client's wallet of this funds type (FEES or CREDIT) and currency, or null. */
export async function findClientWallet(q: Queryable, clientId: string, fundsType: string, currency: string): Promise<Wallet | null> {
  return findClientWalletById(q, clientId, `${fundsType}_${currency}`);
}

/** One of the client's own wallets by its id (`CREDIT_EUR`), or null. */
export async function findClientWalletById(q: Queryable, clientId: string, id: string): Promise<Wallet | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM wallets WHERE client_id = $1 AND id = $2 AND owner_id IS NULL`, [clientId, id]);
  return rows.length ? toWallet(rows[0]) : null;
}

/** Creates the client's FEES and CREDIT wallets of every currency that it lacks (SQL function of migration 010). */
export async function createClientWallets(q: Queryable, clientId: string, now: number): Promise<void> {
  await q.query('SELECT mangrove_client_wallets($1, $2)', [clientId, now]);
}
