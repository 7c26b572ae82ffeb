import type { Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import { findUser } from '../users/store.js';

export interface EMoney {
  userId: string;
  currency: string;
  credited: number;
  debited: number;
}

/** A period in Unix seconds, start included, end excluded; null bounds are open. */
export interface Period {
  from: number | null;
  to: number | null;
}

/** The UTC calendar year, or month (1–12) of that year. */
export function calendarPeriod(year: number, month?: number): Period {
  if (month === undefined) return { from: Date.UTC(year, 0, 1) / 1000, to: Date.UTC(year + 1, 0, 1) / 1000 };
  return { from: Date.UTC(year, month - 1, 1) / 1000, to: Date.UTC(year, month, 1) / 1000 };
}

/**
 * What entered and left the user's wallets of the currency during the period, from the ledger.
 * Postings are netted per transaction first (a payout's debit and the refund of its failure are
 * one movement), so a payout the bank rejected within the period counts neither way; what is left
 * is credited (pay-ins and transfers in) or debited (payouts and transfers out). Credited − Debited
 * is the change of the wallets' balance over the period.
 */
async function sums(q: Queryable, clientId: string, userId: string, currency: string, p: Period) {
  const [row] = await q.query<{ credited: string; debited: string }>(
    `WITH moves AS (
       SELECT p.transaction_id AS tx, sum(p.amount) AS net
       FROM postings p JOIN wallets w ON w.client_id = p.client_id AND w.id = p.account
       WHERE p.client_id = $1 AND w.owner_id = $2 AND w.currency = $3
         AND ($4::bigint IS NULL OR p.date >= $4) AND ($5::bigint IS NULL OR p.date < $5)
       GROUP BY 1
     )
     SELECT coalesce(sum(net) FILTER (WHERE net > 0), 0)::text AS credited,
            coalesce(-sum(net) FILTER (WHERE net < 0), 0)::text AS debited
     FROM moves`,
    [clientId, userId, currency, p.from, p.to],
  );
  return { credited: Number(row.credited), debited: Number(row.debited) };
}

/** A request for e-money: the path's year and month as sent, and the currency (query or body), EUR by default. */
export interface EMoneyInput {
  year?: string;
  month?: string;
  currency?: string;
}

const MIN_YEAR = 1970;
const MAX_YEAR = 2999;

/** The period and currency asked for, and what was wrong with them (reported once the user is known to exist). */
function readInput(input: EMoneyInput): { period: Period; currency: string; errors: FieldErrors } {
  const errors: FieldErrors = {};
  let period: Period = { from: null, to: null };
  if (input.year !== undefined) {
    const y = /^\d{4}$/.test(input.year) ? Number(input.year) : NaN;
    if (!(y >= MIN_YEAR && y <= MAX_YEAR)) errors.Year = `Year must be a year of four digits between ${MIN_YEAR} and ${MAX_YEAR}, like 2019.`;
    let m: number | undefined;
    if (input.month !== undefined) {
      m = /^\d{1,2}$/.test(input.month) ? Number(input.month) : NaN;
      if (!(m >= 1 && m <= 12)) errors.Month = 'Month must be a month number from 1 to 12 (or 01 to 12).';
    }
    if (!Object.keys(errors).length) period = calendarPeriod(y, m);
  }
  const currency = (input.currency ?? 'EUR').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) errors.Currency = 'Currency must be a three-letter ISO 4217 code, like EUR.';
  return { period, currency, errors };
}

/** `GET /users/{Id}/emoney[/{Year}[/{Month}]]`: 404 for a user the client does not have, before any param_error. */
export async function userEMoney(ctx: RequestCtx, userId: string, input: EMoneyInput): Promise<EMoney> {
  if (!(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
  const { period, currency, errors } = readInput(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  const { credited, debited } = await sums(ctx.db, ctx.clientId, userId, currency, period);
  return { userId, currency, credited, debited };
}
