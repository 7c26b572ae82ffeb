import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewClient } from '../src/modules/auth/service.js';
import { recordEvent } from '../src/modules/events/store.js';
import { expectApiError, rateLimitHeaders } from './helpers/errors.js';
import { parseRaw, rawExchange, uploadThenRead } from './helpers/raw-http.js';
import { address, legacyLegalOwner, legalOwner, legalPayer, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { startServer, type CallOptions, type Reply, type TestServer } from './helpers/server.js';

let s: TestServer;
/** Extra apps on the same database, each with one setting changed. */
const extra: TestServer[] = [];

async function sibling(env: Record<string, string>): Promise<TestServer> {
  const server = await startServer({ db: s.db, keepDb: true, env });
  extra.push(server);
  return server;
}

beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  for (const server of extra) await server.close();
  await s?.close();
});

const now = () => Math.floor(Date.now() / 1000);

/** A call under another client's path with that client's token. */
async function callAs(server: TestServer, c: NewClient, method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  return server.fetch(method, `/v2.01/${c.id}${path}`, { token: await server.tokenFor(c), ...opts });
}

async function create(path: string, body: unknown, server = s): Promise<any> {
  const r = await server.call('POST', path, { body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/** rel → URL of a Link header. */
function links(r: Reply): Record<string, URL> {
  const out: Record<string, URL> = {};
  for (const part of (r.headers.get('Link') ?? '').split(/,\s*(?=<)/)) {
    const m = /^<([^>]+)>;\s*rel="(\w+)"$/.exec(part.trim());
    if (m) out[m[2]] = new URL(m[1]);
  }
  return out;
}

/** A POST whose body is streamed in chunks, with no Content-Length. */
function chunkedPost(url: string, path: string, token: string, chunks: string[]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          headers: new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)] as [string, string])),
          body: JSON.parse(text),
        }),
      );
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('request bodies', () => {
  it('refuses malformed JSON with 400 param_error', async () => {
    for (const raw of ['{"FirstName": ', '{"a":1}garbage', "{'a':1}", '{"a":1,}']) {
      const r = await s.call('POST', '/sca/users/natural', { raw, contentType: 'application/json' });
      expectApiError(r, 400, 'param_error');
      expect(r.body.Message).toMatch(/JSON/);
    }
  });

  it('accepts an empty body sent with Content-Type: application/json, as the SDK sends it', async () => {
    const owner = await create('/sca/users/legal', legalOwner());
    for (const contentType of ['application/json', 'application/json; charset=utf-8']) {
      const r = await s.call('POST', `/sca/users/${owner.Id}/enrollment`, { raw: '', contentType });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.PendingUserAction.RedirectUrl).toMatch(/\/sca\?token=/);
    }
    const list = await s.call('GET', '/users', { headers: { 'content-type': 'application/json' } });
    expect(list.status).toBe(200);
  });

  it('answers an empty body on a route that needs one with field errors, not a parse error', async () => {
    const r = await s.call('POST', '/sca/users/natural', { raw: '', contentType: 'application/json' });
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toHaveProperty('FirstName');
  });

  it('refuses a body of another content type with 415', async () => {
    for (const [raw, contentType] of [
      ['hello', 'text/plain'],
      ['<user/>', 'application/xml'],
      ['FirstName=x', 'multipart/form-data; boundary=x'],
    ]) {
      const r = await s.call('POST', '/sca/users/natural', { raw, contentType });
      expectApiError(r, 415, 'unsupported_media_type');
      rateLimitHeaders(r);
    }
  });

  it('refuses a body over MANGROVE_BODY_LIMIT with 413, whether its length is announced or streamed', async () => {
    const small = await sibling({ MANGROVE_BODY_LIMIT: '2048' });
    const ok = await small.call('POST', '/sca/users/natural', { body: naturalPayer({ Tag: 'x'.repeat(255) }) });
    expect(ok.status).toBe(200);
    const big = JSON.stringify(naturalPayer({ Occupation: 'x'.repeat(3000) }));
    const r = await small.call('POST', '/sca/users/natural', { raw: big, contentType: 'application/json' });
    expectApiError(r, 413, 'payload_too_large');
    expect(r.body.Message).toContain('2048');
    rateLimitHeaders(r);
    const streamed = await chunkedPost(small.url, `/v2.01/${small.client.id}/sca/users/natural`, await small.token(), [
      big.slice(0, 1000),
      big.slice(1000, 2000),
      big.slice(2000),
    ]);
    expectApiError(streamed, 413, 'payload_too_large');
    // The server is still there for the next call.
    expect((await small.call('GET', '/users')).status).toBe(200);
  });

  it('matches property names case-insensitively, the last occurrence winning', async () => {
    const raw =
      '{"firstname":"Lower","FirstName":"Alice","LASTNAME":"Durand","email":"alice@example.com",' +
      '"usercategory":"payer","termsandconditionsaccepted":false,"FIRSTNAME":"Zoe"}';
    const r = await s.call('POST', '/sca/users/natural', { raw, contentType: 'application/json' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ FirstName: 'Zoe', LastName: 'Durand', Email: 'alice@example.com', UserCategory: 'PAYER' });

    const legal = await s.call('POST', '/sca/users/legal', {
      raw: JSON.stringify({ ...legalPayer(), LegalRepresentative: undefined }).replace(
        /}$/,
        ',"legalrepresentative":{"firstname":"low","LastName":"Rep","FirstName":"High"}}',
      ),
      contentType: 'application/json',
    });
    expect(legal.status, JSON.stringify(legal.body)).toBe(200);
    expect(legal.body.LegalRepresentative).toMatchObject({ FirstName: 'High', LastName: 'Rep' });

    // What the SDK sends after setting user.tag on an object that already has Tag.
    const put = await s.call('PUT', `/sca/users/natural/${r.body.Id}`, {
      raw: '{"Tag":"old","TermsAndConditionsAccepted":false,"tag":"new"}',
      contentType: 'application/json',
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.Tag).toBe('new');
  });

  it('accepts numbers where strings are expected', async () => {
    const body = legalOwner({
      CompanyNumber: 552100554,
      Tag: 42,
      HeadquartersAddress: address({ PostalCode: 75002 }),
      LegalRepresentative: { ...legalOwner().LegalRepresentative, PhoneNumber: 612345678 },
    });
    const r = await s.call('POST', '/sca/users/legal', { body });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.HeadquartersAddress.PostalCode).toBe('75002');
    expect(r.body.CompanyNumber).toBe('552100554');
    expect(r.body.Tag).toBe('42');
    expect(r.body.LegalRepresentative.PhoneNumber).toBe('612345678');
  });

  it('ignores unknown and read-only properties; the path decides the person type', async () => {
    const other = await create('/sca/users/natural', naturalPayer());
    const r = await s.call('POST', '/sca/users/natural', {
      body: naturalPayer({
        Id: other.Id,
        CreationDate: 1,
        PersonType: 'LEGAL',
        KYCLevel: 'REGULAR',
        UserStatus: 'CLOSED',
        TermsAndConditionsAcceptedDate: 5,
        PendingUserAction: { RedirectUrl: 'https://evil.example/' },
        ProofOfIdentity: 'kyc_m_fake',
        NaturalSca: true,
        data: { Id: 'x' },
        Unknown: 'ignored',
      }),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.Id).toMatch(/^user_m_/);
    expect(r.body.Id).not.toBe(other.Id);
    expect(Math.abs(r.body.CreationDate - now())).toBeLessThan(60);
    expect(r.body).toMatchObject({
      PersonType: 'NATURAL',
      KYCLevel: 'LIGHT',
      UserStatus: 'ACTIVE',
      TermsAndConditionsAcceptedDate: null,
      PendingUserAction: null,
      ProofOfIdentity: null,
    });
    expect(r.body).not.toHaveProperty('Unknown');
    expect(r.body).not.toHaveProperty('data');

    // An Id in a PUT body does not redirect the update to another user.
    const put = await s.call('PUT', `/sca/users/natural/${r.body.Id}`, {
      body: { Id: other.Id, FirstName: 'Changed', TermsAndConditionsAccepted: false, PersonType: 'LEGAL', CreationDate: 2 },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ Id: r.body.Id, FirstName: 'Changed', PersonType: 'NATURAL', CreationDate: r.body.CreationDate });
    expect((await s.call('GET', `/users/${other.Id}`)).body.FirstName).toBe(other.FirstName);
  });
});

