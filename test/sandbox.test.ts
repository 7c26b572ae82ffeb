import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { CURRENCIES } from '../src/ledger/money.js';
import type { NewClient } from '../src/modules/auth/service.js';
import { PAYIN_EXPIRY_SECONDS } from '../src/modules/payins/model.js';
import { BROWSER_INFO, IP_ADDRESS, TEST_CARDS, tokenize } from './helpers/cards.js';
import { expectApiError } from './helpers/errors.js';
import { address, legalOwner, naturalOwner, ubo } from './helpers/fixtures.js';
import { startServer, type Reply, type TestServer } from './helpers/server.js';

// The sandbox clock (GET /sandbox/clock, POST /sandbox/clock/advance) and the sandbox reset
// (POST /sandbox/reset), SPEC §8. Every test works on a client of its own, so that one test's
// clock or reset cannot reach another's data.

const DAY = 86400;
/** The longest single step of the clock: ten years of 366 days (src/modules/sandbox/service.ts). */
const MAX_ADVANCE = 10 * 366 * DAY;
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(40 * 1024, 0x41)]).toString('base64');

let s: TestServer;
beforeAll(async () => {
  // Deliveries stay queued (nothing is sent), so the outbox rows are there to be counted.
  s = await startServer({ env: { MANGROVE_TOKEN_TTL: '3600', MANGROVE_WEBHOOKS: 'off' } });
});
afterAll(() => s?.close());

const nowS = () => Math.floor(Date.now() / 1000);

interface Api {
  client: NewClient;
  /** The token calls use unless told otherwise (renewed by advanced()). */
  token: string;
  call(method: string, path: string, body?: unknown, opts?: { headers?: Record<string, string>; token?: string }): Promise<Reply>;
  /** Like call, failing the test unless the answer is a 200; returns the body. */
  ok(method: string, path: string, body?: unknown, opts?: { headers?: Record<string, string> }): Promise<any>;
}

async function requestToken(srv: TestServer, c: NewClient): Promise<Reply> {
  return srv.fetch('POST', '/v2.01/oauth/token', {
    raw: 'grant_type=client_credentials',
    contentType: 'application/x-www-form-urlencoded',
    headers: { authorization: `Basic ${Buffer.from(`${c.id}:${c.apiKey}`).toString('base64')}` },
  });
}

/**
 * A new API client with a token of its own. It shares the main client's API key (a copy of its
 * hashed key under a new id), which spares a slow scrypt hash per client.
 */
async function freshClient(srv: TestServer = s): Promise<Api> {
  const client: NewClient = { id: `client_${randomBytes(8).toString('hex')}`, apiKey: srv.client.apiKey };
  await srv.db.query(
    'INSERT INTO clients (id, name, api_key_hash, created_at) SELECT $1, $1, api_key_hash, created_at FROM clients WHERE id = $2',
    [client.id, srv.client.id],
  );
  const t = await requestToken(srv, client);
  expect(t.status, JSON.stringify(t.body)).toBe(200);
  const api: Api = {
    client,
    token: t.body.access_token,
    call: (method, path, body, opts = {}) =>
      srv.fetch(method, `/v2.01/${client.id}${path}`, { body, token: opts.token ?? api.token, headers: opts.headers }),
    async ok(method, path, body, opts) {
      const r = await api.call(method, path, body, opts);
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(200);
      return r.body;
    },
  };
  return api;
}

const advance = (a: Api, Seconds: unknown) => a.call('POST', '/sandbox/clock/advance', { Seconds });
/**
 * Advances the client's clock and, as an SDK would once its token has expired on that clock,
 * takes a new token (the server's TTL is an hour).
 */
async function advanced(a: Api, seconds: number): Promise<{ Date: number; OffsetSeconds: number }> {
  const clock = await a.ok('POST', '/sandbox/clock/advance', { Seconds: seconds });
  await renew(a);
  return clock;
}
async function renew(a: Api): Promise<void> {
  const t = await requestToken(s, a.client);
  expect(t.status, JSON.stringify(t.body)).toBe(200);
  a.token = t.body.access_token;
}
async function dbOffset(clientId: string): Promise<number> {
  const [row] = await s.db.query<{ o: string }>('SELECT clock_offset::text AS o FROM clients WHERE id = $1', [clientId]);
  return Number(row.o);
}

const money = (Amount: number, Currency = 'EUR') => ({ Currency, Amount });
/** A client's FEES and CREDIT wallets, one each per currency: there from its creation, and again after a reset. */
const CLIENT_WALLETS = 2 * CURRENCIES.length;
const natural = (a: Api, over: Record<string, unknown> = {}) => a.ok('POST', '/sca/users/natural', naturalOwner(over));
const wallet = (a: Api, ownerId: string) => a.ok('POST', '/wallets', { Owners: [ownerId], Currency: 'EUR', Description: 'w' });
const payIn = (a: Api, user: any, w: any, funds = 10_000, fees = 0) =>
  a.ok('POST', '/payins/bankwire/direct', {
    AuthorId: user.Id,
    CreditedWalletId: w.Id,
    DeclaredDebitedFunds: money(funds),
    DeclaredFees: money(fees),
  });
