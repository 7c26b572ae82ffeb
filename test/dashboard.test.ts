import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLinkToken, SESSION_COOKIE } from '../src/dashboard/session.js';
import { explainUserSearch } from '../src/dashboard/store.js';
import { legalOwner, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { processStorage, runCli, spawnServer } from './helpers/process.js';
import { createUser, fileServer, type TestServer } from './helpers/server.js';

const { s } = fileServer();

interface Page {
  status: number;
  headers: Headers;
  html: string;
}

/** A browser without a browser: a cookie jar, forms posted as urlencoded, redirects not followed. */
class Browser {
  cookies = new Map<string, string>();
  constructor(readonly base: () => string) {}
  private async send(method: string, p: string, form?: Record<string, string>): Promise<Page> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(this.base() + p, { method, headers, body: form ? new URLSearchParams(form).toString() : undefined, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      const value = pair.slice(eq + 1);
      if (value && !/Max-Age=0/.test(c)) this.cookies.set(pair.slice(0, eq), value);
      else this.cookies.delete(pair.slice(0, eq));
    }
    return { status: res.status, headers: res.headers, html: await res.text() };
  }
  get(p: string) {
    return this.send('GET', p);
  }
  post(p: string, form: Record<string, string>) {
    return this.send('POST', p, form);
  }
  /** The CSRF token of the last form of a page. */
  static csrf(page: Page): string {
    const all = [...page.html.matchAll(/name="csrf" value="([^"]+)"/g)];
    expect(all.length, page.html).toBeGreaterThan(0);
    return all.at(-1)![1];
  }
  async signIn(clientId: string, apiKey: string): Promise<Page> {
    const form = await this.get('/dashboard/sign-in');
    return this.post('/dashboard/sign-in', { csrf: Browser.csrf(form), clientId, apiKey });
  }
  /** A page's CSRF token, to post a form of a signed-in page. */
  async csrfOf(p: string): Promise<string> {
    return Browser.csrf(await this.get(p));
  }
}

async function signedIn(srv: TestServer = s, client = s.client): Promise<Browser> {
  const b = new Browser(() => srv.url);
  const r = await b.signIn(client.id, client.apiKey);
  expect(r.status, r.html).toBe(303);
  expect(r.headers.get('location')).toBe('/dashboard/users');
  return b;
}

describe('sign-in and session', () => {
  it('every page but sign-in leads to the sign-in form; it has the pages headers and labels', async () => {
    const b = new Browser(() => s.url);
    for (const p of ['/dashboard', '/dashboard/users', `/dashboard/users/whatever`]) {
      const r = await b.get(p);
      expect(r.status).toBe(303);
      expect(r.headers.get('location')).toBe(p === '/dashboard' ? '/dashboard/sign-in' : '/dashboard/sign-in');
    }
    const form = await b.get('/dashboard/sign-in');
    expect(form.status).toBe(200);
    expect(form.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(form.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(form.headers.get('content-security-policy')).not.toContain('script');
    expect(form.headers.get('x-frame-options')).toBe('DENY');
    expect(form.html).toContain('<html lang="en">');
    expect(form.html).toContain('<label for="clientId">');
    expect(form.html).toContain('<label for="apiKey">');
    expect(form.html).not.toContain('<script');
  });

  it('a right key opens a session: HttpOnly, SameSite, Path /dashboard, expiring, stored hashed', async () => {
    const b = new Browser(() => s.url);
    const r = await b.signIn(s.client.id, s.client.apiKey);
    expect(r.status).toBe(303);
    const set = r.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Lax/);
    expect(set).toMatch(/; Path=\/dashboard/);
    expect(set).toMatch(/; Max-Age=\d+/);
    expect(set).not.toMatch(/Secure/);
    const value = b.cookies.get(SESSION_COOKIE)!;
    const rows = await s.db.query<any>('SELECT id_hash, client_id FROM dashboard_sessions WHERE client_id = $1', [s.client.id]);
    expect(rows.map((x) => x.id_hash)).toContain(createHash('sha256').update(value).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(value);
    const users = await b.get('/dashboard/users');
    expect(users.status).toBe(200);
    expect(users.html).toContain(s.client.id);
  });

  it('a wrong key or an unknown client id is refused with no session; a sign-in form without its CSRF cookie too', async () => {
    const b = new Browser(() => s.url);
    const wrong = await b.signIn(s.client.id, 'not-the-key');
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Unknown client id or wrong API key');
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    expect((await b.signIn('nobody-here', 'x')).status).toBe(401);
    expect((await b.get('/dashboard/users')).status).toBe(303);
    // The right key, posted from another site (no pre-session cookie): refused.
    const csrfLess = new Browser(() => s.url);
    const r = await csrfLess.post('/dashboard/sign-in', { csrf: 'a'.repeat(32), clientId: s.client.id, apiKey: s.client.apiKey });
    expect(r.status).toBe(403);
    expect(csrfLess.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('wrong sign-ins are rate-limited per client id: past 10 in the window, even the right key is refused (429)', async () => {
    const victim = await s.newClient();
    const b = new Browser(() => s.url);
    for (let i = 0; i < 10; i++) expect((await b.signIn(victim.id, `wrong-${i}`)).status).toBe(401);
    const r = await b.signIn(victim.id, victim.apiKey);
    expect(r.status).toBe(429);
    expect(r.html).toContain('Too many wrong sign-ins');
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    // Another client id is not affected.
    expect((await new Browser(() => s.url).signIn(s.client.id, s.client.apiKey)).status).toBe(303);
  });

  it('a sign-in link signs in once; an expired one never', async () => {
    const token = await createLinkToken(s.db, s.client.id);
    const b = new Browser(() => s.url);
    const page = await b.get(`/dashboard/link?token=${token}`);
    expect(page.status).toBe(200);
    // Opening the link does not use it up: its button does.
    const again = await new Browser(() => s.url).get(`/dashboard/link?token=${token}`);
    const first = await b.post('/dashboard/link', { csrf: Browser.csrf(page), token });
    expect(first.status).toBe(303);
    expect((await b.get('/dashboard/users')).status).toBe(200);
    const other = new Browser(() => s.url);
    const second = await other.post('/dashboard/link', { csrf: Browser.csrf(await other.get(`/dashboard/link?token=${token}`)), token });
    expect(second.status).toBe(401);
    expect(second.html).toContain('unknown, expired or already used');
    expect(other.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(again.status).toBe(200);

    const expired = await createLinkToken(s.db, s.client.id);
    await s.db.query('UPDATE dashboard_links SET expires_at = created_at - 1 WHERE token_hash = $1', [createHash('sha256').update(expired).digest('hex')]);
    const late = new Browser(() => s.url);
    const r = await late.post('/dashboard/link', { csrf: Browser.csrf(await late.get(`/dashboard/link?token=${expired}`)), token: expired });
    expect(r.status).toBe(401);
  });

  it('an expired session leads back to sign-in; signing out ends the session for good', async () => {
    const b = await signedIn();
    const hash = createHash('sha256').update(b.cookies.get(SESSION_COOKIE)!).digest('hex');
    await s.db.query('UPDATE dashboard_sessions SET expires_at = created_at - 1 WHERE id_hash = $1', [hash]);
    const r = await b.get('/dashboard/users');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/dashboard/sign-in');

    const c = await signedIn();
    const cookie = c.cookies.get(SESSION_COOKIE)!;
    const out = await c.post('/dashboard/sign-out', { csrf: await c.csrfOf('/dashboard/users') });
    expect(out.status).toBe(303);
    expect(c.cookies.has(SESSION_COOKIE)).toBe(false);
    c.cookies.set(SESSION_COOKIE, cookie);
    expect((await c.get('/dashboard/users')).status).toBe(303);
  });

  it('a session cookie is Secure when the public URL is https', async () => {
    const { startServer } = await import('./helpers/server.js');
    const srv = await startServer({ env: { MANGROVE_PUBLIC_URL: 'https://mangrove.example' } });
    try {
      const b = new Browser(() => srv.url);
      const r = await b.signIn(srv.client.id, srv.client.apiKey);
      expect(r.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(/; Secure/);
    } finally {
      await srv.close();
    }
  });
});