describe('paths', () => {
  it('match case-insensitively, with or without a trailing slash, and keep the case of ids', async () => {
    const legal = await s.call('POST', '/SCA/Users/Legal', { body: legalPayer() });
    expect(legal.status).toBe(200);
    expect(legal.body.PersonType).toBe('LEGAL');
    const natural = await s.call('POST', '/sca/users/natural/', { body: naturalPayer() });
    expect(natural.status).toBe(200);
    const id = legal.body.Id;
    for (const path of [`/Sca/Users/${id}`, `/sca/users/${id}/`, `/USERS/${id}`, `/Users/Legal/${id}/`, `/SCA/USERS/LEGAL/${id}`]) {
      const r = await s.call('GET', path);
      expect(r.status, path).toBe(200);
      expect(r.body.Id).toBe(id);
    }
    const upper = await s.fetch('GET', `/V2.01/${s.client.id}/Users/?Per_Page=1`, { token: await s.token() });
    expect(upper.status).toBe(200);
    expect(upper.body).toHaveLength(1);
    // The id itself is case-sensitive.
    expectApiError(await s.call('GET', `/users/${id.toLowerCase()}`), 404, 'ressource_not_found');
  });

  it('answers an unknown route with a 404 in the Mangopay shape', async () => {
    for (const r of [
      await s.call('GET', '/nothing-here'),
      await s.call('DELETE', '/sca/users/legal'),
      await s.call('POST', '/users/someone/wallets', { body: {} }),
      await s.fetch('GET', '/nowhere'),
      await s.fetch('GET', '/'),
    ]) {
      expectApiError(r, 404, 'ressource_not_found');
      expect(r.body.errors.RessourceNotFound).toMatch(/No endpoint/);
    }
  });

  it('authenticates unknown routes under a client like any other call', async () => {
    const r = await s.call('GET', '/nothing-here');
    rateLimitHeaders(r);
    expectApiError(await s.call('GET', '/nothing-here', { token: null }), 401, 'invalid_credentials');
  });

  it('answers an unknown id with ressource_not_found naming it', async () => {
    const r = await s.call('GET', '/users/user_m_01JNOBODY00000000000000000');
    expectApiError(r, 404, 'ressource_not_found');
    expect(r.body.errors.RessourceNotFound).toBe('Cannot found the ressource User with the id=user_m_01JNOBODY00000000000000000 ');
    // What the SDK requests when it is given an undefined id.
    expectApiError(await s.call('GET', '/users/natural/$%7Bid%7D'), 404, 'ressource_not_found');
  });
});

