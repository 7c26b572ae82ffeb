import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CLOCK_FREE } from '../../http/auth.js';
import { normalize } from '../../http/schema.js';
import { EMoneyBody, EMoneyMonthParams, EMoneyParams, EMoneyQuery, EMoneyReply, EMoneyYearParams } from './schemas.js';
import { userEMoney, type EMoney } from './service.js';

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

/** The body's Currency, read as leniently as any body (the name in any case, a number as a string). */
async function bodyCurrency(req: FastifyRequest): Promise<string | undefined> {
  const body = normalize(EMoneyBody, await getBody(req)) as { Currency?: unknown } | undefined;
  const v = body?.Currency;
  // Anything but a string is no currency code: refused with the message of a bad one.
  return v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
}

export function renderEMoney(e: EMoney): EMoneyReply {
  return {
    UserId: e.userId,
    CreditedEMoney: { Currency: e.currency, Amount: e.credited },
    DebitedEMoney: { Currency: e.currency, Amount: e.debited },
  };
}

/**
 * A user's e-money: what the wallets of one currency received and paid out, in total or in a calendar year or month (UTC).
 * Year ("2019"), month ("4" or "04") and the currency: `?currency=` (Python, PHP) or a `Currency` in the body, which
 * the Ruby SDK sends even on this GET. EUR by default, as on Mangopay.
 */
export function eMoneyRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const response = { 200: EMoneyReply };
  // The body is read whatever the query says, so that it never stays unread on the connection.
  const currency = async (req: FastifyRequest, fromQuery: string | undefined) => {
    const fromBody = await bodyCurrency(req);
    return fromQuery ?? fromBody;
  };
  app.get('/users/:id/emoney', { ...CLOCK_FREE, schema: { params: EMoneyParams, querystring: EMoneyQuery, response } }, async (req) =>
    renderEMoney(await userEMoney(req.ctx, req.params.id, { currency: await currency(req, req.query.Currency) })),
  );
  app.get('/users/:id/emoney/:year', { ...CLOCK_FREE, schema: { params: EMoneyYearParams, querystring: EMoneyQuery, response } }, async (req) =>
    renderEMoney(await userEMoney(req.ctx, req.params.id, { year: req.params.year, currency: await currency(req, req.query.Currency) })),
  );
  app.get('/users/:id/emoney/:year/:month', { ...CLOCK_FREE, schema: { params: EMoneyMonthParams, querystring: EMoneyQuery, response } }, async (req) => {
    const { id, year, month } = req.params;
    return renderEMoney(await userEMoney(req.ctx, id, { year, month, currency: await currency(req, req.query.Currency) }));
  });
}
