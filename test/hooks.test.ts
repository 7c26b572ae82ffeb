import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES, EXTRA_EVENT_TYPES } from '../src/modules/hooks/event-types.js';
import type { NewClient } from '../src/modules/auth/service.js';
import { expectApiError } from './helpers/errors.js';
import { type CallOptions, fileServer, type Reply } from './helpers/server.js';

const { s, api } = fileServer();

const HOOK_KEYS = ['Url', 'Status', 'Validity', 'EventType', 'Id', 'Tag', 'CreationDate'];
const DUPLICATE = { EventType: 'A hook has already been registered for this EventType' };

/** Calls under another client's path with that client's token: each test gets its own hooks. */
async function as(c: NewClient) {
  const token = await s.tokenFor(c);
  return (method: string, path: string, o: CallOptions = {}): Promise<Reply> =>
    s.fetch(method, `/v2.01/${c.id}${path}`, { ...o, token });
}
type Call = Awaited<ReturnType<typeof as>>;

async function freshClient(): Promise<Call> {
  return as(await s.newClient());
}

async function hook(call: Call, body: Record<string, unknown>): Promise<any> {
  const r = await call('POST', '/hooks', { body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function count(call: Call): Promise<number> {
  const r = await call('GET', '/hooks');
  expect(r.status).toBe(200);
  return Number(r.headers.get('X-Number-Of-Items'));
}

const dbHook = async (id: string) =>
  (await s.db.query<any>('SELECT validity, consecutive_failures, url, status, tag, event_type FROM hooks WHERE id = $1', [id]))[0];

/** The EventType union of the official SDK's typings. */
function sdkEventTypes(): string[] {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('mangopay4-nodejs-sdk/package.json'));
  const src = readFileSync(join(root, 'typings/models/event.d.ts'), 'utf8');
  const union = /type EventType =([\s\S]*?);/.exec(src)![1];
  return [...union.matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]);
}

describe('POST /hooks', () => {
  it('answers the Hook object, ENABLED and VALID, with its keys in Mangopay order', async () => {
    const call = await freshClient();
    const before = Math.floor(Date.now() / 1000);
    const h = await hook(call, { EventType: 'PAYIN_NORMAL_CREATED', Url: 'https://example.com/hooks?x=1', Tag: 'mine' });
    expect(Object.keys(h)).toEqual(HOOK_KEYS);
    expect(h).toMatchObject({
      Url: 'https://example.com/hooks?x=1',
      Status: 'ENABLED',
      Validity: 'VALID',
      EventType: 'PAYIN_NORMAL_CREATED',
      Tag: 'mine',
    });
    expect(h.Id).toMatch(/^hook_m_[A-Za-z0-9]+$/);
    expect(h.CreationDate).toBeGreaterThanOrEqual(before);
    expect(h.CreationDate).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 1);
    // Read back identically; Tag is sent as null when absent.
    expect((await call('GET', `/hooks/${h.Id}`)).body).toEqual(h);
    const bare = await hook(call, { EventType: 'KYC_FAILED', Url: 'http://localhost:8080/x' });
    expect(Object.keys(bare)).toEqual(HOOK_KEYS);
    expect(bare.Tag).toBeNull();
  });

  it('takes the EventType and property names in any case and stores the EventType in upper case', async () => {
    const call = await freshClient();
    const h = await hook(call, { eventtype: 'user_kyc_regular', url: 'http://example.com/a', tag: 't' });
    expect(h.EventType).toBe('USER_KYC_REGULAR');
    expect(h.Tag).toBe('t');
    expect((await dbHook(h.Id)).event_type).toBe('USER_KYC_REGULAR');
    // The lower-case spelling is the same EventType.
    const r = await call('POST', '/hooks', { body: { EventType: 'User_Kyc_Regular', Url: 'http://example.com/b' } });
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toEqual(DUPLICATE);
  });

  it("accepts exactly the SDK's 132 event types and the documented extras, and refuses anything else", async () => {
    const types = [...sdkEventTypes(), ...EXTRA_EVENT_TYPES];
    expect(types).toHaveLength(136);
    expect([...EVENT_TYPES].sort()).toEqual([...types].sort());
    const call = await freshClient();
    const replies = await Promise.all(
      types.map((t) => call('POST', '/hooks', { body: { EventType: t.toLowerCase(), Url: `https://example.com/${t}` } })),
    );
    expect(replies.map((r) => r.status)).toEqual(types.map(() => 200));
    expect(replies.map((r) => r.body.EventType)).toEqual(types);
    expect(await count(call)).toBe(136);
  });

  it('reports every invalid field of one request together and creates nothing', async () => {
    const call = await freshClient();
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{}, ['EventType', 'Url']],
      [{ EventType: '', Url: '' }, ['EventType', 'Url']],
      [{ EventType: 'NOT_AN_EVENT', Url: 'ftp://x', Tag: 't'.repeat(256) }, ['EventType', 'Tag', 'Url']],
      [{ EventType: 'PAYIN_NORMAL_CREATED', Url: 'not a url' }, ['Url']],
      [{ EventType: 'PAYIN_NORMAL_CREATED', Url: '/relative/path' }, ['Url']],
      [{ EventType: 'PAYIN_NORMAL_CREATED', Url: 'mailto:a@example.com' }, ['Url']],
      [{ EventType: 'PAYIN_NORMAL_CREATED', Url: `https://example.com/${'a'.repeat(236)}` }, ['Url']],
      [{ Url: 'https://example.com' }, ['EventType']],
      [{ EventType: 'PAYIN_NORMAL_CREATED' }, ['Url']],
      [{ EventType: 'PAYIN_NORMAL_CREATEDX', Url: 'https://example.com' }, ['EventType']],
      [{ EventType: 12, Url: 'https://example.com' }, ['EventType']],
      [{ EventType: 'PAYIN_NORMAL_CREATED', Url: 'https://example.com', Tag: 'x'.repeat(256) }, ['Tag']],
    ];
    for (const [body, fields] of cases) {
      const r = await call('POST', '/hooks', { body });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors).sort(), JSON.stringify(body)).toEqual(fields);
    }
    expect(await count(call)).toBe(0);
    // The limits are inclusive: a 255-character Url and Tag are fine.
    const url = `https://example.com/${'a'.repeat(235)}`;
    expect(url).toHaveLength(255);
    const h = await hook(call, { EventType: 'PAYIN_NORMAL_CREATED', Url: url, Tag: 't'.repeat(255) });
    expect(h.Url).toBe(url);
    expect(h.Tag).toHaveLength(255);
  });

  it('allows one hook per EventType: a second one is refused and nothing is created', async () => {
    const call = await freshClient();
    const first = await hook(call, { EventType: 'TRANSFER_NORMAL_SUCCEEDED', Url: 'https://example.com/1' });
    const r = await call('POST', '/hooks', { body: { EventType: 'TRANSFER_NORMAL_SUCCEEDED', Url: 'https://example.com/2', Tag: 'x' } });
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toEqual(DUPLICATE);
    const list = await call('GET', '/hooks');
    expect(list.body).toEqual([first]);
    // Another EventType is fine, and so is the same EventType for another client.
    await hook(call, { EventType: 'TRANSFER_NORMAL_FAILED', Url: 'https://example.com/1' });
    expect(await count(call)).toBe(2);
    const other = await freshClient();
    const theirs = await hook(other, { EventType: 'TRANSFER_NORMAL_SUCCEEDED', Url: 'https://example.com/3' });
    expect(theirs.Id).not.toBe(first.Id);
  });

  it('settles concurrent creations of one EventType on exactly one hook', async () => {
    const call = await freshClient();
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        call('POST', '/hooks', { body: { EventType: 'PAYOUT_NORMAL_CREATED', Url: `https://example.com/${n}` } }),
      ),
    );
    const ok = replies.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of replies.filter((x) => x.status !== 200)) {
      expectApiError(r, 400, 'param_error');
      expect(r.body.errors).toEqual(DUPLICATE);
    }
    const list = await call('GET', '/hooks');
    expect(list.body).toEqual([ok[0].body]);
  });
});

