import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { sweepScaTransfers } from '../src/modules/transfers/service.js';
import { expectApiError } from './helpers/errors.js';
import { legacyLegalOwner, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { eventTypesOf } from './helpers/reads.js';
import { fileServer, type Reply } from './helpers/server.js';

// SCA on wallet access and on transfers (issue 10 item 5). Tests that move a client's sandbox clock
// run on a client of their own; the others share the main client. Legacy OWNERs need the legacy
// endpoints, hence MANGROVE_LEGACY_USERS=allow.
const { s, api } = fileServer({ env: { MANGROVE_LEGACY_USERS: 'allow' } });
const clientsUsed = new Set<string>();
afterEach(async () => {
  if (!s) return;
  for (const id of [s.client.id, ...clientsUsed]) expect(await ledgerInvariants(s.db, id)).toEqual([]);
});

const DAY = 86400;
const HEADER = /^PendingUserAction RedirectUrl=(http:\/\/127\.0\.0\.1:\d+\/sca\?token=[A-Za-z0-9_-]+)$/;

/** One API client: its calls, and its own sandbox clock. */
interface Caller {
  id: string;
  call(method: string, path: string, body?: unknown): Promise<Reply>;
  advance(seconds: number): Promise<void>;
}

const main: Caller = {
  get id() {
    return s.client.id;
  },
  call: (method, path, body) => s.call(method, path, { body }),
  advance: () => Promise.reject(new Error('the main client keeps its clock')),
};

async function freshClient(): Promise<Caller> {
  const c = await s.newClient();
  clientsUsed.add(c.id);
  const newToken = async () => {
    const r = await s.fetch('POST', '/v2.01/oauth/token', {
      raw: 'grant_type=client_credentials',
      contentType: 'application/x-www-form-urlencoded',
      headers: { authorization: `Basic ${Buffer.from(`${c.id}:${c.apiKey}`).toString('base64')}` },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.access_token as string;
  };
  let token = await newToken();
  return {
    id: c.id,
    call: (method, path, body) => s.fetch(method, `/v2.01/${c.id}${path}`, { body, token }),
    async advance(seconds) {
      const r = await s.fetch('POST', `/v2.01/${c.id}/sandbox/clock/advance`, { body: { Seconds: seconds }, token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      // The token's hour has passed on the new clock, as it would for an SDK.
      token = await newToken();
    },
  };
}

async function ok(r: Promise<Reply>): Promise<any> {
  const res = await r;
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const legacyOwner = (c: Caller = main) => ok(c.call('POST', '/users/legal', legacyLegalOwner()));
/** An SCA OWNER enrolled at creation (the sandbox bypass: "accept" in the e-mail). */
const enrolledOwner = (c: Caller = main) => ok(c.call('POST', '/sca/users/natural', naturalOwner({ Email: 'alice+accept@example.com' })));
/** An SCA OWNER whose enrollment is pending. */
const pendingOwner = (c: Caller = main) => ok(c.call('POST', '/sca/users/natural', naturalOwner()));
const payer = (c: Caller = main) => ok(c.call('POST', '/sca/users/natural', naturalPayer()));
const wallet = (userId: string, c: Caller = main) => ok(c.call('POST', '/wallets', { Owners: [userId], Currency: 'EUR', Description: 'w' }));
const money = (Amount: number) => ({ Currency: 'EUR', Amount });

async function fund(c: Caller, userId: string, walletId: string, amount: number): Promise<void> {
  const p = await ok(c.call('POST', '/payins/bankwire/direct', {
    AuthorId: userId,
    CreditedWalletId: walletId,
    DeclaredDebitedFunds: money(amount),
    DeclaredFees: money(0),
  }));
  expect((await ok(c.call('POST', `/sandbox/payins/${p.Id}/settle`))).Status).toBe('SUCCEEDED');
}

/** The four wallet-access reads of a user and one of its wallets. */
const reads = (userId: string, walletId: string) => [
  `/wallets/${walletId}`,
  `/users/${userId}/wallets`,
  `/wallets/${walletId}/transactions`,
  `/users/${userId}/transactions`,
];
const withQuery = (path: string, query: string) => `${path}?${query}`;

/** A 401 of wallet access: Mangopay's header, Mangrove's error body; returns the link. */
function expectScaRequired(r: Reply): string {
  expectApiError(r, 401, 'sca_required');
  expect(r.body.errors).toBeNull();
  const header = r.headers.get('www-authenticate') ?? '';
  const m = HEADER.exec(header);
  expect(m, header).not.toBeNull();
  // The link is on this server (the request's base URL), as enrollment links are.
  expect(m![1].startsWith(`${s.url}/sca?token=`)).toBe(true);
  return m![1];
}

/** The SCA page behind a link: GET shows the passcode form, POST with the passcode completes it. */
async function passPage(link: string, passcode = '702100'): Promise<Reply> {
  const url = new URL(link);
  const token = url.searchParams.get('token')!;
  return s.fetch('POST', '/sca', {
    raw: `token=${encodeURIComponent(token)}&passcode=${passcode}`,
    contentType: 'application/x-www-form-urlencoded',
  });
}
const openPage = (link: string) => s.fetch('GET', new URL(link).pathname + new URL(link).search);

describe('wallet access with ScaContext=USER_PRESENT', () => {
  it('answers 401 PendingUserAction for a legacy OWNER on each of the four reads, and nothing changes without it', async () => {
    const user = await legacyOwner();
    const w = await wallet(user.Id);
    await fund(main, user.Id, w.Id, 500);
    const links = new Set<string>();
    for (const path of reads(user.Id, w.Id)) {
      links.add(expectScaRequired(await s.call('GET', withQuery(path, 'ScaContext=USER_PRESENT'))));
      // Name and value case-insensitive, as every query parameter.
      links.add(expectScaRequired(await s.call('GET', withQuery(path, 'scacontext=user_present'))));
      // Without ScaContext, or USER_NOT_PRESENT: no check (see users/sca-auth.ts for why absent is not USER_PRESENT).
      for (const query of ['', 'ScaContext=USER_NOT_PRESENT', 'ScaContext=user_not_present']) {
        const r = await s.call('GET', withQuery(path, query));
        expect(r.status, `${path}?${query} ${JSON.stringify(r.body)}`).toBe(200);
        expect(r.headers.get('www-authenticate')).toBeNull();
      }
    }
    // Every refusal opens a session of its own.
    expect(links.size).toBe(8);
    expect((await ok(s.call('GET', `/wallets/${w.Id}`))).Balance.Amount).toBe(500);
  });

  it('asks the same of an SCA OWNER whose enrollment is still pending', async () => {
    const user = await pendingOwner();
    expect(user.UserStatus).toBe('PENDING_USER_ACTION');
    const w = await wallet(user.Id);
    for (const path of reads(user.Id, w.Id)) expectScaRequired(await s.call('GET', withQuery(path, 'ScaContext=USER_PRESENT')));
  });

  it('lets a PAYER read without SCA', async () => {
    const user = await payer();
    const w = await wallet(user.Id);
    for (const path of reads(user.Id, w.Id)) {
      const r = await s.call('GET', withQuery(path, 'ScaContext=USER_PRESENT'));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
  });

  it('refuses an unknown ScaContext with 400 param_error naming it, with the other errors of a list', async () => {
    const user = await legacyOwner();
    const w = await wallet(user.Id);
    for (const path of reads(user.Id, w.Id)) {
      const r = await s.call('GET', withQuery(path, 'ScaContext=SOMETIMES'));
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual(['ScaContext']);
    }
    const r = await s.call('GET', `/users/${user.Id}/transactions?ScaContext=nope&Status=LOST&per_page=500`);
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual(['ScaContext', 'Status', 'per_page']);
  });

  it('answers 404 for an unknown wallet or user before any SCA', async () => {
    for (const path of ['/wallets/wlt_m_nobody', '/users/user_m_nobody/wallets', '/wallets/wlt_m_nobody/transactions', '/users/user_m_nobody/transactions']) {
      expectApiError(await s.call('GET', `${path}?ScaContext=USER_PRESENT`), 404, 'ressource_not_found');
    }
  });

  it('opens an authentication page; once passed, the same calls succeed and the link is used up', async () => {
    const user = await legacyOwner();
    const w = await wallet(user.Id);
    const other = await wallet(user.Id);
    const link = expectScaRequired(await s.call('GET', `/wallets/${w.Id}?ScaContext=USER_PRESENT`));
    const page = await openPage(link);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Authenticate to access your account');
    expect(page.body).toContain('702100');
    // A wrong passcode changes nothing.
    expect((await passPage(link, '000000')).status).toBe(400);
    expectScaRequired(await s.call('GET', `/wallets/${w.Id}?ScaContext=USER_PRESENT`));
    const passed = await passPage(link);
    expect(passed.status).toBe(200);
    expect(passed.body).toContain('You are authenticated');
    // One authentication opens the whole account: every wallet, every list.
    for (const path of [...reads(user.Id, w.Id), `/wallets/${other.Id}`]) {
      const r = await s.call('GET', withQuery(path, 'ScaContext=USER_PRESENT'));
      expect(r.status, `${path} ${JSON.stringify(r.body)}`).toBe(200);
    }
    expect((await passPage(link)).status).toBe(410);
    // Authenticating is not enrolling: the user is unchanged.
    const after = await ok(s.call('GET', `/sca/users/${user.Id}`));
    expect(after.UserStatus).toBe('ACTIVE');
  });

  it('passes two links of one user at the same time without a fault', async () => {
    const user = await legacyOwner();
    const w = await wallet(user.Id);
    const links = [];
    for (let n = 0; n < 3; n++) links.push(expectScaRequired(await s.call('GET', `/wallets/${w.Id}?ScaContext=USER_PRESENT`)));
    const answers = await Promise.all([...links, links[0]].map((l) => passPage(l)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 410]);
    expect((await s.call('GET', `/wallets/${w.Id}?ScaContext=USER_PRESENT`)).status).toBe(200);
  });

  it('counts SCA for 180 days of the client clock from enrollment, then from the last authentication', async () => {
    const c = await freshClient();
    const user = await enrolledOwner(c);
    expect(user.UserStatus).toBe('ACTIVE');
    const w = await wallet(user.Id, c);
    const status = async () => Promise.all(reads(user.Id, w.Id).map(async (p) => (await c.call('GET', withQuery(p, 'ScaContext=USER_PRESENT'))).status));
    expect(await status()).toEqual([200, 200, 200, 200]);
    await c.advance(180 * DAY - 60);
    expect(await status()).toEqual([200, 200, 200, 200]);
    await c.advance(DAY);
    expect(await status()).toEqual([401, 401, 401, 401]);
    const r = await c.call('GET', `/users/${user.Id}/wallets?ScaContext=USER_PRESENT`);
    // The page passed: authentication on the client's clock, 180 days more.
    expect((await passPage(expectScaRequired(r))).status).toBe(200);
    expect(await status()).toEqual([200, 200, 200, 200]);
    await c.advance(181 * DAY);
    expect(await status()).toEqual([401, 401, 401, 401]);
    // The sandbox completion passes the open authentication sessions.
    const completed = await ok(c.call('POST', `/sandbox/users/${user.Id}/sca/complete`));
    expect(completed.Id).toBe(user.Id);
    expect(await status()).toEqual([200, 200, 200, 200]);
    // With nothing pending, the sandbox completion is refused.
    expectApiError(await c.call('POST', `/sandbox/users/${user.Id}/sca/complete`), 400, 'invalid_action');
  });

  it('lets an authentication link expire after 10 minutes of the client clock', async () => {
    const c = await freshClient();
    const user = await legacyOwner(c);
    const w = await wallet(user.Id, c);
    const link = expectScaRequired(await c.call('GET', `/wallets/${w.Id}/transactions?ScaContext=USER_PRESENT`));
    await c.advance(601);
    expect((await openPage(link)).status).toBe(410);
    expect((await passPage(link)).status).toBe(410);
    // An expired session is not pending any more.
    expectApiError(await c.call('POST', `/sandbox/users/${user.Id}/sca/complete`), 400, 'invalid_action');
    expectScaRequired(await c.call('GET', `/wallets/${w.Id}/transactions?ScaContext=USER_PRESENT`));
  });

  it('shows the official Node SDK the header, called as its own Wallets and Users tests call it', async () => {
    const user = await legacyOwner();
    const w = await wallet(user.Id);
    const errors = [
      await api.Wallets.get(w.Id, () => {}, { parameters: { ScaContext: 'USER_PRESENT' }, resolveWithFullResponse: true }).catch((e: any) => e),
      await api.Users.getWallets(user.Id, () => {}, { parameters: { ScaContext: 'USER_PRESENT' }, resolveWithFullResponse: true }).catch(
        (e: any) => e,
      ),
      await api.Wallets.getTransactions(w.Id, () => {}, { page: 1, per_page: 50, ScaContext: 'USER_PRESENT', resolveWithFullResponse: true }).catch(
        (e: any) => e,
      ),
      await api.Users.getTransactions(user.Id, () => {}, {
        parameters: { Type: 'PAYIN', ScaContext: 'USER_PRESENT' },
        resolveWithFullResponse: true,
      }).catch((e: any) => e),
    ];
    for (const e of errors) expect(e.headers['www-authenticate']).toContain('PendingUserAction RedirectUrl');
    // Without ScaContext the SDK reads as before.
    expect((await api.Wallets.get(w.Id)).Id).toBe(w.Id);
  });
});

// ----------------------------------------------------------------------------------------------
// Transfers

interface Holder {
  user: any;
  wallet: any;
}
async function holder(c: Caller, amount: number, kind: 'owner' | 'payer' = 'owner'): Promise<Holder> {
  const user = kind === 'owner' ? await enrolledOwner(c) : await payer(c);
  const w = await wallet(user.Id, c);
  if (amount) await fund(c, user.Id, w.Id, amount);
  return { user, wallet: w };
}
const transferBody = (from: Holder, to: { wallet: any }, amount: number, over: Record<string, unknown> = {}) => ({
  AuthorId: from.user.Id,
  DebitedFunds: money(amount),
  Fees: money(0),
  DebitedWalletId: from.wallet.Id,
  CreditedWalletId: to.wallet.Id,
  ScaContext: 'USER_PRESENT',
  ...over,
});
const balanceOf = async (c: Caller, walletId: string) => (await ok(c.call('GET', `/wallets/${walletId}`))).Balance.Amount;
const eventsOf = (id: string) => eventTypesOf(s.db, id);

describe('transfers with ScaContext USER_PRESENT', () => {
  it('between two OWNERs above 3000: CREATED with a PendingUserAction link, nothing moved yet', async () => {
    const a = await holder(main, 10_000);
    const b = await holder(main, 0);
    const t = await ok(main.call('POST', '/transfers', transferBody(a, b, 3001)));
    expect(t).toMatchObject({
      Status: 'CREATED',
      ResultCode: null,
      ResultMessage: null,
      ExecutionDate: null,
      ScaContext: 'USER_PRESENT',
      DebitedFunds: money(3001),
      CreditedFunds: money(3001),
      AuthorId: a.user.Id,
      CreditedUserId: b.user.Id,
    });
    expect(t.PendingUserAction.RedirectUrl).toMatch(new RegExp(`^${s.url}/sca\\?token=[A-Za-z0-9_-]+$`));
    expect(Object.keys(t).slice(-2)).toEqual(['ScaContext', 'PendingUserAction']);
    expect(await balanceOf(main, a.wallet.Id)).toBe(10_000);
    expect(await balanceOf(main, b.wallet.Id)).toBe(0);
    expect(await eventsOf(t.Id)).toEqual(['TRANSFER_NORMAL_CREATED']);
    // Reads show the transfer waiting, without the link (as user reads show none).
    const read = await ok(main.call('GET', `/transfers/${t.Id}`));
    expect(read).toEqual({ ...t, PendingUserAction: null });
    const page = await openPage(t.PendingUserAction.RedirectUrl);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Authenticate your transfer');
  });

  it('runs at once when out of scope: 3000 or less, to oneself, to a PAYER (002701), without ScaContext, PAYER author', async () => {
    const a = await holder(main, 20_000);
    const b = await holder(main, 0);
    const own = { wallet: await wallet(a.user.Id) };
    const p = await holder(main, 5000, 'payer');
    const cases: [Holder, { wallet: any }, number, Record<string, unknown>, string][] = [
      [a, b, 3000, {}, 'SUCCEEDED'],
      [a, b, 20, {}, 'SUCCEEDED'],
      [a, own, 5000, {}, 'SUCCEEDED'],
      // Decided at once by the category rule.
      [a, p, 5000, {}, 'FAILED'],
      [a, b, 4000, { ScaContext: undefined }, 'SUCCEEDED'],
      [p, b, 4000, {}, 'SUCCEEDED'],
    ];
    for (const [from, to, amount, over, status] of cases) {
      const t = await ok(main.call('POST', '/transfers', transferBody(from, to, amount, over)));
      expect(t, JSON.stringify(t)).toMatchObject({ Status: status, PendingUserAction: null });
    }
  });

  it('runs once the page is passed: SUCCEEDED, balances moved once, with its event', async () => {
    const a = await holder(main, 10_000);
    const b = await holder(main, 100);
    const t = await ok(main.call('POST', '/transfers', transferBody(a, b, 4000, { Fees: money(150), Tag: 'sca' })));
    const done = await passPage(t.PendingUserAction.RedirectUrl);
    expect(done.status).toBe(200);
    expect(done.body).toContain('Your transfer is authenticated');
    const read = await ok(main.call('GET', `/transfers/${t.Id}`));
    expect(read).toMatchObject({ Status: 'SUCCEEDED', ResultCode: '000000', ResultMessage: 'Success', Tag: 'sca', PendingUserAction: null });
    expect(read.ExecutionDate).toEqual(expect.any(Number));
    expect(await balanceOf(main, a.wallet.Id)).toBe(6000);
    expect(await balanceOf(main, b.wallet.Id)).toBe(100 + 3850);
    expect(await eventsOf(t.Id)).toEqual(['TRANSFER_NORMAL_CREATED', 'TRANSFER_NORMAL_SUCCEEDED']);
    expect((await passPage(t.PendingUserAction.RedirectUrl)).status).toBe(410);
    expect(await balanceOf(main, a.wallet.Id)).toBe(6000);
  });

  it('moves the money exactly once when the page and the sandbox complete it at the same time', async () => {
    const a = await holder(main, 10_000);
    const b = await holder(main, 0);
    const t = await ok(main.call('POST', '/transfers', transferBody(a, b, 7000)));
    const link = t.PendingUserAction.RedirectUrl;
    const answers = await Promise.all([
      passPage(link),
      passPage(link),
      main.call('POST', `/sandbox/users/${a.user.Id}/sca/complete`),
      passPage(link),
    ]);
    // One of them ran it; the page answers the others "already completed".
    expect(answers.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    for (const r of answers) expect([200, 400, 410]).toContain(r.status);
    expect((await ok(main.call('GET', `/transfers/${t.Id}`))).Status).toBe('SUCCEEDED');
    expect(await balanceOf(main, a.wallet.Id)).toBe(3000);
    expect(await balanceOf(main, b.wallet.Id)).toBe(7000);
    const postings = await s.db.query('SELECT 1 FROM postings WHERE movement_id = $1', [t.Id]);
    expect(postings).toHaveLength(2);
    expect(await eventsOf(t.Id)).toEqual(['TRANSFER_NORMAL_CREATED', 'TRANSFER_NORMAL_SUCCEEDED']);
  });

  it('runs every pending transfer of the author through the sandbox completion', async () => {
    const a = await holder(main, 10_000);
    const b = await holder(main, 0);
    const t1 = await ok(main.call('POST', '/transfers', transferBody(a, b, 3500)));
    const t2 = await ok(main.call('POST', '/transfers', transferBody(a, b, 3500)));
    await ok(main.call('POST', `/sandbox/users/${a.user.Id}/sca/complete`));
    for (const t of [t1, t2]) expect((await ok(main.call('GET', `/transfers/${t.Id}`))).Status).toBe('SUCCEEDED');
    expect(await balanceOf(main, b.wallet.Id)).toBe(7000);
    // Authenticating a transfer is not an authentication for account access.
    const [row] = await s.db.query<{ at: string | null }>('SELECT sca_authenticated_at AS at FROM users WHERE id = $1', [a.user.Id]);
    expect(row.at).toBeNull();
  });

  it('checks the balance when it runs: FAILED 001001 if the money left meanwhile', async () => {
    const a = await holder(main, 5000);
    const b = await holder(main, 0);
    const t = await ok(main.call('POST', '/transfers', transferBody(a, b, 4000)));
    // Not reserved: an exempt transfer spends the money first.
    expect((await ok(main.call('POST', '/transfers', transferBody(a, b, 2000)))).Status).toBe('SUCCEEDED');
    expect((await passPage(t.PendingUserAction.RedirectUrl)).status).toBe(200);
    const read = await ok(main.call('GET', `/transfers/${t.Id}`));
    expect(read).toMatchObject({ Status: 'FAILED', ResultCode: '001001', ExecutionDate: null });
    expect(await balanceOf(main, a.wallet.Id)).toBe(3000);
    expect(await eventsOf(t.Id)).toEqual(['TRANSFER_NORMAL_CREATED', 'TRANSFER_NORMAL_FAILED']);
  });

  it('fails with 002601 / 002602 when the author or the credited user was closed meanwhile', async () => {
    // Credited user closed.
    const a = await holder(main, 10_000);
    const b = await holder(main, 0);
    const t = await ok(main.call('POST', '/transfers', transferBody(a, b, 4000)));
    expect((await main.call('DELETE', `/users/natural/${b.user.Id}`)).status).toBe(204);
    const page = await passPage(t.PendingUserAction.RedirectUrl);
    expect(page.status).toBe(200);
    expect(page.body).toContain('User owning credited wallet is closed');
    expect(await ok(main.call('GET', `/transfers/${t.Id}`))).toMatchObject({ Status: 'FAILED', ResultCode: '002602' });
    expect(await balanceOf(main, b.wallet.Id)).toBe(0);
    // Author closed: its wallet emptied by an exempt transfer, then closed.
    const c = await holder(main, 3000);
    const d = await holder(main, 0);
    const u = await ok(main.call('POST', '/transfers', transferBody(c, d, 3001)));
    expect((await ok(main.call('POST', '/transfers', transferBody(c, d, 3000)))).Status).toBe('SUCCEEDED');
    expect((await main.call('DELETE', `/users/natural/${c.user.Id}`)).status).toBe(204);
    expect((await passPage(u.PendingUserAction.RedirectUrl)).status).toBe(200);
    expect(await ok(main.call('GET', `/transfers/${u.Id}`))).toMatchObject({ Status: 'FAILED', ResultCode: '002601' });
    expect(await balanceOf(main, c.wallet.Id)).toBe(0);
    expect(await balanceOf(main, d.wallet.Id)).toBe(3000);
  });

  it('fails with 007102 and its event when the session expires: on a clock jump, without any read', async () => {
    const c = await freshClient();
    const a = await holder(c, 10_000);
    const b = await holder(c, 0);
    const t = await ok(c.call('POST', '/transfers', transferBody(a, b, 5000)));
    await c.advance(540);
    expect(await eventsOf(t.Id)).toEqual(['TRANSFER_NORMAL_CREATED']);
    await c.advance(70);
    expect(await eventsOf(t.Id)).toEqual(['TRANSFER_NORMAL_CREATED', 'TRANSFER_NORMAL_FAILED']);
    expect(await ok(c.call('GET', `/transfers/${t.Id}`))).toMatchObject({
      Status: 'FAILED',
      ResultCode: '007102',
      ResultMessage: 'Transfer authentication expired. Please initiate a new request.',
      ExecutionDate: null,
    });
    expect((await passPage(t.PendingUserAction.RedirectUrl)).status).toBe(410);
    expect(await balanceOf(c, a.wallet.Id)).toBe(10_000);
    expect(await balanceOf(c, b.wallet.Id)).toBe(0);
    expect(await eventsOf(t.Id)).toEqual(['TRANSFER_NORMAL_CREATED', 'TRANSFER_NORMAL_FAILED']);
  });

  it('fails an expired one at the next sweep, or when it is read, whichever comes first', async () => {
    const a = await holder(main, 10_000);
    const b = await holder(main, 0);
    const swept = await ok(main.call('POST', '/transfers', transferBody(a, b, 5000)));
    const read = await ok(main.call('POST', '/transfers', transferBody(a, b, 5000)));
    const fresh = await ok(main.call('POST', '/transfers', transferBody(a, b, 5000)));
    // Eleven minutes in the past, as if nobody had come back since.
    const age = async (id: string) => {
      await s.db.query('UPDATE transactions SET creation_date = creation_date - 660 WHERE id = $1', [id]);
      await s.db.query('UPDATE sca_sessions SET created_at = created_at - 660, expires_at = expires_at - 660 WHERE transfer_id = $1', [id]);
    };
    await age(swept.Id);
    await sweepScaTransfers(s.db);
    expect(await eventsOf(swept.Id)).toEqual(['TRANSFER_NORMAL_CREATED', 'TRANSFER_NORMAL_FAILED']);
    const [row] = await s.db.query<{ status: string; result_code: string }>('SELECT status, result_code FROM transactions WHERE id = $1', [swept.Id]);
    expect(row).toEqual({ status: 'FAILED', result_code: '007102' });
    await age(read.Id);
    expect((await ok(main.call('GET', `/transfers/${read.Id}`))).ResultCode).toBe('007102');
    expect(await eventsOf(read.Id)).toEqual(['TRANSFER_NORMAL_CREATED', 'TRANSFER_NORMAL_FAILED']);
    expect((await ok(main.call('GET', `/transfers/${fresh.Id}`))).Status).toBe('CREATED');
    expect(await balanceOf(main, a.wallet.Id)).toBe(10_000);
  });

  it('refuses USER_NOT_PRESENT without the author\'s proxy consent (403 sca_proxy_missing), runs it once consent is given', async () => {
    const a = await holder(main, 10_000);
    const b = await holder(main, 0);
    const before = await s.db.query('SELECT count(*)::int AS n FROM transactions WHERE author_id = $1', [a.user.Id]);
    expectApiError(await main.call('POST', '/transfers', transferBody(a, b, 5000, { ScaContext: 'USER_NOT_PRESENT' })), 403, 'sca_proxy_missing');
    const after = await s.db.query('SELECT count(*)::int AS n FROM transactions WHERE author_id = $1', [a.user.Id]);
    expect(after).toEqual(before);
    // Within the exemption no SCA, so no proxy, is needed.
    expect((await ok(main.call('POST', '/transfers', transferBody(a, b, 3000, { ScaContext: 'user_not_present' })))).Status).toBe('SUCCEEDED');
    const consent = await ok(main.call('POST', `/sca/users/${a.user.Id}/consent`));
    expect((await passPage(consent.PendingUserAction.RedirectUrl)).status).toBe(200);
    const t = await ok(main.call('POST', '/transfers', transferBody(a, b, 5000, { ScaContext: 'USER_NOT_PRESENT' })));
    expect(t).toMatchObject({ Status: 'SUCCEEDED', ScaContext: 'USER_NOT_PRESENT', PendingUserAction: null });
    expect(await balanceOf(main, b.wallet.Id)).toBe(8000);
  });

  it('is wiped with the rest by a sandbox reset while it waits', async () => {
    const c = await freshClient();
    const a = await holder(c, 10_000);
    const b = await holder(c, 0);
    const t = await ok(c.call('POST', '/transfers', transferBody(a, b, 5000)));
    expect((await c.call('POST', '/sandbox/reset')).status).toBe(204);
    expectApiError(await c.call('GET', `/transfers/${t.Id}`), 404, 'ressource_not_found');
    expect((await passPage(t.PendingUserAction.RedirectUrl)).status).toBe(404);
  });

  it('refuses an unknown ScaContext with 400 param_error naming it', async () => {
    const a = await holder(main, 0);
    const b = await holder(main, 0);
    const r = await main.call('POST', '/transfers', transferBody(a, b, 5000, { ScaContext: 'LATER' }));
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['ScaContext']);
  });

  it('gives the official Node SDK the PendingUserAction above 3000 and none at 20 cents', async () => {
    const a = await holder(main, 10_000);
    const b = await holder(main, 0);
    const pending = await api.Transfers.create(transferBody(a, b, 3001));
    expect(pending.Status).toBe('CREATED');
    expect(pending.PendingUserAction.RedirectUrl).toContain('/sca?token=');
    const small = await api.Transfers.create(transferBody(a, b, 20));
    expect(small).toMatchObject({ Status: 'SUCCEEDED', PendingUserAction: null });
  });
});
