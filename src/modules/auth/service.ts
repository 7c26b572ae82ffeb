import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Db } from '../../db/index.js';
import { ERRORS } from '../../core/errors.js';
import { systemClock as clock } from '../../core/clock.js';
import { newId, secret } from '../../lib/ids.js';
import * as store from './store.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

/** API keys may be chosen by people (MANGROVE_API_KEY), so they get a salted, slow hash. */
export async function hashApiKey(key: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(key, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

// Stored hash → SHA-256 of the key it was last verified against, so that a client asking
// for tokens pays for scrypt once per process. A new key has a new salt, hence a new entry.
const verified = new Map<string, string>();
const VERIFIED_MAX = 1000;

export async function verifyApiKey(key: string, stored: string): Promise<boolean> {
  const digest = createHash('sha256').update(key).digest('hex');
  if (verified.get(stored) === digest) return true;
  const ok = await scryptMatches(key, stored);
  if (ok) {
    if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
    verified.set(stored, digest);
  }
  return ok;
}

async function scryptMatches(key: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(key, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(expected, actual);
}

/** Bearer tokens are random 160-bit values: a fast hash is enough and keeps each request to one lookup. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface NewClient {
  id: string;
  apiKey: string;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** First segments after /v2.01/ of paths that take no client id: no client may be called that. */
export const NON_CLIENT_SEGMENTS = new Set(['oauth', 'countries']);

export async function createClient(db: Db, opts: { id?: string; name?: string; apiKey?: string } = {}): Promise<NewClient> {
  const id = opts.id ?? newId('client').toLowerCase();
  if (!CLIENT_ID.test(id) || NON_CLIENT_SEGMENTS.has(id.toLowerCase())) throw new Error(`invalid client id "${id}"`);
  const apiKey = opts.apiKey ?? secret();
  await store.insertClient(db, { id, name: opts.name ?? id, apiKeyHash: await hashApiKey(apiKey), createdAt: clock.nowSeconds() });
  return { id, apiKey };
}

/** Makes sure the configured client exists with this key; idempotent, and the key given wins. */
export async function ensureClient(db: Db, id: string, apiKey: string): Promise<'created' | 'updated' | 'unchanged'> {
  const found = await store.findClientKey(db, id);
  if (!found) {
    try {
      await createClient(db, { id, apiKey });
      return 'created';
    } catch (err: any) {
      // another process created it at the same moment
      if (err?.code !== '23505') throw err;
      return ensureClient(db, id, apiKey);
    }
  }
  if (await verifyApiKey(apiKey, found.apiKeyHash)) return 'unchanged';
  await store.updateClientKey(db, id, await hashApiKey(apiKey));
  return 'updated';
}

export const countClients = store.countClients;

export interface TokenPolicy {
  ttl: number;
  budget: number;
  budgetWindow: number;
}

/** The client-credentials grant: checks the key, the token budget, then issues a new token. */
export async function issueToken(db: Db, clientId: string, apiKey: string, now: number, policy: TokenPolicy) {
  // No client has another shape of id, and text with NUL would make the lookup itself fail.
  if (!CLIENT_ID.test(clientId)) throw ERRORS.invalidClient('Unknown ClientId or wrong API key');
  const found = await store.findClientKey(db, clientId);
  if (!found || !(await verifyApiKey(apiKey, found.apiKeyHash))) {
    throw ERRORS.invalidClient('Unknown ClientId or wrong API key');
  }
  // The token lives on the client's sandbox clock; the budget window on the server's.
  const clientNow = now + found.clockOffset;
  const windowStart = now - (now % policy.budgetWindow);
  if ((await store.spendTokenBudget(db, clientId, windowStart)) > policy.budget) {
    throw ERRORS.tokenOveruse(policy.budget, policy.budgetWindow, windowStart + policy.budgetWindow - now);
  }
  const token = randomBytes(20).toString('hex');
  await store.insertToken(db, { hash: hashToken(token), clientId, createdAt: clientNow, expiresAt: clientNow + policy.ttl });
  // Tokens long expired are of no use to anyone.
  await store.purgeTokens(db, clientId, clientNow - 86400);
  return { access_token: token, token_type: 'Bearer', expires_in: policy.ttl };
}

export const RATE_WINDOWS = [900, 1800, 3600, 86400] as const;

/**
 * SDKs name each window by how far its reset is (Node: (reset - now) / 60 minutes ≤ 15 → 15, ≤ 30 → 30,
 * …), so each reset must lie between the previous window's length and its own. A window of length W
 * after one of length P therefore starts anew every W - P (less a margin for the time the answer takes
 * to arrive): its reset is always more than P + margin and at most W away. The 15-minute window is a
 * plain tumbling window. Windows still last their full length; a window only counts the calls made
 * since its own start.
 */
export const RATE_LABEL_MARGIN = 60;
export const RATE_STEPS = RATE_WINDOWS.map((w, i) => (i === 0 ? w : w - RATE_WINDOWS[i - 1] - RATE_LABEL_MARGIN));

export interface TokenInfo {
  clientId: string;
  expiresAt: number;
}

/** The client a live bearer token was issued to, or null. */
export async function findToken(db: Db, token: string, now: number): Promise<TokenInfo | null> {
  return store.findLiveToken(db, hashToken(token), now);
}

export interface CallCounts {
  /** Calls made in each window, the ones just added included. */
  counts: number[];
  /** When each window closes (Unix seconds). */
  resets: number[];
  /** The client's sandbox clock: seconds to add to the server's clock. */
  clockOffset: number;
}

/**
 * Adds calls to the clients' four windows in one statement and returns the totals, which
 * include the calls of every process sharing the database. Windows are aligned on the
 * client's creation (a new client sees resets at +15 min, +30 min, +1 h and +24 h) and
 * restart every RATE_STEPS, so each reset stays in the range the SDKs label it by.
 */
export async function addCalls(db: Db, calls: Map<string, number>, now: number): Promise<Map<string, CallCounts>> {
  for (const id of calls.keys()) if (!CLIENT_ID.test(id)) throw new Error(`invalid client id ${JSON.stringify(id)}`);
  return store.addCalls(db, calls, now, RATE_WINDOWS, RATE_STEPS);
}
