import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewClient } from '../src/modules/auth/service.js';
import { address, legalOwner, naturalOwner, ubo } from './helpers/fixtures.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { fileServer, startServer, type TestServer } from './helpers/server.js';
import { claimDue, retryDelivery } from '../src/webhooks/store.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`SKIPPING the Dashboard operations' browser tests: no Chromium at ${CHROMIUM}`);

/** Where the browser test saves its screenshots (for the README), when set. */
const SHOTS = process.env.DASHBOARD_SCREENSHOTS;
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(40 * 1024, 0x41)]).toString('base64');
const money = (Amount: number, Currency = 'EUR') => ({ Currency, Amount });

interface Page {
  status: number;
  location: string | null;
  html: string;
}

/** A cookie jar posting forms as a browser would (urlencoded, redirects not followed). */
class Dash {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly srv: TestServer) {}
  async send(method: string, path: string, form?: Record<string, string>): Promise<Page> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(this.srv.url + path, { method, headers, body: form ? new URLSearchParams(form).toString() : undefined, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      if (pair.slice(eq + 1) && !/Max-Age=0/.test(c)) this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      else this.cookies.delete(pair.slice(0, eq));
    }
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  }
  get(path: string) {
    return this.send('GET', path);
  }
  /** Posts a signed-in form with the session's CSRF token. */
  post(path: string, form: Record<string, string> = {}) {
    return this.send('POST', path, { csrf: this.csrf, ...form });
  }
  static csrfOf(html: string): string {
    const m = /name="csrf" value="([^"]+)"/.exec(html);
    expect(m, html).not.toBeNull();
    return m![1];
  }
  static async signedIn(srv: TestServer, client: NewClient = srv.client): Promise<Dash> {
    const d = new Dash(srv);
    const form = await d.get('/dashboard/sign-in');
    const r = await d.send('POST', '/dashboard/sign-in', { csrf: Dash.csrfOf(form.html), clientId: client.id, apiKey: client.apiKey });
    expect(r.status, r.html).toBe(303);
    d.csrf = Dash.csrfOf((await d.get('/dashboard/hooks')).html);
    return d;
  }
}

/** The API as one client: `ok` fails the test unless 200. */
function api(srv: TestServer, client: NewClient = srv.client) {
  let token: string | null = null;
  // A new token once the sandbox clock, moved forward, has made the last one expire.
  const newToken = async () => {
    const r = await srv.fetch('POST', '/v2.01/oauth/token', {
      raw: 'grant_type=client_credentials',
      contentType: 'application/x-www-form-urlencoded',
      headers: { authorization: `Basic ${Buffer.from(`${client.id}:${client.apiKey}`).toString('base64')}` },
    });
    expect(r.status).toBe(200);
    return r.body.access_token as string;
  };
  const call = async (method: string, path: string, body?: unknown) => {
    token ??= await newToken();
    const r = await srv.fetch(method, `/v2.01/${client.id}${path}`, { body, token });
    if (r.status !== 401) return r;
    token = await newToken();
    return srv.fetch(method, `/v2.01/${client.id}${path}`, { body, token });
  };
  return {
    call,
    async ok(method: string, path: string, body?: unknown): Promise<any> {
      const r = await call(method, path, body);
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(200);
      return r.body;
    },
  };
}
type Api = ReturnType<typeof api>;

async function payIn(a: Api, amount = 10_000): Promise<{ user: any; wallet: any; payIn: any }> {
  const user = await a.ok('POST', '/sca/users/natural', naturalOwner());
  const wallet = await a.ok('POST', '/wallets', { Owners: [user.Id], Currency: 'EUR', Description: 'w' });
  const p = await a.ok('POST', '/payins/bankwire/direct', {
    AuthorId: user.Id,
    CreditedWalletId: wallet.Id,
    DeclaredDebitedFunds: money(amount),
    DeclaredFees: money(0),
  });
  return { user, wallet, payIn: p };
}

/** The status shown in the operation's result box. */
const resultStatus = (html: string) => /class="result-status">([^<]*)</.exec(html)?.[1];
const refusal = (html: string) => /class="refusal">([^<]*)</.exec(html)?.[1];

describe('sandbox operations', () => {
  const { s } = fileServer();
  let d: Dash;
  let a: Api;
  beforeAll(async () => {
    d = await Dash.signedIn(s);
    a = api(s);
  });

  it('a page of forms, each with the CSRF token and labelled fields; signed out it leads to the sign-in', async () => {
    const page = await d.get('/dashboard/sandbox');
    expect(page.status).toBe(200);
    for (const op of ['payin-settle', 'payin-fail', 'payout-settle', 'payout-fail', 'kyc-validate', 'kyc-refuse', 'ubo-validate', 'ubo-refuse', 'ubo-incomplete', 'user-block', 'user-unblock', 'sca-complete', 'clock-advance', 'reset']) {
      expect(page.html).toContain(`action="/dashboard/sandbox/${op}"`);
    }
    const forms = page.html.split('<form method="post"').slice(1);
    for (const f of forms) expect(f).toContain(`name="csrf" value="${d.csrf}"`);
    for (const [, id] of page.html.matchAll(/<input id="([^"]+)"/g)) expect(page.html).toContain(`for="${id}"`);
    const out = new Dash(s);
    expect((await out.get('/dashboard/sandbox')).location).toBe('/dashboard/sign-in');
    expect((await out.send('POST', '/dashboard/sandbox/clock-advance', { Amount: '1', Unit: 'days' })).status).toBe(303);
  });

  it('settles a bank-wire pay-in (the API then reads it SUCCEEDED and the wallet credited); a second settle shows the API refusal', async () => {
    const { wallet, payIn: p } = await payIn(a, 12_345);
    const r = await d.post('/dashboard/sandbox/payin-settle', { PayInId: p.Id, Amount: '' });
    expect(r.status, r.html).toBe(200);
    expect(resultStatus(r.html)).toBe('SUCCEEDED');
    expect((await a.ok('GET', `/payins/${p.Id}`)).Status).toBe('SUCCEEDED');
    expect((await a.ok('GET', `/wallets/${wallet.Id}`)).Balance.Amount).toBe(12_345);
    const again = await d.post('/dashboard/sandbox/payin-settle', { PayInId: p.Id });
    expect(again.status).toBe(400);
    const direct = await a.call('POST', `/sandbox/payins/${p.Id}/settle`, {});
    expect(direct.status).toBe(400);
    expect(refusal(again.html)).toContain(direct.body.Message);
  });

  it('settles a part (Amount), fails another with a ResultCode; a bad ResultCode is refused with its field', async () => {
    const one = await payIn(a, 5000);
    expect(resultStatus((await d.post('/dashboard/sandbox/payin-settle', { PayInId: one.payIn.Id, Amount: '4000' })).html)).toBe('SUCCEEDED');
    expect((await a.ok('GET', `/payins/${one.payIn.Id}`)).CreditedFunds.Amount).toBe(4000);
    const two = await payIn(a);
    const bad = await d.post('/dashboard/sandbox/payin-fail', { PayInId: two.payIn.Id, ResultCode: '12' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('ResultCode must be six digits');
    expect((await a.ok('GET', `/payins/${two.payIn.Id}`)).Status).toBe('CREATED');
    const failed = await d.post('/dashboard/sandbox/payin-fail', { PayInId: two.payIn.Id, ResultCode: '001999', ResultMessage: 'Wire lost' });
    expect(resultStatus(failed.html)).toBe('FAILED');
    const read = await a.ok('GET', `/payins/${two.payIn.Id}`);
    expect([read.Status, read.ResultCode, read.ResultMessage]).toEqual(['FAILED', '001999', 'Wire lost']);
  });

  it('refuses a form without the CSRF token or with another one, and changes nothing', async () => {
    const { payIn: p } = await payIn(a);
    const none = await d.send('POST', '/dashboard/sandbox/payin-settle', { PayInId: p.Id });
    expect(none.status).toBe(403);
    const other = await d.send('POST', '/dashboard/sandbox/payin-settle', { csrf: 'x'.repeat(32), PayInId: p.Id });
    expect(other.status).toBe(403);
    // A token of another session is not this one's.
    const e = await Dash.signedIn(s);
    expect((await d.send('POST', '/dashboard/sandbox/payin-settle', { csrf: e.csrf, PayInId: p.Id })).status).toBe(403);
    expect((await a.ok('GET', `/payins/${p.Id}`)).Status).toBe('CREATED');
  });

  it("another client's pay-in, user, document and declaration are 404 and stay as they were", async () => {
    const other = await s.newClient();
    const b = api(s, other);
    const { user, payIn: p } = await payIn(b);
    for (const [op, form] of [
      ['payin-settle', { PayInId: p.Id }],
      ['payin-fail', { PayInId: p.Id }],
      ['user-block', { UserId: user.Id, Inflows: 'on' }],
      ['sca-complete', { UserId: user.Id }],
      ['kyc-validate', { DocumentId: 'kyc_nope' }],
      ['ubo-validate', { DeclarationId: 'ubo_nope' }],
    ] as const) {
      const r = await d.post(`/dashboard/sandbox/${op}`, form);
      expect(r.status, op).toBe(404);
    }
    expect((await d.get(`/dashboard/payins/${p.Id}`)).status).toBe(404);
    expect((await b.ok('GET', `/payins/${p.Id}`)).Status).toBe('CREATED');
    expect((await b.ok('GET', `/users/${user.Id}/regulatory`)).ScopeBlocked).toEqual({ Inflows: false, Outflows: false });
    expect((await b.ok('GET', `/sca/users/${user.Id}`)).UserStatus).toBe('PENDING_USER_ACTION');
  });

  it("a pay-in's page settles it from its button and shows it SUCCEEDED", async () => {
    const { payIn: p } = await payIn(a, 777);
    const page = await d.get(`/dashboard/payins/${p.Id}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('action="/dashboard/sandbox/payin-settle"');
    const r = await d.post('/dashboard/sandbox/payin-settle', { PayInId: p.Id, returnTo: `/dashboard/payins/${p.Id}` });
    expect(r.status).toBe(303);
    expect(r.location).toMatch(new RegExp(`^/dashboard/payins/${p.Id}\\?notice=`));
    const after = await d.get(r.location!);
    expect(after.html).toContain('class="tx-status">SUCCEEDED<');
    expect(after.html).not.toContain('action="/dashboard/sandbox/payin-settle"');
    // An outside address is never where it goes back to.
    const { payIn: q } = await payIn(a, 1);
    const evil = await d.post('/dashboard/sandbox/payin-settle', { PayInId: q.Id, returnTo: 'https://evil.example/x' });
    expect(evil.status).toBe(200);
  });

  it('settles and fails payouts (the money leaves, or comes back to the wallet)', async () => {
    const { user, wallet, payIn: p } = await payIn(a, 50_000);
    await d.post('/dashboard/sandbox/payin-settle', { PayInId: p.Id });
    const doc = await a.ok('POST', `/users/${user.Id}/kyc/documents`, { Type: 'IDENTITY_PROOF', Tag: 'accept' });
    expect((await a.call('POST', `/users/${user.Id}/kyc/documents/${doc.Id}/pages`, { File: PNG })).status).toBe(204);
    await a.ok('PUT', `/users/${user.Id}/kyc/documents/${doc.Id}`, { Status: 'VALIDATION_ASKED' });
    const account = await a.ok('POST', `/users/${user.Id}/bankaccounts/iban`, {
      OwnerName: 'Alice Durand',
      OwnerAddress: address(),
      IBAN: 'FR7630004000031234567890143',
      BIC: 'BNPAFRPP',
    });
    const payout = () =>
      a.ok('POST', '/payouts/bankwire', { AuthorId: user.Id, DebitedWalletId: wallet.Id, DebitedFunds: money(10_000), Fees: money(0), BankAccountId: account.Id });
    const one = await payout();
    expect(resultStatus((await d.post('/dashboard/sandbox/payout-settle', { PayOutId: one.Id })).html)).toBe('SUCCEEDED');
    expect((await a.ok('GET', `/payouts/${one.Id}`)).Status).toBe('SUCCEEDED');
    const two = await payout();
    expect((await d.get(`/dashboard/payouts/${two.Id}`)).html).toContain('action="/dashboard/sandbox/payout-fail"');
    const failed = await d.post('/dashboard/sandbox/payout-fail', { PayOutId: two.Id, ResultCode: '121001' });
    expect(resultStatus(failed.html)).toBe('FAILED');
    expect((await a.ok('GET', `/payouts/${two.Id}`)).ResultCode).toBe('121001');
    expect((await a.ok('GET', `/wallets/${wallet.Id}`)).Balance.Amount).toBe(40_000);
  });

  it('validates and refuses KYC documents, with the reason the API then reads', async () => {
    const user = await a.ok('POST', '/sca/users/natural', naturalOwner());
    const submitted = async () => {
      const doc = await a.ok('POST', `/users/${user.Id}/kyc/documents`, { Type: 'IDENTITY_PROOF' });
      expect((await a.call('POST', `/users/${user.Id}/kyc/documents/${doc.Id}/pages`, { File: PNG })).status).toBe(204);
      await a.ok('PUT', `/users/${user.Id}/kyc/documents/${doc.Id}`, { Status: 'VALIDATION_ASKED' });
      return doc.Id as string;
    };
    const refused = await submitted();
    const r = await d.post('/dashboard/sandbox/kyc-refuse', { DocumentId: refused, RefusedReasonType: 'DOCUMENT_UNREADABLE', RefusedReasonMessage: 'Blurred' });
    expect(resultStatus(r.html)).toBe('REFUSED');
    const read = await a.ok('GET', `/kyc/documents/${refused}`);
    expect([read.Status, read.RefusedReasonType, read.RefusedReasonMessage]).toEqual(['REFUSED', 'DOCUMENT_UNREADABLE', 'Blurred']);
    const badReason = await d.post('/dashboard/sandbox/kyc-refuse', { DocumentId: await submitted(), RefusedReasonType: 'NOPE' });
    expect(badReason.status).toBe(400);
    const ok = await submitted();
    expect(resultStatus((await d.post('/dashboard/sandbox/kyc-validate', { DocumentId: ok })).html)).toBe('VALIDATED');
    expect((await a.ok('GET', `/kyc/documents/${ok}`)).Status).toBe('VALIDATED');
    expect((await a.ok('GET', `/users/${user.Id}`)).KYCLevel).toBe('REGULAR');
  });

  it('answers UBO declarations: incomplete and refused (with reason), then validated', async () => {
    // One declaration in progress per user: a new legal user for each.
    const submitted = async () => {
      const legal = await a.ok('POST', '/sca/users/legal', legalOwner());
      const decl = await a.ok('POST', `/users/${legal.Id}/kyc/ubodeclarations`);
      await a.ok('POST', `/users/${legal.Id}/kyc/ubodeclarations/${decl.Id}/ubos`, ubo());
      await a.ok('PUT', `/users/${legal.Id}/kyc/ubodeclarations/${decl.Id}`, { Status: 'VALIDATION_ASKED' });
      return decl.Id as string;
    };
    const first = await submitted();
    const inc = await d.post('/dashboard/sandbox/ubo-incomplete', { DeclarationId: first, Reason: 'MISSING_UBO', Message: 'One more' });
    expect(resultStatus(inc.html), inc.html).toBe('INCOMPLETE');
    const read = await a.ok('GET', `/kyc/ubodeclarations/${first}`);
    expect([read.Status, read.Reason, read.Message]).toEqual(['INCOMPLETE', 'MISSING_UBO', 'One more']);
    const second = await submitted();
    expect(resultStatus((await d.post('/dashboard/sandbox/ubo-refuse', { DeclarationId: second, Reason: '' })).html)).toBe('REFUSED');
    expect((await a.ok('GET', `/kyc/ubodeclarations/${second}`)).Status).toBe('REFUSED');
    const third = await submitted();
    expect(resultStatus((await d.post('/dashboard/sandbox/ubo-validate', { DeclarationId: third })).html)).toBe('VALIDATED');
    expect((await a.ok('GET', `/kyc/ubodeclarations/${third}`)).Status).toBe('VALIDATED');
  });

  it('blocks and unblocks flows, completes a pending SCA enrollment', async () => {
    const user = await a.ok('POST', '/sca/users/natural', naturalOwner());
    const blocked = await d.post('/dashboard/sandbox/user-block', { UserId: user.Id, Inflows: 'on', ActionCode: '008701' });
    expect(resultStatus(blocked.html)).toBe('inflows blocked');
    expect(await a.ok('GET', `/users/${user.Id}/regulatory`)).toMatchObject({ ActionCode: '008701', ScopeBlocked: { Inflows: true, Outflows: false } });
    await d.post('/dashboard/sandbox/user-block', { UserId: user.Id, Outflows: 'on' });
    const un = await d.post('/dashboard/sandbox/user-unblock', { UserId: user.Id, Inflows: 'on' });
    expect(resultStatus(un.html)).toBe('outflows blocked');
    expect((await a.ok('GET', `/users/${user.Id}/regulatory`)).ScopeBlocked).toEqual({ Inflows: false, Outflows: true });
    expect(user.UserStatus).toBe('PENDING_USER_ACTION');
    expect(resultStatus((await d.post('/dashboard/sandbox/sca-complete', { UserId: user.Id })).html)).toBe('ACTIVE');
    expect((await a.ok('GET', `/sca/users/${user.Id}`)).UserStatus).toBe('ACTIVE');
    const again = await d.post('/dashboard/sandbox/sca-complete', { UserId: user.Id });
    expect(again.status).toBe(400);
    expect(refusal(again.html)).toContain('No SCA step');
  });

  it("a user's page has the user's sandbox buttons; they come back to it with the outcome", async () => {
    const user = await a.ok('POST', '/sca/users/natural', naturalOwner());
    const page = await d.get(`/dashboard/users/${user.Id}`);
    expect(page.status).toBe(200);
    for (const op of ['user-block', 'user-unblock', 'sca-complete']) expect(page.html).toContain(`action="/dashboard/sandbox/${op}"`);
    const r = await d.post('/dashboard/sandbox/user-block', { UserId: user.Id, Outflows: 'on', returnTo: `/dashboard/users/${user.Id}` });
    expect(r.status).toBe(303);
    const back = await d.get(r.location!);
    expect(back.html).toContain(`User ${user.Id}: outflows blocked`);
    expect((await a.ok('GET', `/users/${user.Id}/regulatory`)).ScopeBlocked).toEqual({ Inflows: false, Outflows: true });
  });

  it("a user's KYC documents and UBO declarations waiting for review have their outcome buttons on its page", async () => {
    const legal = await a.ok('POST', '/sca/users/legal', legalOwner());
    const doc = await a.ok('POST', `/users/${legal.Id}/kyc/documents`, { Type: 'REGISTRATION_PROOF' });
    expect((await a.call('POST', `/users/${legal.Id}/kyc/documents/${doc.Id}/pages`, { File: PNG })).status).toBe(204);
    const before = await d.get(`/dashboard/users/${legal.Id}`);
    // Not yet submitted: no buttons for it.
    expect(before.html).not.toContain(`name="DocumentId" value="${doc.Id}"`);
    await a.ok('PUT', `/users/${legal.Id}/kyc/documents/${doc.Id}`, { Status: 'VALIDATION_ASKED' });
    const decl = await a.ok('POST', `/users/${legal.Id}/kyc/ubodeclarations`);
    await a.ok('POST', `/users/${legal.Id}/kyc/ubodeclarations/${decl.Id}/ubos`, ubo());
    await a.ok('PUT', `/users/${legal.Id}/kyc/ubodeclarations/${decl.Id}`, { Status: 'VALIDATION_ASKED' });
    const page = await d.get(`/dashboard/users/${legal.Id}`);
    for (const op of ['kyc-validate', 'kyc-refuse', 'ubo-validate', 'ubo-refuse', 'ubo-incomplete']) {
      expect(page.html).toContain(`action="/dashboard/sandbox/${op}"`);
    }
    expect(page.html).toContain(`name="DocumentId" value="${doc.Id}"`);
    const r = await d.post('/dashboard/sandbox/kyc-validate', { DocumentId: doc.Id, returnTo: `/dashboard/users/${legal.Id}` });
    expect(r.status).toBe(303);
    expect((await a.ok('GET', `/kyc/documents/${doc.Id}`)).Status).toBe('VALIDATED');
    const u = await d.post('/dashboard/sandbox/ubo-validate', { DeclarationId: decl.Id, returnTo: `/dashboard/users/${legal.Id}` });
    expect(u.status).toBe(303);
    expect((await a.ok('GET', `/kyc/ubodeclarations/${decl.Id}`)).Status).toBe('VALIDATED');
    // Reviewed: the buttons are gone.
    const after = await d.get(`/dashboard/users/${legal.Id}`);
    expect(after.html).not.toContain('action="/dashboard/sandbox/kyc-validate"');
    expect(after.html).not.toContain('action="/dashboard/sandbox/ubo-validate"');
  });

  it('advances the clock by days or seconds (the API reads it), refusing a bad amount', async () => {
    const before = await a.ok('GET', '/sandbox/clock');
    const r = await d.post('/dashboard/sandbox/clock-advance', { Amount: '2', Unit: 'days' });
    expect(r.status).toBe(200);
    const after = await a.ok('GET', '/sandbox/clock');
    expect(after.OffsetSeconds - before.OffsetSeconds).toBe(2 * 86400);
    expect(r.html).toContain(`<dd>${after.OffsetSeconds}</dd>`);
    await d.post('/dashboard/sandbox/clock-advance', { Amount: '30', Unit: 'seconds' });
    expect((await a.ok('GET', '/sandbox/clock')).OffsetSeconds - after.OffsetSeconds).toBe(30);
    for (const Amount of ['0', '-3', 'x', '99999999']) {
      expect((await d.post('/dashboard/sandbox/clock-advance', { Amount, Unit: 'days' })).status, Amount).toBe(400);
    }
  });
});