describe('GET and PUT /hooks/{Id}', () => {
  it('changes Url, Status and Tag, keeping what was not sent', async () => {
    const call = await freshClient();
    const h = await hook(call, { EventType: 'KYC_SUCCEEDED', Url: 'https://example.com/a', Tag: 'one' });
    let r = await call('PUT', `/hooks/${h.Id}`, { body: { Url: 'https://example.org/b' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Object.keys(r.body)).toEqual(HOOK_KEYS);
    expect(r.body).toEqual({ ...h, Url: 'https://example.org/b' });
    r = await call('PUT', `/hooks/${h.Id}`, { body: { Status: 'DISABLED' } });
    expect(r.body).toEqual({ ...h, Url: 'https://example.org/b', Status: 'DISABLED' });
    r = await call('PUT', `/hooks/${h.Id}`, { body: { status: 'enabled', Tag: 'two' } });
    expect(r.body).toEqual({ ...h, Url: 'https://example.org/b', Status: 'ENABLED', Tag: 'two' });
    // Read-only and echoed fields are ignored.
    r = await call('PUT', `/hooks/${h.Id}`, {
      body: { EventType: 'KYC_FAILED', Id: 'hook_m_other', CreationDate: 1, Validity: 'INVALID', Status: 'DISABLED' },
    });
    expect(r.status).toBe(200);
    const expected = { ...h, Url: 'https://example.org/b', Status: 'DISABLED', Tag: 'two' };
    expect(r.body).toEqual(expected);
    expect((await call('GET', `/hooks/${h.Id}`)).body).toEqual(expected);
    expect(await dbHook(h.Id)).toMatchObject({ event_type: 'KYC_SUCCEEDED', validity: 'VALID', status: 'DISABLED', tag: 'two' });
  });

  it('refuses an unknown Status, a bad Url or a long Tag, and changes nothing', async () => {
    const call = await freshClient();
    const h = await hook(call, { EventType: 'KYC_CREATED', Url: 'https://example.com/a', Tag: 'keep' });
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ Status: 'PAUSED' }, ['Status']],
      [{ Url: 'ftp://x' }, ['Url']],
      [{ Url: 'not a url' }, ['Url']],
      [{ Url: '' }, ['Url']],
      [{ Url: `https://example.com/${'a'.repeat(236)}` }, ['Url']],
      [{ Tag: 't'.repeat(256) }, ['Tag']],
      [{ Status: 'ON', Url: 'ftp://x', Tag: 't'.repeat(256) }, ['Status', 'Tag', 'Url']],
      // A valid change in the same request is not applied either.
      [{ Status: 'DISABLED', Url: 'nope' }, ['Url']],
    ];
    for (const [body, fields] of cases) {
      const r = await call('PUT', `/hooks/${h.Id}`, { body });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors).sort(), JSON.stringify(body)).toEqual(fields);
    }
    expect((await call('GET', `/hooks/${h.Id}`)).body).toEqual(h);
  });

  it('puts an INVALID hook back in service with Validity VALID, resetting its failure count', async () => {
    const call = await freshClient();
    const h = await hook(call, { EventType: 'PAYIN_NORMAL_FAILED', Url: 'https://example.com/a' });
    await s.db.query("UPDATE hooks SET validity='INVALID', consecutive_failures=100 WHERE id=$1", [h.Id]);
    expect((await call('GET', `/hooks/${h.Id}`)).body.Validity).toBe('INVALID');
    // Changing the Url alone does not revalidate it nor reset the counter.
    let r = await call('PUT', `/hooks/${h.Id}`, { body: { Url: 'https://example.com/b', Status: 'ENABLED' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Url: 'https://example.com/b', Validity: 'INVALID', Status: 'ENABLED' });
    expect(await dbHook(h.Id)).toMatchObject({ validity: 'INVALID', consecutive_failures: 100 });
    // Echoing INVALID keeps it INVALID.
    r = await call('PUT', `/hooks/${h.Id}`, { body: { Validity: 'INVALID' } });
    expect(r.body.Validity).toBe('INVALID');
    expect(await dbHook(h.Id)).toMatchObject({ validity: 'INVALID', consecutive_failures: 100 });
    r = await call('PUT', `/hooks/${h.Id}`, { body: { Validity: 'valid' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ ...h, Url: 'https://example.com/b', Validity: 'VALID' });
    expect(await dbHook(h.Id)).toMatchObject({ validity: 'VALID', consecutive_failures: 0 });
    expect((await call('GET', `/hooks/${h.Id}`)).body.Validity).toBe('VALID');
  });

  it("answers 404 for an unknown hook and for another client's hook, on GET and PUT", async () => {
    const mine = await freshClient();
    const theirs = await freshClient();
    const h = await hook(theirs, { EventType: 'USER_ACCOUNT_CLOSED', Url: 'https://example.com/a', Tag: 'theirs' });
    for (const id of ['hook_m_unknown', h.Id]) {
      let r = await mine('GET', `/hooks/${id}`);
      expectApiError(r, 404, 'ressource_not_found');
      r = await mine('PUT', `/hooks/${id}`, { body: { Url: 'https://evil.example.com', Status: 'DISABLED', Validity: 'VALID' } });
      expectApiError(r, 404, 'ressource_not_found');
    }
    expect((await theirs('GET', `/hooks/${h.Id}`)).body).toEqual(h);
    expect(await count(mine)).toBe(0);
  });
});

