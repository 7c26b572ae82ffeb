import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { claimKey, keyHolderHash, storeResponse } from '../modules/idempotency/store.js';
import { ERRORS } from './errors.js';

const KEY = /^[A-Za-z0-9-]{16,36}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The Idempotency-Key this request holds, once claimed. */
    idempotencyKey: string | null;
    /** Whether the key was looked at before the handler (claimed, refused or in conflict). */
    idempotencyChecked: boolean;
  }
}

/** What a key is held for: the method, the path without its query, and the parsed body. */
function requestHash(req: FastifyRequest, body: unknown): string {
  return createHash('sha256')
    .update(`${req.method} ${req.url.split('?')[0].toLowerCase()}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

function keyOf(req: FastifyRequest): string | undefined {
  const header = req.headers['idempotency-key'];
  return Array.isArray(header) ? header.join(',') : header;
}

/**
 * `Idempotency-Key` on any POST (SPEC §2): the key is claimed in the database before the request
 * runs, so that of several requests with one key exactly one runs and the others get 409; the
 * answer, whatever it is, is stored before it is sent and served by GET /responses/{key}.
 * Registered after authentication, so a request refused there (401, 429) holds no key.
 */
export function idempotency(scope: FastifyInstance): void {
  scope.decorateRequest('idempotencyKey', null);
  scope.decorateRequest('idempotencyChecked', false);
  scope.addHook('preHandler', async (req) => {
    if (req.method !== 'POST') return;
    const key = keyOf(req);
    if (key === undefined) return;
    req.idempotencyChecked = true;
    if (!KEY.test(key)) {
      throw ERRORS.paramError({ 'Idempotency-Key': 'The Idempotency-Key must be 16 to 36 characters: letters, digits and dashes.' });
    }
    const { db, clientId, now } = req.ctx;
    const hash = requestHash(req, req.body);
    if (await claimKey(db, clientId, key, hash, now)) {
      req.idempotencyKey = key;
      return;
    }
    const holder = await keyHolderHash(db, clientId, key, now);
    throw ERRORS.idempotencyConflict(holder !== null && holder !== hash);
  });
  scope.addHook('onSend', async (req, reply, payload) => {
    if (!req.idempotencyKey) {
      // Refused after authentication but before the check (unreadable body, bad text): the key is
      // used up by that failure as by any other, when it is free.
      const key = keyOf(req);
      if (req.idempotencyChecked || req.method !== 'POST' || !req.ctx || reply.statusCode < 400 || !key || !KEY.test(key)) {
        return payload;
      }
      if (!(await claimKey(req.ctx.db, req.ctx.clientId, key, requestHash(req, null), req.ctx.now))) {
        return payload;
      }
      req.idempotencyKey = key;
    }
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
    await storeResponse(req.ctx.db, req.ctx.clientId, req.idempotencyKey, {
      statusCode: reply.statusCode,
      contentType: (reply.getHeader('content-type') as string | undefined) ?? null,
      body,
      requestUrl: req.ctx.baseUrl + req.url,
      completedAt: req.ctx.now,
    });
    return payload;
  });
}