async function eventsOf(a: Api, resourceId: string): Promise<Array<{ EventType: string; Date: number }>> {
  const r = await a.ok('GET', '/events?per_page=100&Sort=Date:ASC');
  return r.filter((e: any) => e.ResourceId === resourceId);
}

describe('GET /sandbox/clock and POST /sandbox/clock/advance', () => {
  it('reads a new client clock as the server time with no offset', async () => {
    const a = await freshClient();
    const before = nowS();
    const r = await a.call('GET', '/sandbox/clock');
    const after = nowS();
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(r.body)).toEqual(['Date', 'OffsetSeconds']);
    expect(r.body.OffsetSeconds).toBe(0);
    expect(Number.isInteger(r.body.Date)).toBe(true);
    expect(r.body.Date).toBeGreaterThanOrEqual(before);
    expect(r.body.Date).toBeLessThanOrEqual(after);
  });

  it('moves the clock forward by Seconds, cumulatively, and GET reads the same clock back', async () => {
    const a = await freshClient();
    let before = nowS();
    const first = await a.call('POST', '/sandbox/clock/advance', { Seconds: 3600 });
    let after = nowS();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(Object.keys(first.body)).toEqual(['Date', 'OffsetSeconds']);
    expect(first.body.OffsetSeconds).toBe(3600);
    expect(first.body.Date).toBeGreaterThanOrEqual(before + 3600);
    expect(first.body.Date).toBeLessThanOrEqual(after + 3600);
    // An hour on, the token (TTL 3600) has expired on this clock: take a new one.
    await renew(a);

    const second = await advanced(a, 2 * DAY);
    expect(second.OffsetSeconds).toBe(3600 + 2 * DAY);
    before = nowS();
    const read = await a.ok('GET', '/sandbox/clock');
    after = nowS();
    expect(read.OffsetSeconds).toBe(3600 + 2 * DAY);
    expect(read.Date).toBeGreaterThanOrEqual(before + 3600 + 2 * DAY);
    expect(read.Date).toBeLessThanOrEqual(after + 3600 + 2 * DAY);
    expect(await dbOffset(a.client.id)).toBe(3600 + 2 * DAY);
  });

  it('reads Seconds case-insensitively and as a numeric string, like every other body', async () => {
    const a = await freshClient();
    expect((await a.ok('POST', '/sandbox/clock/advance', { seconds: 60 })).OffsetSeconds).toBe(60);
    expect((await a.ok('POST', '/sandbox/clock/advance', { SECONDS: '40' })).OffsetSeconds).toBe(100);
  });

  it('refuses a missing or bad Seconds with a param_error naming Seconds, and leaves the clock alone', async () => {
    const a = await freshClient();
    const noBody = await a.call('POST', '/sandbox/clock/advance');
    expectApiError(noBody, 400, 'param_error');
    expect(Object.keys(noBody.body.errors)).toEqual(['Seconds']);
    for (const bad of [undefined, null, '', 0, -1, -3600, 1.5, 'abc', '10s', true, [60], { n: 60 }, MAX_ADVANCE + 1, 1e20]) {
      const r = await a.call('POST', '/sandbox/clock/advance', bad === undefined ? {} : { Seconds: bad });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors), JSON.stringify(bad)).toEqual(['Seconds']);
    }
    expect(await dbOffset(a.client.id)).toBe(0);
    expect((await a.ok('GET', '/sandbox/clock')).OffsetSeconds).toBe(0);
  });

  it('accepts exactly ten years in one step', async () => {
    const a = await freshClient();
    const r = await advanced(a, MAX_ADVANCE);
    expect(r.OffsetSeconds).toBe(MAX_ADVANCE);
    // Repeated steps add up beyond a single step's limit.
    expect((await advanced(a, MAX_ADVANCE)).OffsetSeconds).toBe(2 * MAX_ADVANCE);
    expect(await dbOffset(a.client.id)).toBe(2 * MAX_ADVANCE);
    // The client still works, ten-plus years ahead.
    const u = await natural(a);
    expect(u.CreationDate).toBeGreaterThanOrEqual(nowS() + 2 * MAX_ADVANCE - 5);
  });

  it('adds up concurrent advances without losing one', async () => {
    const a = await freshClient();
    const answers = await Promise.all(Array.from({ length: 8 }, () => advance(a, 7)));
    for (const r of answers) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(answers.map((r) => r.body.OffsetSeconds).sort((x, y) => x - y)).toEqual([7, 14, 21, 28, 35, 42, 49, 56]);
    expect(await dbOffset(a.client.id)).toBe(56);
  });

  it('is per client: advancing one client moves neither the other clients clock nor its dates', async () => {
    const a = await freshClient();
    const b = await freshClient();
    await advanced(a, 5 * DAY);
    const bClock = await b.ok('GET', '/sandbox/clock');
    expect(bClock.OffsetSeconds).toBe(0);
    expect(Math.abs(bClock.Date - nowS())).toBeLessThanOrEqual(1);
    expect(await dbOffset(b.client.id)).toBe(0);
    const before = nowS();
    const ub = await natural(b);
    const ua = await natural(a);
    const after = nowS();
    expect(ub.CreationDate).toBeGreaterThanOrEqual(before);
    expect(ub.CreationDate).toBeLessThanOrEqual(after);
    expect(ua.CreationDate).toBeGreaterThanOrEqual(before + 5 * DAY);
    expect(ua.CreationDate).toBeLessThanOrEqual(after + 5 * DAY);
    // A clock moves only through its own client's path: b's token cannot advance a's clock.
    expectApiError(await s.fetch('POST', `/v2.01/${a.client.id}/sandbox/clock/advance`, { token: b.token, body: { Seconds: 60 } }), 401, 'invalid_credentials');
    expect(await dbOffset(a.client.id)).toBe(5 * DAY);
  });
});