describe('sandbox reset from the Dashboard', () => {
  const { s } = fileServer();
  it('needs the client id typed out; then the client is as new', async () => {
    const d = await Dash.signedIn(s);
    const a = api(s);
    const { user } = await payIn(a);
    for (const Confirm of ['', 'yes', s.client.id.slice(1)]) {
      const r = await d.post('/dashboard/sandbox/reset', { Confirm });
      expect(r.status, Confirm).toBe(400);
    }
    expect((await a.call('GET', `/users/${user.Id}`)).status).toBe(200);
    const page = await d.get('/dashboard/sandbox');
    expect(page.html).toContain('cannot be undone');
    const r = await d.post('/dashboard/sandbox/reset', { Confirm: s.client.id });
    expect(resultStatus(r.html)).toBe('reset');
    expect((await a.call('GET', `/users/${user.Id}`)).status).toBe(404);
    // Still signed in after the wipe.
    expect((await d.get('/dashboard/sandbox')).status).toBe(200);
  });
});

describe('with MANGROVE_SANDBOX=off', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer({ env: { MANGROVE_SANDBOX: 'off' } });
  });
  afterAll(() => srv.close());
  it('every sandbox page and form is 404 (like the API), the hooks page is there, a pay-in page has no buttons', async () => {
    const d = await Dash.signedIn(srv);
    expect((await d.get('/dashboard/sandbox')).status).toBe(404);
    const { payIn: p } = await payIn(api(srv));
    expect((await d.post('/dashboard/sandbox/payin-settle', { PayInId: p.Id })).status).toBe(404);
    expect((await api(srv).ok('GET', `/payins/${p.Id}`)).Status).toBe('CREATED');
    const page = await d.get(`/dashboard/payins/${p.Id}`);
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('/dashboard/sandbox/');
    // No header link to the sandbox page either, though a sandbox server in this process registered one.
    expect(page.html).not.toContain('href="/dashboard/sandbox"');
    expect((await d.get('/dashboard/hooks')).status).toBe(200);
  });
});