describe('paging GET /users', () => {
  let c: NewClient;
  const ids: string[] = [];
  const base = 1_700_000_000;

  beforeAll(async () => {
    c = await s.newClient();
    for (let i = 1; i <= 5; i++) {
      const r = await callAs(s, c, 'POST', '/sca/users/natural', { body: naturalPayer({ Tag: `p${i}` }) });
      expect(r.status).toBe(200);
      ids.push(r.body.Id);
      await s.db.query('UPDATE users SET creation_date = $2 WHERE id = $1', [r.body.Id, base + i * 100]);
    }
  });

  const list = (query: string) => callAs(s, c, 'GET', `/users${query}`);
  const tags = (r: Reply) => r.body.map((u: any) => u.Tag);

  it('returns summary rows with the paging headers', async () => {
    const r = await list('?Sort=CreationDate:ASC');
    expect(r.status).toBe(200);
    expect(r.body.map((u: any) => u.Id)).toEqual(ids);
    expect(Object.keys(r.body[0])).toEqual([
      'Id', 'Tag', 'CreationDate', 'PersonType', 'Email', 'KYCLevel',
      'TermsAndConditionsAccepted', 'TermsAndConditionsAcceptedDate', 'UserCategory', 'UserStatus',
    ]);
    expect(r.headers.get('X-Number-Of-Items')).toBe('5');
    expect(r.headers.get('X-Number-Of-Pages')).toBe('1');
  });

  it('pages with per_page, and Link points at first/prev/next/last', async () => {
    const p1 = await list('?per_page=2&page=1&Sort=CreationDate:ASC');
    expect(tags(p1)).toEqual(['p1', 'p2']);
    expect(p1.headers.get('X-Number-Of-Pages')).toBe('3');
    expect(p1.headers.get('X-Number-Of-Items')).toBe('5');
    const l1 = links(p1);
    expect(Object.keys(l1).sort()).toEqual(['first', 'last', 'next']);
    expect(l1.next.searchParams.get('page')).toBe('2');
    expect(l1.next.searchParams.get('per_page')).toBe('2');
    expect(l1.next.searchParams.get('Sort')).toBe('CreationDate:ASC');
    expect(l1.last.searchParams.get('page')).toBe('3');
    expect(l1.first.searchParams.get('page')).toBe('1');
    expect(l1.next.origin).toBe(s.url);

    // Following the links walks the list.
    const p2 = await s.fetch('GET', l1.next.pathname + l1.next.search, { token: await s.tokenFor(c) });
    expect(tags(p2)).toEqual(['p3', 'p4']);
    expect(Object.keys(links(p2)).sort()).toEqual(['first', 'last', 'next', 'prev']);
    expect(links(p2).prev.searchParams.get('page')).toBe('1');
    const p3 = await list('?per_page=2&page=3&Sort=CreationDate:ASC');
    expect(tags(p3)).toEqual(['p5']);
    expect(Object.keys(links(p3)).sort()).toEqual(['first', 'last', 'prev']);
  });

  it('gives [] beyond the last page, with the headers still right', async () => {
    const r = await list('?per_page=2&page=9');
    expect(r.status).toBe(200);
    expect(r.body).toEqual([]);
    expect(r.headers.get('X-Number-Of-Items')).toBe('5');
    expect(r.headers.get('X-Number-Of-Pages')).toBe('3');
    expect(links(r).last.searchParams.get('page')).toBe('3');
  });

  it('refuses per_page 0 and 101 and a negative page, accepts per_page 100', async () => {
    for (const [query, field] of [
      ['?per_page=0', 'per_page'],
      ['?per_page=101', 'per_page'],
      ['?page=-1', 'page'],
      ['?page=abc', 'page'],
      ['?per_page=-1', 'per_page'],
    ]) {
      const r = await list(query);
      expectApiError(r, 400, 'param_error');
      expect(r.body.errors, query).toHaveProperty(field);
    }
    expect((await list('?per_page=100')).status).toBe(200);
  });

  it('sorts by CreationDate ASC or DESC and refuses other sorts', async () => {
    expect(tags(await list('?Sort=CreationDate:ASC'))).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(tags(await list('?Sort=CreationDate:DESC'))).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
    expect(tags(await list('?sort=creationdate:desc'))).toEqual(['p5', 'p4', 'p3', 'p2', 'p1']);
    for (const sort of ['Name:ASC', 'CreationDate:UP', 'CreationDate:ASC:DESC', ':ASC']) {
      const r = await list(`?Sort=${encodeURIComponent(sort)}`);
      expectApiError(r, 400, 'param_error');
      expect(r.body.errors, sort).toHaveProperty('Sort');
    }
  });

  it('filters with BeforeDate and AfterDate (exclusive)', async () => {
    expect(tags(await list(`?Sort=CreationDate:ASC&BeforeDate=${base + 300}`))).toEqual(['p1', 'p2']);
    expect(tags(await list(`?Sort=CreationDate:ASC&AfterDate=${base + 300}`))).toEqual(['p4', 'p5']);
    const both = await list(`?AfterDate=${base + 150}&BeforeDate=${base + 450}&Sort=CreationDate:ASC`);
    expect(tags(both)).toEqual(['p2', 'p3', 'p4']);
    expect(both.headers.get('X-Number-Of-Items')).toBe('3');
    expectApiError(await list('?BeforeDate=yesterday'), 400, 'param_error');
  });

  it('reads query names case-insensitively and ignores unknown ones', async () => {
    const r = await list('?PAGE=2&Per_Page=2&SORT=CreationDate:ASC&resolveWithFullResponse=true');
    expect(tags(r)).toEqual(['p3', 'p4']);
    expect(tags(await list(`?beforedate=${base + 300}&sort=CreationDate:asc`))).toEqual(['p1', 'p2']);
  });
});

