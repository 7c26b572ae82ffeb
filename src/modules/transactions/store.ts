import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../core/paging.js';
import type { Transaction } from './model.js';

const COLUMNS = `id, client_id, type, nature, payment_type, execution_type, status, result_code, result_message,
  author_id, credited_user_id, debited_wallet_id, credited_wallet_id, currency, debited_amount, credited_amount,
  fees_amount, details, tag, creation_date, execution_date, card_id`;

function toTransaction(r: any): Transaction {
  return {
    id: r.id,
    clientId: r.client_id,
    type: r.type,
    nature: r.nature,
    paymentType: r.payment_type,
    executionType: r.execution_type,
    status: r.status,
    resultCode: r.result_code,
    resultMessage: r.result_message,
    // The client's own pay-ins have no user: Mangopay shows the ClientId as their author and credited user.
    authorId: r.author_id ?? r.client_id,
    creditedUserId: r.credited_user_id ?? (r.author_id === null && r.type === 'PAYIN' ? r.client_id : null),
    debitedWalletId: r.debited_wallet_id,
    creditedWalletId: r.credited_wallet_id,
    currency: r.currency,
    debitedAmount: r.debited_amount,
    creditedAmount: r.credited_amount,
    feesAmount: r.fees_amount,
    details: r.details,
    tag: r.tag,
    creationDate: r.creation_date,
    executionDate: r.execution_date,
    cardId: r.card_id,
  };
}

export async function insertTransaction(q: Queryable, t: Transaction): Promise<void> {
  await q.query(
    `INSERT INTO transactions (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
    [
      t.id, t.clientId, t.type, t.nature, t.paymentType, t.executionType, t.status, t.resultCode, t.resultMessage,
      t.authorId === t.clientId ? null : t.authorId,
      t.creditedUserId === t.clientId ? null : t.creditedUserId,
      t.debitedWalletId, t.creditedWalletId, t.currency, t.debitedAmount,
      t.creditedAmount, t.feesAmount, JSON.stringify(t.details), t.tag, t.creationDate, t.executionDate, t.cardId ?? null,
    ],
  );
}

/** One of the client's transactions of this type, or null; `lock` takes its row FOR UPDATE. */
export async function findTransaction(
  q: Queryable,
  clientId: string,
  type: Transaction['type'],
  id: string,
  lock = false,
): Promise<Transaction | null> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM transactions WHERE id = $1 AND client_id = $2 AND type = $3${lock ? ' FOR UPDATE' : ''}`,
    [id, clientId, type],
  );
  return rows.length ? toTransaction(rows[0]) : null;
}

/** Saves the outcome of a transaction (status, result, amounts, execution date). */
export async function saveOutcome(q: Queryable, t: Transaction): Promise<void> {
  await q.query(
    `UPDATE transactions SET status = $3, result_code = $4, result_message = $5, debited_amount = $6,
       credited_amount = $7, fees_amount = $8, execution_date = $9
     WHERE id = $1 AND client_id = $2`,
    [t.id, t.clientId, t.status, t.resultCode, t.resultMessage, t.debitedAmount, t.creditedAmount, t.feesAmount, t.executionDate],
  );
}

/** Whether the user authored a payout the bank has not yet settled or rejected. */
export async function hasPendingPayOut(q: Queryable, clientId: string, authorId: string): Promise<boolean> {
  const rows = await q.query(
    `SELECT 1 FROM transactions WHERE client_id = $1 AND author_id = $2 AND type = 'PAYOUT' AND status = 'CREATED' LIMIT 1`,
    [clientId, authorId],
  );
  return rows.length > 0;
}

/**
 * Fails every CREATED transaction of the type (and payment type, when given) created at or before
 * `createdBy`, and returns their ids. A row a concurrent transaction holds is waited for and
 * re-checked, so a settled one is left alone.
 */
export async function failCreatedBefore(
  q: Queryable,
  clientId: string,
  type: Transaction['type'],
  createdBy: number,
  result: { code: string; message: string },
  paymentType: string | null = null,
): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `UPDATE transactions SET status = 'FAILED', result_code = $4, result_message = $5
     WHERE client_id = $1 AND type = $2 AND status = 'CREATED' AND creation_date <= $3
       AND ($6::text IS NULL OR payment_type = $6) RETURNING id`,
    [clientId, type, createdBy, result.code, result.message, paymentType],
  );
  return rows.map((r) => r.id).sort();
}

