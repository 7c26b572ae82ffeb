import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { CURRENCIES, MAX_AMOUNT } from '../src/ledger/money.js';
import { expectApiError } from './helpers/errors.js';
import { legalPayer, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';

const { s, api } = fileServer();
// The ledger stays sound whatever a test did.
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const natural = (over: Record<string, unknown> = {}) => createUser(s, 'natural', naturalOwner(over));
const create = (body: unknown) => s.call('POST', '/wallets', { body });
async function wallet(ownerId: string, over: Record<string, unknown> = {}): Promise<any> {
  const r = await create({ Owners: [ownerId], Currency: 'EUR', Description: 'Main wallet', ...over });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const closeUser = (id: string) => s.db.query(`UPDATE users SET status = 'CLOSED' WHERE id = $1`, [id]);

describe('the official SDK drives wallets', () => {
  it('creates, reads, updates and lists wallets', async () => {
    const user = await natural();
    const w: any = { Owners: [user.Id], Currency: 'EUR', Description: 'A wallet', Tag: 'custom' };
    const made = await api.Wallets.create(w);
    expect(made.Id).toMatch(/^wlt_m_/);
    expect(w.Id).toBe(made.Id);
    expect(made).toMatchObject({
      Owners: [user.Id],
      Currency: 'EUR',
      Description: 'A wallet',
      Balance: { Currency: 'EUR', Amount: 0 },
      FundsType: 'DEFAULT',
      Tag: 'custom',
    });
    const read = await api.Wallets.get(made.Id);
    expect(read.Id).toBe(made.Id);
    expect(read.Balance).toEqual({ Currency: 'EUR', Amount: 0 });
    // The SDK's own "Save" test: a lowercase description set on the returned object, sent back whole.
    w.description = 'Renamed';
    const updated = await api.Wallets.update(w);
    expect(updated.Description).toBe('Renamed');
    expect(updated.Currency).toBe('EUR');
    const second = await api.Wallets.create({ Owners: [user.Id], Currency: 'GBP', Description: 'Pounds' });
    const list = await api.Users.getWallets(user.Id);
    expect(list.map((x: any) => x.Id).sort()).toEqual([made.Id, second.Id].sort());
    const txs = await api.Wallets.getTransactions(made.Id);
    expect(txs).toEqual([]);
  });

  it('rejects through the SDK with the API error', async () => {
    const err = await api.Wallets.create({ Owners: ['user_m_nobody'], Currency: 'EUR', Description: 'x' }).catch((e: any) => e);
    expect(err).toMatchObject({ Type: 'ressource_not_found' });
  });
});

describe('POST /wallets', () => {
  it('answers the Wallet object with its keys in Mangopay order', async () => {
    const user = await natural();
    const w = await wallet(user.Id, { Tag: null });
    expect(Object.keys(w)).toEqual(['Description', 'Owners', 'Id', 'Balance', 'Currency', 'FundsType', 'Tag', 'CreationDate']);
    expect(w.Tag).toBeNull();
    expect(Math.abs(w.CreationDate - Date.now() / 1000)).toBeLessThan(60);
  });

  it('accepts every supported currency, lowercase too, and property names in any case', async () => {
    const user = await natural();
    for (const c of CURRENCIES) expect((await wallet(user.Id, { Currency: c })).Currency).toBe(c);
    const r = await create({ owners: [user.Id], currency: 'chf', description: 'lower' });
    expect(r.status).toBe(200);
    expect(r.body.Currency).toBe('CHF');
    expect(r.body.Description).toBe('lower');
  });

  it('lets PAYERs own wallets, natural and legal', async () => {
    for (const [kind, body] of [['natural', naturalPayer()], ['legal', legalPayer()]] as const) {
      const payer = await createUser(s, kind, body);
      expect((await wallet(payer.Id)).Owners).toEqual([payer.Id]);
    }
  });

  it('refuses an unsupported or missing currency', async () => {
    const user = await natural();
    let r = await create({ Owners: [user.Id], Currency: 'AZN', Description: 'x' });
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toEqual({ Currency: 'Currency: The currency AZN is not available' });
    for (const Currency of [undefined, '', 'EURO', 12]) {
      r = await create({ Owners: [user.Id], Currency, Description: 'x' });
      expectApiError(r, 400, 'param_error');
      expect(r.body.errors).toHaveProperty('Currency');
    }
  });

  it('wants exactly one owner', async () => {
    const [a, b] = [await natural(), await natural()];
    let r = await create({ Owners: [a.Id, b.Id], Currency: 'EUR', Description: 'x' });
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toEqual({ Owners: "Owners doesn't support multiple values for the moment" });
    for (const Owners of [undefined, [], [null], [12]]) {
      r = await create({ Owners, Currency: 'EUR', Description: 'x' });
      expectApiError(r, 400, 'param_error');
      expect(r.body.errors).toHaveProperty('Owners');
    }
  });

  it('takes the owner as a bare id too, and refuses an empty or non-string one naming Owners', async () => {
    const user = await natural();
    const r = await create({ Owners: user.Id, Currency: 'EUR', Description: 'bare' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.Owners).toEqual([user.Id]);
    for (const Owners of ['', [''], { Id: user.Id }]) {
      const bad = await create({ Owners, Currency: 'EUR', Description: 'x' });
      expectApiError(bad, 400, 'param_error');
      expect(bad.body.errors).toEqual({ Owners: 'Owners must hold one user id.' });
    }
    // Its problem is reported with the others of the body.
    const all = await create({ Owners: [12], Currency: 'XYZ', Description: 'd'.repeat(256) });
    expect(all.body.errors).toEqual({
      Owners: 'Owners must hold one user id.',
      Currency: 'Currency: The currency XYZ is not available',
      Description: 'The field Description must be a string with a maximum length of 255.',
    });
  });

  it('wants a Description of at most 255 characters and a Tag of at most 255', async () => {
    const user = await natural();
    expect((await wallet(user.Id, { Description: 'd'.repeat(255), Tag: 't'.repeat(255) })).Description).toHaveLength(255);
    for (const body of [{ Description: undefined }, { Description: '' }, { Description: 'd'.repeat(256) }, { Tag: 't'.repeat(256) }]) {
      const r = await create({ Owners: [user.Id], Currency: 'EUR', Description: 'ok', ...body });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual([Object.keys(body)[0]]);
    }
  });

  it('reports every problem together', async () => {
    const r = await create({ Owners: [], Currency: 'XYZ' });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual(['Currency', 'Description', 'Owners']);
  });

  it("answers 404 for an unknown owner and for another client's user", async () => {
    let r = await create({ Owners: ['user_m_nobody'], Currency: 'EUR', Description: 'x' });
    expectApiError(r, 404, 'ressource_not_found');
    expect(r.body.errors.RessourceNotFound).toContain('user_m_nobody');
    const other = await s.newClient();
    const stranger = await s.fetch('POST', `/v2.01/${other.id}/sca/users/natural`, { token: await s.tokenFor(other), body: naturalOwner() });
    r = await create({ Owners: [stranger.body.Id], Currency: 'EUR', Description: 'x' });
    expectApiError(r, 404, 'ressource_not_found');
  });

  it('refuses a closed owner with user_closed', async () => {
    const user = await natural();
    await closeUser(user.Id);
    const r = await create({ Owners: [user.Id], Currency: 'EUR', Description: 'x' });
    expectApiError(r, 400, 'user_closed');
    expect(r.body.Message).toBe('User closed: No action can be performed');
  });

  it('ignores read-only and unknown properties', async () => {
    const user = await natural();
    const w = await wallet(user.Id, { Id: 'wlt_m_mine', Balance: { Currency: 'EUR', Amount: 5000 }, FundsType: 'FEES', Foo: 1 });
    expect(w.Id).not.toBe('wlt_m_mine');
    expect(w.Balance).toEqual({ Currency: 'EUR', Amount: 0 });
    expect(w.FundsType).toBe('DEFAULT');
  });
});

describe('GET and PUT /wallets/{Id}', () => {
  it('reads a wallet, case-insensitive path and trailing slash', async () => {
    const user = await natural();
    const w = await wallet(user.Id);
    for (const path of [`/wallets/${w.Id}`, `/Wallets/${w.Id}/`]) {
      const r = await s.call('GET', `${path}?ScaContext=USER_NOT_PRESENT`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(w);
    }
  });

  it("answers 404 for an unknown wallet and for another client's wallet, read or write", async () => {
    expectApiError(await s.call('GET', '/wallets/wlt_m_nobody'), 404, 'ressource_not_found');
    const user = await natural();
    const w = await wallet(user.Id);
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const r = await s.fetch('GET', `/v2.01/${other.id}/wallets/${w.Id}`, { token });
    expectApiError(r, 404, 'ressource_not_found');
    expect(r.body.errors.RessourceNotFound).toContain(w.Id);
    const put = await s.fetch('PUT', `/v2.01/${other.id}/wallets/${w.Id}`, { token, body: { Description: 'taken' } });
    expectApiError(put, 404, 'ressource_not_found');
    expect((await s.call('GET', `/wallets/${w.Id}`)).body.Description).toBe('Main wallet');
    const txs = await s.fetch('GET', `/v2.01/${other.id}/wallets/${w.Id}/transactions`, { token });
    expectApiError(txs, 404, 'ressource_not_found');
    const list = await s.fetch('GET', `/v2.01/${other.id}/users/${user.Id}/wallets`, { token });
    expectApiError(list, 404, 'ressource_not_found');
  });

  it('updates Description and Tag only; Currency, Owners and Balance are ignored', async () => {
    const [user, other] = [await natural(), await natural()];
    const w = await wallet(user.Id, { Tag: 'old' });
    const r = await s.call('PUT', `/wallets/${w.Id}`, {
      body: { Description: 'New', Tag: 'new', Currency: 'GBP', Owners: [other.Id], Balance: { Currency: 'GBP', Amount: 99 } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({ ...w, Description: 'New', Tag: 'new' });
    expect((await s.call('GET', `/wallets/${w.Id}`)).body).toEqual(r.body);
    // Absent properties are kept, an empty Tag clears it.
    const kept = await s.call('PUT', `/wallets/${w.Id}`, { body: { Tag: '' } });
    expect(kept.body).toMatchObject({ Description: 'New', Tag: null });
  });

  it('refuses an empty or too long Description and a too long Tag', async () => {
    const user = await natural();
    const w = await wallet(user.Id);
    for (const body of [{ Description: '' }, { Description: 'd'.repeat(256) }, { Tag: 't'.repeat(256) }]) {
      const r = await s.call('PUT', `/wallets/${w.Id}`, { body });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual(Object.keys(body));
    }
    expect((await s.call('GET', `/wallets/${w.Id}`)).body).toEqual(w);
  });

  it("refuses to update a closed user's wallet, which stays readable", async () => {
    const user = await natural();
    const w = await wallet(user.Id);
    await closeUser(user.Id);
    expectApiError(await s.call('PUT', `/wallets/${w.Id}`, { body: { Description: 'x' } }), 400, 'user_closed');
    expect((await s.call('GET', `/wallets/${w.Id}`)).body).toEqual(w);
    expect((await s.call('GET', `/users/${user.Id}/wallets`)).body).toEqual([w]);
  });
});

describe('GET /users/{UserId}/wallets', () => {
  it("lists the user's wallets only, paged and sorted", async () => {
    const [user, other] = [await natural(), await natural()];
    const mine = [];
    for (let n = 0; n < 3; n++) mine.push(await wallet(user.Id, { Description: `w${n}` }));
    await wallet(other.Id);
    let r = await s.call('GET', `/users/${user.Id}/wallets?per_page=2&page=1&Sort=CreationDate:ASC`);
    expect(r.status).toBe(200);
    expect(r.headers.get('X-Number-Of-Items')).toBe('3');
    expect(r.headers.get('X-Number-Of-Pages')).toBe('2');
    expect(r.body.map((w: any) => w.Id)).toEqual([mine[0].Id, mine[1].Id]);
    r = await s.call('GET', `/users/${user.Id}/wallets?per_page=2&page=2&Sort=CreationDate:ASC`);
    expect(r.body.map((w: any) => w.Id)).toEqual([mine[2].Id]);
    r = await s.call('GET', `/users/${user.Id}/wallets?Sort=CreationDate:DESC`);
    expect(r.body.map((w: any) => w.Id)).toEqual(mine.map((w) => w.Id).reverse());
  });

  it('answers [] for a user without wallets and 404 for an unknown user', async () => {
    const user = await natural();
    expect((await s.call('GET', `/users/${user.Id}/wallets`)).body).toEqual([]);
    expectApiError(await s.call('GET', '/users/user_m_nobody/wallets'), 404, 'ressource_not_found');
  });

  it('refuses bad paging', async () => {
    const user = await natural();
    expectApiError(await s.call('GET', `/users/${user.Id}/wallets?per_page=101`), 400, 'param_error');
    expectApiError(await s.call('GET', `/users/${user.Id}/wallets?Sort=Balance:ASC`), 400, 'param_error');
  });
});

describe('the ledger', () => {
  it('keeps MAX_AMOUNT far below the integers a double holds exactly', () => {
    expect(MAX_AMOUNT * 1000).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a negative balance in the database itself', async () => {
    const user = await natural();
    const w = await wallet(user.Id);
    await expect(s.db.query('UPDATE wallets SET balance = -1 WHERE id = $1', [w.Id])).rejects.toThrow(/check/i);
  });

  it('allows one fee wallet per client and currency', async () => {
    const { ensureFeeWallet } = await import('../src/ledger/index.js');
    const ids = await Promise.all([1, 2, 3].map(() => s.db.tx((q) => ensureFeeWallet(q, s.client.id, 'SEK', 1))));
    expect(new Set(ids).size).toBe(1);
    const [{ n }] = await s.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM wallets WHERE client_id = $1 AND currency = 'SEK' AND funds_type = 'FEES'",
      [s.client.id],
    );
    expect(n).toBe(1);
    // Fee wallets are the client's, not a user's: not reachable as user wallets.
    expectApiError(await s.call('GET', `/wallets/${ids[0]}`), 404, 'ressource_not_found');
  });

  it('refuses an unbalanced movement', async () => {
    const { post } = await import('../src/ledger/index.js');
    const user = await natural();
    const w = await wallet(user.Id);
    await expect(
      s.db.tx((q) => post(q, s.client.id, 'mv_test', [{ wallet: w.Id, currency: 'EUR', amount: 10 }, { external: true, currency: 'EUR', amount: -9 }], 1)),
    ).rejects.toThrow(/balance/);
    expect((await s.call('GET', `/wallets/${w.Id}`)).body.Balance.Amount).toBe(0);
  });

  it('posts a movement to an account once, even if a caller tried twice', async () => {
    const { post } = await import('../src/ledger/index.js');
    const user = await natural();
    const w = await wallet(user.Id);
    const legs = [{ wallet: w.Id, currency: 'EUR', amount: 10 }, { external: true as const, currency: 'EUR', amount: -10 }];
    await s.db.tx((q) => post(q, s.client.id, 'mv_once', legs, 1));
    await expect(s.db.tx((q) => post(q, s.client.id, 'mv_once', legs, 1))).rejects.toThrow(/unique|duplicate/i);
    expect((await s.call('GET', `/wallets/${w.Id}`)).body.Balance.Amount).toBe(10);
    // Undone, so that the wallets again hold exactly settled pay-ins minus payouts (ledgerInvariants).
    const undo = legs.map((l) => ({ ...l, amount: -l.amount }));
    await s.db.tx((q) => post(q, s.client.id, 'mv_once_undo', undo, 1));
  });

  it('reports a wallet whose balance disagrees with its postings', async () => {
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const user = await s.fetch('POST', `/v2.01/${other.id}/sca/users/natural`, { token, body: naturalOwner() });
    const w = await s.fetch('POST', `/v2.01/${other.id}/wallets`, { token, body: { Owners: [user.body.Id], Currency: 'EUR', Description: 'x' } });
    expect(await ledgerInvariants(s.db, other.id)).toEqual([]);
    await s.db.query('UPDATE wallets SET balance = 5 WHERE id = $1', [w.body.Id]);
    expect((await ledgerInvariants(s.db, other.id)).join('\n')).toContain(w.body.Id);
    expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
    // Put back: the database is checked for every client once the file is done.
    await s.db.query('UPDATE wallets SET balance = 0 WHERE id = $1', [w.body.Id]);
  });
});
