/*
 * The ledger: postings, wallet balances and their invariants.
 *
 * LOCKING PROTOCOL — every transaction that moves money, and every transaction that decides on a
 * user's or a wallet's money (closure), takes its row locks in this order, and only in this order:
 *
 *   1. the users involved: `SELECT … FROM users … FOR SHARE`, one at a time in ascending id order
 *      (lockUsers). Then check each user's status (CLOSED → refuse or fail) and its block flags
 *      (users.inflows_blocked / outflows_blocked) while the lock is held;
 *   2. the transaction's own row, `FOR UPDATE`, when it already exists (a pay-in being settled), so
 *      that it changes state once: settling twice can never credit twice;
 *   3. the wallets involved: `SELECT … FROM wallets … FOR UPDATE`, in ascending id order (lockWallets),
 *      client wallets included (ensureFeeWallet creates a missing fee wallet first, with
 *      INSERT … ON CONFLICT DO NOTHING on its key (client_id, FEES_<CUR>));
 *   4. then write the postings and the balances (post), and the events, in the same transaction.
 *
 * Closure takes the user row FOR UPDATE, then the user's wallets FOR UPDATE, and checks every balance
 * is zero. A money movement holding the user FOR SHARE makes closure wait until it commits (and then
 * see the new balance); a closure holding the user FOR UPDATE makes the movement wait until it commits
 * (and then see CLOSED). Either way no closed user can end up holding money.
 */
import type { Queryable } from '../db/index.js';

export interface LockedUser {
  id: string;
  status: 'PENDING_USER_ACTION' | 'ACTIVE' | 'CLOSED';
  category: 'PAYER' | 'OWNER' | 'PLATFORM';
  /** Changes only under the user's row FOR UPDATE, which this FOR SHARE excludes. */
  kycLevel: 'LIGHT' | 'REGULAR';
  inflowsBlocked: boolean;
  outflowsBlocked: boolean;
}

export interface LockedWallet {
  id: string;
  ownerId: string | null;
  fundsType: 'DEFAULT' | 'FEES' | 'CREDIT';
  currency: string;
  balance: number;
}

/*
 * Rows are locked by one statement each step, in the order of ORDER BY (PostgreSQL locks rows as the
 * sorted scan returns them). COLLATE "C" orders ids by their bytes, as every other locker does.
 */

/** Step 1: the users, FOR SHARE, in ascending id order. A user the client does not have is left out of the map. */
export async function lockUsers(q: Queryable, clientId: string, userIds: string[]): Promise<Map<string, LockedUser>> {
  const rows = await q.query<any>(
    `SELECT id, status, category, kyc_level, inflows_blocked, outflows_blocked FROM users
     WHERE id = ANY($1) AND client_id = $2 ORDER BY id COLLATE "C" FOR SHARE`,
    [[...new Set(userIds)], clientId],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        status: r.status,
        category: r.category,
        kycLevel: r.kyc_level,
        inflowsBlocked: r.inflows_blocked,
        outflowsBlocked: r.outflows_blocked,
      },
    ]),
  );
}

/** Step 3: the wallets, FOR UPDATE, in ascending id order. */
export async function lockWallets(q: Queryable, clientId: string, walletIds: string[]): Promise<Map<string, LockedWallet>> {
  if (!walletIds.length) return new Map();
  const rows = await q.query<any>(
    `SELECT id, owner_id, funds_type, currency, balance FROM wallets
     WHERE id = ANY($1) AND client_id = $2 ORDER BY id COLLATE "C" FOR UPDATE`,
    [[...new Set(walletIds)], clientId],
  );
  return new Map(
    rows.map((r) => [r.id, { id: r.id, ownerId: r.owner_id, fundsType: r.funds_type, currency: r.currency, balance: Number(r.balance) }]),
  );
}

/** The id of a client wallet (FEES or CREDIT) in a currency: Mangopay's stable `FEES_EUR`, unique within its client. */
export function clientWalletId(fundsType: 'FEES' | 'CREDIT', currency: string): string {
  return `${fundsType}_${currency}`;
}

/**
 * The id of the client's fee wallet in this currency. Every client has one per currency from its
 * creation (migration 010); one missing (a currency added later) is created here. Takes no lock on
 * it: the caller locks it with the other wallets (step 3). Concurrent creators settle on its key.
 */