describe('GET /hooks', () => {
  it('pages, sorts and sends the paging headers', async () => {
    const call = await freshClient();
    const types = ['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_SUCCEEDED', 'PAYIN_NORMAL_FAILED', 'PAYOUT_NORMAL_CREATED', 'PAYOUT_NORMAL_FAILED'];
    const made: any[] = [];
    for (const t of types) made.push(await hook(call, { EventType: t, Url: `https://example.com/${t}` }));
    const ids = made.map((h) => h.Id);

    let r = await call('GET', '/hooks?Sort=CreationDate:ASC');
    expect(r.status).toBe(200);
    expect(r.body.map((h: any) => h.Id)).toEqual(ids);
    expect(Object.keys(r.body[0])).toEqual(HOOK_KEYS);
    expect(r.headers.get('X-Number-Of-Items')).toBe('5');
    expect(r.headers.get('X-Number-Of-Pages')).toBe('1');

    r = await call('GET', '/hooks?Sort=CreationDate:DESC');
    expect(r.body.map((h: any) => h.Id)).toEqual([...ids].reverse());
    // The default order is oldest first (SPEC §2).
    r = await call('GET', '/hooks');
    expect(r.body.map((h: any) => h.Id)).toEqual(ids);

    r = await call('GET', '/hooks?page=2&per_page=2&sort=creationdate:asc');
    expect(r.status).toBe(200);
    expect(r.body.map((h: any) => h.Id)).toEqual(ids.slice(2, 4));
    expect(r.headers.get('X-Number-Of-Pages')).toBe('3');
    expect(r.headers.get('X-Number-Of-Items')).toBe('5');
    const link = r.headers.get('Link')!;
    for (const [rel, page] of [['first', 1], ['prev', 1], ['next', 3], ['last', 3]] as const) {
      expect(link).toMatch(new RegExp(`<[^>]*/hooks\\?[^>]*page=${page}&per_page=2[^>]*>; rel="${rel}"`));
    }
    r = await call('GET', '/hooks?page=3&per_page=2&Sort=CreationDate:ASC');
    expect(r.body.map((h: any) => h.Id)).toEqual(ids.slice(4));
    expect(r.headers.get('Link')).not.toContain('rel="next"');
    r = await call('GET', '/hooks?page=4&per_page=2');
    expect(r.body).toEqual([]);

    for (const q of ['Sort=Url:ASC', 'Sort=CreationDate:UP', 'per_page=101', 'page=-1']) {
      expectApiError(await call('GET', `/hooks?${q}`), 400, 'param_error');
    }
  });

  it('filters by EventType, Status and Validity', async () => {
    const call = await freshClient();
    const a = await hook(call, { EventType: 'KYC_CREATED', Url: 'https://example.com/a' });
    const b = await hook(call, { EventType: 'KYC_FAILED', Url: 'https://example.com/b' });
    const c = await hook(call, { EventType: 'KYC_SUCCEEDED', Url: 'https://example.com/c' });
    await call('PUT', `/hooks/${b.Id}`, { body: { Status: 'DISABLED' } });
    await s.db.query("UPDATE hooks SET validity='INVALID', consecutive_failures=100 WHERE id=$1", [c.Id]);
    const ids = async (q: string) => {
      const r = await call('GET', `/hooks?Sort=CreationDate:ASC&${q}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.headers.get('X-Number-Of-Items')).toBe(String(r.body.length));
      return r.body.map((h: any) => h.Id);
    };
    expect(await ids('EventType=KYC_FAILED')).toEqual([b.Id]);
    expect(await ids('eventtype=kyc_created')).toEqual([a.Id]);
    expect(await ids('EventType=PAYIN_NORMAL_CREATED')).toEqual([]);
    expect(await ids('Status=DISABLED')).toEqual([b.Id]);
    expect(await ids('Status=enabled')).toEqual([a.Id, c.Id]);
    expect(await ids('Validity=INVALID')).toEqual([c.Id]);
    expect(await ids('Validity=VALID')).toEqual([a.Id, b.Id]);
    expect(await ids('Validity=VALID&Status=ENABLED')).toEqual([a.Id]);
    expect(await ids('Validity=INVALID&Status=DISABLED')).toEqual([]);
    let r = await call('GET', '/hooks?Status=PAUSED');
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['Status']);
    r = await call('GET', '/hooks?Validity=UNKNOWN');
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['Validity']);
  });

  it("lists only the caller's hooks", async () => {
    const one = await freshClient();
    const two = await freshClient();
    const h1 = await hook(one, { EventType: 'KYC_CREATED', Url: 'https://example.com/1' });
    const h2 = await hook(two, { EventType: 'KYC_CREATED', Url: 'https://example.com/2' });
    expect((await one('GET', '/hooks')).body).toEqual([h1]);
    expect((await two('GET', '/hooks')).body).toEqual([h2]);
  });
});

describe('the official SDK drives hooks', () => {
  it('creates, reads, updates (sending the whole object back) and lists hooks', async () => {
    const hook: any = { EventType: 'PAYIN_NORMAL_CREATED', Url: 'http://test.com', Tag: 'sdk' };
    const made = await api.Hooks.create(hook);
    expect(made.Id).toMatch(/^hook_m_/);
    expect(made).toMatchObject({ Url: 'http://test.com', Status: 'ENABLED', Validity: 'VALID', EventType: 'PAYIN_NORMAL_CREATED', Tag: 'sdk' });
    expect(made.CreationDate).toEqual(expect.any(Number));

    const got = await api.Hooks.get(made.Id);
    expect(got.Id).toBe(made.Id);
    expect(got.Url).toBe('http://test.com');

    // As the SDK's own test does: change the Url on the returned object and send it all back.
    const newUrl = `http://test123.com?_t=${Date.now()}`;
    made.Url = newUrl;
    const updated = await api.Hooks.update(made);
    expect(updated.Url).toBe(newUrl);
    expect(updated).toMatchObject({ Id: made.Id, Status: 'ENABLED', Validity: 'VALID', EventType: 'PAYIN_NORMAL_CREATED', Tag: 'sdk' });
    expect((await s.call('GET', `/hooks/${made.Id}`)).body.Url).toBe(newUrl);

    made.Status = 'DISABLED';
    expect((await api.Hooks.update(made)).Status).toBe('DISABLED');

    const second = await api.Hooks.create({ EventType: 'USER_KYC_REGULAR', Url: 'http://test.com/kyc' });
    // The SDK sends no query for these top-level options: the default order, oldest first, applies.
    const all = await api.Hooks.getAll({ page: 1, per_page: 50, sort: 'CreationDate:DESC' });
    expect(all.map((h: any) => h.Id)).toEqual([made.Id, second.Id]);
    const desc = await api.Hooks.getAll({ parameters: { Sort: 'CreationDate:DESC' } });
    expect(desc.map((h: any) => h.Id)).toEqual([second.Id, made.Id]);
    const asc = await api.Hooks.getAll({ parameters: { Sort: 'CreationDate:ASC' } });
    expect(asc.map((h: any) => h.Id)).toEqual([made.Id, second.Id]);
    const filtered = await api.Hooks.getAll({ parameters: { EventType: 'USER_KYC_REGULAR', Page: 1, Per_Page: 100 } });
    expect(filtered.map((h: any) => h.Id)).toEqual([second.Id]);
  });

  it('rejects a second hook for one EventType with the API error', async () => {
    await api.Hooks.create({ EventType: 'KYC_OUTDATED', Url: 'http://test.com' });
    const err = await api.Hooks.create({ EventType: 'KYC_OUTDATED', Url: 'http://test.com/2' }).catch((e: any) => e);
    expect(err).toMatchObject({ Type: 'param_error', errors: DUPLICATE });
    const missing = await api.Hooks.get('hook_m_nope').catch((e: any) => e);
    expect(missing).toMatchObject({ Type: 'ressource_not_found' });
  });
});