describe('GET /events', () => {
  let c: NewClient;
  const base = now() - 1000;

  beforeAll(async () => {
    c = await s.newClient();
    const plan: [string, string, number][] = [
      ['USER_ACCOUNT_ACTIVATED', 'user_m_a', 10],
      ['USER_ACCOUNT_VALIDATION_ASKED', 'user_m_b', 20],
      ['KYC_CREATED', 'kyc_m_1', 30],
      ['USER_ACCOUNT_ACTIVATED', 'user_m_c', 40],
      ['KYC_CREATED', 'kyc_m_2', 50],
      ['KYC_CREATED', 'kyc_m_3', 60],
    ];
    for (const [type, id, offset] of plan) await recordEvent(s.db, c.id, type, id, base + offset);
  });

  const events = (query: string) => callAs(s, c, 'GET', `/events${query}`);
  const resources = (r: Reply) => r.body.map((e: any) => e.ResourceId);

  it('returns {ResourceId, EventType, Date} rows, oldest first by default', async () => {
    const r = await events('');
    expect(r.status).toBe(200);
    expect(r.body[0]).toEqual({ ResourceId: 'user_m_a', EventType: 'USER_ACCOUNT_ACTIVATED', Date: base + 10 });
    expect(r.headers.get('X-Number-Of-Items')).toBe('6');
    expect(resources(r)).toEqual(['user_m_a', 'user_m_b', 'kyc_m_1', 'user_m_c', 'kyc_m_2', 'kyc_m_3']);
    expect(resources(await events('?Sort=Date:DESC'))).toEqual(['kyc_m_3', 'kyc_m_2', 'user_m_c', 'kyc_m_1', 'user_m_b', 'user_m_a']);
  });

  it('filters by one EventType, comma-separated ones, or repeated ones', async () => {
    expect(resources(await events('?EventType=USER_ACCOUNT_ACTIVATED&Sort=Date:ASC'))).toEqual(['user_m_a', 'user_m_c']);
    const comma = await events('?EventType=USER_ACCOUNT_ACTIVATED,USER_ACCOUNT_VALIDATION_ASKED&Sort=Date:ASC');
    expect(resources(comma)).toEqual(['user_m_a', 'user_m_b', 'user_m_c']);
    const repeated = await events('?EventType=USER_ACCOUNT_ACTIVATED&EventType=USER_ACCOUNT_VALIDATION_ASKED&Sort=Date:ASC');
    expect(resources(repeated)).toEqual(['user_m_a', 'user_m_b', 'user_m_c']);
    expect(repeated.headers.get('X-Number-Of-Items')).toBe('3');
    expect(resources(await events('?eventtype=kyc_created&sort=date:asc'))).toEqual(['kyc_m_1', 'kyc_m_2', 'kyc_m_3']);
    expect(await events('?EventType=PAYIN_NORMAL_SUCCEEDED')).toMatchObject({ status: 200, body: [] });
  });

  it('pages a filtered list', async () => {
    const p1 = await events('?EventType=KYC_CREATED&per_page=2&Sort=Date:ASC');
    expect(resources(p1)).toEqual(['kyc_m_1', 'kyc_m_2']);
    expect(p1.headers.get('X-Number-Of-Pages')).toBe('2');
    expect(p1.headers.get('X-Number-Of-Items')).toBe('3');
    expect(links(p1).next.searchParams.get('EventType')).toBe('KYC_CREATED');
    expect(resources(await events('?EventType=KYC_CREATED&per_page=2&page=2&Sort=Date:ASC'))).toEqual(['kyc_m_3']);
    expectApiError(await events('?per_page=101'), 400, 'param_error');
  });

  it('filters by BeforeDate and AfterDate', async () => {
    expect(resources(await events(`?AfterDate=${base + 20}&BeforeDate=${base + 50}&Sort=Date:ASC`))).toEqual(['kyc_m_1', 'user_m_c']);
  });

  it('searches only the last 45 days: older events are not listed, older dates are refused', async () => {
    const old = await s.newClient();
    const limit = now() - 45 * 86400;
    await recordEvent(s.db, old.id, 'KYC_CREATED', 'kyc_m_old', limit - 100);
    await recordEvent(s.db, old.id, 'KYC_CREATED', 'kyc_m_recent', limit + 100);
    const list = await callAs(s, old, 'GET', '/events');
    expect(resources(list)).toEqual(['kyc_m_recent']);
    expect(list.headers.get('X-Number-Of-Items')).toBe('1');
    const refused = await callAs(s, old, 'GET', `/events?AfterDate=${limit - 10}&BeforeDate=${limit - 5}`);
    expectApiError(refused, 400, 'param_error');
    expect(refused.body.errors).toEqual({
      AfterDate: 'Events older than 45 days can not be searched',
      BeforeDate: 'Events older than 45 days can not be searched',
    });
    expect(resources(await callAs(s, old, 'GET', `/events?AfterDate=${limit + 50}`))).toEqual(['kyc_m_recent']);
  });
});

