import { describe, expect, it } from 'vitest';
import { createClient } from '../src/modules/auth/service.js';
import { expectApiError } from './helpers/errors.js';
import { address, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer, type CallOptions, type Reply } from './helpers/server.js';

// What the official SDKs of other languages put on the wire, byte for byte where it matters.
const { s } = fileServer();

const basic = () => `Basic ${Buffer.from(`${s.client.id}:${s.client.apiKey}`).toString('base64')}`;

function tokenRequest(opts: CallOptions & { path?: string; method?: string } = {}): Promise<Reply> {
  return s.fetch(opts.method ?? 'POST', opts.path ?? '/v2.01/oauth/token', {
    ...opts,
    headers: { authorization: basic(), ...opts.headers },
  });
}

async function expectToken(r: Reply, label: string): Promise<void> {
  expect(r.status, `${label}: ${JSON.stringify(r.body)}`).toBe(200);
  expect(r.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
  const use = await s.call('GET', '/users', { token: r.body.access_token });
  expect(use.status, label).toBe(200);
}

function multipart(boundary: string, fields: Record<string, string>): string {
  return (
    Object.entries(fields)
      .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
      .join('') + `--${boundary}--\r\n`
  );
}

describe('POST /v2.01/oauth/token as each SDK sends it', () => {
  it('reads a urlencoded body (Ruby, Java, .NET, Node)', async () => {
    await expectToken(await tokenRequest({ raw: 'grant_type=client_credentials', contentType: 'application/x-www-form-urlencoded' }), 'form');
    // Two types in one header, as repeated Net::HTTP add_field calls make: Fastify alone would refuse it.
    await expectToken(
      await tokenRequest({ raw: 'grant_type=client_credentials', contentType: 'application/json, application/x-www-form-urlencoded' }),
      'form labelled json and form',
    );
    await expectToken(await tokenRequest({ raw: 'grant_type=client_credentials', contentType: null }), 'form without a content type');
    await expectToken(await tokenRequest({ raw: 'grant_type=client_credentials', contentType: 'text/plain' }), 'form labelled text');
  });

  it('reads a JSON body whatever its declared content type (Python labels it urlencoded)', async () => {
    const json = JSON.stringify({ grant_type: 'client_credentials' });
    await expectToken(await tokenRequest({ raw: json, contentType: 'application/x-www-form-urlencoded' }), 'json as form');
    await expectToken(await tokenRequest({ raw: json, contentType: 'application/json' }), 'json');
    await expectToken(await tokenRequest({ raw: json, contentType: null }), 'json without a content type');
  });

  it("reads a multipart body, labelled multipart or urlencoded (PHP's cURL)", async () => {
    const b = '------------------------a1b2c3d4e5f6';
    const body = multipart(b, { other: 'x', grant_type: 'client_credentials' });
    await expectToken(await tokenRequest({ raw: body, contentType: `multipart/form-data; boundary=${b}` }), 'multipart');
    await expectToken(
      await tokenRequest({ raw: body, contentType: `application/x-www-form-urlencoded; boundary=${b}` }),
      'multipart labelled form with boundary',
    );
    await expectToken(await tokenRequest({ raw: body, contentType: 'application/x-www-form-urlencoded' }), 'multipart labelled form');
    // A quoted boundary, as RFC 2046 allows, and a preamble line break before the first part.
    await expectToken(await tokenRequest({ raw: body, contentType: `multipart/form-data; boundary="${b}"` }), 'quoted boundary');
    await expectToken(await tokenRequest({ raw: `\r\n${body}`, contentType: 'application/x-www-form-urlencoded' }), 'leading line break');
  });

  it('reads grant_type from the query string', async () => {
    await expectToken(await tokenRequest({ path: '/v2.01/oauth/token?grant_type=client_credentials' }), 'query');
    await expectToken(await tokenRequest({ path: '/v2.01/oauth/token/?grant_type=client_credentials', raw: '', contentType: 'application/x-www-form-urlencoded' }), 'query, slash');
  });

  it('still refuses another grant, a missing one, and a multipart body without the field', async () => {
    const b = 'XyZ';
    for (const [raw, contentType] of [
      ['grant_type=password', 'application/x-www-form-urlencoded'],
      [JSON.stringify({ grant_type: 'password' }), 'application/x-www-form-urlencoded'],
      [multipart(b, { scope: 'client_credentials' }), `multipart/form-data; boundary=${b}`],
      ['{not json', 'application/json'],
      ['', null],
    ] as const) {
      const r = await tokenRequest({ raw, contentType });
      expectApiError(r, 400, 'param_error');
      expect(r.body.error, raw).toBe('unsupported_grant_type');
    }
  });

  it('keeps bad credentials an invalid_client 401, whatever the body', async () => {
    const r = await s.fetch('POST', '/v2.01/oauth/token', {
      raw: JSON.stringify({ grant_type: 'client_credentials' }),
      contentType: 'application/x-www-form-urlencoded',
      headers: { authorization: `Basic ${Buffer.from(`${s.client.id}:wrong`).toString('base64')}` },
    });
    expectApiError(r, 401, 'invalid_credentials');
    expect(r.body.error).toBe('invalid_client');
  });

  it('answers other methods on the token path with 405 in the Mangopay shape, not 401', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      for (const path of ['/v2.01/oauth/token', '/v2.01/oauth/token/', '/V2.01/OAUTH/TOKEN']) {
        const r = await s.fetch(method, path, { headers: {} });
        expectApiError(r, 405, 'method_not_allowed');
        expect(r.headers.get('allow')).toBe('POST');
      }
    }
  });
});

