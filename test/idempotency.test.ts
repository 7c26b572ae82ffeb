import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { NewClient } from '../src/modules/auth/service.js';
import { expectApiError } from './helpers/errors.js';
import { naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { type CallOptions, fileServer, type Reply } from './helpers/server.js';

const { s, api } = fileServer();

const CONFLICT = 'A resource has already been created with this Idempotency Key';
const CONFLICT_OTHER = `${CONFLICT} (by a different request)`;
const RESPONSE_KEYS = ['StatusCode', 'ContentLength', 'ContentType', 'Date', 'RequestURL', 'Resource'];

type Call = (method: string, path: string, o?: CallOptions) => Promise<Reply>;
interface Client {
  c: NewClient;
  call: Call;
  /** Gets a new token (the cached one dies when the client's clock is moved on). */
  renew(): Promise<void>;
}

/** A new client of its own, so that each test counts only its own users and keys. */
async function freshClient(): Promise<Client> {
  const c = await s.newClient();
  let token = await s.tokenFor(c);
  return {
    c,
    call: (method, path, o = {}) => s.fetch(method, `/v2.01/${c.id}${path}`, { ...o, token }),
    async renew() {
      const r = await s.fetch('POST', '/v2.01/oauth/token', {
        raw: 'grant_type=client_credentials',
        contentType: 'application/x-www-form-urlencoded',
        headers: { authorization: `Basic ${Buffer.from(`${c.id}:${c.apiKey}`).toString('base64')}` },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      token = r.body.access_token;
    },
  };
}

const withKey = (key: string, o: CallOptions = {}): CallOptions => ({ ...o, headers: { ...o.headers, 'Idempotency-Key': key } });
const postUser = (call: Call, body: unknown, key?: string) =>
  call('POST', '/sca/users/natural', key === undefined ? { body } : withKey(key, { body }));

async function userCount(call: Call): Promise<number> {
  const r = await call('GET', '/users?per_page=100');
  expect(r.status).toBe(200);
  expect(Number(r.headers.get('X-Number-Of-Items'))).toBe(r.body.length);
  return r.body.length;
}

function expectConflict(r: Reply, message: string): void {
  expectApiError(r, 409, 'idempotent_creation_conflict');
  expect(r.body.errors).toBeNull();
  expect(r.body.Message).toBe(message);
}

describe('Idempotency-Key on POST', () => {
  it('changes nothing when absent: each request creates its own resource', async () => {
    const { call } = await freshClient();
    const a = await postUser(call, naturalPayer());
    const b = await postUser(call, naturalPayer());
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.Id).not.toBe(b.body.Id);
    expect(await userCount(call)).toBe(2);
  });

  it('refuses a malformed key with 400 before anything is created', async () => {
    const { call } = await freshClient();
    const bad = ['a'.repeat(15), 'a'.repeat(37), 'abcdefgh_ijklmnop', 'abcdefgh ijklmnop', 'abcdefgh.ijklmnop', 'abcdefghijklmnopé', ''];
    for (const key of bad) {
      const r = await postUser(call, naturalPayer(), key);
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors), JSON.stringify(key)).toEqual(['Idempotency-Key']);
      // Nothing was stored either.
      if (/^[\x21-\x7e]+$/.test(key)) expectApiError(await call('GET', `/responses/${encodeURIComponent(key)}`), 400, 'correlationid_not_found');
    }
    expect(await userCount(call)).toBe(0);
    // The bounds are inclusive.
    for (const key of ['a'.repeat(16), 'A1-'.repeat(12)]) {
      expect((await postUser(call, naturalPayer(), key)).status).toBe(200);
    }
    expect(await userCount(call)).toBe(2);
  });

  it('creates once, then answers 409 to a replay, with the same body or another one', async () => {
    const { call } = await freshClient();
    const key = randomUUID();
    const first = await postUser(call, naturalPayer({ FirstName: 'Once' }), key);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.Id).toMatch(/^user_m_/);
    const read = await call('GET', `/users/${first.body.Id}`);
    expect(read.status).toBe(200);
    expect(read.body.FirstName).toBe('Once');

    expectConflict(await postUser(call, naturalPayer({ FirstName: 'Once' }), key), CONFLICT);
    expect(await userCount(call)).toBe(1);
    // Another body, or the same body on another path, is "a different request".
    expectConflict(await postUser(call, naturalPayer({ FirstName: 'Twice' }), key), CONFLICT_OTHER);
    const legal = await call('POST', '/sca/users/legal', withKey(key, { body: naturalPayer({ FirstName: 'Once' }) }));
    expectConflict(legal, CONFLICT_OTHER);
    const hook = await call('POST', '/hooks', withKey(key, { body: { EventType: 'KYC_CREATED', Url: 'https://example.com' } }));
    expectConflict(hook, CONFLICT_OTHER);
    expect((await call('GET', '/hooks')).body).toEqual([]);
    expect(await userCount(call)).toBe(1);
    // The first response is still the one served.
    const stored = await call('GET', `/responses/${key}`);
    expect(stored.body.Resource).toEqual(first.body);
  });

  it('serves the first response at GET /responses/{key}', async () => {
    const { c, call } = await freshClient();
    const key = `key-${randomUUID().slice(0, 20)}`;
    // A non-ASCII name: the stored length is in bytes.
    const first = await postUser(call, naturalOwner({ FirstName: 'Zoë', LastName: 'Lefèvre' }), key);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const r = await call('GET', `/responses/${key}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Object.keys(r.body)).toEqual(RESPONSE_KEYS);
    expect(r.body.StatusCode).toBe('200');
    expect(r.body.Resource).toEqual(first.body);
    expect(r.body.Resource.FirstName).toBe('Zoë');
    expect(typeof r.body.ContentLength).toBe('string');
    expect(r.body.ContentLength).toBe(String(Buffer.byteLength(JSON.stringify(first.body))));
    expect(r.body.ContentLength).toBe(first.headers.get('content-length'));
    expect(Number(r.body.ContentLength)).toBeGreaterThan(JSON.stringify(first.body).length);
    expect(r.body.ContentType).toMatch(/^application\/json/);
    expect(r.body.ContentType).toBe(first.headers.get('content-type'));
    expect(r.body.Date).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Math.abs(Date.parse(r.body.Date) - Date.now())).toBeLessThan(60_000);
    expect(r.body.RequestURL).toMatch(/^https?:\/\//);
    expect(r.body.RequestURL.endsWith(`/v2.01/${c.id}/sca/users/natural`)).toBe(true);
    // Reading it changes nothing: it can be read again, and the key is still taken.
    expect((await call('GET', `/responses/${key}`)).body).toEqual(r.body);
    expectConflict(await postUser(call, naturalOwner({ FirstName: 'Zoë', LastName: 'Lefèvre' }), key), CONFLICT);
  });

  it('stores a failed first request too, and its key cannot be used again', async () => {
    const { call } = await freshClient();
    const key = randomUUID();
    const first = await postUser(call, naturalPayer({ Email: 'not-an-email' }), key);
    expectApiError(first, 400, 'param_error');
    expect(first.body.errors).toHaveProperty('Email');
    const r = await call('GET', `/responses/${key}`);
    expect(r.status).toBe(200);
    expect(r.body.StatusCode).toBe('400');
    expect(r.body.Resource).toEqual(first.body);
    expect(r.body.ContentLength).toBe(String(Buffer.byteLength(JSON.stringify(first.body))));
    // Neither the corrected request nor the same failing one runs.
    expectConflict(await postUser(call, naturalPayer(), key), CONFLICT_OTHER);
    expectConflict(await postUser(call, naturalPayer({ Email: 'not-an-email' }), key), CONFLICT);
    expect(await userCount(call)).toBe(0);
  });

  it('uses up the key on a body that could not be read, which never reached the check', async () => {
    const { call } = await freshClient();
    const key = randomUUID();
    const first = await call('POST', '/sca/users/natural', withKey(key, { raw: '{"FirstName":', contentType: 'application/json' }));
    expectApiError(first, 400, 'param_error');
    const stored = await call('GET', `/responses/${key}`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ StatusCode: '400', Resource: first.body });
    expectConflict(await postUser(call, naturalPayer(), key), CONFLICT_OTHER);
    expect(await userCount(call)).toBe(0);
    // A key already taken is not taken over by such a failure: the first response stays.
    const taken = randomUUID();
    expect((await postUser(call, naturalPayer(), taken)).status).toBe(200);
    expectApiError(await call('POST', '/sca/users/natural', withKey(taken, { raw: '{', contentType: 'application/json' })), 400, 'param_error');
    expect((await call('GET', `/responses/${taken}`)).body.StatusCode).toBe('200');
  });

  it('keeps the key free when the request is refused at authentication', async () => {
    const { c, call } = await freshClient();
    const key = randomUUID();
    const refused = await s.fetch('POST', `/v2.01/${c.id}/sca/users/natural`, withKey(key, { body: naturalPayer(), token: 'nope' }));
    expectApiError(refused, 401, 'invalid_credentials');
    expectApiError(await call('GET', `/responses/${key}`), 400, 'correlationid_not_found');
    expect((await postUser(call, naturalPayer(), key)).status).toBe(200);
  });

  it('keeps keys per client', async () => {
    const a = await freshClient();
    const b = await freshClient();
    const key = randomUUID();
    const ra = await postUser(a.call, naturalPayer({ FirstName: 'Ann' }), key);
    const rb = await postUser(b.call, naturalPayer({ FirstName: 'Ben' }), key);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect((await a.call('GET', `/responses/${key}`)).body.Resource).toEqual(ra.body);
    expect((await b.call('GET', `/responses/${key}`)).body.Resource).toEqual(rb.body);
    expectConflict(await postUser(a.call, naturalPayer({ FirstName: 'Ann' }), key), CONFLICT);
    expectConflict(await postUser(b.call, naturalPayer({ FirstName: 'Ann' }), key), CONFLICT_OTHER);
    expect(await userCount(a.call)).toBe(1);
    expect(await userCount(b.call)).toBe(1);
    // A key only one client used is unknown to the other.
    const only = randomUUID();
    expect((await postUser(a.call, naturalPayer(), only)).status).toBe(200);
    expectApiError(await b.call('GET', `/responses/${only}`), 400, 'correlationid_not_found');
  });

  it('answers 400 correlationid_not_found for an unknown key, as the Java and Python suites expect', async () => {
    const { call } = await freshClient();
    for (const key of [randomUUID(), 'short', 'not_a-valid key']) {
      expectApiError(await call('GET', `/responses/${encodeURIComponent(key)}`), 400, 'correlationid_not_found');
    }
  });

  it("expires keys after 24 hours of the client's clock", async () => {
    const { call, renew } = await freshClient();
    const key = randomUUID();
    const first = await postUser(call, naturalPayer({ FirstName: 'Day1' }), key);
    expect(first.status).toBe(200);
    const advance = async (Seconds: number) => {
      const r = await call('POST', '/sandbox/clock/advance', { body: { Seconds } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      await renew();
    };
    // Still taken a little before 24 hours.
    await advance(86_000);
    expectConflict(await postUser(call, naturalPayer({ FirstName: 'Day1' }), key), CONFLICT);
    expect((await call('GET', `/responses/${key}`)).body.Resource).toEqual(first.body);
    await advance(400);
    expectApiError(await call('GET', `/responses/${key}`), 400, 'correlationid_not_found');
    // The key is free again: a new request runs, creates a second user, and is the one stored.
    const second = await postUser(call, naturalPayer({ FirstName: 'Day2' }), key);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.Id).not.toBe(first.body.Id);
    expect(await userCount(call)).toBe(2);
    const stored = await call('GET', `/responses/${key}`);
    expect(stored.body.Resource).toEqual(second.body);
    expect(Date.parse(stored.body.Date)).toBeGreaterThan(Date.now() + 86_000_000);
    expectConflict(await postUser(call, naturalPayer({ FirstName: 'Day1' }), key), CONFLICT_OTHER);
    expect(await userCount(call)).toBe(2);
  });

  it('lets exactly one of 20 concurrent requests with one key run', async () => {
    const { call } = await freshClient();
    const key = randomUUID();
    const replies = await Promise.all(Array.from({ length: 20 }, () => postUser(call, naturalPayer({ FirstName: 'Race' }), key)));
    const ok = replies.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    const others = replies.filter((r) => r.status !== 200);
    expect(others).toHaveLength(19);
    for (const r of others) expectConflict(r, CONFLICT);
    expect(await userCount(call)).toBe(1);
    expect((await call('GET', '/users')).body[0].Id).toBe(ok[0].body.Id);
    expect((await call('GET', `/responses/${key}`)).body.Resource).toEqual(ok[0].body);
  });

  it('is ignored on PUT and GET requests, which claim nothing', async () => {
    const { call } = await freshClient();
    const key = randomUUID();
    const hook = await call('POST', '/hooks', { body: { EventType: 'KYC_CREATED', Url: 'https://example.com/a' } });
    expect(hook.status).toBe(200);
    for (let n = 0; n < 2; n++) {
      const r = await call('PUT', `/hooks/${hook.body.Id}`, withKey(key, { body: { Tag: `put ${n}` } }));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.Tag).toBe(`put ${n}`);
    }
    // Even a malformed key is not looked at.
    expect((await call('PUT', `/hooks/${hook.body.Id}`, withKey('bad key', { body: { Tag: 'x' } }))).status).toBe(200);
    expect((await call('GET', '/users', withKey('bad key'))).status).toBe(200);
    expect((await call('GET', '/users', withKey(key))).status).toBe(200);
    expectApiError(await call('GET', `/responses/${key}`), 400, 'correlationid_not_found');
    // So the key is still free for a POST.
    expect((await postUser(call, naturalPayer(), key)).status).toBe(200);
    expect((await call('GET', `/responses/${key}`)).body.StatusCode).toBe('200');
  });
});

describe('the official SDK and idempotency', () => {
  it('sends the key with OptionsHelper.withIdempotency and reads the stored response back', async () => {
    const key = randomUUID();
    const user = await api.Users.create(
      { NaturalSca: true, PersonType: 'NATURAL', ...naturalPayer({ FirstName: 'Sdk' }) },
      api.OptionsHelper.withIdempotency({}, key),
    );
    expect(user.Id).toMatch(/^user_m_/);

    const stored = await api.Idempotency.get(key);
    expect(stored.StatusCode).toBe('200');
    expect(stored.Resource).toBeTruthy();
    expect(stored.Resource.Id).toBe(user.Id);
    expect(stored.Resource.FirstName).toBe('Sdk');
    expect(stored.RequestURL.endsWith(`/v2.01/${s.client.id}/sca/users/natural`)).toBe(true);

    const again = await api.Users.create(
      { NaturalSca: true, PersonType: 'NATURAL', ...naturalPayer({ FirstName: 'Sdk' }) },
      api.OptionsHelper.withIdempotency({ resolveWithFullResponse: true }, key),
    ).catch((e: any) => e);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ Type: 'idempotent_creation_conflict', errors: null });
    expect(again.body.Message.startsWith(CONFLICT)).toBe(true);

    // The callback-less promise form rejects with the error body.
    const third = await api.Users.create(
      { NaturalSca: true, PersonType: 'NATURAL', ...naturalPayer({ FirstName: 'Other' }) },
      api.OptionsHelper.withIdempotency({}, key),
    ).catch((e: any) => e);
    expect(third).toMatchObject({ Type: 'idempotent_creation_conflict', Message: CONFLICT_OTHER, errors: null });

    // The main client is only used here: one user, the first one.
    const all = await s.call('GET', '/users?per_page=100');
    expect(all.body.map((u: any) => u.Id)).toEqual([user.Id]);

    const missing = await api.Idempotency.get(randomUUID()).catch((e: any) => e);
    expect(missing).toMatchObject({ Type: 'correlationid_not_found' });
  });
});
