import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { nowSeconds } from '../../core/clock.js';
import { ERRORS } from '../../core/errors.js';
import { clockOffset } from '../clock/store.js';
import * as store from './store.js';

/** SCA for account access holds 180 days after the last one (docs: guides/sca/wallets). */
export const SCA_VALIDITY_SECONDS = 180 * 86400;
/** Every SCA link (enrollment, consent, authentication) expires 10 minutes after it is generated, as on Mangopay. */
export const SCA_SESSION_TTL = 600;

export const SCA_CONTEXTS = ['USER_PRESENT', 'USER_NOT_PRESENT'] as const;
export type ScaContext = (typeof SCA_CONTEXTS)[number];

/**
 * The client's clock, read here rather than from the request: the wallet reads are clock-free
 * (they run before the client's clock is known) and only this check needs the time.
 */
export async function clientNow(q: Queryable, clientId: string): Promise<number> {
  return nowSeconds() + (await clockOffset(q, clientId));
}

/** Opens an SCA session of the user (enrollment, consent, authentication, a transfer) behind a new link on this server's own SCA page. */
export async function openScaSession(
  q: Queryable,
  ctx: { clientId: string; baseUrl: string },
  userId: string,
  kind: 'ENROLLMENT' | 'CONSENT' | 'AUTHENTICATION' | 'TRANSFER',
  now: number,
  transferId: string | null = null,
): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await store.insertScaSession(q, {
    token,
    clientId: ctx.clientId,
    userId,
    kind,
    createdAt: now,
    expiresAt: now + SCA_SESSION_TTL,
    completedAt: null,
    transferId,
  });
  return scaLink(ctx.baseUrl, token);
}

export function scaLink(baseUrl: string, token: string): string {
  return `${baseUrl}/sca?token=${token}`;
}

/**
 * Wallet access (view a wallet, list wallets, list transactions) with ScaContext USER_PRESENT: an
 * OWNER who has not completed SCA within the last 180 days of the client's clock gets 401 with
 * `WWW-Authenticate: PendingUserAction RedirectUrl=…`, the link of a new authentication session.
 * PAYERs need no SCA. Legacy OWNERs and OWNERs never enrolled have no SCA until they complete one.
 *
 * Without ScaContext (or with USER_NOT_PRESENT) nothing is checked. Mangopay made USER_PRESENT the
 * default on 15 Dec 2025, but every official SDK's suite reads the wallets of OWNERs that never did
 * SCA without sending ScaContext, so Mangrove keeps "absent = not checked".
 */
export async function requireAccountAccess(ctx: RequestCtx, userId: string, scaContext: ScaContext | null): Promise<void> {
  if (scaContext !== 'USER_PRESENT') return;
  const user = await store.findUser(ctx.db, ctx.clientId, userId);
  // A closed user can no longer authenticate (the SCA page refuses), and closure leaves its history readable.
  if (!user || user.category !== 'OWNER' || user.status === 'CLOSED') return;
  const now = await clientNow(ctx.db, ctx.clientId);
  const last = await store.lastScaAt(ctx.db, ctx.clientId, userId);
  if (last !== null && now - last <= SCA_VALIDITY_SECONDS) return;
  throw ERRORS.scaRequired(await openScaSession(ctx.db, ctx, userId, 'AUTHENTICATION', now));
}

/**
 * The user passed an authentication session: SCA counts from now. Only this session is used up:
 * touching the user's other open sessions here could deadlock with their own completion, which
 * locks its session before the user; passing one of them later just authenticates again.
 */
export async function completeAuthentication(q: Queryable, s: store.ScaSession, now: number): Promise<void> {
  await store.recordAuthentication(q, s.userId, now);
  await store.completeScaSessionRow(q, s.token, now);
  for (const listener of authenticationListeners) await listener(q, s, now);
}

/**
 * Runs in the transaction that completes an authentication session (a recipient registered with
 * USER_PRESENT waits on it). A hook rather than an import: recipients build on users; server.ts
 * wires the listener.
 */
export type AuthenticationListener = (q: Queryable, s: store.ScaSession, now: number) => Promise<void>;
const authenticationListeners = new Set<AuthenticationListener>();
export function onAuthenticated(listener: AuthenticationListener): void {
  authenticationListeners.add(listener);
}
