import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MangopayAbortError,
  MangopayAuthError,
  MangopayClient,
  MangopayNetworkError,
  MangopayNotFoundError,
  MangopayRequestError,
  MangopayServerError,
  parseRateHeaders,
  type WaitInfo,
} from '../src/client/index.js';
import { naturalPayer } from './helpers/fixtures.js';
import { fileServer, startServer, type TestServer } from './helpers/server.js';

// The typed client (src/client) against a real Mangrove; faults a server would rarely make on demand
// (5xx, a cut connection, a 429 with a short Retry-After) come from a proxy in front of it.
const { s } = fileServer();
const extra: TestServer[] = [];
const proxies: http.Server[] = [];
afterAll(async () => {
  for (const p of proxies) await new Promise((r) => p.close(r));
  for (const x of extra) await x.close();
});

interface Seen {
  method: string;
  path: string;
  at: number;
  status: number | 'cut';
}
type Fault = { status: number; headers?: Record<string, string>; body?: unknown } | 'cut' | null;

/** A proxy to `target` that logs every request and answers instead of it when `fault` says so. */
async function proxy(target: string, fault: (method: string, path: string) => Fault = () => null) {
  const seen: Seen[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const entry: Seen = { method: req.method!, path: req.url!, at: Date.now(), status: 0 };
    seen.push(entry);
    const f = fault(req.method!, req.url!);
    if (f === 'cut') {
      entry.status = 'cut';
      req.socket.destroy();
      return;
    }
    if (f) {
      entry.status = f.status;
      res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers });
      res.end(f.body === undefined ? '' : JSON.stringify(f.body));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
    const r = await fetch(target + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    entry.status = r.status;
    const out: Record<string, string> = {};
    r.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
    });
    res.writeHead(r.status, out);
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxies.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function tokensOf(server: TestServer, clientId: string): Promise<number> {
  const [{ n }] = await server.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE client_id = $1', [clientId]);
  return n;
}

async function newUser(server: TestServer = s): Promise<string> {
  const r = await server.call('POST', '/sca/users/natural', { body: naturalPayer() });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.Id;
}

const clientFor = (server: TestServer, c = server.client, over: Partial<ConstructorParameters<typeof MangopayClient>[0]> = {}) =>
  new MangopayClient({ baseUrl: server.url, clientId: c.id, apiKey: c.apiKey, backoffMs: 20, ...over });

