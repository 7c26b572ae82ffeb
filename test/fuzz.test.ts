import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legalOwner, naturalPayer } from './helpers/fixtures.js';
import { parseRaw, rawExchange } from './helpers/raw-http.js';
import { createUser, startServer, type TestServer } from './helpers/server.js';
import { routerRoutes } from './helpers/routes.js';

/**
 * A seeded fuzzer over every route the router serves, as a hostile client would try it: garbled and wrong-typed
 * bodies, huge and deep values, NUL and lone surrogates, odd methods, headers and content types, Idempotency-Keys.
 * Every answer must come (no dropped connection), none may be a 5xx, and every 4xx has Mangopay's error shape.
 * FUZZ_SEED replays a run; FUZZ_RUNS sets the requests per route.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 5);

/** mulberry32: small, fast, and the same sequence for the same seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const registeredRoutes = routerRoutes;

const FIELDS = [
  'FirstName', 'LastName', 'Name', 'Email', 'Tag', 'Birthday', 'Nationality', 'CountryOfResidence', 'UserCategory',
  'TermsAndConditionsAccepted', 'Address', 'HeadquartersAddress', 'LegalRepresentative', 'LegalPersonType', 'CompanyNumber',
  'Owners', 'Currency', 'Description', 'AuthorId', 'CreditedUserId', 'DebitedFunds', 'Fees', 'DebitedWalletId',
  'CreditedWalletId', 'BankAccountId', 'Amount', 'Status', 'Type', 'EventType', 'Url', 'File', 'IBAN', 'BIC', 'OwnerName',
  'OwnerAddress', 'RefusedReasonType', 'Ubos', 'ReturnURL', 'PayoutModeRequested', 'ScaContext', 'Date', 'Active',
  'PlatformType', 'Headquarters', 'Culture', 'Nature', 'Id', 'RecipientScope', 'Country', 'CompanyNumber',
];
const QUERY_NAMES = ['page', 'per_page', 'Sort', 'BeforeDate', 'AfterDate', 'EventType', 'Status', 'Type', 'Nature', 'ScaContext', 'Active', 'token', 'x'];

function hostileString(r: Rng): string {
  switch (r.int(12)) {
    case 0: return '';
    case 1: return 'x'.repeat(r.pick([256, 10_000, 300_000]));
    case 2: return 'a\u0000b';
    case 3: return 'x\ud800y';
    case 4: return 'Zoé 😀 \u202eevil';
    case 5: return '<script>alert(1)</script>';
    case 6: return "'; DROP TABLE users; --";
    case 7: return '../../etc/passwd';
    case 8: return String(r.pick(['EUR', 'eur', 'XXX', 'FR', 'ZZ', 'true', '1', 'null', 'NaN', '-0', '1e400']));
    case 9: return '%00%zz\\u0000';
    case 10: return ' '.repeat(r.int(5));
    default: return Math.random.toString().slice(0, r.int(20));
  }
}

function hostileNumber(r: Rng): number | string {
  return r.pick([0, -1, 1, 0.5, -0.0001, 2 ** 53, 2 ** 53 + 2, 2 ** 63, -(2 ** 63), 1e308, 9_999_999_999_999, '12', ' 7 ', '1e3', '0x10', 'Infinity']);
}

function nested(depth: number, inner: unknown): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function hostileValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 6 : 9)) {
    case 0: return hostileString(r);
    case 1: return hostileNumber(r);
    case 2: return r.pick([true, false, null, 0, 1, '1', '0', 'yes']);
    case 3: return undefined;
    case 4: return { Currency: r.pick(['EUR', 'GBP', 'xx', 1]), Amount: hostileNumber(r) };
    case 5: return r.pick([[], {}, [1, 2], ['x']]);
    case 6: return hostileObject(r, depth + 1);
    case 7: return Array.from({ length: r.int(4) }, () => hostileValue(r, depth + 1));
    default: return nested(r.pick([10, 62, 63, 64, 70]), r.pick(['x', 1, {}]));
  }
}

function hostileObject(r: Rng, depth = 0, base: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (let i = r.int(6); i > 0; i--) {
    let key = r.pick(FIELDS);
    if (r.chance(0.15)) key = key.toLowerCase();
    if (r.chance(0.05)) key = r.pick(['__proto__', 'constructor', 'a\u0000b', '', 'x'.repeat(1000)]);
    out[key] = hostileValue(r, depth);
  }
  return out;
}

/** A body as bytes: mostly JSON (valid, of a hostile shape), sometimes garbled. */
function hostileBody(r: Rng, valid: () => Record<string, unknown>): string | undefined {
  switch (r.int(12)) {
    case 0: return undefined;
    case 1: return r.pick(['', ' ', '{', '{"a":', '[1,2', '{"a":1}}', "{'a':1}", 'nul', '\ufeff{}', '{"a":"\\ud800"}', '{"a":"\\u0000"}']);
    case 2: return JSON.stringify(r.pick([null, 1, 'str', [], [{}], true]));
    case 3: return `${'['.repeat(5000)}${']'.repeat(5000)}`;
    case 4: return `{"Tag":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`;
    case 5: return `{"DebitedFunds":{"Currency":"EUR","Amount":${'['.repeat(5000)}1${']'.repeat(5000)}},"Tag":"x"}`;
    case 6: return Buffer.from(Array.from({ length: r.int(200) }, () => r.int(256))).toString('latin1');
    default: return JSON.stringify(hostileObject(r, 0, r.chance(0.5) ? valid() : {}));
  }
}

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.api+json', 'text/plain',
  'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1',
  'garbage', '',
];

