import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/index.js';
import { ApiError, ERRORS, errorBody } from './errors.js';
import { nowSeconds, type RateState, type RequestCtx } from './context.js';
import { CallCounter, TokenCache } from './rate-limit.js';
import { NON_CLIENT_SEGMENTS } from '../modules/auth/service.js';

/**
 * The base of links Mangrove gives out (SCA pages, Link headers, stored request URLs): MANGROVE_PUBLIC_URL,
 * else the address the server listens on. Never the Host header, which the caller chooses.
 */
export function baseUrl(config: Config, req: FastifyRequest): string {
  if (config.publicUrl) return config.publicUrl;
  const bound = req.server.server.address();
  let host = typeof bound === 'object' && bound ? bound.address : '';
  let port = typeof bound === 'object' && bound ? bound.port : config.port;
  // Bound to every interface: the one this connection arrived on is an address the server listens on.
  if (!host || host === '0.0.0.0' || host === '::') {
    host = req.socket?.localAddress || '127.0.0.1';
    port = req.socket?.localPort || port;
  }
  host = host.replace(/^::ffff:(?=\d+\.)/, '');
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

// RFC 3986 host (reg-name, IPv4 or bracketed IPv6) with an optional port.
const HOST_HEADER = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+(?::\d{0,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{0,5})?$/;

/** A Host header nothing could be built from is a bad request; HTTP/1.1 must send one (RFC 9112 §3.2). */
export function hostProblem(req: FastifyRequest): string | null {
  const host = req.headers.host;
  if (host === undefined) return req.raw.httpVersion === '1.0' ? null : 'The Host header is required';
  return HOST_HEADER.test(host) ? null : 'The Host header is not a valid host[:port]';
}

function rateLimitHeaders(rate: RateState) {
  return {
    'X-RateLimit': rate.counts.join(', '),
    'X-RateLimit-Remaining': rate.counts.map((c, i) => Math.max(0, rate.limits[i] - c)).join(', '),
    'X-RateLimit-Reset': rate.resets.join(', '),
  };
}

function overLimit(rate: RateState): ApiError | null {
  const over = rate.counts.findIndex((c, i) => c > rate.limits[i]);
  return over < 0 ? null : ERRORS.rateLimit(Math.max(1, rate.resets[over] - nowSeconds()));
}

const READS = new Set(['GET', 'HEAD']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A read whose answer does not depend on the time: it runs without waiting for the client's clock. */
    clockFree?: boolean;
  }
  interface FastifyRequest {
    /** For a clock-free read: whether its token was still live on the client's clock. */
    tokenLive: Promise<boolean> | null;
  }
}

/** Route options of a clock-free read (see requireBearer). */
export const CLOCK_FREE = { config: { clockFree: true } } as const;

/** The context of a clock-free read: reading `now` is a programming error, caught by any test of the route. */
function clockFreeCtx(ctx: Omit<RequestCtx, 'now'>): RequestCtx {
  return Object.defineProperty({ ...ctx }, 'now', {
    get() {
      throw new Error('a route marked clock-free read the clock');
    },
  }) as RequestCtx;
}

/**
 * Bearer authentication and rate limiting for everything under /v2.01/{ClientId}.
 * A token opens only its own client's path; each call is counted in the database.
 * A call waits for its count, which also brings the client's sandbox clock, except a read marked
 * clock-free, which runs meanwhile. A write over the limit is refused before it runs; a read runs
 * and its answer is replaced by the 429 (or the 401 of a token expired on the client's clock),
 * which changes nothing.
 */
export function requireBearer(scope: FastifyInstance, db: Db, config: Config): void {
  const tokens = new TokenCache(db);
  const counter = new CallCounter(db, nowSeconds);
  scope.decorateRequest('rate', null);
  scope.decorateRequest('tokenLive', null);
  scope.addHook('onRequest', async (req) => {
    const pathClient = (req.params as { clientId?: string }).clientId;
    // /v2.01/countries/… and /v2.01/oauth/… take no client id: a path there that no route serves is
    // simply not an endpoint, whatever the token says.
    if (pathClient !== undefined && NON_CLIENT_SEGMENTS.has(pathClient.toLowerCase())) {
      throw ERRORS.routeNotFound(req.method, req.url.split('?')[0]);
    }
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
    if (!match) throw ERRORS.invalidCredentials('An Authorization: Bearer <access_token> header is required');
    const now = nowSeconds();
    const auth = await tokens.find(match[1], now);
    if (!auth) throw ERRORS.invalidCredentials('The access token is unknown or has expired');
    const counted = counter.count(auth.clientId);
    req.rate = counted.then((c) => ({ counts: c.counts, resets: c.resets, limits: config.rateLimits }));
    // Settled in onSend; until then a failure must not count as unhandled.
    req.rate.catch(() => {});
    if (auth.clientId !== pathClient) throw ERRORS.invalidCredentials('The access token was not issued to this ClientId');
    const base = { db, clientId: auth.clientId, baseUrl: baseUrl(config, req) };
    if (READS.has(req.method) && req.routeOptions.config?.clockFree) {
      // Runs while counted; the token is checked on the client's clock once the count brings it.
      req.tokenLive = counted.then((c) => auth.expiresAt > now + c.clockOffset);
      req.tokenLive.catch(() => {});
      req.ctx = clockFreeCtx(base);
      return;
    }
    // The count brings the client's sandbox clock, which this request needs.
    const { clockOffset } = await counted;
    const clientNow = now + clockOffset;
    if (auth.expiresAt <= clientNow) throw ERRORS.invalidCredentials('The access token is unknown or has expired');
    if (!READS.has(req.method)) {
      const refused = overLimit(await req.rate);
      if (refused) throw refused;
    }
    req.ctx = { ...base, now: clientNow };
  });
  scope.addHook('onSend', async (req, reply, payload) => {
    if (!req.rate) return payload;
    const rate = await req.rate;
    reply.headers(rateLimitHeaders(rate));
    const expired = req.tokenLive && !(await req.tokenLive);
    const refused = expired
      ? ERRORS.invalidCredentials('The access token is unknown or has expired')
      : reply.statusCode === 429
        ? null
        : overLimit(rate);
    if (!refused) return payload;
    reply.code(refused.status).headers(refused.headers).type('application/json; charset=utf-8');
    return JSON.stringify(errorBody(refused, nowSeconds()));
  });
}