export async function ensureFeeWallet(q: Queryable, clientId: string, currency: string, now: number): Promise<string> {
  const id = clientWalletId('FEES', currency);
  await q.query(
    `INSERT INTO wallets (id, client_id, owner_id, funds_type, currency, description, balance, creation_date)
     VALUES ($1, $2, NULL, 'FEES', $3, $4, 0, $5) ON CONFLICT DO NOTHING`,
    [id, clientId, currency, `Fees wallet ${currency}`, now],
  );
  return id;
}

/** The client's account for money entering from (and leaving to) banks, in one currency. */
export function externalAccount(currency: string): string {
  return `external:${currency}`;
}

/**
 * The client's account holding the money of bank-wire payouts that left their wallets but not yet the
 * platform (Status CREATED), in one currency. Settling moves it to the external account; failing moves
 * it back to the wallet. It has no row of its own: its balance is the sum of its postings.
 */
export function payoutClearingAccount(currency: string): string {
  return `payout-clearing:${currency}`;
}

/**
 * The client's account for money entering from (and leaving to) the card networks, in one currency:
 * card pay-ins are credited from it, their refunds go back to it. Like the external account it has no
 * row: its balance is the sum of its postings (negative: what the networks have paid in, net).
 */
export function cardNetworkAccount(currency: string): string {
  return `card-network:${currency}`;
}

export type Leg =
  | { wallet: string; currency: string; amount: number }
  | { external: true; currency: string; amount: number }
  | { card: true; currency: string; amount: number }
  | { clearing: true; currency: string; amount: number };

/**
 * The most a wallet may hold, in minor units: 2^53 − 1, the largest integer a JavaScript number holds
 * exactly (a database CHECK holds it too). A credit beyond it fails as a transaction (ResultCode 001011)
 * through wouldExceedBalanceCap.
 */
export const MAX_BALANCE = Number.MAX_SAFE_INTEGER;

/** Whether these legs would take a locked wallet above MAX_BALANCE. */
export function wouldExceedBalanceCap(locked: Map<string, LockedWallet>, legs: Leg[]): boolean {
  const after = new Map<string, bigint>();
  for (const leg of legs) {
    if (!('wallet' in leg)) continue;
    const start = after.get(leg.wallet) ?? BigInt(locked.get(leg.wallet)?.balance ?? 0);
    after.set(leg.wallet, start + BigInt(leg.amount));
  }
  return [...after.values()].some((b) => b > BigInt(MAX_BALANCE));
}

/**
 * Step 4: writes one movement — postings summing to zero per currency — and the balances of the
 * wallets it touches. The caller holds the locks of steps 1–3 on everything involved. Zero legs are
 * left out. A balance that would go negative fails on the wallets CHECK and rolls everything back.
 * The movement is the transaction's own, or one of its later steps (a payout's `settle`, `fail`);
 * its postings carry the transaction id in a column of their own.
 */
export async function post(
  q: Queryable,
  clientId: string,
  transactionId: string,
  legs: Leg[],
  now: number,
  step?: 'settle' | 'fail',
): Promise<void> {
  const movementId = step ? `${transactionId}:${step}` : transactionId;
  const sums = new Map<string, bigint>();
  for (const leg of legs) {
    if (!Number.isSafeInteger(leg.amount)) throw new Error(`ledger: amount ${leg.amount} is not a whole number`);
    sums.set(leg.currency, (sums.get(leg.currency) ?? 0n) + BigInt(leg.amount));
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0n) throw new Error(`ledger: movement ${movementId} does not balance in ${currency} (${sum})`);
  }
  const moving = legs.filter((leg) => leg.amount !== 0);
  const accounts = moving.map((leg) =>
    'wallet' in leg
      ? leg.wallet
      : 'clearing' in leg
        ? payoutClearingAccount(leg.currency)
        : 'card' in leg
          ? cardNetworkAccount(leg.currency)
          : externalAccount(leg.currency),
  );
  const walletLegs = moving.filter((leg): leg is Extract<Leg, { wallet: string }> => 'wallet' in leg);
  // One statement: the postings, then the balances (already locked in step 3), in wallet id order.
  const [{ updated }] = await q.query<{ updated: number }>(
    `WITH p AS (
       INSERT INTO postings (client_id, movement_id, transaction_id, account, currency, amount, date)
       SELECT $1, $2, $10, a, c, n, $3 FROM unnest($4::text[], $5::text[], $6::bigint[]) AS x(a, c, n)
     ), u AS (
       UPDATE wallets w SET balance = w.balance + x.n
       FROM unnest($7::text[], $8::text[], $9::bigint[]) AS x(id, c, n)
       WHERE w.id = x.id AND w.client_id = $1 AND w.currency = x.c
       RETURNING w.id
     )
     SELECT count(*)::int AS updated FROM u`,
    [
      clientId,
      movementId,
      now,
      accounts,
      moving.map((leg) => leg.currency),
      moving.map((leg) => leg.amount),
      walletLegs.map((leg) => leg.wallet),
      walletLegs.map((leg) => leg.currency),
      walletLegs.map((leg) => leg.amount),
      transactionId,
    ],
  );
  if (updated !== walletLegs.length) throw new Error(`ledger: movement ${movementId} names a wallet this client does not have`);
}