function hostileQuery(r: Rng): string {
  if (r.chance(0.4)) return '';
  const parts: string[] = [];
  for (let i = 1 + r.int(4); i > 0; i--) {
    const name = r.chance(0.8) ? r.pick(QUERY_NAMES) : enc(hostileString(r).slice(0, 50));
    const value = r.pick([String(hostileNumber(r)), hostileString(r).slice(0, 2000), 'CreationDate:DESC', 'Date:asc', 'x:y:z', '']);
    parts.push(`${name}=${enc(value)}`);
  }
  if (r.chance(0.05)) parts.push(`junk=${'q'.repeat(12_000)}`);
  return `?${parts.join('&')}`;
}

/** Percent-encodes, lone surrogates included (as %uD800, which no server decodes: hostile too). */
function enc(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return escape(text);
  }
}

const ID_KINDS = ['user', 'wallet', 'random', 'long', 'encoded', 'unicode', 'empty'] as const;

let s: TestServer;
let token: string;
const ids = { user: '', wallet: '' };

beforeAll(async () => {
  s = await startServer();
  token = await s.token();
  ids.user = (await createUser(s, 'legal', legalOwner())).Id;
  const wallet = await s.call('POST', '/wallets', { body: { Owners: [ids.user], Currency: 'EUR', Description: 'fuzz' } });
  expect(wallet.status, JSON.stringify(wallet.body)).toBe(200);
  ids.wallet = wallet.body.Id;
});
afterAll(() => s?.close());

function fillPath(r: Rng, path: string): string {
  return path.replace(/:(\w+)/g, (_m, name: string) => {
    if (name === 'clientId') return r.chance(0.9) ? s.client.id : r.pick(['other', 'x'.repeat(250), '%00']);
    switch (r.pick(ID_KINDS)) {
      case 'user': return ids.user;
      case 'wallet': return ids.wallet;
      case 'long': return 'a'.repeat(r.pick([199, 201, 5000]));
      case 'encoded': return r.pick(['%00', '%2F', '%zz', '..', '%C3%28', '%ED%A0%80']);
      case 'unicode': return encodeURIComponent('ユーザー😀');
      case 'empty': return '';
      default: return `id_${r.int(1e9)}`;
    }
  });
}

interface Attempt {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function attempt(r: Rng, route: { method: string; path: string }): Attempt {
  const method = r.chance(0.75) ? route.method : r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
  const headers: Record<string, string> = {};
  const auth = r.int(10);
  if (auth < 7) headers.authorization = `Bearer ${token}`;
  else if (auth === 7) headers.authorization = r.pick(['Bearer', 'Bearer x', 'Basic Og==', 'Basic ' + 'A'.repeat(3000), `bearer ${token}`]);
  if (r.chance(0.3)) headers['idempotency-key'] = r.pick([`fz-${SEED}-${r.int(1e9)}-abcdef`, 'short', 'x'.repeat(40), 'bad key!bad key!bad']);
  if (r.chance(0.2)) headers[`x-fuzz-${r.int(100)}`] = hostileString(r).replace(/[^\x20-\x7e]/g, '?').slice(0, 4000);
  if (r.chance(0.1)) headers.accept = r.pick(['text/html', '*/*', 'application/xml', '']);
  if (r.chance(0.05)) headers['content-encoding'] = r.pick(['gzip', 'br', 'identity']);
  const body = method === 'GET' || method === 'HEAD' ? (r.chance(0.1) ? '{"a":1}' : undefined) : hostileBody(r, naturalPayer);
  if (body !== undefined || r.chance(0.2)) {
    const type = r.chance(0.7) ? 'application/json' : r.pick(CONTENT_TYPES);
    if (type) headers['content-type'] = type;
  }
  return { method, url: fillPath(r, route.path) + hostileQuery(r), headers, body };
}

/** One exchange through Node's client (fetch refuses GET bodies): its status, headers and body, or a thrown error. */
function send(a: Attempt): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(s.url + a.url, { method: a.method, headers: a.headers, timeout: 15_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, String(v));
        resolve({ status: res.statusCode!, headers, text });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', reject);
    // Node's client sends a GET or DELETE body without any framing unless told its length.
    if (a.body !== undefined) req.setHeader('content-length', Buffer.byteLength(a.body));
    req.end(a.body);
  });
}