describe('what is dated after an advance reads the advanced clock', () => {
  it('dates users, wallets, hooks, pay-ins and events on the client clock; earlier dates stay', async () => {
    const a = await freshClient();
    const before0 = nowS();
    const early = await natural(a);
    const after0 = nowS();
    expect(early.CreationDate).toBeGreaterThanOrEqual(before0);
    expect(early.CreationDate).toBeLessThanOrEqual(after0);

    const offset = 10 * DAY + 1234;
    await advanced(a, offset);
    const before = nowS() + offset;
    const user = await natural(a, { Email: 'late@example.com' });
    const w = await wallet(a, user.Id);
    const hook = await a.ok('POST', '/hooks', { EventType: 'PAYIN_NORMAL_CREATED', Url: 'http://127.0.0.1:9/hook' });
    const p = await payIn(a, user, w);
    const after = nowS() + offset;
    for (const [what, date] of [
      ['user', user.CreationDate],
      ['wallet', w.CreationDate],
      ['hook', hook.CreationDate],
      ['pay-in', p.CreationDate],
    ] as const) {
      expect(date, what).toBeGreaterThanOrEqual(before);
      expect(date, what).toBeLessThanOrEqual(after);
    }
    // The earlier user keeps its date.
    expect((await a.ok('GET', `/sca/users/${early.Id}`)).CreationDate).toBe(early.CreationDate);

    // GET /events: the pay-in's event carries the advanced date, the early user's events the old one.
    const payInEvents = await eventsOf(a, p.Id);
    expect(payInEvents.map((e) => e.EventType)).toEqual(['PAYIN_NORMAL_CREATED']);
    expect(payInEvents[0].Date).toBeGreaterThanOrEqual(before);
    expect(payInEvents[0].Date).toBeLessThanOrEqual(after);
    const all = await a.ok('GET', '/events?per_page=100');
    expect(all.length).toBeGreaterThan(0);
    for (const e of all) {
      const onNewClock = e.Date >= before;
      expect(onNewClock, JSON.stringify(e)).toBe(e.ResourceId !== early.Id);
    }
    // Date filters work on the client clock too: AfterDate just before the advance finds only the new ones.
    const recent = await a.ok('GET', `/events?per_page=100&AfterDate=${before - 1}`);
    expect(recent.length).toBeGreaterThan(0);
    expect(recent.every((e: any) => e.ResourceId !== early.Id)).toBe(true);

    // A settlement executed after a further advance carries that clock as ExecutionDate.
    await advanced(a, DAY);
    const settled = await a.ok('POST', `/sandbox/payins/${p.Id}/settle`);
    expect(settled.Status).toBe('SUCCEEDED');
    expect(settled.ExecutionDate).toBeGreaterThanOrEqual(before + DAY);
    expect(settled.ExecutionDate).toBeLessThanOrEqual(nowS() + offset + DAY);
    expect(await ledgerInvariants(s.db, a.client.id)).toEqual([]);
  });
});