/** The deliveries the API lists for the client (GET /sandbox/webhooks/deliveries). */
async function deliveries(a: Api, query = ''): Promise<any[]> {
  return a.ok('GET', `/sandbox/webhooks/deliveries?per_page=100${query}`);
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('hooks and deliveries (retry schedule as Mangopay: 10 minutes after a failure)', () => {
  const { s } = fileServer({ env: { MANGROVE_WEBHOOK_POLL_MS: '20' } });
  let rx: Receiver;
  let d: Dash;
  let a: Api;
  beforeAll(async () => {
    rx = await startReceiver();
    d = await Dash.signedIn(s);
    a = api(s);
  });
  afterAll(() => rx.close());

  it('lists hooks and deliveries with attempts, last error and next attempt; retry now sends a PENDING one at once', async () => {
    const hook = await a.ok('POST', '/hooks', { EventType: 'PAYIN_NORMAL_CREATED', Url: `${rx.url}/created` });
    rx.respond.status = 503;
    const { payIn: p } = await payIn(a);
    await rx.waitFor(1, (n) => n.resourceId === p.Id);
    const [row] = await until('the failed attempt recorded', () => deliveries(a, `&RessourceId=${p.Id}`), (v) => v[0]?.Attempts === 1);
    expect(row.Status).toBe('PENDING');
    const page = await d.get('/dashboard/hooks');
    expect(page.status).toBe(200);
    for (const text of ['PAYIN_NORMAL_CREATED', `${rx.url}/created`, 'ENABLED', 'VALID', hook.Id, 'HTTP 503', '503', p.Id]) expect(page.html).toContain(text);
    expect(page.html).toContain(`action="/dashboard/hooks/deliveries/${row.Id}/retry"`);
    expect(page.html).toContain(`<a href="/dashboard/payins/${p.Id}"><code>${p.Id}</code></a>`);
    // Due in 10 minutes: only "retry now" brings it before then.
    rx.respond.status = 200;
    const r = await d.post(`/dashboard/hooks/deliveries/${row.Id}/retry`, { returnTo: '/dashboard/hooks?status=PENDING' });
    expect(r.status, r.html).toBe(303);
    expect(r.location).toMatch(/^\/dashboard\/hooks\?status=PENDING&notice=/);
    await rx.waitFor(2, (n) => n.resourceId === p.Id);
    const [done] = await until('the retry recorded', () => deliveries(a, `&RessourceId=${p.Id}`), (v) => v[0]?.Status === 'SUCCEEDED');
    expect(done.Attempts).toBe(2);
    // A SUCCEEDED delivery is final: no button, and the form is refused with the reason.
    const again = await d.post(`/dashboard/hooks/deliveries/${row.Id}/retry`);
    expect(again.status).toBe(400);
    expect(again.html).toContain('SUCCEEDED, which is final');
    // Unknown, malformed and another client's ids are 404.
    const other = await s.newClient();
    const b = api(s, other);
    await b.ok('POST', '/hooks', { EventType: 'USER_KYC_REGULAR', Url: `${rx.url}/other` });
    rx.respond.status = 500;
    const bUser = await b.ok('POST', '/sca/users/natural', naturalOwner());
    const doc = await b.ok('POST', `/users/${bUser.Id}/kyc/documents`, { Type: 'IDENTITY_PROOF', Tag: 'accept' });
    expect((await b.call('POST', `/users/${bUser.Id}/kyc/documents/${doc.Id}/pages`, { File: PNG })).status).toBe(204);
    await b.ok('PUT', `/users/${bUser.Id}/kyc/documents/${doc.Id}`, { Status: 'VALIDATION_ASKED' });
    const [theirs] = await until('their delivery attempted', () => deliveries(b), (v) => v[0]?.Attempts >= 1);
    for (const id of [theirs.Id, '999999999', 'abc', "1'--"]) {
      expect((await d.post(`/dashboard/hooks/deliveries/${encodeURIComponent(id)}/retry`)).status, id).toBe(404);
    }
    expect((await deliveries(b))[0]).toMatchObject({ Status: 'PENDING', Attempts: 1 });
    expect((await d.get('/dashboard/hooks')).html).not.toContain(`${rx.url}/other`);
    // CSRF.
    expect((await d.send('POST', `/dashboard/hooks/deliveries/${row.Id}/retry`, {})).status).toBe(403);
  });

  it("leaves a row a dispatcher holds alone (in flight) until its lease has run out, as claimDue's SKIP LOCKED expects", async () => {
    await a.ok('POST', '/hooks', { EventType: 'USER_OUTFLOWS_BLOCKED', Url: `${rx.url}/outflows` });
    rx.respond.status = 500;
    const user = await a.ok('POST', '/sca/users/natural', naturalOwner());
    await a.ok('POST', `/sandbox/users/${user.Id}/block`, { Outflows: true });
    // Its first call failed: the next is due in 10 minutes, so this server's dispatcher leaves it alone.
    const [{ Id: id }] = await until('the failed attempt', () => deliveries(a, `&RessourceId=${user.Id}`), (v) => v[0]?.Attempts === 1);
    // Another process (its clock 11 minutes on) claims it, with a lease of a minute.
    const now = Date.now() + 11 * 60_000;
    const claimed = await claimDue(s.db, 'another-process', now, 1000, 60_000);
    expect(claimed.map((c) => c.id)).toContain(id);
    expect(await retryDelivery(s.db, s.client.id, id, now + 1000)).toEqual({ ok: false, why: 'in_flight', status: 'PENDING' });
    const r = await d.post(`/dashboard/hooks/deliveries/${id}/retry`);
    expect(r.status).toBe(400);
    expect(r.html).toContain('a call is being made right now');
    // The lease ran out (the holder died): the row is due again, and retry now takes it back.
    expect(await retryDelivery(s.db, s.client.id, id, now + 61_000)).toEqual({ ok: true, status: 'PENDING' });
    const [row] = await s.db.query<any>('SELECT claim, due_at FROM webhook_deliveries WHERE id = $1', [id]);
    expect(row.claim).toBeNull();
    expect(Number(row.due_at)).toBeLessThanOrEqual(now + 61_000);
  });

  it('refuses to retry a delivery of a disabled hook (the dispatcher would only cancel it)', async () => {
    const hook = await a.ok('POST', '/hooks', { EventType: 'PAYIN_NORMAL_FAILED', Url: `${rx.url}/failed` });
    rx.respond.status = 500;
    const { payIn: p } = await payIn(a);
    await a.ok('POST', `/sandbox/payins/${p.Id}/fail`, {});
    const [row] = await until('the failed attempt recorded', () => deliveries(a, `&RessourceId=${p.Id}&EventType=PAYIN_NORMAL_FAILED`), (v) => v[0]?.Attempts === 1);
    await a.ok('PUT', `/hooks/${hook.Id}`, { Status: 'DISABLED' });
    const r = await d.post(`/dashboard/hooks/deliveries/${row.Id}/retry`);
    expect(r.status).toBe(400);
    expect(r.html).toContain('its hook is DISABLED');
  });

  it('filters by status and event type, pages newest first', async () => {
    await a.ok('POST', '/hooks', { EventType: 'USER_INFLOWS_BLOCKED', Url: `${rx.url}/blocked` });
    rx.respond.status = 200;
    const users = [];
    for (let i = 0; i < 23; i++) users.push(await a.ok('POST', '/sca/users/natural', naturalOwner()));
    for (const u of users) await a.ok('POST', `/sandbox/users/${u.Id}/block`, { Inflows: true });
    await until('23 deliveries', () => deliveries(a, '&EventType=USER_INFLOWS_BLOCKED&Status=SUCCEEDED'), (v) => v.length === 23);
    const first = await d.get('/dashboard/hooks?eventType=user_inflows_blocked&status=SUCCEEDED');
    expect(first.html).toContain('Page 1 of 2 (23 deliveries)');
    expect(first.html).toContain(users[22].Id);
    expect(first.html).not.toContain(users[0].Id);
    const rows = first.html.slice(first.html.indexOf('<caption>Webhook deliveries</caption>'));
    expect(rows.match(/<td>USER_INFLOWS_BLOCKED<\/td>/g)).toHaveLength(20);
    expect(rows).not.toContain('<td>PAYIN_NORMAL_CREATED</td>');
    expect(first.html).toContain('href="/dashboard/hooks?status=SUCCEEDED&#38;eventType=USER_INFLOWS_BLOCKED&#38;page=2"');
    const second = await d.get('/dashboard/hooks?status=SUCCEEDED&eventType=USER_INFLOWS_BLOCKED&page=2');
    expect(second.html).toContain('Page 2 of 2');
    expect(second.html).toContain(users[0].Id);
    const pending = await d.get('/dashboard/hooks?status=PENDING&eventType=USER_INFLOWS_BLOCKED');
    expect(pending.html).toContain('(0 deliveries)');
  });
});

describe('a FAILED delivery (its retries used up) and the browser', () => {
  // 10 minutes become 1 ms and 8 hours 29 ms: the schedule runs out in well under a second.
  const { s } = fileServer({ env: { MANGROVE_WEBHOOK_RETRY_SCALE: '0.000001', MANGROVE_WEBHOOK_POLL_MS: '20' } });
  let rx: Receiver;
  let a: Api;
  beforeAll(async () => {
    rx = await startReceiver();
    a = api(s);
  });
  afterAll(() => rx.close());

  async function failedDelivery(): Promise<{ payIn: any; row: any }> {
    rx.respond.status = 500;
    const { payIn: p } = await payIn(a);
    const [row] = await until('the delivery FAILED', () => deliveries(a, `&RessourceId=${p.Id}`), (v) => v[0]?.Status === 'FAILED', 20_000);
    expect(row.Attempts).toBe(16);
    return { payIn: p, row };
  }

  it('retry now puts it back to PENDING for one more call; if that fails it is FAILED again, else SUCCEEDED', async () => {
    await a.ok('POST', '/hooks', { EventType: 'PAYIN_NORMAL_CREATED', Url: `${rx.url}/created` });
    const d = await Dash.signedIn(s);
    const { payIn: p, row } = await failedDelivery();
    const calls = rx.received.filter((n) => n.resourceId === p.Id).length;
    expect((await d.post(`/dashboard/hooks/deliveries/${row.Id}/retry`)).status).toBe(303);
    const [again] = await until('FAILED again', () => deliveries(a, `&RessourceId=${p.Id}`), (v) => v[0]?.Attempts === 17);
    expect(again.Status).toBe('FAILED');
    expect(rx.received.filter((n) => n.resourceId === p.Id).length).toBe(calls + 1);
    rx.respond.status = 200;
    expect((await d.post(`/dashboard/hooks/deliveries/${row.Id}/retry`)).status).toBe(303);
    const [ok] = await until('SUCCEEDED', () => deliveries(a, `&RessourceId=${p.Id}`), (v) => v[0]?.Status === 'SUCCEEDED');
    expect(ok.Attempts).toBe(18);
  });

  it.skipIf(!HAVE_CHROMIUM)('in Chromium: settle a pay-in from its page, then retry its FAILED webhook and see it delivered', { timeout: 120_000 }, async () => {
    await a.ok('POST', '/hooks', { EventType: 'PAYIN_NORMAL_SUCCEEDED', Url: `${rx.url}/succeeded` });
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${s.url}/dashboard/sign-in`);
      await page.getByLabel('Client id').fill(s.client.id);
      await page.getByLabel('API key').fill(s.client.apiKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/dashboard\/users/);

      rx.respond.status = 500;
      const { user, payIn: p } = await payIn(a, 4200);
      // From the user's page, its pay-in's link, then the pay-in's button.
      await page.goto(`${s.url}/dashboard/users/${user.Id}`);
      await page.getByRole('link', { name: p.Id }).click();
      await page.waitForURL(new RegExp(`/dashboard/payins/${p.Id}$`));
      await page.getByRole('button', { name: 'Funds received (settle)' }).click();
      await page.waitForURL(new RegExp(`/dashboard/payins/${p.Id}\\?notice=`));
      expect(await page.locator('.tx-status').textContent()).toBe('SUCCEEDED');
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/dashboard-payin-settled.png`, fullPage: true });
      expect((await a.ok('GET', `/payins/${p.Id}`)).Status).toBe('SUCCEEDED');

      // Its PAYIN_NORMAL_SUCCEEDED webhook fails until its retries are used up.
      const [row] = await until('FAILED', () => deliveries(a, `&RessourceId=${p.Id}&EventType=PAYIN_NORMAL_SUCCEEDED`), (v) => v[0]?.Status === 'FAILED', 20_000);
      rx.respond.status = 200;
      await page.goto(`${s.url}/dashboard/hooks?status=FAILED&eventType=PAYIN_NORMAL_SUCCEEDED`);
      if (SHOTS) await page.screenshot({ path: `${SHOTS}/dashboard-deliveries-failed.png`, fullPage: true });
      await page.getByRole('button', { name: `Retry delivery ${row.Id} now` }).click();
      await page.waitForURL(/notice=/);
      expect(await page.getByRole('status').textContent()).toContain(`Delivery ${row.Id} is due now`);
      const got = await rx.waitFor(1, (n) => n.resourceId === p.Id && n.eventType === 'PAYIN_NORMAL_SUCCEEDED' && n.url.startsWith('/hook/succeeded'));
      expect(got.length).toBeGreaterThan(0);
      await until('SUCCEEDED', () => deliveries(a, `&RessourceId=${p.Id}&EventType=PAYIN_NORMAL_SUCCEEDED`), (v) => v[0]?.Status === 'SUCCEEDED');
      await page.goto(`${s.url}/dashboard/hooks?eventType=PAYIN_NORMAL_SUCCEEDED&status=SUCCEEDED`);
      expect(await page.locator('.delivery-status').first().textContent()).toBe('SUCCEEDED');
      if (SHOTS) {
        await page.screenshot({ path: `${SHOTS}/dashboard-deliveries-retried.png`, fullPage: true });
        await page.goto(`${s.url}/dashboard/sandbox`);
        await page.screenshot({ path: `${SHOTS}/dashboard-sandbox.png`, fullPage: true });
      }
      // Keyboard: the retry buttons and filters are reachable and labelled.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('A');
    } finally {
      await browser.close();
    }
  });
});