/** What went wrong with one answer, or null when it is acceptable. */
function problem(a: Attempt, status: number, headers: Headers, text: string): string | null {
  if (status >= 500) return `status ${status}`;
  if (status < 400 || a.method === 'HEAD') return null;
  // The browser pages (SCA, KYC consult, 3-D Secure, payment page, Dashboard) answer their people in HTML.
  if ((headers.get('content-type') ?? '').startsWith('text/html') && /^\/(sca|kyc|3ds|payment|dashboard)/.test(a.url.replace(/^\/v2\.01\/[^/]+/, ''))) return null;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return `a ${status} whose body is not JSON`;
  }
  const keys = Object.keys(body ?? {}).slice(0, 5).join(',');
  if (keys !== 'Message,Type,Id,Date,errors') return `a ${status} with keys ${keys}`;
  if (typeof body.Message !== 'string' || !body.Message || typeof body.Type !== 'string') return `a ${status} without Message/Type`;
  if (!/^[0-9a-f-]{36}#\d+$/.test(body.Id) || !Number.isInteger(body.Date)) return `a ${status} with a bad Id/Date`;
  if (body.errors !== null && (typeof body.errors !== 'object' || Array.isArray(body.errors))) return `a ${status} with bad errors`;
  if (/\bat .+:\d+:\d+|node_modules/.test(text)) return `a ${status} leaking a stack`;
  return null;
}

describe(`fuzz (FUZZ_SEED=${SEED} replays)`, () => {
  it('answers every hostile request to every route: no 5xx, no dropped connection, 4xx in the Mangopay shape', async () => {
    console.log(`fuzz: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
    const routes = registeredRoutes(s.app);
    expect(routes.length).toBeGreaterThan(100);
    const r = prng(SEED);
    const failures: string[] = [];
    for (const route of routes) {
      for (let i = 0; i < RUNS; i++) {
        const a = attempt(r, route);
        const label = `${a.method} ${a.url.slice(0, 160)} [${route.method} ${route.path}] body=${JSON.stringify(a.body?.slice(0, 120))}`;
        try {
          const res = await send(a);
          const text = res.text;
          const bad = problem(a, res.status, res.headers, text);
          if (bad) failures.push(`${bad}: ${label} → ${text.slice(0, 200)}`);
        } catch (err: any) {
          failures.push(`dropped (${err.code ?? err.message}): ${label}`);
        }
        if (failures.length >= 20) break;
      }
    }
    expect(failures, `FUZZ_SEED=${SEED}\n${failures.join('\n')}`).toEqual([]);
    // Still serving (a fuzzed sandbox reset may have wiped the users).
    expect((await s.call('GET', '/users')).status).toBe(200);
  }, 120_000);

  it('answers malformed HTTP on the raw socket in the Mangopay shape, HEAD with headers only', async () => {
    const r = prng(SEED ^ 0x5bd1e995);
    const methods = ['GET', 'POST', 'HEAD', 'PUT'];
    const breakers = [
      (m: string) => `${m} /v2.01/x/users HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n`,
      (m: string) => `${m} /v2.01/x/users HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      (m: string) => `${m} /v2.01/x/users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcde`,
      (m: string) => `${m} /v2.01/x/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
      (m: string) => `${m} /v2.01/x/us\u0000ers HTTP/1.1\r\nHost: x\r\n\r\n`,
      (m: string) => `${m} /v2.01/x/users HTTP/9.9\r\nHost: x\r\n\r\n`,
      (m: string) => `${m} /v2.01/x/users HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
    ];
    for (let i = 0; i < 20; i++) {
      const method = r.pick(methods);
      const request = r.pick(breakers)(method);
      const text = await rawExchange(s.url, request);
      const context = `${JSON.stringify(request.slice(0, 120))} → ${JSON.stringify(text.slice(0, 300))}`;
      expect(text, context).toMatch(/^HTTP\/1\.1 4\d\d /);
      if (method === 'HEAD') {
        expect(text.endsWith('\r\n\r\n'), context).toBe(true);
      } else {
        const reply = parseRaw(text);
        expect(Object.keys(reply.body).slice(0, 5), context).toEqual(['Message', 'Type', 'Id', 'Date', 'errors']);
      }
    }
  });
});
