import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { baseUrl } from '../../http/auth.js';
import type { RequestCtx } from '../../http/context.js';
import { ERRORS } from '../../http/errors.js';
import { pagingOf, sendPage } from '../../http/paging.js';
import { Bool, NoQuery, PagingQuery, Reply, Str, Type, type Static } from '../../lib/schema.js';
import { blockedCountry, recognisedCountryCodes } from '../../lib/countries.js';
import { COUNTRY_NAMES } from './names.js';

/**
 * When Mangrove's copy of Mangopay's published restrictions was taken (2025-01-01T00:00:00Z); the
 * data is static, so every country shows this date.
 */
export const COUNTRY_DATA_DATE = 1735689600;

export interface CountryAuthorization {
  code: string;
  name: string;
  blocked: boolean;
}

/**
 * Every recognised country, restricted or not. The restrictions are the ones user, address and bank
 * account validation apply (src/lib/countries.ts): a country blocked there blocks all three here.
 */
export function countryAuthorizations(): CountryAuthorization[] {
  return recognisedCountryCodes().map((code) => ({ code, name: COUNTRY_NAMES[code] ?? code, blocked: blockedCountry(code) }));
}

const CountryAuthorizationReply = Reply(
  {
    CountryCode: Str(),
    CountryName: Str(),
    Authorization: Reply({ BlockUserCreation: Bool(), BlockBankAccountCreation: Bool(), BlockPayout: Bool() }),
    LastUpdate: Type.Integer(),
  },
  { title: 'CountryAuthorization', description: 'What Mangopay restricts for residents, addresses and bank accounts of a country' },
);

export function renderCountryAuthorization(c: CountryAuthorization): Static<typeof CountryAuthorizationReply> {
  return {
    CountryCode: c.code,
    CountryName: c.name,
    Authorization: { BlockUserCreation: c.blocked, BlockBankAccountCreation: c.blocked, BlockPayout: c.blocked },
    LastUpdate: COUNTRY_DATA_DATE,
  };
}

/**
 * `GET /v2.01/countries/{CountryCode}/authorizations` and `/v2.01/countries/authorizations`: public
 * data without a client id in the path, so answered with or without a bearer token (the SDKs send
 * one), and not counted against any client's rate limit. Registered before the client scope.
 */
export function countryRoutes(scope: FastifyInstance, config: Config): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const list = { querystring: Type.Object(PagingQuery), response: { 200: Type.Array(CountryAuthorizationReply) }, security: [] };
  app.get('/v2.01/countries/authorizations', { schema: list }, async (req, reply) => {
    const paging = pagingOf(req.query, { sortFields: ['CountryCode'], defaultSort: 'CountryCode', defaultDir: 'ASC' });
    const all = countryAuthorizations();
    if (paging.sortDir === 'DESC') all.reverse();
    const start = (paging.page - 1) * paging.perPage;
    // Outside the client scope there is no request context: the paging links only need the base URL.
    req.ctx = { baseUrl: baseUrl(config, req) } as RequestCtx;
    return sendPage(req, reply, all.slice(start, start + paging.perPage).map(renderCountryAuthorization), all.length, paging);
  });
  const one = {
    params: Type.Object({ code: Str({ description: 'ISO 3166-1 alpha-2 country code' }) }),
    querystring: NoQuery,
    response: { 200: CountryAuthorizationReply },
    security: [],
  };
  app.get('/v2.01/countries/:code/authorizations', { schema: one }, async (req) => {
    const code = req.params.code.toUpperCase();
    if (!/^[A-Z]{2}$/.test(code)) {
      throw ERRORS.paramError({ CountryCode: 'The requested value is not an ISO 3166-1 alpha-2 code which is expected.' });
    }
    const found = countryAuthorizations().find((c) => c.code === code);
    if (!found) throw ERRORS.notFound('Country', req.params.code);
    return renderCountryAuthorization(found);
  });
}