describe('rate limiting', () => {
  it('sends the three headers, four values each, on every authenticated reply, errors included', async () => {
    const owner = await create('/sca/users/natural', naturalOwner());
    const other = await s.newClient();
    const replies = [
      await s.call('GET', '/users'),
      await s.call('POST', '/sca/users/natural', { body: naturalPayer() }),
      await s.call('GET', `/users/legal/${owner.Id}`),
      await s.call('GET', '/users?per_page=0'),
      await s.call('GET', '/no-such-route'),
      await s.call('POST', '/sca/users/natural', { raw: '{', contentType: 'application/json' }),
      await s.call('POST', '/sca/users/natural', { raw: 'x', contentType: 'text/plain' }),
      await s.call('POST', '/users/natural', { body: naturalPayer() }),
      await s.call('GET', '/users', { token: await s.tokenFor(other) }),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 200, 404, 400, 404, 400, 415, 410, 401]);
    const windows = [900, 1800, 3600, 86400];
    for (const r of replies) {
      const { made, remaining, reset } = rateLimitHeaders(r);
      made.forEach((m, i) => {
        expect(m).toBeGreaterThan(0);
        expect(remaining[i]).toBe(Math.max(0, s.config.rateLimits[i] - m));
        expect(reset[i]).toBeGreaterThan(now() - 1);
        expect(reset[i]).toBeLessThanOrEqual(now() + windows[i] + 1);
      });
    }
  });

  it('answers 429 rate_limit past MANGROVE_RATE_LIMITS', async () => {
    const limited = await sibling({ MANGROVE_RATE_LIMITS: '5,10,20,100' });
    for (let i = 1; i <= 5; i++) {
      const r = await limited.call('GET', '/users');
      expect(r.status).toBe(200);
      expect(rateLimitHeaders(r)).toMatchObject({ made: [i, i, i, i], remaining: [5 - i, 10 - i, 20 - i, 100 - i] });
    }
    const r = await limited.call('GET', '/users');
    expectApiError(r, 429, 'rate_limit');
    expect(rateLimitHeaders(r)).toMatchObject({ made: [6, 6, 6, 6], remaining: [0, 4, 14, 94] });
    expectApiError(await limited.call('POST', '/sca/users/natural', { body: naturalPayer() }), 429, 'rate_limit');
  });

  it('shares the count between two servers on the same database', async () => {
    const one = await sibling({ MANGROVE_RATE_LIMITS: '5,10,20,100' });
    const two = await sibling({ MANGROVE_RATE_LIMITS: '5,10,20,100' });
    const c = await one.newClient();
    const token = await one.tokenFor(c);
    const made: number[] = [];
    for (const server of [one, two, one, two, one]) {
      const r = await server.fetch('GET', `/v2.01/${c.id}/users`, { token });
      expect(r.status).toBe(200);
      made.push(rateLimitHeaders(r).made[0]);
    }
    expect(made).toEqual([1, 2, 3, 4, 5]);
    expectApiError(await two.fetch('GET', `/v2.01/${c.id}/users`, { token }), 429, 'rate_limit');
    expectApiError(await one.fetch('GET', `/v2.01/${c.id}/users`, { token }), 429, 'rate_limit');
  });
});

describe('legacy user endpoints', () => {
  it('answer 410 deprecated_endpoint naming the SCA replacement by default', async () => {
    const natural = await create('/sca/users/natural', naturalPayer());
    const legal = await create('/sca/users/legal', legalPayer());
    const cases: [string, string, unknown, string][] = [
      ['POST', '/users/legal', legacyLegalOwner(), 'POST /sca/users/legal'],
      ['POST', '/users/natural', naturalPayer(), 'POST /sca/users/natural'],
      ['PUT', `/users/legal/${legal.Id}`, { Name: 'x' }, 'PUT /sca/users/legal/{UserId}'],
      ['PUT', `/users/natural/${natural.Id}`, { FirstName: 'x' }, 'PUT /sca/users/natural/{UserId}'],
    ];
    for (const [method, path, body, replacement] of cases) {
      const r = await s.call(method, path, { body });
      expectApiError(r, 410, 'deprecated_endpoint');
      expect(r.body.Message).toContain(replacement);
      expect(r.body.Message).toMatch(/15 December 2025/);
    }
    expect((await s.call('GET', `/users/natural/${natural.Id}`)).body.FirstName).toBe('Bob');
    // Reads stay open.
    expect((await s.call('GET', `/users/legal/${legal.Id}`)).status).toBe(200);
  });

  it('keep working with the flat legacy shape when MANGROVE_LEGACY_USERS=allow', async () => {
    const legacy = await sibling({ MANGROVE_LEGACY_USERS: 'allow' });
    const created = await legacy.call('POST', '/users/legal', { body: legacyLegalOwner() });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({
      PersonType: 'LEGAL',
      UserCategory: 'OWNER',
      UserStatus: 'ACTIVE',
      LegalRepresentativeFirstName: 'Louis',
      LegalRepresentativeLastName: 'Legrand',
      LegalRepresentativeEmail: 'louis@example.com',
      LegalRepresentativeBirthday: 188352000,
      LegalRepresentativeNationality: 'FR',
      LegalRepresentativeCountryOfResidence: 'FR',
    });
    expect(created.body).not.toHaveProperty('LegalRepresentative');
    expect(created.body).not.toHaveProperty('PendingUserAction');

    const updated = await legacy.call('PUT', `/users/legal/${created.body.Id}`, { body: { LegalRepresentativeFirstName: 'Louise' } });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.LegalRepresentativeFirstName).toBe('Louise');
    expect((await legacy.call('GET', `/sca/users/${created.body.Id}`)).body.LegalRepresentative.FirstName).toBe('Louise');

    const natural = await legacy.call('POST', '/users/natural', { body: naturalOwner({ PhoneNumber: undefined, PhoneNumberCountry: undefined }) });
    expect(natural.status, JSON.stringify(natural.body)).toBe(200);
    expect(Object.keys(natural.body)[0]).toBe('Address');
    expect(natural.body).toMatchObject({ PersonType: 'NATURAL', FirstName: 'Alice', UserStatus: 'ACTIVE' });
    const renamed = await legacy.call('PUT', `/users/natural/${natural.body.Id}`, { body: { FirstName: 'Alicia' } });
    expect(renamed.body.FirstName).toBe('Alicia');
  });
});

