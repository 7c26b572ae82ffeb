import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CLOCK_FREE } from '../../http/auth.js';
import type { FieldErrors } from '../../http/errors.js';
import { Input } from '../../http/input.js';
import { calendarPeriod, userEMoney, type EMoney, type EMoneyQuery, type Period } from './service.js';

type Params = { id: string; year?: string; month?: string };

const MIN_YEAR = 1970;
const MAX_YEAR = 2999;
const MAX_GET_BODY = 4096;

/**
 * Fastify parses no body on a GET: the Ruby SDK's `{"Currency": …}` is read here, and only a small
 * JSON object; anything else counts as no body.
 */
async function getBody(req: FastifyRequest): Promise<unknown> {
  if (!/json/i.test(String(req.headers['content-type'] ?? '')) || req.raw.readableEnded) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even past the limit: leaving the loop early would destroy the socket the answer goes on.
  for await (const chunk of req.raw) {
    size += (chunk as Buffer).length;
    if (size <= MAX_GET_BODY) chunks.push(chunk as Buffer);
  }
  if (size > MAX_GET_BODY) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

export function renderEMoney(e: EMoney) {
  return {
    UserId: e.userId,
    CreditedEMoney: { Currency: e.currency, Amount: e.credited },
    DebitedEMoney: { Currency: e.currency, Amount: e.debited },
  };
}

/**
 * Year ("2019"), month ("4" or "04") and the currency: `?currency=` (Python, PHP) or a `Currency`
 * in the body, which the Ruby SDK sends even on this GET. EUR by default, as on Mangopay.
 */
function parse(req: FastifyRequest<{ Params: Params }>, body: unknown): EMoneyQuery {
  const errors: FieldErrors = {};
  const { year, month } = req.params;
  let period: Period = { from: null, to: null };
  if (year !== undefined) {
    const y = /^\d{4}$/.test(year) ? Number(year) : NaN;
    if (!(y >= MIN_YEAR && y <= MAX_YEAR)) errors.Year = `Year must be a year of four digits between ${MIN_YEAR} and ${MAX_YEAR}, like 2019.`;
    let m: number | undefined;
    if (month !== undefined) {
      m = /^\d{1,2}$/.test(month) ? Number(month) : NaN;
      if (!(m >= 1 && m <= 12)) errors.Month = 'Month must be a month number from 1 to 12 (or 01 to 12).';
    }
    if (!Object.keys(errors).length) period = calendarPeriod(y, m);
  }
  const fromQuery = new Input(req.query, errors).str('Currency');
  const fromBody = new Input(body, errors).str('Currency');
  const currency = (fromQuery ?? fromBody ?? 'EUR').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency)) errors.Currency = 'Currency must be a three-letter ISO 4217 code, like EUR.';
  return { period, currency, errors };
}

/** A user's e-money: what the wallets of one currency received and paid out, in total or in a calendar year or month (UTC). */
export function eMoneyRoutes(app: FastifyInstance): void {
  for (const path of ['/users/:id/emoney', '/users/:id/emoney/:year', '/users/:id/emoney/:year/:month']) {
    app.get<{ Params: Params }>(path, CLOCK_FREE, async (req) => {
      return renderEMoney(await userEMoney(req.ctx, req.params.id, parse(req, await getBody(req))));
    });
  }
}
