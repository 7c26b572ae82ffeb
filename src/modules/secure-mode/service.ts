/*
 * The browser steps Mangrove hosts for card payments: a 3-D Secure challenge (direct pay-ins,
 * pre-authorizations, card validations) and the web payment page. A session is opened with the
 * resource waiting on it; the payer's answer (or the session's expiry, on the client's clock) is
 * handed to the handler its kind registered, in the same database transaction that closes the
 * session, so a session is decided once. Handlers are registered by the modules owning the
 * resources (wired in server.ts), so this module depends on none of them.
 */
import { secret } from '../../lib/ids.js';
import type { Db, Queryable } from '../../db/index.js';
import * as store from './store.js';
import type { SecureKind, SecureSession } from './store.js';

export type { SecureKind, SecureSession };

/** APPROVED: the payer authenticated (or, for a web page, paid); REFUSED: declined or cancelled; EXPIRED: left too long. */
export type SecureOutcome = 'APPROVED' | 'REFUSED' | 'EXPIRED';

/** What a handler is given: the transaction to write in, the client and its clock. */
export interface OutcomeCtx {
  db: Db;
  clientId: string;
  now: number;
}

/**
 * Applies the outcome to the resource, in the transaction `q` that holds the session row. `extra` is
 * what the page passed along (the web page's card, for instance).
 */
export type OutcomeHandler = (q: Queryable, ctx: OutcomeCtx, session: SecureSession, outcome: SecureOutcome, extra: Record<string, any>) => Promise<void>;

const handlers = new Map<SecureKind, OutcomeHandler>();

export function onSecureOutcome(kind: SecureKind, handler: OutcomeHandler): void {
  handlers.set(kind, handler);
}

/** The page of a session: /3ds/{id} for a challenge, /payment/{id} for a web payment page. */
export function sessionUrl(baseUrl: string, s: Pick<SecureSession, 'id' | 'kind'>): string {
  return `${baseUrl}${s.kind === 'WEB_PAYIN' ? '/payment' : '/3ds'}/${s.id}`;
}

/** Opens a session for a resource, in the caller's transaction; returns it (its URL by sessionUrl). */
export async function openSecureSession(
  q: Queryable,
  ctx: { clientId: string; now: number },
  p: { kind: SecureKind; resourceId: string; returnUrl: string; ttlSeconds: number; data?: Record<string, any> },
): Promise<SecureSession> {
  const s: SecureSession = {
    id: secret(),
    clientId: ctx.clientId,
    kind: p.kind,
    resourceId: p.resourceId,
    returnUrl: p.returnUrl,
    state: 'OPEN',
    data: p.data ?? {},
    creationDate: ctx.now,
    expiresAt: ctx.now + p.ttlSeconds,
    decidedAt: null,
  };
  await store.insertSession(q, s);
  return s;
}

export async function findSecureSession(q: Queryable, id: string): Promise<SecureSession | null> {
  return store.findSession(q, id);
}

/**
 * Decides a session once: the payer's outcome, or EXPIRED when its time is over on the client's clock
 * (`now`). A session already decided is returned as it is, and nothing runs twice. The handler runs in
 * the same transaction. `extra` (what the page passes along) is given to the handler; it is not stored.
 */
export async function decideSecureSession(
  db: Db,
  id: string,
  wanted: SecureOutcome,
  now: (clientId: string) => Promise<number>,
  extra: Record<string, any> = {},
): Promise<SecureSession | null> {
  const seen = await store.findSession(db, id);
  if (!seen) return null;
  const clock = await now(seen.clientId);
  return db.tx(async (q) => {
    const s = await store.findSession(q, id, true);
    if (!s || s.state !== 'OPEN') return s;
    const outcome: SecureOutcome = s.expiresAt <= clock ? 'EXPIRED' : wanted;
    s.state = outcome;
    s.decidedAt = clock;
    await store.saveSessionState(q, s);
    const handler = handlers.get(s.kind);
    if (!handler) throw new Error(`secure-mode: no handler for ${s.kind}`);
    await handler(q, { db, clientId: s.clientId, now: clock }, s, outcome, extra);
    return s;
  });
}

/** Expires a client's open sessions past their time on its clock (a read of the resource, or the sweep). */
export async function expireDueSessions(db: Db, clientId: string, now: number): Promise<void> {
  for (const id of await store.dueSessionIds(db, clientId, now)) {
    await decideSecureSession(db, id, 'EXPIRED', async () => now);
  }
}

/** Expires every client's due sessions, each on its own clock (run periodically by each process). */
export async function sweepSecureSessions(db: Db): Promise<void> {
  const serverNow = Math.floor(Date.now() / 1000);
  for (const { clientId, clockOffset } of await store.clientsWithDueSessions(db, serverNow)) {
    await expireDueSessions(db, clientId, serverNow + clockOffset);
  }
}
