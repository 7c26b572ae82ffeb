import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../core/paging.js';
import type { BankAccount } from './model.js';

const COLUMNS = 'id, client_id, user_id, type, owner_name, owner_address, details, active, tag, creation_date';

function toAccount(r: any): BankAccount {
  return {
    id: r.id,
    clientId: r.client_id,
    userId: r.user_id,
    type: r.type,
    ownerName: r.owner_name,
    ownerAddress: r.owner_address,
    details: r.details,
    active: r.active,
    tag: r.tag,
    creationDate: r.creation_date,
  };
}

export async function insertBankAccount(q: Queryable, b: BankAccount): Promise<void> {
  await q.query(
    `INSERT INTO bank_accounts (id, client_id, user_id, type, owner_name, owner_address, details, active, tag, creation_date)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      b.id, b.clientId, b.userId, b.type, b.ownerName, JSON.stringify(b.ownerAddress), JSON.stringify(b.details),
      b.active, b.tag, b.creationDate,
    ],
  );
}

/** The account of this user of this client, or null (another user's or client's account is not found). */
export async function findBankAccount(
  q: Queryable,
  clientId: string,
  userId: string,
  id: string,
  lock = false,
): Promise<BankAccount | null> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM bank_accounts WHERE id = $1 AND client_id = $2 AND user_id = $3${lock ? ' FOR UPDATE' : ''}`,
    [id, clientId, userId],
  );
  return rows.length ? toAccount(rows[0]) : null;
}

/** Any user's account of this client, or null. */
export async function findBankAccountOfClient(q: Queryable, clientId: string, id: string): Promise<BankAccount | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM bank_accounts WHERE id = $1 AND client_id = $2`, [id, clientId]);
  return rows.length ? toAccount(rows[0]) : null;
}

/** For payouts: the user's account when it exists and is still active, else null. */
export async function findActiveBankAccount(
  q: Queryable,
  clientId: string,
  userId: string,
  bankAccountId: string,
): Promise<BankAccount | null> {
  const account = await findBankAccount(q, clientId, userId, bankAccountId);
  return account?.active ? account : null;
}

export async function deactivateBankAccount(q: Queryable, clientId: string, id: string): Promise<void> {
  await q.query('UPDATE bank_accounts SET active = false WHERE id = $1 AND client_id = $2', [id, clientId]);
}

export async function listBankAccounts(
  q: Queryable,
  clientId: string,
  f: { userId: string; active: boolean | null },
  p: Paging,
): Promise<{ items: BankAccount[]; total: number }> {
  const { rows, total } = await selectPage(
    q,
    {
      table: 'bank_accounts',
      columns: COLUMNS,
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['user_id = ?', f.userId],
        ['active = ?', f.active],
      ],
    },
    p,
  );
  return { items: rows.map(toAccount), total };
}