/**
 * Steps 3 and 4 of a pay-in that succeeds: `amount` enters from outside (`source`: the card networks
 * or the banks), the wallet gets it less the fees, the client's fee wallet the fees. The caller holds
 * steps 1–2 (the users, the pay-in's row when it exists). Writes nothing and returns false when a
 * balance would pass MAX_BALANCE (the caller fails the pay-in with 001011).
 */
export async function creditPayIn(
  q: Queryable,
  clientId: string,
  p: { transactionId: string; walletId: string; currency: string; amount: number; fees: number; source: 'card' | 'external'; now: number },
): Promise<boolean> {
  const feeWalletId = p.fees > 0 ? await ensureFeeWallet(q, clientId, p.currency, p.now) : null;
  const locked = await lockWallets(q, clientId, feeWalletId ? [p.walletId, feeWalletId] : [p.walletId]);
  const source: Leg = p.source === 'card' ? { card: true, currency: p.currency, amount: -p.amount } : { external: true, currency: p.currency, amount: -p.amount };
  const legs: Leg[] = [source, { wallet: p.walletId, currency: p.currency, amount: p.amount - p.fees }];
  if (feeWalletId) legs.push({ wallet: feeWalletId, currency: p.currency, amount: p.fees });
  if (wouldExceedBalanceCap(locked, legs)) return false;
  await post(q, clientId, p.transactionId, legs, p.now);
  return true;
}

/**
 * Every way a client's ledger could be wrong, as readable strings; [] when it is sound:
 * a movement whose postings do not sum to zero in a currency, a wallet whose balance is not the sum
 * of its postings (or whose postings are in another currency), a negative wallet, a closed user
 * holding money, a payout clearing account that does not hold exactly the CREATED payouts, and wallets
 * whose sum is not settled pay-ins minus payouts (SPEC §4). Without a clientId, every client's, each
 * problem prefixed with its client (the same six queries, so the tests run it after every file).
 */