describe('tokens expire on the client clock (MANGROVE_TOKEN_TTL=3600)', () => {
  it('a token stops working once the clock passes its expiry; a new one works', async () => {
    const a = await freshClient();
    expect((await a.call('GET', '/users')).status).toBe(200);
    await a.ok('POST', '/sandbox/clock/advance', { Seconds: 3000 });
    // 3000 s into a 3600 s life: still good.
    expect((await a.call('GET', '/users')).status).toBe(200);
    await a.ok('POST', '/sandbox/clock/advance', { Seconds: 600 });
    for (const [method, path] of [
      ['GET', '/users'],
      ['GET', '/sandbox/clock'],
      ['POST', '/sandbox/clock/advance'],
    ] as const) {
      expectApiError(await a.call(method, path, method === 'POST' ? { Seconds: 60 } : undefined), 401, 'invalid_credentials');
    }
    // The refused advance did not move the clock.
    expect(await dbOffset(a.client.id)).toBe(3600);

    const before = nowS();
    const t = await requestToken(s, a.client);
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    expect(t.body.expires_in).toBe(3600);
    const fresh = t.body.access_token as string;
    expect(fresh).not.toBe(a.token);
    const r = await a.call('GET', '/users', undefined, { token: fresh });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([]);
    // Stamped on the client clock: it expires an hour after the advanced time.
    const rows = await s.db.query<{ created_at: string; expires_at: string }>(
      'SELECT created_at::text, expires_at::text FROM api_tokens WHERE client_id = $1 ORDER BY expires_at DESC LIMIT 1',
      [a.client.id],
    );
    expect(Number(rows[0].created_at)).toBeGreaterThanOrEqual(before + 3600);
    expect(Number(rows[0].expires_at)).toBe(Number(rows[0].created_at) + 3600);
    // And it too dies an hour later on that clock.
    expect((await a.call('POST', '/sandbox/clock/advance', { Seconds: 3600 }, { token: fresh })).status).toBe(200);
    expectApiError(await a.call('GET', '/users', undefined, { token: fresh }), 401, 'invalid_credentials');
  });

  it('advancing one client does not expire another client token', async () => {
    const a = await freshClient();
    const b = await freshClient();
    await a.ok('POST', '/sandbox/clock/advance', { Seconds: 2 * 3600 });
    expectApiError(await a.call('GET', '/users'), 401, 'invalid_credentials');
    expect((await b.call('GET', '/users')).status).toBe(200);
  });
});