describe('the OAuth token', () => {
  it('is fetched once for many concurrent first calls, and reused for later ones', async () => {
    const c = await s.newClient();
    await s.tokenFor(c);
    const ids = await Promise.all(Array.from({ length: 5 }, () => newUserFor(c)));
    const client = clientFor(s, c);
    const users = await Promise.all(Array.from({ length: 40 }, (_, i) => client.getUser(ids[i % 5])));
    for (let i = 0; i < 20; i++) await client.getUser(ids[i % 5]);
    expect(users.map((u) => u.Id).sort()).toEqual(ids.flatMap((id) => Array(8).fill(id)).sort());
    expect(client.stats.tokenRequests).toBe(1);
    // The server's own record: the one the test used to create the users, and the client's.
    expect(await tokensOf(s, c.id)).toBe(2);
  });

  it('is renewed shortly before expires_in runs out, not before', async () => {
    const ttl = await startServer({ db: s.db, keepDb: true, env: { MANGROVE_TOKEN_TTL: '600' } });
    extra.push(ttl);
    const c = await ttl.newClient();
    const id = await newUserFor(c, ttl);
    let offset = 0;
    const client = clientFor(ttl, c, { now: () => Date.now() + offset });
    await client.getUser(id);
    // 600 s lifetime, renewed 60 s before its end.
    offset = 530_000;
    await client.getUser(id);
    expect(client.stats.tokenRequests).toBe(1);
    offset = 545_000;
    await Promise.all([client.getUser(id), client.getUser(id), client.getUser(id)]);
    expect(client.stats.tokenRequests).toBe(2);
    await client.getUser(id);
    expect(client.stats.tokenRequests).toBe(2);
  });

  it('is fetched again, once, when the server refuses it (expired on the sandbox clock)', async () => {
    const c = await s.newClient();
    const id = await newUserFor(c);
    const client = clientFor(s, c);
    await client.getUser(id);
    const tok = await s.tokenFor(c);
    const moved = await s.fetch('POST', `/v2.01/${c.id}/sandbox/clock/advance`, { token: tok, body: { Seconds: 7200 } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect((await client.getUser(id)).Id).toBe(id);
    expect(client.stats.tokenRequests).toBe(2);
  });

  it('keeps the API key and the token out of what console.log shows of the client', async () => {
    const client = clientFor(s);
    await client.request('GET', '/users');
    const shown = inspect(client, { depth: 10, showHidden: true });
    expect(shown).not.toContain(s.client.apiKey);
    expect(shown).not.toContain(Buffer.from(`${s.client.id}:${s.client.apiKey}`).toString('base64'));
    // Mangrove's tokens are 40 hex digits.
    expect(shown).not.toMatch(/[0-9a-f]{40}/);
  });

  it('answers a wrong API key with MangopayAuthError, and never puts the key in the message', async () => {
    const client = new MangopayClient({ baseUrl: s.url, clientId: s.client.id, apiKey: 'not-the-key-9876' });
    const err = await client.getUser('user_x').catch((e) => e);
    expect(err).toBeInstanceOf(MangopayAuthError);
    expect(err.status).toBe(401);
    expect(err.message).not.toContain('not-the-key-9876');
  });
});

async function newUserFor(c: { id: string; apiKey: string }, server: TestServer = s): Promise<string> {
  const r = await server.fetch('POST', `/v2.01/${c.id}/sca/users/natural`, { token: await server.tokenFor(c as any), body: naturalPayer() });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.Id;
}

describe('typed calls and errors', () => {
  it('reads a user and its wallets, closes it (legal/natural from PersonType), maps refusals to typed errors', async () => {
    const client = clientFor(s);
    const id = await newUser();
    const w = await s.call('POST', '/wallets', { body: { Owners: [id], Currency: 'EUR', Description: 'w' } });
    expect((await client.getUser(id)).PersonType).toBe('NATURAL');
    const wallets = await client.allUserWallets(id);
    expect(wallets.map((x) => [x.Id, x.Balance])).toEqual([[w.body.Id, { Currency: 'EUR', Amount: 0 }]]);
    await client.closeUser(id);
    expect((await client.getUser(id)).UserStatus).toBe('CLOSED');
    const again = await client.closeUser(id, 'NATURAL').catch((e) => e);
    expect(again).toBeInstanceOf(MangopayRequestError);
    expect(again.type).toBe('user_closure_failed');
    expect(again.status).toBe(400);
    const missing = await client.getUser('user_m_nobody').catch((e) => e);
    expect(missing).toBeInstanceOf(MangopayNotFoundError);
    expect(missing.type).toBe('ressource_not_found');
    expect(missing.errorId).toMatch(/#\d+$/);
    expect(missing.errors).toEqual({ RessourceNotFound: expect.any(String) });
  });

  it('closes a legal user with DELETE /users/legal', async () => {
    const client = clientFor(s);
    const r = await s.call('POST', '/sca/users/legal', { body: (await import('./helpers/fixtures.js')).legalPayer() });
    const before = await client.getUser(r.body.Id);
    expect(before.PersonType).toBe('LEGAL');
    await client.closeUser(r.body.Id);
    expect((await client.getUser(r.body.Id)).UserStatus).toBe('CLOSED');
  });
});

describe('faults', () => {
  it('retries 5xx a bounded number of times, then throws MangopayServerError', async () => {
    const id = await newUser();
    let failures = 2;
    const p = await proxy(s.url, (m, path) => (m === 'GET' && path.includes('/users/') && failures-- > 0 ? { status: 503, body: { Message: 'busy', Type: 'other' } } : null));
    const client = clientFor(s, s.client, { baseUrl: p.url });
    expect((await client.getUser(id)).Id).toBe(id);
    expect(client.stats.retries).toBe(2);

    const always = await proxy(s.url, (m, path) => (path.includes('/users/') ? { status: 500 } : null));
    const stubborn = clientFor(s, s.client, { baseUrl: always.url, maxRetries: 3 });
    const err = await stubborn.getUser(id).catch((e) => e);
    expect(err).toBeInstanceOf(MangopayServerError);
    expect(err.status).toBe(500);
    expect(always.seen.filter((x) => x.path.includes('/users/'))).toHaveLength(4);
  });

  it('retries a cut connection, and gives up with MangopayNetworkError', async () => {
    const id = await newUser();
    let cuts = 1;
    const p = await proxy(s.url, (m, path) => (path.includes('/users/') && cuts-- > 0 ? 'cut' : null));
    const client = clientFor(s, s.client, { baseUrl: p.url });
    expect((await client.getUser(id)).Id).toBe(id);
    expect(p.seen.filter((x) => x.path.includes('/users/')).map((x) => x.status)).toEqual(['cut', 200]);

    const dead = await proxy(s.url, () => 'cut');
    const hopeless = clientFor(s, s.client, { baseUrl: dead.url, maxRetries: 2 });
    const err = await hopeless.getUser(id).catch((e) => e);
    expect(err).toBeInstanceOf(MangopayNetworkError);
    expect(dead.seen).toHaveLength(3);
  });

  it('waits out a 429 for its Retry-After, then succeeds', async () => {
    const id = await newUser();
    let limited = 1;
    const p = await proxy(s.url, (m, path) =>
      path.includes('/users/') && limited-- > 0 ? { status: 429, headers: { 'retry-after': '1' }, body: { Message: 'Rate limit exceeded', Type: 'rate_limit' } } : null,
    );
    const waits: WaitInfo[] = [];
    const client = clientFor(s, s.client, { baseUrl: p.url, onWait: (w) => waits.push(w) });
    await client.getUser(id);
    const users = await Promise.all([client.getUser(id), client.getUser(id)]);
    expect(users.map((u) => u.Id)).toEqual([id, id]);
    const calls = p.seen.filter((x) => x.path.includes('/users/'));
    expect(calls[0].status).toBe(429);
    expect(calls.slice(1).every((x) => x.status === 200)).toBe(true);
    expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(950);
    expect(client.stats.rateLimited).toBe(1);
    expect(waits.some((w) => w.reason === 'retry-after')).toBe(true);
  });
});

describe('rate-limit headers', () => {
  it('reads the windows Mangrove sends', async () => {
    const r = await s.call('GET', '/users');
    const w = parseRateHeaders(r.headers);
    expect(w).toHaveLength(4);
    expect(w[0].limit).toBe(s.config.rateLimits[0]);
    expect(w[0].remaining).toBeLessThan(w[0].limit!);
    expect(w[0].reset).toBeGreaterThan(Date.now() / 1000);
  });

  it('stops before the limit instead of getting a 429: calls wait for the window, the server counts no call over it', async () => {
    const limited = await startServer({ db: s.db, keepDb: true, env: { MANGROVE_RATE_LIMITS: '12,1000,1000,1000' } });
    extra.push(limited);
    const c = await limited.newClient();
    const p = await proxy(limited.url);
    const stop = new AbortController();
    const waits: WaitInfo[] = [];
    let waited: () => void;
    const waiting = new Promise<void>((r) => (waited = r));
    const client = clientFor(limited, c, {
      baseUrl: p.url,
      onWait: (w) => {
        waits.push(w);
        if (w.reason === 'rate-limit') waited();
      },
    });
    const calls = Array.from({ length: 30 }, () => client.request('GET', '/users', { signal: stop.signal }).then(() => 'ok', (e) => e));
    await waiting;
    stop.abort();
    const outcomes = await Promise.all(calls);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(12);
    expect(outcomes.filter((o) => o instanceof MangopayAbortError)).toHaveLength(18);
    expect(p.seen.filter((x) => x.status === 429)).toEqual([]);
    const [{ n }] = await limited.db.query<{ n: number }>('SELECT w0_count AS n FROM rate_limits WHERE client_id = $1', [c.id]);
    expect(n).toBe(12);
    expect(waits.find((w) => w.reason === 'rate-limit')!.detail).toMatch(/0 of 12 calls left/);
  });

  it('spreads a nearly spent window over the time to its reset when asked to (rateLimitPaceBelow)', async () => {
    const limited = await startServer({ db: s.db, keepDb: true, env: { MANGROVE_RATE_LIMITS: '20,1000,1000,1000' } });
    extra.push(limited);
    const c = await limited.newClient();
    // The waits asked for, answered at once (a real wait here would be minutes).
    const slept: number[] = [];
    const client = clientFor(limited, c, { rateLimitPaceBelow: 0.5, sleep: async (ms) => void slept.push(ms) });
    const lefts: number[] = [];
    for (let i = 0; i < 16; i++) {
      await client.request('GET', '/users');
      lefts.push(client.rateWindows[0].remaining);
    }
    expect(lefts.at(-1)).toBe(4);
    // Paced once fewer than 10 of 20 are left: 5 calls (9 .. 5 left before each); the first of them takes
    // the present slot, the 4 others wait for theirs.
    expect(slept).toHaveLength(4);
    const reset = client.rateWindows[0].reset * 1000;
    // Each call waits for its slot: a share (time to the reset / calls left) more than the one before.
    for (let i = 1; i < slept.length; i++) expect(slept[i]).toBeGreaterThan(slept[i - 1]);
    expect(slept[0]).toBeGreaterThan(1000);
    expect(slept.at(-1)!).toBeLessThan(reset - Date.now() + 60_000);
  });
});

describe('the package export', () => {
  it("resolves as 'mangrove/client' from a script outside the repository, with its types (after npm run build)", async () => {
    const run = promisify(execFile);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-client-user-'));
    try {
      fs.mkdirSync(path.join(tmp, 'node_modules'));
      fs.symlinkSync(path.resolve('.'), path.join(tmp, 'node_modules', 'mangrove'), 'dir');
      fs.writeFileSync(path.join(tmp, 'package.json'), '{"type":"module"}');
      fs.writeFileSync(
        path.join(tmp, 'close.ts'),
        [
          "import { MangopayClient, MangopayNotFoundError, type User } from 'mangrove/client';",
          'const client = new MangopayClient({ baseUrl: process.argv[2], clientId: process.argv[3], apiKey: process.env.KEY! });',
          'const users: unknown = await client.request("GET", "/users");',
          'const missing = await client.getUser("user_m_nobody").catch((e: unknown) => e);',
          'const u: User | null = null;',
          'console.log(JSON.stringify({ n: (users as unknown[]).length, notFound: missing instanceof MangopayNotFoundError, tokens: client.stats.tokenRequests, u }));',
        ].join('\n'),
      );
      fs.writeFileSync(
        path.join(tmp, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, skipLibCheck: true, types: ['node'], typeRoots: [path.resolve('node_modules/@types')] } }),
      );
      // Type-checked against dist/client/index.d.ts through the package's "exports".
      await run(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', tmp]);
      const { stdout } = await run(process.execPath, [path.join(tmp, 'close.js'), s.url, s.client.id], { cwd: tmp, env: { ...process.env, KEY: s.client.apiKey } });
      expect(JSON.parse(stdout)).toEqual({ n: expect.any(Number), notFound: true, tokens: 1, u: null });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