export async function ledgerInvariants(q: Queryable, clientId?: string): Promise<string[]> {
  const problems: string[] = [];
  const c = clientId ?? null;
  const add = (client: string, text: string) => problems.push(c === null ? `client ${client}: ${text}` : text);
  const unbalanced = await q.query<{ client_id: string; movement_id: string; currency: string; total: string }>(
    `SELECT client_id, movement_id, currency, sum(amount)::text AS total FROM postings WHERE ($1::text IS NULL OR client_id = $1)
     GROUP BY client_id, movement_id, currency HAVING sum(amount) <> 0`,
    [c],
  );
  for (const r of unbalanced) add(r.client_id, `movement ${r.movement_id} sums to ${r.total} ${r.currency}`);
  const wrongBalance = await q.query<{ client_id: string; id: string; balance: string; total: string }>(
    `SELECT w.client_id, w.id, w.balance::text AS balance, coalesce(sum(p.amount), 0)::text AS total
     FROM wallets w LEFT JOIN postings p ON p.client_id = w.client_id AND p.account = w.id
     WHERE ($1::text IS NULL OR w.client_id = $1) GROUP BY w.client_id, w.id, w.balance HAVING w.balance <> coalesce(sum(p.amount), 0)`,
    [c],
  );
  for (const r of wrongBalance) add(r.client_id, `wallet ${r.id} has balance ${r.balance} but its postings sum to ${r.total}`);
  const wrongCurrency = await q.query<{ client_id: string; id: string; currency: string }>(
    `SELECT DISTINCT w.client_id, w.id, p.currency FROM wallets w JOIN postings p ON p.client_id = w.client_id AND p.account = w.id
     WHERE ($1::text IS NULL OR w.client_id = $1) AND p.currency <> w.currency`,
    [c],
  );
  for (const r of wrongCurrency) add(r.client_id, `wallet ${r.id} has postings in ${r.currency}`);
  const negative = await q.query<{ client_id: string; id: string }>(
    'SELECT client_id, id FROM wallets WHERE ($1::text IS NULL OR client_id = $1) AND balance < 0',
    [c],
  );
  for (const r of negative) add(r.client_id, `wallet ${r.id} is negative`);
  const closedWithMoney = await q.query<{ client_id: string; id: string }>(
    `SELECT DISTINCT u.client_id, u.id FROM users u JOIN wallets w ON w.client_id = u.client_id AND w.owner_id = u.id
     WHERE ($1::text IS NULL OR u.client_id = $1) AND u.status = 'CLOSED' AND w.balance <> 0`,
    [c],
  );
  for (const r of closedWithMoney) add(r.client_id, `closed user ${r.id} holds money`);
  // Per client and currency: what the clearing account holds, what the wallets hold, and what the transactions say.
  const totals = await q.query<{ client_id: string; currency: string; clearing: string; wallets: string; pending: string; net: string }>(
    `WITH cur AS (
       SELECT client_id, currency FROM postings WHERE ($1::text IS NULL OR client_id = $1)
       UNION SELECT client_id, currency FROM wallets WHERE ($1::text IS NULL OR client_id = $1)
       UNION SELECT client_id, currency FROM transactions WHERE ($1::text IS NULL OR client_id = $1)
     ), p AS (
       SELECT client_id, currency, sum(amount) AS clearing FROM postings
       WHERE ($1::text IS NULL OR client_id = $1) AND account = 'payout-clearing:' || currency GROUP BY 1, 2
     ), w AS (
       SELECT client_id, currency, sum(balance) AS wallets FROM wallets WHERE ($1::text IS NULL OR client_id = $1) GROUP BY 1, 2
     ), t AS (
       SELECT client_id, currency,
         sum(credited_amount) FILTER (WHERE type = 'PAYOUT' AND status = 'CREATED') AS pending,
         sum(debited_amount) FILTER (WHERE type = 'PAYIN' AND status = 'SUCCEEDED') AS payins,
         sum(credited_amount) FILTER (WHERE type = 'PAYOUT' AND status IN ('CREATED', 'SUCCEEDED')) AS payouts
       FROM transactions WHERE ($1::text IS NULL OR client_id = $1) GROUP BY 1, 2
     )
     SELECT cur.client_id, cur.currency,
       coalesce(p.clearing, 0)::text AS clearing, coalesce(w.wallets, 0)::text AS wallets,
       coalesce(t.pending, 0)::text AS pending, (coalesce(t.payins, 0) - coalesce(t.payouts, 0))::text AS net
     FROM cur
     LEFT JOIN p ON p.client_id = cur.client_id AND p.currency = cur.currency
     LEFT JOIN w ON w.client_id = cur.client_id AND w.currency = cur.currency
     LEFT JOIN t ON t.client_id = cur.client_id AND t.currency = cur.currency
     ORDER BY cur.client_id, cur.currency`,
    [c],
  );
  for (const r of totals) {
    if (r.clearing !== r.pending) {
      add(r.client_id, `payout clearing ${r.currency} holds ${r.clearing} but the CREATED payouts amount to ${r.pending}`);
    }
    if (r.wallets !== r.net) {
      add(r.client_id, `wallets in ${r.currency} hold ${r.wallets} but settled pay-ins minus payouts amount to ${r.net}`);
    }
  }
  return problems;
}
