import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLinkToken, SESSION_COOKIE } from '../src/dashboard/session.js';
import { explainUserSearch } from '../src/dashboard/store.js';
import { legacyLegalOwner, legalOwner, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { processStorage, runCli, spawnServer } from './helpers/process.js';
import { createUser, fileServer, type TestServer } from './helpers/server.js';

// Legacy users allowed: a user's page must show those too.
const { s } = fileServer({ env: { MANGROVE_LEGACY_USERS: 'allow' } });

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
    // The client id is kept in the form; the key is never echoed.
    expect(wrong.html).toContain(`value="${s.client.id}"`);
    expect(wrong.html).not.toContain('not-the-key');
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

const wallet = async (ownerId: string): Promise<any> => {
  const r = await s.call('POST', '/wallets', { body: { Owners: [ownerId], Currency: 'EUR', Description: 'dash wallet' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
async function fund(userId: string, walletId: string, amount: number): Promise<void> {
  const p = await s.call('POST', '/payins/bankwire/direct', {
    body: { AuthorId: userId, CreditedWalletId: walletId, DeclaredDebitedFunds: { Currency: 'EUR', Amount: amount }, DeclaredFees: { Currency: 'EUR', Amount: 0 } },
  });
  expect(p.status, JSON.stringify(p.body)).toBe(200);
  const r = await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`);
  expect(r.body.Status, JSON.stringify(r.body)).toBe('SUCCEEDED');
}
const statusOf = async (id: string) => (await s.call('GET', `/users/${id}`)).body.UserStatus;
/** The ids of the users a search lists (every page). */
const listed = (page: Page) => [...page.html.matchAll(/<a href="\/dashboard\/users\/([^"]+)">/g)].map((m) => decodeURIComponent(m[1]));

describe('users', () => {
  it('searches by id, e-mail, name (legal, first or last), status, category, KYC level and person type', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const ann = await createUser(s, 'natural', naturalOwner({ FirstName: `Ann${tag}`, LastName: 'Smith', Email: `ann.${tag}@example.com` }));
    const bob = await createUser(s, 'natural', naturalPayer({ FirstName: 'Bob', LastName: `Zed${tag}`, Email: `bob.${tag}@example.com` }));
    const corp = await createUser(s, 'legal', legalOwner({ Name: `Corp${tag} Ltd`, Email: `corp.${tag}@example.org` }));
    const b = await signedIn();
    const search = async (q: string) => listed(await b.get(`/dashboard/users?${q}`));
    expect(await search(`q=${ann.Id}`)).toEqual([ann.Id]);
    expect(await search(`q=ANN.${tag}`)).toEqual([ann.Id]);
    expect((await search(`q=${tag}`)).sort()).toEqual([]); // a prefix of nothing
    expect(await search(`q=ann${tag.toUpperCase()}`)).toEqual([ann.Id]);
    expect(await search(`q=zed${tag}`)).toEqual([bob.Id]);
    expect(await search(`q=corp${tag}`)).toEqual([corp.Id]);
    expect(await search(`q=corp.${tag}%40example.org`)).toEqual([corp.Id]);
    // LIKE's wildcards are text, not patterns.
    expect(await search(`q=%25${tag}`)).toEqual([]);
    expect(await search(`q=${tag.slice(0, 1)}_`)).not.toContain(ann.Id);
    // Filters, alone and combined.
    const payers = await search(`category=PAYER&type=NATURAL`);
    expect(payers).toContain(bob.Id);
    expect(payers).not.toContain(ann.Id);
    expect(await search(`q=corp${tag}&type=NATURAL`)).toEqual([]);
    expect(await search(`q=corp${tag}&type=LEGAL&kyc=LIGHT`)).toEqual([corp.Id]);
    expect(await search(`q=corp${tag}&kyc=REGULAR`)).toEqual([]);
    expect(await search(`q=bob.${tag}&status=ACTIVE`)).toEqual([bob.Id]);
    expect(await search(`q=bob.${tag}&status=CLOSED`)).toEqual([]);
    // A CLOSED user is listed and readable like any other.
    expect((await s.call('DELETE', `/users/natural/${bob.Id}`)).status).toBe(204);
    expect(await search(`q=bob.${tag}&status=CLOSED`)).toEqual([bob.Id]);
    const page = await b.get(`/dashboard/users/${bob.Id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('This user is closed');
    // An unknown filter value is ignored, not an error.
    expect((await b.get('/dashboard/users?status=NOPE')).status).toBe(200);
  });

  it('pages through the users, newest first', async () => {
    const tag = Math.random().toString(36).slice(2, 8);
    const ids: string[] = [];
    for (let i = 0; i < 27; i++) ids.push((await createUser(s, 'natural', naturalPayer({ Email: `page${tag}.${i}@example.com` }))).Id);
    const b = await signedIn();
    const first = await b.get(`/dashboard/users?q=page${tag}`);
    expect(first.html).toContain('Page 1 of 2 · 27 users');
    expect(listed(first)).toEqual(ids.slice(2).reverse());
    expect(first.html).toContain(`href="/dashboard/users?q=page${tag}&#38;page=2"`);
    expect(listed(await b.get(`/dashboard/users?q=page${tag}&page=2`))).toEqual(ids.slice(0, 2).reverse());
  });

  it("a user's page shows every field of the object the API returns (legal SCA, natural, legacy)", async () => {
    const legal = await createUser(s, 'legal', legalOwner());
    const natural = await createUser(s, 'natural', naturalOwner());
    const legacy = await s.call('POST', '/users/legal', { body: legacyLegalOwner() });
    expect(legacy.status, JSON.stringify(legacy.body)).toBe(200);
    const b = await signedIn();
    for (const [id, path] of [[legal.Id, `/sca/users/legal/${legal.Id}`], [natural.Id, `/sca/users/natural/${natural.Id}`], [legacy.body.Id, `/users/legal/${legacy.body.Id}`]]) {
      const api = (await s.call('GET', path)).body;
      const page = await b.get(`/dashboard/users/${id}`);
      expect(page.status).toBe(200);
      const keys = (o: any, out: string[] = []): string[] => {
        if (o && typeof o === 'object' && !Array.isArray(o)) for (const [k, v] of Object.entries(o)) out.push(k, ...keys(v));
        return out;
      };
      for (const k of keys(api)) expect(page.html, `${path}: ${k}`).toContain(`<dt>${k}</dt>`);
      expect(page.html).toContain(`<dt>Email</dt><dd>${api.Email}</dd>`);
    }
  });

  it("another client's user, and its KYC pages, are a 404 page", async () => {
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const r = await s.fetch('POST', `/v2.01/${other.id}/sca/users/natural`, { body: naturalPayer(), token });
    expect(r.status).toBe(200);
    const b = await signedIn();
    const page = await b.get(`/dashboard/users/${r.body.Id}`);
    expect(page.status).toBe(404);
    expect(page.html).not.toContain(r.body.Email);
    const close = await b.post(`/dashboard/users/${r.body.Id}/close`, { csrf: await b.csrfOf('/dashboard/users'), confirm: 'yes' });
    expect(close.status).toBe(404);
    expect((await s.fetch('GET', `/v2.01/${other.id}/users/${r.body.Id}`, { token })).body.UserStatus).not.toBe('CLOSED');
    expect(listed(await b.get(`/dashboard/users?q=${r.body.Id}`))).toEqual([]);
    expect((await b.get(`/dashboard/users/${r.body.Id}/kyc/x/pages/1`)).status).toBe(404);
  });

  it('KYC pages are viewable from the user page, with their stored bytes and type', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const doc = (await s.call('POST', `/users/${user.Id}/kyc/documents`, { body: { Type: 'ADDRESS_PROOF' } })).body;
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(4000, 0x41)]);
    expect((await s.call('POST', `/users/${user.Id}/kyc/documents/${doc.Id}/pages`, { body: { File: png.toString('base64') } })).status).toBe(204);
    const b = await signedIn();
    const page = await b.get(`/dashboard/users/${user.Id}`);
    const href = `/dashboard/users/${user.Id}/kyc/${doc.Id}/pages/1`;
    expect(page.html).toContain(`href="${href}"`);
    const res = await fetch(s.url + href, { headers: { cookie: `${SESSION_COOKIE}=${b.cookies.get(SESSION_COOKIE)}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true);
    expect((await b.get(`/dashboard/users/${user.Id}/kyc/${doc.Id}/pages/2`)).status).toBe(404);
    expect((await fetch(s.url + href, { redirect: 'manual' })).status).toBe(303);
  });
});

describe('closing a user', () => {
  it('refuses without the CSRF token of the session (none, wrong, or another session’s), and changes nothing', async () => {
    const user = await createUser(s, 'natural', naturalPayer());
    const b = await signedIn();
    const other = await signedIn();
    for (const form of [{ confirm: 'yes' }, { confirm: 'yes', csrf: 'x'.repeat(32) }, { confirm: 'yes', csrf: await other.csrfOf('/dashboard/users') }]) {
      const r = await b.post(`/dashboard/users/${user.Id}/close`, form as Record<string, string>);
      expect(r.status).toBe(403);
      expect(r.html).toContain('CSRF');
    }
    // Signing out is a form too.
    expect((await b.post('/dashboard/sign-out', { csrf: 'nope' })).status).toBe(403);
    expect(await statusOf(user.Id)).not.toBe('CLOSED');
  });

  it('needs the confirmation; refuses a user with money naming the wallets and amounts; closes once emptied, with its events and deliveries shown', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const full = await wallet(user.Id);
    const empty = await wallet(user.Id);
    await fund(user.Id, full.Id, 1234);
    const b = await signedIn();
    const closeUrl = `/dashboard/users/${user.Id}/close`;
    const page = await b.get(`/dashboard/users/${user.Id}`);
    expect(page.html).toContain('Closing a user is irreversible');
    expect(page.html).toContain('12.34 EUR');

    const unconfirmed = await b.post(closeUrl, { csrf: Browser.csrf(page) });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.html).toContain('Tick the confirmation box');

    const refused = await b.post(closeUrl, { csrf: Browser.csrf(page), confirm: 'yes' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('Closure refused');
    expect(refused.html).toContain(`${full.Id} holds 12.34 EUR`);
    expect(refused.html).not.toContain(`${empty.Id} holds`);
    expect(await statusOf(user.Id)).not.toBe('CLOSED');

    // Emptied by a transfer to another user's wallet.
    const payee = await createUser(s, 'natural', naturalOwner());
    const to = await wallet(payee.Id);
    const t = await s.call('POST', '/transfers', {
      body: { AuthorId: user.Id, DebitedWalletId: full.Id, CreditedWalletId: to.Id, DebitedFunds: { Currency: 'EUR', Amount: 1234 }, Fees: { Currency: 'EUR', Amount: 0 } },
    });
    expect(t.body.Status, JSON.stringify(t.body)).toBe('SUCCEEDED');

    const closed = await b.post(closeUrl, { csrf: Browser.csrf(page), confirm: 'yes' });
    expect(closed.status).toBe(303);
    const after = await b.get(closed.headers.get('location')!);
    expect(after.html).toContain('The user is closed');
    expect(after.html).toContain('<span class="status-CLOSED">CLOSED</span>');
    expect(after.html).toContain('USER_ACCOUNT_CLOSED');
    expect(after.html).not.toContain('Close this user');
    expect(await statusOf(user.Id)).toBe('CLOSED');
    // Closing again: refused as the API refuses it.
    const again = await b.post(closeUrl, { csrf: Browser.csrf(page), confirm: 'yes' });
    expect(again.status).toBe(400);
  });
});

describe('the search on 10,000 users', () => {
  it('uses the indexes of migration 016 (no sequential scan of users) and answers fast', { timeout: 120_000 }, async () => {
    const big = await s.newClient();
    await s.db.query(
      `INSERT INTO users (id, client_id, person_type, category, status, kyc_level, email, creation_date, tc_accepted, data)
       SELECT 'user_big_' || i, $1, CASE WHEN i % 2 = 0 THEN 'NATURAL' ELSE 'LEGAL' END,
              CASE WHEN i % 3 = 0 THEN 'OWNER' ELSE 'PAYER' END,
              CASE WHEN i % 500 = 0 THEN 'CLOSED' ELSE 'ACTIVE' END,
              CASE WHEN i % 7 = 0 THEN 'REGULAR' ELSE 'LIGHT' END,
              'person' || i || '@big.example', 1700000000 + i, true,
              CASE WHEN i % 2 = 0 THEN jsonb_build_object('FirstName', 'First' || i, 'LastName', 'Last' || i)
                   ELSE jsonb_build_object('Name', 'Company ' || i) END
       FROM generate_series(1, 10000) i`,
      [big.id],
    );
    await s.db.query('ANALYZE users');
    const searches = [{ text: 'user_big_4242' }, { text: 'person424' }, { text: 'last424' }, { text: 'first424' }, { text: 'company 4243' }, { status: 'CLOSED' }, {}, { status: 'ACTIVE', category: 'OWNER' }];
    for (const search of searches) {
      const plan = await explainUserSearch(s.db, big.id, search);
      expect(plan, JSON.stringify(search)).not.toMatch(/Seq Scan on users/);
      expect(plan, JSON.stringify(search)).toMatch(/users_dash_|users_pkey|users_by_client/);
    }
    const b = await signedIn(s, big);
    const t0 = performance.now();
    const r = await b.get('/dashboard/users?q=person424');
    const elapsed = performance.now() - t0;
    expect(r.html).toContain('Page 1 of 1 · 11 users');
    expect(elapsed).toBeLessThan(2000);
    expect((await b.get('/dashboard/users?status=CLOSED')).html).toContain('Page 1 of 1 · 20 users');
    const last = await b.get('/dashboard/users?page=400');
    expect(last.html).toContain('Page 400 of 400 · 10000 users');
    expect(listed(last)).toEqual(Array.from({ length: 25 }, (_, i) => `user_big_${25 - i}`));
  });
});

describe('mangrove dashboard-link', () => {
  it('prints a one-time link on the public URL that signs a browser in to that client', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-dash-'));
    try {
      const env = await processStorage(dir);
      expect((await runCli(['clients', 'create', '--id', 'dash-cli', '--key', 'dash-cli-key-123'], env)).code).toBe(0);
      const missing = await runCli(['dashboard-link'], env);
      expect(missing.code).toBe(1);
      expect(missing.err).toContain('--client-id');
      expect((await runCli(['dashboard-link', '--client-id', 'nobody'], env)).err).toContain('there is no client "nobody"');
      const out = await runCli(['dashboard-link', '--client-id', 'dash-cli'], { ...env, MANGROVE_PUBLIC_URL: 'https://dash.example/' });
      expect(out.code, out.out).toBe(0);
      const m = /^https:\/\/dash\.example\/dashboard\/link\?token=([A-Za-z0-9_-]+)$/m.exec(out.out);
      expect(m, out.out).not.toBeNull();
      const server = await spawnServer(env);
      const useLink = async (token: string) => {
        const b = new Browser(() => server.url);
        const page = await b.get(`/dashboard/link?token=${encodeURIComponent(token)}`);
        const r = await b.post('/dashboard/link', { csrf: Browser.csrf(page), token });
        return { status: r.status, users: r.status === 303 ? await b.get('/dashboard/users') : null };
      };
      try {
        const first = await useLink(m![1]);
        expect(first.status).toBe(303);
        expect(first.users!.html).toContain('Client <strong>dash-cli</strong>');
        // While the server runs (and holds an embedded database), a link still comes: signed with DATA_DIR's key.
        const running = await runCli(['dashboard-link', '--client-id', 'dash-cli'], { ...env, MANGROVE_PUBLIC_URL: 'https://dash.example' });
        expect(running.code, running.out).toBe(0);
        const token = /token=(\S+)$/m.exec(running.out)![1];
        if (env.DATA_DIR) {
          expect(token).toMatch(/^s\./);
          expect(fs.statSync(path.join(env.DATA_DIR, 'dashboard-link.key')).mode & 0o777).toBe(0o600);
          // Signed for another client: the signature no longer matches.
          expect((await useLink(token.replace('s.dash-cli.', 's.dash-cly.'))).status).toBe(401);
        }
        const second = await useLink(token);
        expect(second.status).toBe(303);
        expect(second.users!.html).toContain('Client <strong>dash-cli</strong>');
        expect((await useLink(token)).status).toBe(401);
      } finally {
        await server.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