describe('bank-wire pay-ins expire after 30 days on the client clock', () => {
  it('a CREATED pay-in turns FAILED 101109 once the clock passes 30 days, and cannot be settled', async () => {
    const a = await freshClient();
    const user = await natural(a);
    const w = await wallet(a, user.Id);
    const read = await payIn(a, user, w, 10_000);
    const settledLate = await payIn(a, user, w, 20_000);
    const listed = await payIn(a, user, w, 30_000);
    for (const p of [read, settledLate, listed]) expect(p.Status).toBe('CREATED');

    // Two minutes short of the month: nothing expires.
    await advanced(a, PAYIN_EXPIRY_SECONDS - 120);
    expect((await a.ok('GET', `/payins/${read.Id}`)).Status).toBe('CREATED');
    expect((await a.ok('GET', `/wallets/${w.Id}/transactions`)).map((t: any) => t.Status)).toEqual(['CREATED', 'CREATED', 'CREATED']);

    // Past it: read, settled or listed, each pay-in is FAILED with the expiry result.
    await advanced(a, 240);
    const clock = (await a.ok('GET', '/sandbox/clock')).Date;
    const got = await a.ok('GET', `/payins/${read.Id}`);
    expect(got).toMatchObject({
      Id: read.Id,
      Status: 'FAILED',
      ResultCode: '101109',
      ResultMessage: 'The payment period has expired',
      ExecutionDate: null,
      CreationDate: read.CreationDate,
    });
    const refused = await a.call('POST', `/sandbox/payins/${read.Id}/settle`);
    expectApiError(refused, 400, 'invalid_action');
    expectApiError(await a.call('POST', `/sandbox/payins/${read.Id}/fail`), 400, 'invalid_action');

    // Settled without being read first: refused because it expired, and it is FAILED afterwards.
    const late = await a.call('POST', `/sandbox/payins/${settledLate.Id}/settle`);
    expectApiError(late, 400, 'invalid_action');
    expect(late.body.Message).toMatch(/expired/);
    expect(await a.ok('GET', `/payins/${settledLate.Id}`)).toMatchObject({ Status: 'FAILED', ResultCode: '101109' });

    // Listed: the wallet's transactions show all three FAILED.
    const txs = await a.ok('GET', `/wallets/${w.Id}/transactions`);
    expect(txs.map((t: any) => [t.Id, t.Status, t.ResultCode]).sort()).toEqual(
      [read.Id, settledLate.Id, listed.Id].map((id) => [id, 'FAILED', '101109']).sort(),
    );

    // No money came in; each pay-in has exactly one PAYIN_NORMAL_FAILED, dated on the client clock.
    expect((await a.ok('GET', `/wallets/${w.Id}`)).Balance).toEqual(money(0));
    for (const p of [read, settledLate, listed]) {
      const events = await eventsOf(a, p.Id);
      expect(events.map((e) => e.EventType)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
      expect(Math.abs(events[1].Date - clock)).toBeLessThanOrEqual(2);
    }

    // A pay-in created on the advanced clock is a day old, not a month: it settles.
    const fresh = await payIn(a, user, w, 5000);
    expect(fresh.CreationDate).toBeGreaterThanOrEqual(clock);
    expect((await a.ok('POST', `/sandbox/payins/${fresh.Id}/settle`)).Status).toBe('SUCCEEDED');
    expect((await a.ok('GET', `/wallets/${w.Id}`)).Balance).toEqual(money(5000));
    expect(await ledgerInvariants(s.db, a.client.id)).toEqual([]);
  });

  it('another client pay-in of the same age does not expire when only this client clock moves', async () => {
    const a = await freshClient();
    const b = await freshClient();
    const ub = await natural(b);
    const pb = await payIn(b, ub, await wallet(b, ub.Id));
    await advanced(a, PAYIN_EXPIRY_SECONDS + DAY);
    expect((await b.ok('GET', `/payins/${pb.Id}`)).Status).toBe('CREATED');
    expect((await b.ok('POST', `/sandbox/payins/${pb.Id}/settle`)).Status).toBe('SUCCEEDED');
  });
});

describe('SCA links expire on the client clock', () => {
  it('a RedirectUrl older than its 10 minutes on the client clock is refused', async () => {
    const a = await freshClient();
    const user = await natural(a);
    expect(user.UserStatus).toBe('PENDING_USER_ACTION');
    const url = new URL(user.PendingUserAction.RedirectUrl);
    const token = url.searchParams.get('token')!;
    expect((await s.fetch('GET', url.pathname + url.search)).status).toBe(200);
    await advanced(a, 3600);
    const page = await s.fetch('GET', url.pathname + url.search);
    expect(page.status).toBe(410);
    expect(page.body).toMatch(/expired/);
    const post = await s.fetch('POST', '/sca', {
      raw: new URLSearchParams({ token, passcode: '702100' }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(post.status).toBe(410);
    expect((await a.ok('GET', `/sca/users/${user.Id}`)).UserStatus).toBe('PENDING_USER_ACTION');

    // A link made on the advanced clock works, and enrolment is dated on that clock.
    const other = await natural(a, { Email: 'second@example.com' });
    const u2 = new URL(other.PendingUserAction.RedirectUrl);
    expect((await s.fetch('GET', u2.pathname + u2.search)).status).toBe(200);
    const done = await s.fetch('POST', '/sca', {
      raw: new URLSearchParams({ token: u2.searchParams.get('token')!, passcode: '702100' }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(done.status).toBe(200);
    expect((await a.ok('GET', `/sca/users/${other.Id}`)).UserStatus).toBe('ACTIVE');
    const activated = (await eventsOf(a, other.Id)).filter((e) => e.EventType === 'USER_ACCOUNT_ACTIVATED');
    expect(activated).toHaveLength(1);
    expect(activated[0].Date).toBeGreaterThanOrEqual(other.CreationDate);
  });
});

/** What a reset keeps: credentials, tokens and call counts are not data. */
// Credentials are not data: API tokens and the Dashboard's sessions and sign-in links stay, like the client.
const KEPT = ['clients', 'api_tokens', 'rate_limits', 'token_budget', 'dashboard_sessions', 'dashboard_links'];

/** Every table with a client_id column except those kept: a table added later is checked without being listed here. */
let TABLES: string[] = [];

beforeAll(async () => {
  const rows = await s.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns
      WHERE column_name = 'client_id' AND table_schema = current_schema() ORDER BY table_name`,
  );
  TABLES = rows.map((r) => r.table_name).filter((t) => !KEPT.includes(t));
  // The catalog query found the tables this suite has always checked, and the newer ones.
  expect(TABLES).toEqual(expect.arrayContaining(['users', 'wallets', 'postings', 'recipients', 'kyc_consults', 'sca_sessions']));
});

async function countsOf(clientId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const [row] = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t} WHERE client_id = $1`, [clientId]);
    out[t] = row.n;
  }
  const [ubos] = await s.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM ubos u JOIN ubo_declarations d ON d.id = u.declaration_id WHERE d.client_id = $1',
    [clientId],
  );
  out.ubos = ubos.n;
  return out;
}

interface Filled {
  owner: any;
  declarationId: string;
  wallet: any;
}

/** One of everything: users (one pending SCA), wallets, pay-ins, a transfer, a payout, KYC and a consult link, UBOs, a bank account, a recipient, hooks, deliveries, an idempotency key. */
async function fill(a: Api): Promise<Filled> {
  await a.ok('POST', '/hooks', { EventType: 'PAYIN_NORMAL_CREATED', Url: 'http://127.0.0.1:9/hook' });
  await a.ok('POST', '/hooks', { EventType: 'TRANSFER_NORMAL_SUCCEEDED', Url: 'http://127.0.0.1:9/hook' });
  const owner = await a.ok('POST', '/sca/users/natural', naturalOwner(), { headers: { 'Idempotency-Key': `fill-${a.client.id.slice(-12)}-0001` } });
  expect(owner.UserStatus).toBe('PENDING_USER_ACTION');
  const second = await natural(a, { Email: 'second@example.com' });
  const w1 = await wallet(a, owner.Id);
  const w2 = await wallet(a, second.Id);
  const p = await payIn(a, owner, w1, 50_000, 500);
  expect((await a.ok('POST', `/sandbox/payins/${p.Id}/settle`)).Status).toBe('SUCCEEDED');
  await payIn(a, owner, w1, 1234); // left CREATED
  const t = await a.ok('POST', '/transfers', {
    AuthorId: owner.Id,
    DebitedFunds: money(3000),
    Fees: money(100),
    DebitedWalletId: w1.Id,
    CreditedWalletId: w2.Id,
  });
  expect(t.Status).toBe('SUCCEEDED');
  // KYC: an IDENTITY_PROOF validated at once (Tag 'accept') makes the owner REGULAR, so it may pay out.
  const doc = await a.ok('POST', `/users/${owner.Id}/kyc/documents`, { Type: 'IDENTITY_PROOF', Tag: 'accept' });
  expect((await a.call('POST', `/users/${owner.Id}/kyc/documents/${doc.Id}/pages`, { File: PNG })).status).toBe(204);
  await a.ok('PUT', `/users/${owner.Id}/kyc/documents/${doc.Id}`, { Status: 'VALIDATION_ASKED' });
  const doc2 = await a.ok('POST', `/users/${second.Id}/kyc/documents`, { Type: 'IDENTITY_PROOF' });
  expect((await a.call('POST', `/users/${second.Id}/kyc/documents/${doc2.Id}/pages`, { File: PNG })).status).toBe(204);
  const account = await a.ok('POST', `/users/${owner.Id}/bankaccounts/iban`, {
    OwnerName: 'Alice Durand',
    OwnerAddress: address(),
    IBAN: 'FR7630004000031234567890143',
    BIC: 'BNPAFRPP',
  });
  const po = await a.ok('POST', '/payouts/bankwire', {
    AuthorId: owner.Id,
    DebitedWalletId: w1.Id,
    DebitedFunds: money(2000),
    Fees: money(0),
    BankAccountId: account.Id,
  });
  expect(po.Status).toBe('CREATED');
  // A recipient waiting for SCA, and a consult link to a KYC page.
  const recipient = await a.ok('POST', `/users/${owner.Id}/recipients`, {
    DisplayName: 'Alice EUR',
    PayoutMethodType: 'LocalBankTransfer',
    RecipientType: 'Individual',
    Currency: 'EUR',
    Country: 'FR',
    IndividualRecipient: { FirstName: 'Alice', LastName: 'Durand', Address: address() },
    LocalBankTransfer: { EUR: { IBAN: 'FR7630004000031234567890143' } },
  });
  expect(recipient.Status).toBe('PENDING');
  expect(await a.ok('POST', `/kyc/documents/${doc2.Id}/consult`)).toHaveLength(1);
  // Cards: a registration and its card, a validation waiting on its 3-D Secure page (a session), a
  // pre-authorization, a card pay-in and its partial refund.
  const reg = await a.ok('POST', '/cardregistrations', { UserId: second.Id, Currency: 'EUR' });
  const entered = await tokenize(reg, { number: TEST_CARDS.frictionless });
  const cardId = (await a.ok('PUT', `/cardregistrations/${reg.Id}`, { RegistrationData: entered.text })).CardId;
  const browser = { SecureModeReturnURL: 'https://example.com/back', IpAddress: IP_ADDRESS, BrowserInfo: BROWSER_INFO };
  const validation = await a.ok('POST', `/cards/${cardId}/validation`, { AuthorId: second.Id, SecureMode: 'FORCE', ...browser });
  expect(validation.Status).toBe('CREATED');
  await a.ok('POST', '/preauthorizations/card/direct', { AuthorId: second.Id, DebitedFunds: money(1000), CardId: cardId, ...browser });
  const cardPayIn = await a.ok('POST', '/payins/card/direct', {
    AuthorId: second.Id, CreditedWalletId: w2.Id, DebitedFunds: money(1500), Fees: money(0), CardId: cardId, ...browser,
  });
  expect(cardPayIn.Status).toBe('SUCCEEDED');
  expect((await a.ok('POST', `/payins/${cardPayIn.Id}/refunds`, { AuthorId: second.Id, DebitedFunds: money(500), Fees: money(0) })).Status).toBe('SUCCEEDED');
  const legal = await a.ok('POST', '/sca/users/legal', legalOwner());
  const decl = await a.ok('POST', `/users/${legal.Id}/kyc/ubodeclarations`);
  await a.ok('POST', `/users/${legal.Id}/kyc/ubodeclarations/${decl.Id}/ubos`, ubo());
  await advanced(a, 3 * DAY);
  return { owner, declarationId: decl.Id, wallet: w1 };
}

describe('POST /sandbox/reset', () => {
  it('wipes every table of the calling client, puts its clock back to 0, and leaves another client alone', async () => {
    const a = await freshClient();
    const b = await freshClient();
    const fa = await fill(a);
    const fb = await fill(b);
    await advanced(b, 7 * DAY);
    const before = await countsOf(a.client.id);
    for (const [table, n] of Object.entries(before)) expect(n, `${table} of the client to reset`).toBeGreaterThan(0);
    const others = await countsOf(b.client.id);
    for (const [table, n] of Object.entries(others)) expect(n, `${table} of the other client`).toBeGreaterThan(0);
    const [tokensBefore] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE client_id = $1', [a.client.id]);
    const bWalletBefore = await b.ok('GET', `/wallets/${fb.wallet.Id}`);

    const r = await a.call('POST', '/sandbox/reset');
    expect(r.status, JSON.stringify(r.body)).toBe(204);
    expect(r.body).toBe('');

    const after = await countsOf(a.client.id);
    expect(after).toEqual(Object.fromEntries(Object.keys(before).map((t) => [t, t === 'wallets' ? CLIENT_WALLETS : 0])));
    expect(await s.db.query("SELECT id FROM wallets WHERE client_id = $1 AND (owner_id IS NOT NULL OR balance <> 0)", [a.client.id])).toEqual([]);
    const [orphanUbos] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ubos WHERE declaration_id = $1', [fa.declarationId]);
    expect(orphanUbos.n).toBe(0);
    expect(await dbOffset(a.client.id)).toBe(0);
    expect(await ledgerInvariants(s.db, a.client.id)).toEqual([]);

    // The other client: every count, its clock and its money as they were.
    expect(await countsOf(b.client.id)).toEqual(others);
    expect(await dbOffset(b.client.id)).toBe(10 * DAY);
    expect(await b.ok('GET', `/wallets/${fb.wallet.Id}`)).toEqual(bWalletBefore);
    expect(await ledgerInvariants(s.db, b.client.id)).toEqual([]);

    // Credentials stay: the token used for the reset still works, and a new one can be had.
    const [tokensAfter] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE client_id = $1', [a.client.id]);
    expect(tokensAfter.n).toBe(tokensBefore.n);
    const clock = await a.ok('GET', '/sandbox/clock');
    expect(clock.OffsetSeconds).toBe(0);
    expect(Math.abs(clock.Date - nowS())).toBeLessThanOrEqual(1);
    const t = await requestToken(s, a.client);
    expect(t.status).toBe(200);
    expect((await a.call('GET', '/users', undefined, { token: t.body.access_token })).status).toBe(200);

    // The old ids are gone.
    expectApiError(await a.call('GET', `/sca/users/${fa.owner.Id}`), 404, 'ressource_not_found');
    expectApiError(await a.call('GET', `/wallets/${fa.wallet.Id}`), 404, 'ressource_not_found');
  });

  it('leaves empty lists behind, and the client starts over: users, hooks, fee wallet and idempotency keys anew', async () => {
    const a = await freshClient();
    await fill(a);
    expect((await a.call('POST', '/sandbox/reset')).status).toBe(204);

    for (const path of ['/users', '/events', '/hooks', '/sandbox/webhooks/deliveries']) {
      const r = await a.call('GET', path);
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body, path).toEqual([]);
      expect(r.headers.get('x-number-of-items'), path).toBe('0');
    }

    // The client's FEES and CREDIT wallets are back, empty (issue 10).
    const clientWallets = await a.ok('GET', '/clients/wallets?per_page=100');
    expect(clientWallets.length).toBe(CLIENT_WALLETS);
    expect(clientWallets.every((w: any) => w.Balance.Amount === 0)).toBe(true);

    // The same idempotency key is new again (not a 409 replay).
    const key = `fill-${a.client.id.slice(-12)}-0001`;
    const before = nowS();
    const user = await a.ok('POST', '/sca/users/natural', naturalOwner(), { headers: { 'Idempotency-Key': key } });
    const after = nowS();
    // Dated on the clock put back to 0.
    expect(user.CreationDate).toBeGreaterThanOrEqual(before);
    expect(user.CreationDate).toBeLessThanOrEqual(after);
    // A hook for an EventType registered before the reset can be registered again.
    await a.ok('POST', '/hooks', { EventType: 'PAYIN_NORMAL_CREATED', Url: 'http://127.0.0.1:9/hook' });
    // Money starts from nothing: a new fee wallet holds only the new pay-in's fees.
    const w = await wallet(a, user.Id);
    const p = await payIn(a, user, w, 10_000, 700);
    expect((await a.ok('POST', `/sandbox/payins/${p.Id}/settle`)).Status).toBe('SUCCEEDED');
    expect((await a.ok('GET', '/clients/wallets/FEES/EUR')).Balance).toEqual(money(700));
    expect((await a.ok('GET', `/wallets/${w.Id}`)).Balance).toEqual(money(9300));
    const users = await a.call('GET', '/users');
    expect(users.body.map((u: any) => u.Id)).toEqual([user.Id]);
    expect(users.headers.get('x-number-of-items')).toBe('1');
    const events = await a.ok('GET', '/events?per_page=100');
    expect(events.every((e: any) => e.ResourceId === user.Id || e.ResourceId === p.Id)).toBe(true);
    expect(await ledgerInvariants(s.db, a.client.id)).toEqual([]);

    // A second reset of the fresh data works the same.
    expect((await a.call('POST', '/sandbox/reset')).status).toBe(204);
    expect(await countsOf(a.client.id)).toEqual(Object.fromEntries([...TABLES, 'ubos'].map((t) => [t, t === 'wallets' ? CLIENT_WALLETS : 0])));
  });

  it('a token issued on the advanced clock keeps working after the reset puts the clock back', async () => {
    const a = await freshClient();
    await advanced(a, 30 * DAY);
    const t = await requestToken(s, a.client);
    const late = t.body.access_token as string;
    expect((await a.call('POST', '/sandbox/reset', undefined, { token: late })).status).toBe(204);
    expect((await a.call('GET', '/users', undefined, { token: late })).status).toBe(200);
    expect((await a.call('GET', '/users')).status).toBe(200);
  });

  it('racing writes of the same client: every answer is a success or a clear refusal, never a 500', async () => {
    const a = await freshClient();
    await a.ok('POST', '/hooks', { EventType: 'KYC_CREATED', Url: 'https://example.com/h' });
    const users = await Promise.all(Array.from({ length: 6 }, () => natural(a)));
    const writes = (round: number) =>
      users.flatMap((u) => [
        a.call('POST', '/wallets', { Owners: [u.Id], Currency: 'EUR', Description: `w${round}` }),
        a.call('POST', `/users/${u.Id}/kyc/documents`, { Type: 'IDENTITY_PROOF' }),
        a.call('PUT', `/sca/users/natural/${u.Id}`, { FirstName: `Round ${round}`, TermsAndConditionsAccepted: true }),
      ]);
    const replies = await Promise.all([...writes(1), a.call('POST', '/sandbox/reset'), ...writes(2), a.call('POST', '/sandbox/reset'), ...writes(3)]);
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((st) => st === 204), JSON.stringify(replies.map((r) => [r.status, r.body?.Message]))).toHaveLength(2);
    for (const r of replies) {
      expect([200, 204, 404], JSON.stringify(r.body)).toContain(r.status);
      if (r.status === 404) expect(r.body.Type).toBe('ressource_not_found');
    }
    expect(await ledgerInvariants(s.db, a.client.id)).toEqual([]);
    // Nothing left refers to a user the reset removed.
    const orphans = await s.db.query(
      `SELECT w.id FROM wallets w LEFT JOIN users u ON u.id = w.owner_id WHERE w.client_id = $1 AND w.owner_id IS NOT NULL AND u.id IS NULL`,
      [a.client.id],
    );
    expect(orphans).toEqual([]);
  });

  it('cannot be run on another client: its token opens only its own path', async () => {
    const a = await freshClient();
    const b = await freshClient();
    const u = await natural(a);
    await advanced(a, DAY);
    expectApiError(await s.fetch('POST', `/v2.01/${a.client.id}/sandbox/reset`, { token: b.token }), 401, 'invalid_credentials');
    expect((await a.ok('GET', `/sca/users/${u.Id}`)).Id).toBe(u.Id);
    expect(await dbOffset(a.client.id)).toBe(DAY);
    expectApiError(await s.fetch('POST', `/v2.01/${a.client.id}/sandbox/reset`), 401, 'invalid_credentials');
    expect((await countsOf(a.client.id)).users).toBe(1);
  });
});

describe('MANGROVE_SANDBOX=off', () => {
  let off: TestServer;
  beforeAll(async () => {
    // A second server on the same database, with the sandbox off.
    off = await startServer({ env: { MANGROVE_SANDBOX: 'off', MANGROVE_WEBHOOKS: 'off' }, db: s.db, keepDb: true });
  });
  afterAll(() => off?.close());

  it('answers 404 on every sandbox clock, reset and deliveries path, and changes nothing', async () => {
    const user = await off.call('POST', '/sca/users/natural', { body: naturalOwner() });
    expect(user.status).toBe(200);
    for (const [method, path, body] of [
      ['GET', '/sandbox/clock', undefined],
      ['POST', '/sandbox/clock/advance', { Seconds: 3600 }],
      ['POST', '/sandbox/reset', undefined],
      ['GET', '/sandbox/webhooks/deliveries', undefined],
      ['POST', `/sandbox/users/${user.body.Id}/sca/complete`, undefined],
    ] as const) {
      const r = await off.call(method, path, { body });
      expectApiError(r, 404, 'ressource_not_found');
    }
    const [row] = await off.db.query<{ o: string }>('SELECT clock_offset::text AS o FROM clients WHERE id = $1', [off.client.id]);
    expect(Number(row.o)).toBe(0);
    // Still there, and the rest of the API answers.
    const got = await off.call('GET', `/sca/users/${user.body.Id}`);
    expect(got.status).toBe(200);
    expect(got.body.UserStatus).toBe('PENDING_USER_ACTION');
    const list = await off.call('GET', '/users');
    expect(list.status).toBe(200);
    expect(list.headers.get('x-number-of-items')).toBe('1');
  });
});