describe('sandbox switch', () => {
  it('MANGROVE_SANDBOX=off makes every /sandbox path 404', async () => {
    const off = await sibling({ MANGROVE_SANDBOX: 'off' });
    const owner = await create('/sca/users/natural', naturalOwner(), off);
    const r = await off.call('POST', `/sandbox/users/${owner.Id}/sca/complete`);
    expectApiError(r, 404, 'ressource_not_found');
    expect(r.body.errors.RessourceNotFound).toMatch(/No endpoint/);
    expectApiError(await off.call('GET', '/sandbox/clock'), 404, 'ressource_not_found');
    expect((await off.call('GET', `/sca/users/${owner.Id}`)).body.UserStatus).toBe('PENDING_USER_ACTION');
    // The same call on a server with the sandbox on completes the enrollment.
    const done = await s.fetch('POST', `/v2.01/${off.client.id}/sandbox/users/${owner.Id}/sca/complete`, { token: await off.token() });
    expect(done.status).toBe(200);
    expect(done.body.UserStatus).toBe('ACTIVE');
  });
});

describe('the SCA page', () => {
  async function pendingOwner(kind: 'legal' | 'natural' = 'legal') {
    const user = await create(`/sca/users/${kind}`, kind === 'legal' ? legalOwner() : naturalOwner());
    expect(user.UserStatus).toBe('PENDING_USER_ACTION');
    const url = new URL(user.PendingUserAction.RedirectUrl);
    expect(url.origin).toBe(s.url);
    expect(url.pathname).toBe('/sca');
    return { user, url, token: url.searchParams.get('token')! };
  }

  const submit = (fields: Record<string, string>) =>
    s.fetch('POST', '/sca', { raw: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });

  async function eventsOf(id: string, type: string) {
    const r = await s.call('GET', `/events?EventType=${type}&per_page=100`);
    return r.body.filter((e: any) => e.ResourceId === id);
  }

  it('shows an HTML form for the token of a RedirectUrl', async () => {
    const { url, token } = await pendingOwner();
    const r = await s.fetch('GET', url.pathname + url.search);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.body).toContain('<form method="post"');
    expect(r.body).toContain(`name="token" value="${token}"`);
    expect(r.body).toContain('name="passcode"');
    expect(r.body).toContain('Jeanne Martin');
  });

  it('activates the user with passcode 702100', async () => {
    const { user, token } = await pendingOwner();
    const r = await submit({ token, passcode: '702100' });
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/enrolled/);
    const after = await s.call('GET', `/sca/users/${user.Id}`);
    expect(after.body.UserStatus).toBe('ACTIVE');
    expect(await eventsOf(user.Id, 'USER_ACCOUNT_ACTIVATED')).toHaveLength(1);
    expect(await eventsOf(user.Id, 'SCA_ENROLLMENT_SUCCEEDED')).toHaveLength(1);
    expect((await s.call('GET', `/sca/users/${user.Id}/sca-status`)).body.IsEnrolled).toBe(true);
  });

  it('does not activate on a wrong passcode, and records SCA_ENROLLMENT_FAILED', async () => {
    const { user, token } = await pendingOwner('natural');
    const r = await submit({ token, passcode: '000000' });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await s.call('GET', `/sca/users/${user.Id}`)).body.UserStatus).toBe('PENDING_USER_ACTION');
    expect(await eventsOf(user.Id, 'SCA_ENROLLMENT_FAILED')).toHaveLength(1);
    expect(await eventsOf(user.Id, 'USER_ACCOUNT_ACTIVATED')).toHaveLength(0);
    // The link still works for a second try.
    expect((await submit({ token, passcode: '702100' })).status).toBe(200);
    expect((await s.call('GET', `/sca/users/${user.Id}`)).body.UserStatus).toBe('ACTIVE');
  });

  it('refuses a token already used, and an unknown one', async () => {
    const { user, url, token } = await pendingOwner();
    expect((await submit({ token, passcode: '702100' })).status).toBe(200);
    const again = await submit({ token, passcode: '702100' });
    expect(again.status).toBe(410);
    expect(again.body).toMatch(/already/);
    const page = await s.fetch('GET', url.pathname + url.search);
    expect(page.status).toBe(410);
    expect(page.body).not.toContain('<form');
    expect(await eventsOf(user.Id, 'USER_ACCOUNT_ACTIVATED')).toHaveLength(1);
    expect((await s.fetch('GET', '/sca?token=nope')).status).toBe(404);
    expect((await s.fetch('GET', '/sca')).status).toBe(404);
    expect((await submit({ token: 'nope', passcode: '702100' })).status).toBe(404);
  });

  it('refuses an expired link', async () => {
    const { user, url, token } = await pendingOwner();
    await s.db.query('UPDATE sca_sessions SET expires_at = $2 WHERE token = $1', [token, now() - 1]);
    const page = await s.fetch('GET', url.pathname + url.search);
    expect(page.status).toBe(410);
    expect(page.body).toMatch(/expired/);
    const r = await submit({ token, passcode: '702100' });
    expect(r.status).toBe(410);
    expect((await s.call('GET', `/sca/users/${user.Id}`)).body.UserStatus).toBe('PENDING_USER_ACTION');
  });

  it('escapes what it shows and forbids scripts', async () => {
    const user = await create(
      '/sca/users/legal',
      legalOwner({ LegalRepresentative: { ...legalOwner().LegalRepresentative, FirstName: '<script>alert(1)</script>' } }),
    );
    const url = new URL(user.PendingUserAction.RedirectUrl);
    const page = await s.fetch('GET', `${url.pathname}${url.search}&ReturnUrl=${encodeURIComponent('https://x.example/"><script>')}`);
    expect(page.status).toBe(200);
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).toContain('&#60;script&#62;');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  });

  it('redirects (303) to ReturnUrl only when it is http(s)', async () => {
    const a = await pendingOwner();
    const redirected = await submit({ token: a.token, passcode: '702100', ReturnUrl: 'https://platform.example/back?step=2' });
    expect(redirected.status).toBe(303);
    expect(redirected.headers.get('location')).toBe('https://platform.example/back?step=2');

    for (const ReturnUrl of ['javascript:alert(1)', 'data:text/html,hi', 'ftp://files.example/', '//evil.example/', 'not a url']) {
      const b = await pendingOwner('natural');
      const form = await s.fetch('GET', `/sca?token=${b.token}&ReturnUrl=${encodeURIComponent(ReturnUrl)}`);
      expect(form.status).toBe(200);
      expect(form.body).not.toContain('ReturnUrl');
      const r = await submit({ token: b.token, passcode: '702100', ReturnUrl });
      expect(r.status, ReturnUrl).toBe(200);
      expect(r.headers.get('location')).toBeNull();
      expect((await s.call('GET', `/sca/users/${b.user.Id}`)).body.UserStatus).toBe('ACTIVE');
    }
    const c = await pendingOwner();
    const form = await s.fetch('GET', `/sca?token=${c.token}&ReturnUrl=${encodeURIComponent('http://platform.example/done')}`);
    expect(form.body).toContain('name="ReturnUrl" value="http://platform.example/done"');
  });

  it('builds RedirectUrl and Link from MANGROVE_PUBLIC_URL when set', async () => {
    const pub = await sibling({ MANGROVE_PUBLIC_URL: 'https://mangrove.example.test/base/' });
    const owner = await pub.call('POST', '/sca/users/legal', { body: legalOwner() });
    expect(owner.body.PendingUserAction.RedirectUrl).toMatch(/^https:\/\/mangrove\.example\.test\/base\/sca\?token=/);
    const list = await pub.call('GET', '/users?per_page=1');
    const first = links(list).first;
    expect(first.origin + first.pathname).toBe(`https://mangrove.example.test/base/v2.01/${pub.client.id}/users`);
  });
});

