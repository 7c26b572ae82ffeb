import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Unit } from '../db/index.js';
import { claimKey, keyHolderHash, storeResponse, type StoredResponse } from '../modules/idempotency/store.js';
import { ERRORS } from './errors.js';

const KEY = /^[A-Za-z0-9-]{16,36}$/;

declare module 'fastify' {
  interface FastifyRequest {
    /** The Idempotency-Key this request holds, once claimed. */
    idempotencyKey: string | null;
    /** Whether the key was looked at before validation (claimed, refused or in conflict). */
    idempotencyChecked: boolean;
    /** The open transaction holding the claim, which the answer commits. */
    idempotencyUnit: Unit | null;
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

function answerOf(req: FastifyRequest, reply: FastifyReply, payload: unknown): StoredResponse {
  return {
    statusCode: reply.statusCode,
    contentType: (reply.getHeader('content-type') as string | undefined) ?? null,
    body: typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '',
    requestUrl: req.ctx.baseUrl + req.url,
    completedAt: req.ctx.now,
  };
}

/**
 * Claims the key in a transaction (a unit) that stays open while the request runs: the service's
 * transactions join it, and the answer is stored in it before it commits. So the claim, the writes
 * and the answer are committed together or not at all: a process that dies mid-request leaves
 * nothing behind (its transaction is rolled back), and a retry runs afresh; a committed key always
 * has its answer. A second request with the key waits on the uncommitted claim, then finds it taken.
 * Returns the unit, or null when the request holds no key.
 */
async function claim(req: FastifyRequest): Promise<Unit | null> {
  if (req.method !== 'POST') return null;
  const key = keyOf(req);
  if (key === undefined) return null;
  req.idempotencyChecked = true;
  if (!KEY.test(key)) {
    throw ERRORS.paramError({ 'Idempotency-Key': 'The Idempotency-Key must be 16 to 36 characters: letters, digits and dashes.' });
  }
  const { db, clientId, now } = req.ctx;
  const hash = requestHash(req, req.body);
  const unit = await db.begin();
  let claimed: boolean;
  try {
    claimed = await claimKey(unit.q, clientId, key, hash, now);
  } catch (err) {
    await unit.rollback().catch(() => {});
    throw err;
  }
  if (claimed) {
    req.idempotencyKey = key;
    req.idempotencyUnit = unit;
    return unit;
  }
  await unit.rollback();
  const holder = await keyHolderHash(db, clientId, key, now);
  throw ERRORS.idempotencyConflict(holder !== null && holder !== hash);
}

/**
 * `Idempotency-Key` on any POST (SPEC §2): of several requests with one key exactly one runs and
 * the others get 409; the answer, whatever it is, is stored with the request's writes, in one
 * transaction, and served by GET /responses/{key}. Registered after authentication, so a request
 * refused there (401, 429) holds no key.
 */
export function idempotency(scope: FastifyInstance): void {
  // Test-only: a process that must be killed between its writes and their commit.
  const stallBeforeCommit = process.env.MANGROVE_TEST_STALL_BEFORE_ANSWER === '1';
  scope.decorateRequest('idempotencyKey', null);
  scope.decorateRequest('idempotencyChecked', false);
  scope.decorateRequest('idempotencyUnit', null);
  // Before the body's validation, so that an invalid body uses up the key like any other refusal
  // (and its replay is told so). Callback style: validation, the preHandlers and the handler are
  // called from done, so they run inside the unit (unit.run).
  scope.addHook('preValidation', (req, _reply, done) => {
    claim(req).then(
      (unit) => (unit ? unit.run(() => done()) : done()),
      (err) => done(err),
    );
  });
  scope.addHook('onSend', async (req, reply, payload) => {
    const unit = req.idempotencyUnit;
    if (unit) {
      req.idempotencyUnit = null;
      if (stallBeforeCommit) {
        process.stdout.write('idempotency: stalled before storing the answer\n');
        await new Promise(() => {});
      }
      try {
        await storeResponse(unit.q, req.ctx.clientId, req.idempotencyKey!, answerOf(req, reply, payload));
        await unit.commit();
      } catch (err) {
        await unit.rollback().catch(() => {});
        // Nothing was committed, the key included: the error answer is not stored, and a retry runs.
        req.idempotencyKey = null;
        throw err;
      }
      return payload;
    }
    // Refused after authentication but before the check (unreadable body, bad text): the key is
    // used up by that failure as by any other, when it is free.
    const key = keyOf(req);
    if (req.idempotencyChecked || req.method !== 'POST' || !req.ctx || reply.statusCode < 400 || !key || !KEY.test(key)) {
      return payload;
    }
    const answer = answerOf(req, reply, payload);
    await req.ctx.db.tx(async (q) => {
      if (await claimKey(q, req.ctx.clientId, key, requestHash(req, null), req.ctx.now)) await storeResponse(q, req.ctx.clientId, key, answer);
    });
    return payload;
  });
  // A request that ended without onSend committing (its connection dropped first) frees its claim.
  scope.addHook('onResponse', async (req) => {
    const unit = req.idempotencyUnit;
    req.idempotencyUnit = null;
    await unit?.rollback();
  });
}
