import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { expectApiError } from './helpers/errors.js';
import { fileServer, type CallOptions, type Reply } from './helpers/server.js';

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
    // Ruby's Net::HTTP add_field keeps the JSON content type the request started with.
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
    // A quoted boundary, as RFC 2046 allows.
    await expectToken(await tokenRequest({ raw: body, contentType: `multipart/form-data; boundary="${b}"` }), 'quoted boundary');
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