describe('faults never drop the connection', () => {
  it('answers an unexpected server fault with a 500 in the Mangopay shape, and keeps serving', async () => {
    const owner = await create('/sca/users/legal', legalOwner());
    await s.db.query('ALTER TABLE sca_sessions RENAME TO sca_sessions_away');
    let r: Reply;
    try {
      r = await s.call('POST', `/sca/users/${owner.Id}/enrollment`);
    } finally {
      await s.db.query('ALTER TABLE sca_sessions_away RENAME TO sca_sessions');
    }
    expectApiError(r, 500, 'other');
    expect(r.body.Message).toBe('Internal Server Error');
    expect(JSON.stringify(r.body)).not.toMatch(/sca_sessions|relation|SELECT|INSERT/i);
    rateLimitHeaders(r);
    expect((await s.call('POST', `/sca/users/${owner.Id}/enrollment`)).status).toBe(200);
  });

  it('refuses text PostgreSQL cannot store (NUL, unpaired surrogates) with 400, not a fault', async () => {
    const cases: [string, string, CallOptions][] = [
      ['POST', '/sca/users/natural', { body: naturalPayer({ FirstName: 'a\u0000b' }) }],
      ['POST', '/sca/users/natural', { body: naturalPayer({ FirstName: 'a\ud800b' }) }],
      ['POST', '/sca/users/legal', { body: legalPayer({ LegalRepresentative: { FirstName: 'x\udc00', LastName: 'y' } }) }],
      ['POST', '/sca/users/natural', { body: { ...naturalPayer(), 'Tag\u0000': 'x' } }],
      ['GET', '/users/user_m_%00', {}],
      ['GET', '/events?EventType=USER%00', {}],
      ['GET', '/users?Sort=CreationDate%00', {}],
    ];
    for (const [method, path, opts] of cases) {
      const r = await s.call(method, path, opts);
      expectApiError(r, 400, 'param_error');
    }
    const legal = await s.call('POST', '/sca/users/legal', {
      body: legalPayer({ LegalRepresentative: { FirstName: 'x\udc00', LastName: 'y' } }),
    });
    expect(Object.keys(legal.body.errors)).toEqual(['LegalRepresentative.FirstName']);
    // A well-formed pair is fine.
    expect((await s.call('POST', '/sca/users/natural', { body: naturalPayer({ FirstName: 'Zoé 😀' }) })).body.FirstName).toBe('Zoé 😀');
    expect((await s.fetch('GET', '/sca?token=%00')).status).toBe(400);
  });

  it('refuses JSON nested far deeper than the call stack as a whole, naming Body', async () => {
    // It used to be walked to a field error (FirstName[0]...): nesting is now bounded once, when the body is parsed.
    const depth = 200_000;
    const raw = `{"FirstName":${'['.repeat(depth)}"\\u0000"${']'.repeat(depth)},"LastName":"Deep"}`;
    const r = await s.call('POST', '/sca/users/natural', { raw, contentType: 'application/json' });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['Body']);
    expect(r.body.errors.Body).toMatch(/64 levels/);
  });

  it('answers a path that is not valid URL encoding, or an id too long to exist, in the Mangopay shape', async () => {
    expectApiError(await s.call('GET', '/users/%zz'), 400, 'param_error');
    expectApiError(await s.call('GET', `/users/${'a'.repeat(300)}`), 404, 'ressource_not_found');
  });

  it('answers an HTTP request Node cannot parse in the Mangopay shape', async () => {
    const bad = parseRaw(await rawExchange(s.url, 'GET /v2.01/x/users HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n'));
    expectApiError(bad, 400, 'param_error');
    const huge = parseRaw(await rawExchange(s.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expectApiError(huge, 431, 'param_error');
  });
});

describe('hostile wire', () => {
  const nested = (depth: number, inner: string) => `${'['.repeat(depth - 1)}${inner}${']'.repeat(depth - 1)}`;

  it('refuses a body nested deeper than 64 levels with 400 naming Body, even with an Idempotency-Key', async () => {
    const deep = `{"FirstName":"Deep","Tag":${nested(5000, '"x"')}}`;
    for (const headers of [{}, { 'Idempotency-Key': `deep-${Date.now()}-0123456789` }] as Record<string, string>[]) {
      const r = await s.call('POST', '/sca/users/natural', { raw: deep, contentType: 'application/json', headers });
      expectApiError(r, 400, 'param_error');
      expect(r.body.errors).toEqual({ Body: expect.stringMatching(/nests arrays and objects deeper than 64 levels/) });
    }
  });

  it('refuses a deep body inside an amount the same way', async () => {
    const raw =
      `{"AuthorId":"u","DebitedWalletId":"a","CreditedWalletId":"b","Fees":{"Currency":"EUR","Amount":0},` +
      `"DebitedFunds":{"Currency":"EUR","Amount":${nested(5000, '1')}}}`;
    const r = await s.call('POST', '/transfers', { raw, contentType: 'application/json' });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['Body']);
  });

  it('counts only real nesting: 64 levels pass to the field rules, brackets inside strings are text', async () => {
    // 1 level for the body, 63 around the Tag.
    const r = await s.call('POST', '/sca/users/natural', { raw: `{"FirstName":"x","Tag":${nested(63, '"t"')}}`, contentType: 'application/json' });
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).not.toHaveProperty('Body');
    const tag = `[{"\\"${'['.repeat(200)}`;
    const ok = await s.call('POST', '/sca/users/natural', { body: naturalPayer({ Tag: tag }) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.Tag).toBe(tag);
  });

  // More than the socket buffers of loopback hold, so that the client is still sending when the answer is ready.
  const BIG = 24 * 1024 * 1024;
  const upload = (server: TestServer, method: string, path: string, extra = '') =>
    uploadThenRead(
      server.url,
      `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${BIG}\r\n` +
        `Connection: close\r\n${extra}\r\n`,
      BIG,
    );

  it('reads a large body it refuses before reading (401, 404, 413) so that the client gets the answer', async () => {
    const small = await sibling({ MANGROVE_BODY_LIMIT: '1048576' });
    const cases: [TestServer, string, string, string, number, string][] = [
      [s, 'POST', `/v2.01/${s.client.id}/sca/users/natural`, '', 401, 'invalid_credentials'],
      [s, 'GET', '/no/such/route', '', 404, 'ressource_not_found'],
      [small, 'POST', `/v2.01/${small.client.id}/sca/users/natural`, `Authorization: Bearer ${await small.token()}\r\n`, 413, 'payload_too_large'],
    ];
    for (const [server, method, path, extra, status, type] of cases) {
      const { text, error } = await upload(server, method, path, extra);
      expect(error, `${method} ${path}: ${text.slice(0, 200)}`).toBeNull();
      expectApiError(parseRaw(text), status, type);
    }
  });

  it('answers a HEAD request Node cannot parse with headers only', async () => {
    // A bad header line, and a bad body after a good head (Node made the request before the body failed).
    for (const request of [
      'HEAD /v2.01/x/users HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n',
      'HEAD /v2.01/x/users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ]) {
      const text = await rawExchange(s.url, request);
      expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(text.endsWith('\r\n\r\n'), text).toBe(true);
    }
    // A GET refused the same way keeps its body.
    const get = await rawExchange(s.url, 'GET /v2.01/x/users HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n');
    expectApiError(parseRaw(get), 400, 'param_error');
  });

  it('builds Link from the paging parameters and the filters only, whatever else the query holds', async () => {
    const junk = Array.from({ length: 1000 }, (_, i) => `junk${i}=vvvvvv`).join('&');
    expect(junk.length).toBeGreaterThan(13_000);
    const r = await s.call('GET', `/users?${junk}&Sort=CreationDate:DESC&per_page=1`);
    expect(r.status).toBe(200);
    const l = links(r);
    expect(Object.keys(l)).toContain('first');
    expect([...l.first.searchParams.keys()]).toEqual(['Sort', 'page', 'per_page']);
    expect(l.first.searchParams.get('Sort')).toBe('CreationDate:DESC');
    expect(r.headers.get('Link')!.length).toBeLessThan(2000);
    // A list's own filter is kept.
    const ev = await s.call('GET', `/events?${junk}&EventType=USER_KYC_REGULAR&per_page=1`);
    expect(ev.status).toBe(200);
    expect(links(ev).first.searchParams.get('EventType')).toBe('USER_KYC_REGULAR');
  });

  it('leaves Link out rather than send one longer than clients read', async () => {
    const r = await s.call('GET', `/events?EventType=${'A'.repeat(10_000)}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('Link')).toBeNull();
    expect(r.headers.get('X-Number-Of-Pages')).toBe('1');
  });
});