describe('lenient values', () => {
  it('takes booleans as true/false, 1/0 and their strings (the Python SDK sends 1 and 0)', async () => {
    for (const accepted of [1, '1', 'true', 'TRUE', true]) {
      const r = await s.call('POST', '/sca/users/natural', { body: naturalOwner({ TermsAndConditionsAccepted: accepted }) });
      expect(r.status, `${JSON.stringify(accepted)}: ${JSON.stringify(r.body)}`).toBe(200);
      expect(r.body.TermsAndConditionsAccepted).toBe(true);
    }
    for (const refused of [0, '0', 'false', false]) {
      // An OWNER must accept the terms: each of these spellings of "no" is read as no.
      const r = await s.call('POST', '/sca/users/natural', { body: naturalOwner({ TermsAndConditionsAccepted: refused }) });
      expectApiError(r, 403, 'user_hasnt_accepted_terms_and_conditions');
    }
    for (const bad of [2, 'yes', [], { a: 1 }]) {
      const r = await s.call('POST', '/sca/users/natural', { body: naturalPayer({ TermsAndConditionsAccepted: bad }) });
      expectApiError(r, 400, 'param_error');
      expect(r.body.errors, JSON.stringify(bad)).toHaveProperty('TermsAndConditionsAccepted');
    }
  });

  it('deactivates a bank account sent Active: 0, and filters lists by Active=0', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const account = await s.call('POST', `/users/${user.Id}/bankaccounts/iban`, {
      body: { OwnerName: 'Alice Durand', OwnerAddress: address(), IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
    });
    expect(account.status, JSON.stringify(account.body)).toBe(200);
    const off = await s.call('PUT', `/users/${user.Id}/bankaccounts/${account.body.Id}`, { body: { Active: 0 } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    expect(off.body.Active).toBe(false);
    const inactive = await s.call('GET', `/users/${user.Id}/bankaccounts?Active=0`);
    expect(inactive.body.map((a: any) => a.Id)).toEqual([account.body.Id]);
    expect((await s.call('GET', `/users/${user.Id}/bankaccounts?Active=1`)).body).toEqual([]);
  });

  it('reads page=0 as the first page; a negative page is still refused', async () => {
    const c = await s.newClient();
    const token = await s.tokenFor(c);
    for (let i = 1; i <= 3; i++) {
      const r = await s.fetch('POST', `/v2.01/${c.id}/sca/users/natural`, { token, body: naturalPayer({ Tag: `u${i}` }) });
      expect(r.status).toBe(200);
    }
    const zero = await s.fetch('GET', `/v2.01/${c.id}/users?page=0&per_page=2`, { token });
    const one = await s.fetch('GET', `/v2.01/${c.id}/users?page=1&per_page=2`, { token });
    expect(zero.status).toBe(200);
    expect(zero.body.map((u: any) => u.Tag)).toEqual(one.body.map((u: any) => u.Tag));
    expect(zero.headers.get('X-Number-Of-Pages')).toBe('2');
    const negative = await s.fetch('GET', `/v2.01/${c.id}/users?page=-1`, { token });
    expectApiError(negative, 400, 'param_error');
    expect(negative.body.errors).toHaveProperty('page');
    expectApiError(await s.fetch('GET', `/v2.01/${c.id}/users?per_page=101`, { token }), 400, 'param_error');
  });
});

describe('paths', () => {
  it('collapse empty segments before routing, keeping the query, the case-insensitivity and the trailing slash', async () => {
    const user = await createUser(s, 'natural', naturalPayer({ Tag: 'slashes' }));
    for (const path of [`//users//${user.Id}`, `/users//${user.Id}/`, `//USERS///${user.Id}//`]) {
      const r = await s.call('GET', path);
      expect(r.status, path).toBe(200);
      expect(r.body.Id).toBe(user.Id);
    }
    const token = await s.token();
    const r = await s.fetch('GET', `/v2.01//${s.client.id}//users//?per_page=1&Sort=CreationDate:DESC`, { token });
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(1);

    const key = `slashes-${Date.now()}-abcdefgh`;
    const created = await s.call('POST', '/sca/users/natural', { body: naturalPayer(), headers: { 'Idempotency-Key': key } });
    expect(created.status).toBe(200);
    const stored = await s.call('GET', `/responses//${key}`);
    expect(stored.status, JSON.stringify(stored.body)).toBe(200);
    expect(stored.body.Resource.Id).toBe(created.body.Id);
  });

  it('answer a path without a client id with 404 "No endpoint", never a 401 about the client', async () => {
    const token = await s.token();
    for (const path of ['/v2.01/countries/ZZ/nothing', '/v2.01/countries', '/v2.01/oauth', '/v2.01/oauth/other', '/v2.01/Countries/FR/x/y']) {
      for (const [method, t] of [['GET', null], ['GET', token], ['POST', token], ['DELETE', null]] as const) {
        const r = await s.fetch(method, path, { token: t });
        expectApiError(r, 404, 'ressource_not_found');
        expect(r.body.errors.RessourceNotFound, `${method} ${path}`).toMatch(new RegExp(`^No endpoint ${method} `));
      }
    }
  });

  it('refuses to create a client whose id is a path that takes none', async () => {
    await expect(createClient(s.db, { id: 'countries' })).rejects.toThrow(/invalid client id/);
    await expect(createClient(s.db, { id: 'OAuth' })).rejects.toThrow(/invalid client id/);
  });
});

describe('token endpoint bounds', () => {
  it('refuses a body over 16 KiB with 413 naming that limit', async () => {
    const r = await tokenRequest({ raw: `grant_type=client_credentials&pad=${'x'.repeat(17 * 1024)}`, contentType: 'application/x-www-form-urlencoded' });
    expectApiError(r, 413, 'payload_too_large');
    expect(r.body.Message).toContain('16384 bytes');
  });
});
