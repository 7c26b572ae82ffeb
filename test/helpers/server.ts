import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/index.js';
import { createClient, type NewClient } from '../../src/modules/auth/service.js';
import { buildServer } from '../../src/server.js';
import { adminUrl } from './global-setup.js';
import { checkedOnClose } from './invariants.js';

const require = createRequire(import.meta.url);
export const Mangopay = require('mangopay4-nodejs-sdk');

export const TEST_DB = (process.env.MANGROVE_TEST_DB ?? 'pglite') as 'pglite' | 'postgres';

/**
 * A fresh database for one test file: a copy of the migrated template. Closing it checks the ledger
 * and outbox invariants of every client first, and throws when they are broken (helpers/invariants.ts).
 */
export async function openTestDb(): Promise<ReturnType<typeof checkedOnClose>> {
  if (TEST_DB === 'postgres') {
    const template = inject('postgresTemplate');
    const name = `${template.replace('mangrove_tmpl_', 'mangrove_t_')}_${randomBytes(5).toString('hex')}`;
    const admin = await openDb({ databaseUrl: adminUrl(), poolSize: 1 });
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.close();
    return checkedOnClose(await openDb({ databaseUrl: adminUrl(name), poolSize: 5 }), 'the test database');
  }
  const fs = await import('node:fs');
  const dump = new Blob([fs.readFileSync(inject('pgliteTemplate'))]);
  return checkedOnClose(await openDb({ loadDataDir: dump }), 'the test database');
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is, with the given content type (or none). */
  raw?: string | Buffer;
  contentType?: string | null;
  token?: string | null;
  headers?: Record<string, string>;
}

export interface TestServer {
  url: string;
  db: Db;
  app: FastifyInstance;
  config: Config;
  client: NewClient;
  /** A bearer token of the main client (fetched once). */
  token(): Promise<string>;
  /** A call under /v2.01/{ClientId} of the main client with its token, unless told otherwise. */
  call(method: string, path: string, opts?: CallOptions): Promise<Reply>;
  /** A call to any path, with no token unless given. */
  fetch(method: string, path: string, opts?: CallOptions): Promise<Reply>;
  /** The official SDK pointed at this server, for the main client or another one. */
  sdk(client?: NewClient): any;
  newClient(): Promise<NewClient>;
  tokenFor(client: NewClient): Promise<string>;
  close(): Promise<void>;
}

export async function startServer(opts: { env?: Record<string, string>; db?: Db; keepDb?: boolean } = {}): Promise<TestServer> {
  const config = loadConfig({ PORT: '0', ...opts.env });
  const db = opts.db ?? (await openTestDb());
  const app = await buildServer({ db, config });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const client = await createClient(db);
  const tokens = new Map<string, string>();

  async function doFetch(method: string, path: string, o: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...o.headers };
    let body: string | Buffer | undefined;
    if (o.raw !== undefined) {
      body = o.raw;
      if (o.contentType) headers['content-type'] = o.contentType;
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
    }
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    const res = await fetch(url + path, {
      method,
      headers,
      body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body),
      redirect: 'manual',
    });
    const text = await res.text();
    let parsed: any = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed };
  }

  async function tokenFor(c: NewClient): Promise<string> {
    const cached = tokens.get(c.id);
    if (cached) return cached;
    const res = await doFetch('POST', '/v2.01/oauth/token', {
      raw: 'grant_type=client_credentials',
      contentType: 'application/x-www-form-urlencoded',
      headers: { authorization: `Basic ${Buffer.from(`${c.id}:${c.apiKey}`).toString('base64')}` },
    });
    if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`);
    tokens.set(c.id, res.body.access_token);
    return res.body.access_token;
  }

  const server: TestServer = {
    url,
    db,
    app,
    config,
    client,
    token: () => tokenFor(client),
    tokenFor,
    async call(method, path, o = {}) {
      const token = o.token === undefined ? await tokenFor(client) : o.token;
      return doFetch(method, `/v2.01/${client.id}${path}`, { ...o, token });
    },
    fetch: doFetch,
    sdk(c = client) {
      return new Mangopay({ clientId: c.id, clientApiKey: c.apiKey, baseUrl: url, errorHandler: () => {} });
    },
    newClient: () => createClient(db),
    async close() {
      await app.close();
      if (!opts.keepDb) await db.close();
    },
  };
  return server;
}

/** A stand-in that forwards to the object `get()` returns once it exists. */
function forward<T extends object>(get: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const real = get();
      if (!real) throw new Error('the test server is used before beforeAll started it');
      const value = Reflect.get(real, key);
      return typeof value === 'function' ? value.bind(real) : value;
    },
  });
}

/**
 * The server of a test file: started before its tests and closed after them. `s` and `api` (the
 * official SDK on it) forward to the real ones, so a file declares them once at the top.
 */
export function fileServer(opts: Parameters<typeof startServer>[0] = {}): { s: TestServer; api: any } {
  let server: TestServer | undefined;
  let sdk: any;
  beforeAll(async () => {
    server = await startServer(opts);
  });
  afterAll(() => server?.close());
  return { s: forward(() => server), api: forward(() => (sdk ??= server?.sdk())) };
}

/** Creates a user through the SCA endpoint of its kind and returns the answer, failing the test otherwise. */
export async function createUser(s: TestServer, kind: 'natural' | 'legal', body: Record<string, unknown>): Promise<any> {
  const r = await s.call('POST', `/sca/users/${kind}`, { body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