/**
 * The clients holding a CREATED transaction of the type created at or before `age` seconds ago on
 * their own sandbox clock, with that clock's offset.
 */
export async function clientsWithCreatedOlderThan(
  q: Queryable,
  type: Transaction['type'],
  age: number,
  serverNow: number,
): Promise<Array<{ clientId: string; clockOffset: number }>> {
  const rows = await q.query<{ client_id: string; clock_offset: number }>(
    `SELECT c.id AS client_id, c.clock_offset FROM clients c
     WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.client_id = c.id AND t.type = $1 AND t.status = 'CREATED'
                   AND t.creation_date <= $2 + c.clock_offset - $3)`,
    [type, serverNow, age],
  );
  return rows.map((r) => ({ clientId: r.client_id, clockOffset: Number(r.clock_offset) }));
}

export interface TransactionFilter {
  walletId?: string;
  userId?: string;
  /** A client wallet: the transactions that posted to it (fees), their settlements and failures included. */
  postedTo?: string;
  /** Every client wallet (FEES, CREDIT): the transactions of any of them, as postedTo does for one. */
  clientWallets?: boolean;
  /** A bank account: the payouts made to it. */
  bankAccountId?: string;
  /** A transfer, payout or pay-in: the refunds that give it back. */
  refundOf?: string;
  /** A card: the payments made with it. */
  cardId?: string;
  /** A card fingerprint: the payments made with any of the client's cards bearing it. */
  fingerprint?: string;
  /** A pre-authorization: its captures (the pre-authorized pay-ins). */
  preauthorizationId?: string;
  statuses: string[] | null;
  types: string[] | null;
  natures: string[] | null;
  resultCodes: string[] | null;
}

export async function listTransactions(
  q: Queryable,
  clientId: string,
  f: TransactionFilter,
  p: Paging,
): Promise<{ items: Transaction[]; total: number }> {
  const { rows, total } = await selectPage(
    q,
    {
      table: 'transactions',
      columns: COLUMNS,
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['? IN (debited_wallet_id, credited_wallet_id)', f.walletId],
        ['? IN (author_id, credited_user_id)', f.userId],
        [
          // A client wallet's own transactions (a CREDIT pay-in, even CREATED) and those that posted to it (fees).
          `EXISTS (SELECT 1 FROM (SELECT ?::text AS account) w
                   WHERE w.account IN (transactions.debited_wallet_id, transactions.credited_wallet_id)
                      OR transactions.id IN (SELECT p.transaction_id FROM postings p
                                             WHERE p.client_id = transactions.client_id AND p.account = w.account))`,
          f.postedTo,
        ],
        [
          `?::boolean AND EXISTS (SELECT 1 FROM wallets w WHERE w.client_id = transactions.client_id AND w.owner_id IS NULL
                   AND (w.id IN (transactions.debited_wallet_id, transactions.credited_wallet_id)
                        OR transactions.id IN (SELECT p.transaction_id FROM postings p
                                               WHERE p.client_id = transactions.client_id AND p.account = w.id)))`,
          f.clientWallets || null,
        ],
        ["type = 'PAYOUT' AND details->>'bankAccountId' = ?", f.bankAccountId],
        ["nature = 'REFUND' AND details->>'InitialTransactionId' = ?", f.refundOf],
        ['card_id = ?', f.cardId],
        [
          `card_id IN (SELECT c.id FROM cards c WHERE c.client_id = transactions.client_id AND c.fingerprint = ?)`,
          f.fingerprint,
        ],
        ["payment_type = 'PREAUTHORIZED' AND details->>'PreauthorizationId' = ?", f.preauthorizationId],
        ['status = ANY(?)', f.statuses],
        ['type = ANY(?)', f.types],
        ['nature = ANY(?)', f.natures],
        ['result_code = ANY(?)', f.resultCodes],
      ],
    },
    p,
  );
  return { items: rows.map(toTransaction), total };
}
