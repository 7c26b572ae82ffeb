import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { buildServer } from '../src/server.js';
import { expectApiError } from './helpers/errors.js';
import { legalOwner } from './helpers/fixtures.js';
import { parseRaw, rawExchange } from './helpers/raw-http.js';
import { fileServer, type Reply } from './helpers/server.js';

// Links never come from the Host header; a Host nothing could be built from is a 400 in Mangopay's shape.
const { s } = fileServer();

/** Writes one raw HTTP request and reads the answer until the server closes the connection. */
const raw = async (url: string, request: string): Promise<Reply> => parseRaw(await rawExchange(url, request));

const request = (method: string, path: string, headers: Record<string, string>, version = '1.1', body?: string) =>
  `${method} ${path} HTTP/${version}\r\n` +
  Object.entries({ ...headers, ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}), Connection: 'close' })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('') +
  `\r\n${body ?? ''}`;

describe('the Host header', () => {
  it('never makes SCA links or Link headers: they point at the listening address', async () => {
    const token = await s.token();
    const auth = { Authorization: `Bearer ${token}` };
    const owner = await raw(s.url, request('POST', `/v2.01/${s.client.id}/sca/users/legal`, { Host: 'evil.example', ...auth }, '1.1', JSON.stringify(legalOwner())));
    expect(owner.status, JSON.stringify(owner.body)).toBe(200);
    expect(owner.body.PendingUserAction.RedirectUrl.startsWith(`${s.url}/sca?token=`)).toBe(true);

    const list = await raw(s.url, request('GET', `/v2.01/${s.client.id}/users?per_page=1`, { Host: 'evil.example:666', ...auth }));
    expect(list.status).toBe(200);
    const link = list.headers.get('link')!;
    expect(link).toContain(`<${s.url}/v2.01/${s.client.id}/users?`);
    expect(link).not.toContain('evil');
  });

  it('answers a malformed Host with 400 param_error naming Host, on every kind of route', async () => {
    const token = await s.token();
    for (const host of ['a b', 'evil.example/path', '[::1', 'x:port', 'user@evil.example', 'evil.example:1:2', '']) {
      for (const [method, path, headers] of [
        ['GET', `/v2.01/${s.client.id}/users`, { Authorization: `Bearer ${token}` }],
        ['GET', `/v2.01/${s.client.id}/users`, {}],
        ['POST', '/v2.01/oauth/token', {}],
        ['GET', '/nowhere', {}],
      ] as const) {
        const r = await raw(s.url, request(method, path, { Host: host, ...headers }));
        expectApiError(r, 400, 'param_error');
        expect(Object.keys(r.body.errors), `${JSON.stringify(host)} ${method} ${path}`).toEqual(['Host']);
      }
    }
  });

  it('accepts the Host forms HTTP allows: names, IPv4, bracketed IPv6, with or without a port', async () => {
    const token = await s.token();
    for (const host of ['localhost', 'localhost:8080', '127.0.0.1', '[::1]:80', 'api.mangopay.com', 'xn--bcher-kva.example']) {
      const r = await raw(s.url, request('GET', `/v2.01/${s.client.id}/users?per_page=1`, { Host: host, Authorization: `Bearer ${token}` }));
      expect(r.status, host).toBe(200);
      expect(r.headers.get('link')).toContain(s.url);
    }
  });

  it('answers HTTP/1.1 without Host with 400 in Mangopay\'s shape; HTTP/1.0 needs none', async () => {
    const token = await s.token();
    const missing = await raw(s.url, request('GET', `/v2.01/${s.client.id}/users`, { Authorization: `Bearer ${token}` }));
    expectApiError(missing, 400, 'param_error');
    expect(missing.body.errors).toEqual({ Host: 'The Host header is required' });

    const old = await raw(s.url, request('GET', `/v2.01/${s.client.id}/users?per_page=1`, { Authorization: `Bearer ${token}` }, '1.0'));
    expect(old.status, JSON.stringify(old.body)).toBe(200);
    expect(old.headers.get('link')).toContain(`<${s.url}/v2.01/`);
  });

  it('uses the address a connection arrived on when the server listens on every interface', async () => {
    const app = await buildServer({ db: s.db, config: loadConfig({ PORT: '0' }) });
    try {
      await app.listen({ port: 0, host: '0.0.0.0' });
      const addr = app.server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      const r = await raw(`http://127.0.0.1:${port}`, request('GET', `/v2.01/${s.client.id}/users?per_page=1`, { Host: 'evil.example', Authorization: `Bearer ${await s.token()}` }));
      expect(r.status).toBe(200);
      expect(r.headers.get('link')).toContain(`<http://127.0.0.1:${port}/v2.01/`);
    } finally {
      await app.close();
    }
  });
});
