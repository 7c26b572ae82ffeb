import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import { ERRORS } from './errors.js';
import { nowSeconds } from './context.js';
import { CallCounter, TokenCache } from './rate-limit.js';

export function baseUrl(config: Config, req: FastifyRequest): string {
  return config.publicUrl ?? `${req.protocol}://${req.host}`;
}

/**
 * Bearer authentication and rate limiting for everything under /v2.01/{ClientId}.
 * A token opens only its own client's path; each call is counted in the database.
 */
export function requireBearer(scope: FastifyInstance, db: Db, config: Config): void {
  const tokens = new TokenCache(db);
  const counter = new CallCounter(db, nowSeconds);
  scope.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
    if (!match) throw ERRORS.invalidCredentials('An Authorization: Bearer <access_token> header is required');
    const now = nowSeconds();
    const auth = await tokens.find(match[1], now);
    if (!auth) throw ERRORS.invalidCredentials('The access token is unknown or has expired');
    const calls = await counter.count(auth.clientId);
    req.rate = { counts: calls.counts, limits: config.rateLimits, resets: calls.resets };
    const pathClient = (req.params as { clientId?: string }).clientId;
    if (auth.clientId !== pathClient) throw ERRORS.invalidCredentials('The access token was not issued to this ClientId');
    if (calls.counts.some((c, i) => c > config.rateLimits[i])) throw ERRORS.rateLimit();
    req.ctx = { db, clientId: auth.clientId, now, baseUrl: baseUrl(config, req) };
  });
}
