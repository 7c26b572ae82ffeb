import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import { authenticate } from '../modules/auth/service.js';
import { ERRORS } from './errors.js';
import { nowSeconds } from './context.js';

export function baseUrl(config: Config, req: FastifyRequest): string {
  return config.publicUrl ?? `${req.protocol}://${req.host}`;
}

/**
 * Bearer authentication and rate limiting for everything under /v2.01/{ClientId}.
 * A token opens only its own client's path; each call is counted in the database.
 */
export function requireBearer(scope: FastifyInstance, db: Db, config: Config): void {
  scope.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
    if (!match) throw ERRORS.invalidCredentials('An Authorization: Bearer <access_token> header is required');
    const now = nowSeconds();
    const auth = await authenticate(db, match[1], now);
    if (!auth) throw ERRORS.invalidCredentials('The access token is unknown or has expired');
    req.rate = { counts: auth.counts, limits: config.rateLimits, resets: auth.resets };
    const pathClient = (req.params as { clientId?: string }).clientId;
    if (auth.clientId !== pathClient) throw ERRORS.invalidCredentials('The access token was not issued to this ClientId');
    if (auth.counts.some((c, i) => c > config.rateLimits[i])) throw ERRORS.rateLimit();
    req.ctx = { db, clientId: auth.clientId, now, baseUrl: baseUrl(config, req) };
  });
}
