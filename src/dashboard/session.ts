import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { RequestCtx } from '../core/context.js';
import { systemClock } from '../core/clock.js';
import type { Db } from '../db/index.js';
import { verifyApiKey } from '../modules/auth/service.js';
import { findClientKey } from '../modules/auth/store.js';
import { clockOffset } from '../modules/clock/store.js';
import type { PageSession } from './layout.js';
import * as store from './store.js';

/** How long a session lasts (server time, not the sandbox clock). */
export const SESSION_TTL_SECONDS = 8 * 3600;
/** How long a sign-in link printed by `mangrove dashboard-link` works. */
export const LINK_TTL_SECONDS = 10 * 60;
/** Wrong sign-ins allowed per client id tried in each window, before the form refuses for the rest of it. */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_SECONDS = 15 * 60;

export const SESSION_COOKIE = 'mangrove_dashboard';
/** The sign-in forms' CSRF cookie (double submit), before there is a session. */
export const PRE_COOKIE = 'mangrove_dashboard_pre';

export interface DashSession extends PageSession {
  idHash: string;
  expiresAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in Dashboard session (set on every Dashboard page but the sign-in ones). */
    dash: DashSession | null;
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const now = () => systemClock.nowSeconds();

export function readCookie(req: FastifyRequest, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}

function cookie(config: Config, name: string, value: string, maxAge: number): string {
  const secure = config.publicUrl?.startsWith('https:') ? '; Secure' : '';
  return `${name}=${value}; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
}

/** Equal secrets, in constant time. */
export function sameSecret(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The pre-session CSRF token of the sign-in forms: the cookie's, or a new one set on the reply. */
export function preToken(req: FastifyRequest, reply: FastifyReply, config: Config): string {
  const existing = readCookie(req, PRE_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{20,64}$/.test(existing)) return existing;
  const token = randomBytes(24).toString('base64url');
  reply.header('Set-Cookie', cookie(config, PRE_COOKIE, token, 3600));
  return token;
}

export async function startSession(db: Db, config: Config, reply: FastifyReply, clientId: string): Promise<void> {
  const id = randomBytes(32).toString('base64url');
  const t = now();
  await store.insertSession(db, { idHash: sha256(id), clientId, csrfToken: randomBytes(24).toString('base64url'), now: t, expiresAt: t + SESSION_TTL_SECONDS });
  reply.header('Set-Cookie', cookie(config, SESSION_COOKIE, id, SESSION_TTL_SECONDS));
}

export async function endSession(db: Db, config: Config, reply: FastifyReply, s: DashSession): Promise<void> {
  await store.deleteSession(db, s.idHash);
  reply.header('Set-Cookie', cookie(config, SESSION_COOKIE, '', 0));
}

export async function findSession(db: Db, req: FastifyRequest): Promise<DashSession | null> {
  const id = readCookie(req, SESSION_COOKIE);
  if (!id || id.length > 100) return null;
  const idHash = sha256(id);
  const row = await store.findLiveSession(db, idHash, now());
  return row ? { idHash, clientId: row.clientId, csrfToken: row.csrfToken, expiresAt: row.expiresAt } : null;
}

export type SignInOutcome = { ok: true } | { ok: false; tooMany: boolean };

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Client id + API key, checked as the token endpoint checks them; wrong ones counted per id tried. */
export async function checkKey(db: Db, clientId: string, apiKey: string): Promise<SignInOutcome> {
  const attempted = CLIENT_ID.test(clientId) ? clientId : '?';
  const windowStart = now() - (now() % FAILURE_WINDOW_SECONDS);
  if ((await store.failuresOf(db, attempted, windowStart)) >= MAX_FAILURES) return { ok: false, tooMany: true };
  const found = attempted === '?' ? null : await findClientKey(db, clientId);
  if (found && (await verifyApiKey(apiKey, found.apiKeyHash))) return { ok: true };
  const count = await store.addFailure(db, attempted, windowStart);
  return { ok: false, tooMany: count > MAX_FAILURES };
}

/** A new one-time sign-in link's token for the client (printed by `mangrove dashboard-link`). */
export async function createLinkToken(db: Db, clientId: string): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const t = now();
  await store.insertLink(db, { tokenHash: sha256(token), clientId, now: t, expiresAt: t + LINK_TTL_SECONDS });
  return token;
}

/**
 * The embedded database is held by the running server, so `mangrove dashboard-link` cannot write a
 * link into it: it signs one instead with a key kept in DATA_DIR (readable by its owner only, made
 * on first use), which only someone who can read the data directory can do. The server checks the
 * signature and expiry, and records the link as used in its database, so it signs in once too.
 */
export const LINK_KEY_FILE = 'dashboard-link.key';

function linkKey(dataDir: string, create: boolean): Buffer | null {
  const file = path.join(dataDir, LINK_KEY_FILE);
  if (create) {
    try {
      fs.writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
    } catch (err: any) {
      if (err?.code !== 'EEXIST') throw err;
    }
  }
  try {
    const hex = fs.readFileSync(file, 'utf8').trim();
    return /^[0-9a-f]{64}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
  } catch {
    return null;
  }
}

const mac = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

/** A signed one-time link token for the client (for a data directory a running server holds). */
export function signedLinkToken(dataDir: string, clientId: string): string {
  const key = linkKey(dataDir, true);
  if (!key) throw new Error(`${path.join(dataDir, LINK_KEY_FILE)} is not a link key`);
  const payload = `s.${clientId}.${now() + LINK_TTL_SECONDS}.${randomBytes(16).toString('base64url')}`;
  return `${payload}.${mac(key, payload)}`;
}

const SIGNED = /^s\.([A-Za-z0-9_-]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

/**
 * The client a link signs in, once; null when unknown, expired or used. `dataDir`: the embedded
 * database's directory, whose key checks signed links (null on PostgreSQL, which takes none).
 */
export async function useLinkToken(db: Db, token: string, dataDir: string | null = null): Promise<string | null> {
  const signed = SIGNED.exec(token);
  if (signed) {
    const key = dataDir ? linkKey(dataDir, false) : null;
    const [, clientId, expires] = signed;
    const payload = token.slice(0, token.lastIndexOf('.'));
    if (!key || !sameSecret(mac(key, payload), signed[4]) || Number(expires) <= now()) return null;
    if (!(await findClientKey(db, clientId))) return null;
    return store.recordLinkUse(db, { tokenHash: sha256(token), clientId, now: now(), expiresAt: Number(expires) });
  }
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  return store.useLink(db, sha256(token), now());
}

/** The services' context for the signed-in client: its sandbox clock, this server's public base. */
export async function dashCtx(db: Db, clientId: string, baseUrl: string): Promise<RequestCtx> {
  return { db, clientId, now: now() + (await clockOffset(db, clientId)), baseUrl };
}
