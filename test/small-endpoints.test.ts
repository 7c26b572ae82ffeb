import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { blockedCountry } from '../src/lib/countries.js';
import { calendarPeriod } from '../src/modules/emoney/service.js';
import { expectApiError } from './helpers/errors.js';
import { address, naturalOwner } from './helpers/fixtures.js';
import { walletBalance } from './helpers/reads.js';
import { createUser, fileServer } from './helpers/server.js';

// The small endpoints the SDKs call (issue 10 item 7).
const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const money = (Amount: unknown, Currency: unknown = 'EUR') => ({ Currency, Amount });
const PNG_BYTES = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(40 * 1024, 0x41)]);
const PDF_BYTES = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(40 * 1024, 0x42)]);

/** A natural OWNER made REGULAR through an IDENTITY_PROOF the sandbox validates (Tag 'accept'). */
async function regularOwner(): Promise<any> {
  const user = await createUser(s, 'natural', naturalOwner());
  const doc = await s.call('POST', `/users/${user.Id}/kyc/documents`, { body: { Type: 'IDENTITY_PROOF', Tag: 'accept' } });
  expect(doc.status, JSON.stringify(doc.body)).toBe(200);
  const page = await s.call('POST', `/users/${user.Id}/kyc/documents/${doc.body.Id}/pages`, { body: { File: PNG_BYTES.toString('base64') } });
  expect(page.status).toBe(204);
  const submitted = await s.call('PUT', `/users/${user.Id}/kyc/documents/${doc.body.Id}`, { body: { Status: 'VALIDATION_ASKED' } });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  return (await s.call('GET', `/sca/users/${user.Id}`)).body;
}
async function wallet(ownerId: string, Currency = 'EUR'): Promise<any> {
  const r = await s.call('POST', '/wallets', { body: { Owners: [ownerId], Currency, Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
async function fund(userId: string, w: any, amount: number, fees = 0): Promise<any> {
  const p = await s.call('POST', '/payins/bankwire/direct', {
    body: { AuthorId: userId, CreditedWalletId: w.Id, DeclaredDebitedFunds: money(amount, w.Currency), DeclaredFees: money(fees, w.Currency) },
  });
  expect(p.status, JSON.stringify(p.body)).toBe(200);
  const settled = await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`);
  expect(settled.body.Status).toBe('SUCCEEDED');
  return settled.body;
}
async function ibanAccount(userId: string, OwnerName = 'Owner Name', IBAN = 'FR7630004000031234567890143'): Promise<any> {
  const r = await s.call('POST', `/users/${userId}/bankaccounts/iban`, { body: { OwnerName, OwnerAddress: address(), IBAN, BIC: 'BNPAFRPP' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
async function gbAccount(userId: string): Promise<any> {
  const r = await s.call('POST', `/users/${userId}/bankaccounts/gb`, {
    body: { OwnerName: 'Owner Name', OwnerAddress: address(), AccountNumber: '63956474', SortCode: '200000' },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const payOutBody = (user: any, w: any, account: any, amount = 1000, over: Record<string, unknown> = {}) => ({
  AuthorId: user.Id,
  DebitedWalletId: w.Id,
  DebitedFunds: money(amount, w.Currency),
  Fees: money(0, w.Currency),
  BankAccountId: account.Id,
  ...over,
});
async function payOut(user: any, w: any, account: any, amount = 1000, over: Record<string, unknown> = {}): Promise<any> {
  const r = await s.call('POST', '/payouts/bankwire', { body: payOutBody(user, w, account, amount, over) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
/** A call of another client, with that client's own token. */
async function asOther(method: string, path: string, opts: { body?: unknown } = {}) {
  const other = await s.newClient();
  return s.fetch(method, `/v2.01/${other.id}${path}`, { ...opts, token: await s.tokenFor(other) });
}
/** A GET with a JSON body, as the Ruby SDK sends the e-money currency (fetch refuses to). */
async function getWithBody(path: string, body: unknown): Promise<any> {
  const token = await s.token();
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}/v2.01/${s.client.id}${path}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
async function clientNow(): Promise<number> {
  return (await s.call('GET', '/sandbox/clock')).body.Date;
}

describe('GET /bankaccounts/{Id}/transactions: the payouts made to a bank account', () => {
  it('lists the payouts to that account only, paged and filtered, through the SDK too', async () => {
    const owner = await regularOwner();
    const w = await wallet(owner.Id);
    await fund(owner.Id, w, 10_000);
    const a = await ibanAccount(owner.Id);
    const b = await ibanAccount(owner.Id);
    const p1 = await payOut(owner, w, a, 1000);
    const p2 = await payOut(owner, w, a, 2000);
    const toB = await payOut(owner, w, b, 500);
    const failed = await payOut(owner, w, a, 99_999); // insufficient balance: FAILED, still a payout to the account
    expect((await s.call('GET', `/payouts/${failed.Id}`)).body.Status).toBe('FAILED');

    const list = await s.call('GET', `/bankaccounts/${a.Id}/transactions`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.map((t: any) => t.Id)).toEqual([p1.Id, p2.Id, failed.Id]);
    expect(list.body[0]).toMatchObject({ Type: 'PAYOUT', Nature: 'REGULAR', DebitedWalletId: w.Id, DebitedFunds: money(1000) });
    expect(list.headers.get('x-number-of-items')).toBe('3');

    const succeededOnly = await s.call('GET', `/bankaccounts/${a.Id}/transactions?Status=CREATED&Sort=CreationDate:DESC&per_page=1`);
    expect(succeededOnly.body.map((t: any) => t.Id)).toEqual([p2.Id]);
    expect(succeededOnly.headers.get('x-number-of-pages')).toBe('2');
    expectApiError(await s.call('GET', `/bankaccounts/${a.Id}/transactions?Status=DONE`), 400, 'param_error');

    const sdk = await api.BankAccounts.getTransactions(b.Id);
    expect(sdk.map((t: any) => t.Id)).toEqual([toB.Id]);
    const none = await ibanAccount(owner.Id);
    expect(await api.BankAccounts.getTransactions(none.Id)).toEqual([]);
  });

  it('is 404 for an unknown account and for another client\'s account', async () => {
    const owner = await createUser(s, 'natural', naturalOwner());
    const a = await ibanAccount(owner.Id);
    const unknown = await s.call('GET', '/bankaccounts/bankacc_m_nope/transactions');
    expectApiError(unknown, 404, 'ressource_not_found');
    expectApiError(await asOther('GET', `/bankaccounts/${a.Id}/transactions`), 404, 'ressource_not_found');
  });
});

describe('GET /users/{Id}/emoney/{Year}[/{Month}]: e-money from the ledger', () => {
  it('sums what the wallets of the currency received and paid out in the year and the month (UTC)', async () => {
    const owner = await regularOwner();
    const eur = await wallet(owner.Id);
    const eur2 = await wallet(owner.Id);
    const gbp = await wallet(owner.Id, 'GBP');
    await fund(owner.Id, eur, 5000, 300); // 4700 credited
    await fund(owner.Id, eur2, 1000);
    await fund(owner.Id, gbp, 700);
    const account = await ibanAccount(owner.Id);
    await payOut(owner, eur, account, 1200);
    // A payout the bank rejects gives its money back: it counts neither way.
    const rejected = await payOut(owner, eur, account, 800);
    expect((await s.call('POST', `/sandbox/payouts/${rejected.Id}/fail`)).body.Status).toBe('FAILED');
    // A transfer out to another user's wallet is e-money leaving this user's wallets.
    const payee = await createUser(s, 'natural', naturalOwner({ Email: 'payee@example.com' }));
    const payeeWallet = await wallet(payee.Id);
    const t = await s.call('POST', '/transfers', {
      body: { AuthorId: owner.Id, DebitedWalletId: eur2.Id, CreditedWalletId: payeeWallet.Id, DebitedFunds: money(400), Fees: money(0) },
    });
    expect(t.body.Status, JSON.stringify(t.body)).toBe('SUCCEEDED');

    const now = new Date((await clientNow()) * 1000);
    const year = now.getUTCFullYear();
    const month = now.getUTCMonth() + 1;
    const expected = { UserId: owner.Id, CreditedEMoney: money(5700), DebitedEMoney: money(1600) };

    const byYear = await api.Users.getEMoney(owner.Id, year);
    expect(byYear).toMatchObject(expected);
    expect(Object.keys((await s.call('GET', `/users/${owner.Id}/emoney/${year}/`)).body)).toEqual(['UserId', 'CreditedEMoney', 'DebitedEMoney']);
    expect(await api.Users.getEMoney(owner.Id, year, month)).toMatchObject(expected);
    const padded = await s.call('GET', `/users/${owner.Id}/emoney/${year}/${String(month).padStart(2, '0')}/`);
    expect(padded.body).toEqual(expected);
    // Credited − Debited is what the EUR wallets hold.
    expect((await walletBalance(s, eur.Id)) + (await walletBalance(s, eur2.Id))).toBe(5700 - 1600);
    expect((await s.call('GET', `/users/${owner.Id}/emoney`)).body).toEqual(expected);

    const otherMonth = month === 1 ? 2 : month - 1;
    expect((await s.call('GET', `/users/${owner.Id}/emoney/${year}/${otherMonth}`)).body).toEqual({
      UserId: owner.Id,
      CreditedEMoney: money(0),
      DebitedEMoney: money(0),
    });
    expect((await api.Users.getEMoney(owner.Id, year - 1)).CreditedEMoney).toEqual(money(0));

    // Another currency: only the wallets of that currency, asked by query (Python, PHP) or body (Ruby).
    const inGbp = await s.call('GET', `/users/${owner.Id}/emoney/${year}?currency=GBP`);
    expect(inGbp.body).toEqual({ UserId: owner.Id, CreditedEMoney: money(700, 'GBP'), DebitedEMoney: money(0, 'GBP') });
    const bodyGbp = await getWithBody(`/users/${owner.Id}/emoney/${year}/${month}`, { Currency: 'gbp' });
    expect(bodyGbp.status, JSON.stringify(bodyGbp.body)).toBe(200);
    expect(bodyGbp.body.CreditedEMoney).toEqual(money(700, 'GBP'));
    // A body too large to be a currency is not read, and the answer still comes.
    const big = await getWithBody(`/users/${owner.Id}/emoney/${year}`, { Currency: 'GBP', Padding: 'x'.repeat(100_000) });
    expect(big.body.CreditedEMoney).toEqual(money(5700));
    const usd = await s.call('GET', `/users/${owner.Id}/emoney/${year}?Currency=USD`);
    expect(usd.body.CreditedEMoney).toEqual(money(0, 'USD'));

    // The payee's side of the transfer.
    expect((await api.Users.getEMoney(payee.Id, year)).CreditedEMoney).toEqual(money(400));
  });

  it('answers zeros in EUR for a user without wallets (the SDK test)', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const e = await api.Users.getEMoney(user.Id, 2019, 4);
    expect(e).toMatchObject({ UserId: user.Id, CreditedEMoney: money(0), DebitedEMoney: money(0) });
  });

  it('refuses a bad year, month or currency naming it, and an unknown or another client\'s user', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    for (const [path, field] of [
      ['/emoney/19', 'Year'],
      ['/emoney/abcd', 'Year'],
      ['/emoney/1969', 'Year'],
      ['/emoney/20190', 'Year'],
      ['/emoney/2019/13', 'Month'],
      ['/emoney/2019/0', 'Month'],
      ['/emoney/2019/x', 'Month'],
      ['/emoney/2019?currency=EURO', 'Currency'],
    ]) {
      const r = await s.call('GET', `/users/${user.Id}${path}`);
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors), path).toContain(field);
    }
    const both = await s.call('GET', `/users/${user.Id}/emoney/99/99`);
    expect(Object.keys(both.body.errors).sort()).toEqual(['Month', 'Year']);
    expectApiError(await s.call('GET', '/users/user_m_nope/emoney/2019'), 404, 'ressource_not_found');
    // An unknown user is not found before its parameters are judged.
    expectApiError(await s.call('GET', '/users/user_m_nope/emoney/19/13'), 404, 'ressource_not_found');
    expectApiError(await asOther('GET', `/users/${user.Id}/emoney/2019`), 404, 'ressource_not_found');
  });

  it('periods are UTC calendar years and months', () => {
    expect(calendarPeriod(2024)).toEqual({ from: Date.UTC(2024, 0, 1) / 1000, to: Date.UTC(2025, 0, 1) / 1000 });
    expect(calendarPeriod(2024, 2)).toEqual({ from: 1706745600, to: 1709251200 }); // 29 days: a leap year
    expect(calendarPeriod(2024, 12)).toEqual({ from: Date.UTC(2024, 11, 1) / 1000, to: Date.UTC(2025, 0, 1) / 1000 });
  });
});

describe('country authorizations (no client id in the path)', () => {
  it('answers one country through the SDK, with or without a bearer token, any case', async () => {
    const fr = await api.Regulatory.getCountryAuthorizations('FR');
    expect(fr).toEqual({
      CountryCode: 'FR',
      CountryName: 'France',
      Authorization: { BlockUserCreation: false, BlockBankAccountCreation: false, BlockPayout: false },
      LastUpdate: expect.any(Number),
    });
    const anonymous = await s.fetch('GET', '/v2.01/countries/kp/authorizations');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toMatchObject({
      CountryCode: 'KP',
      Authorization: { BlockUserCreation: true, BlockBankAccountCreation: true, BlockPayout: true },
    });
    const slash = await s.fetch('GET', '/v2.01/Countries/FR/Authorizations/', { token: await s.token() });
    expect(slash.body.CountryCode).toBe('FR');
    expectApiError(await s.fetch('GET', '/v2.01/countries/ZZ/authorizations'), 404, 'ressource_not_found');
    const bad = await s.fetch('GET', '/v2.01/countries/FRA/authorizations');
    expectApiError(bad, 400, 'param_error');
    expect(Object.keys(bad.body.errors)).toEqual(['CountryCode']);
  });

  it('lists every country, paged, through the SDK too', async () => {
    const first = await api.Regulatory.getAllCountriesAuthorizations();
    expect(first).toHaveLength(10);
    expect(first[0]).toMatchObject({ CountryCode: 'AD', CountryName: 'Andorra', Authorization: { BlockUserCreation: false } });
    const all: any[] = [];
    for (let page = 1; ; page++) {
      const r = await s.fetch('GET', `/v2.01/countries/authorizations?page=${page}&per_page=100`);
      expect(r.status).toBe(200);
      all.push(...r.body);
      if (page >= Number(r.headers.get('x-number-of-pages'))) {
        expect(Number(r.headers.get('x-number-of-items'))).toBe(all.length);
        expect(r.headers.get('link')).toContain('/v2.01/countries/authorizations?page=1&per_page=100');
        break;
      }
    }
    expect(all.length).toBeGreaterThan(240);
    expect(new Set(all.map((c) => c.CountryCode)).size).toBe(all.length);
    expect(all.every((c) => typeof c.CountryName === 'string' && c.CountryName.length > 0)).toBe(true);
    // The list and the validation read the same data.
    for (const c of all) expect(c.Authorization.BlockUserCreation, c.CountryCode).toBe(blockedCountry(c.CountryCode));
    const blocked = all.filter((c) => c.Authorization.BlockUserCreation).map((c) => c.CountryCode);
    expect(blocked).toEqual(expect.arrayContaining(['CU', 'IR', 'KP', 'SY']));
    expectApiError(await s.fetch('GET', '/v2.01/countries/authorizations?per_page=1000'), 400, 'param_error');
  });

  it('a country the list blocks is refused by user creation, one it allows is accepted', async () => {
    const list = (await s.fetch('GET', '/v2.01/countries/authorizations?per_page=100&page=2')).body.concat(
      (await s.fetch('GET', '/v2.01/countries/authorizations?per_page=100&page=3')).body,
    );
    const blocked = list.find((c: any) => c.Authorization.BlockUserCreation && c.CountryCode !== 'KP');
    const allowed = list.find((c: any) => !c.Authorization.BlockUserCreation && c.CountryCode !== 'US' && c.CountryCode !== 'MX');
    const refused = await s.call('POST', '/sca/users/natural', { body: naturalOwner({ CountryOfResidence: blocked.CountryCode }) });
    expectApiError(refused, 400, 'param_error');
    expect(Object.keys(refused.body.errors)).toContain('CountryOfResidence');
    const ok = await s.call('POST', '/sca/users/natural', { body: naturalOwner({ CountryOfResidence: allowed.CountryCode }) });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });
});

describe('RecipientVerificationOfPayee on bank-wire payouts', () => {
  it('follows the sandbox rule on the OwnerName for EUR payouts to SEPA IBANs, stored with the payout', async () => {
    const owner = await regularOwner();
    const w = await wallet(owner.Id);
    await fund(owner.Id, w, 10_000);
    const cases: Array<[string, string]> = [
      ['Owner Name', 'MATCH'],
      ['Acme Close Match SARL', 'CLOSE_MATCH'],
      ['NO MATCH Ltd', 'NO_MATCH'],
      ['Match not possible', 'MATCH_NOT_POSSIBLE'],
    ];
    for (const [name, check] of cases) {
      const p = await payOut(owner, w, await ibanAccount(owner.Id, name));
      expect(p.RecipientVerificationOfPayee, name).toEqual({
        RecipientVerificationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        RecipientVerificationCheck: check,
        RecipientVerificationMessage: expect.any(String),
      });
      const again = await api.PayOuts.getBankwire(p.Id);
      expect(again.RecipientVerificationOfPayee).toEqual(p.RecipientVerificationOfPayee);
      expect((await s.call('GET', `/payouts/${p.Id}`)).body.RecipientVerificationOfPayee).toEqual(p.RecipientVerificationOfPayee);
    }
    const match = await payOut(owner, w, await ibanAccount(owner.Id));
    expect(match.RecipientVerificationOfPayee.RecipientVerificationMessage).toBe('Account name fully matches account identifier.');
  });

  it('is null outside its scope: a GB account, a non-SEPA IBAN, a payout in another currency', async () => {
    const owner = await regularOwner();
    const w = await wallet(owner.Id);
    await fund(owner.Id, w, 10_000);
    expect((await payOut(owner, w, await gbAccount(owner.Id))).RecipientVerificationOfPayee).toBeNull();
    // Brazil uses IBANs but is not a SEPA country.
    const br = await ibanAccount(owner.Id, 'Owner Name', 'BR1800360305000010009795493C1');
    expect((await payOut(owner, w, br)).RecipientVerificationOfPayee).toBeNull();
    const gbp = await wallet(owner.Id, 'GBP');
    await fund(owner.Id, gbp, 5000);
    expect((await payOut(owner, gbp, await ibanAccount(owner.Id, 'No match'))).RecipientVerificationOfPayee).toBeNull();
  });
});

describe('POST /payouts/reachability', () => {
  async function setup() {
    const owner = await regularOwner();
    const w = await wallet(owner.Id);
    await fund(owner.Id, w, 3000);
    return { owner, w, iban: await ibanAccount(owner.Id) };
  }
  const check = (body: unknown) => s.call('POST', '/payouts/reachability', { body });

  it('answers reachable for a SEPA IBAN in EUR (the SDK call) and moves nothing', async () => {
    const { owner, w, iban } = await setup();
    const r = await api.PayOuts.checkEligibility({
      AuthorId: owner.Id,
      DebitedFunds: money(10),
      BankAccountId: iban.Id,
      DebitedWalletId: w.Id,
      PayoutModeRequested: 'INSTANT_PAYMENT',
    });
    expect(r).toEqual({ InstantPayout: { IsReachable: true, UnreachableReason: null } });
    expect(await walletBalance(s, w.Id)).toBe(3000);
    expect((await s.call('GET', `/bankaccounts/${iban.Id}/transactions`)).body).toEqual([]);
  });

  it('gives the reason when unreachable: another bank, another currency, the documented sandbox reference', async () => {
    const { owner, w, iban } = await setup();
    const body = (over: Record<string, unknown> = {}) => ({ ...payOutBody(owner, w, iban, 100), PayoutModeRequested: 'INSTANT_PAYMENT', ...over });
    const gb = await check(body({ BankAccountId: (await gbAccount(owner.Id)).Id }));
    expect(gb.body).toEqual({ InstantPayout: { IsReachable: false, UnreachableReason: { Code: '130007', Message: 'Destination Bank is not reachable' } } });
    const gbpWallet = await wallet(owner.Id, 'GBP');
    const gbp = await check(body({ DebitedWalletId: gbpWallet.Id, DebitedFunds: money(100, 'GBP'), Fees: money(0, 'GBP') }));
    expect(gbp.body.InstantPayout).toMatchObject({ IsReachable: false, UnreachableReason: { Code: '130001' } });
    const ref = await check(body({ BankWireRef: 'IP1070' }));
    expect(ref.body.InstantPayout).toEqual({ IsReachable: false, UnreachableReason: { Code: '130010', Message: 'Generic operation error' } });
  });

  it('checks the body as a payout: fields, mode, owner, currency, account, client', async () => {
    const { owner, w, iban } = await setup();
    const body = (over: Record<string, unknown> = {}) => ({ ...payOutBody(owner, w, iban, 100), PayoutModeRequested: 'INSTANT_PAYMENT', ...over });
    const empty = await check({});
    expectApiError(empty, 400, 'param_error');
    expect(Object.keys(empty.body.errors).sort()).toEqual(
      ['AuthorId', 'BankAccountId', 'DebitedFunds', 'DebitedWalletId', 'PayoutModeRequested'].sort(),
    );
    for (const mode of ['STANDARD', 'INSTANT_PAYMENT_ONLY', 'fast']) {
      const r = await check(body({ PayoutModeRequested: mode }));
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual(['PayoutModeRequested']);
    }
    const fees = await check(body({ Fees: money(500) }));
    expectApiError(fees, 400, 'param_error');
    expect(Object.keys(fees.body.errors)).toEqual(['Fees.Amount']);
    expectApiError(await check(body({ DebitedFunds: money(100, 'GBP'), Fees: money(0, 'GBP') })), 400, 'currency_incompatibility');
    const stranger = await createUser(s, 'natural', naturalOwner());
    expectApiError(await check(body({ AuthorId: stranger.Id })), 400, 'param_error');
    expectApiError(await check(body({ BankAccountId: 'bankacc_m_nope' })), 404, 'ressource_not_found');
    expectApiError(await check(body({ DebitedWalletId: 'wlt_m_nope' })), 404, 'ressource_not_found');
    expectApiError(await asOther('POST', '/payouts/reachability', { body: body() }), 404, 'ressource_not_found');
  });
});

describe('GET /payouts/bankwire/{Id}', () => {
  it('shows the mode information and the verification (SDK getBankwire)', async () => {
    const owner = await regularOwner();
    const w = await wallet(owner.Id);
    await fund(owner.Id, w, 3000);
    const p = await payOut(owner, w, await ibanAccount(owner.Id), 1000);
    const got = await api.PayOuts.getBankwire(p.Id);
    expect(got).toMatchObject({
      Id: p.Id,
      Type: 'PAYOUT',
      PaymentType: 'BANK_WIRE',
      ModeRequested: 'STANDARD',
      ModeApplied: 'STANDARD',
      FallbackReason: null,
      RecipientVerificationOfPayee: { RecipientVerificationCheck: 'MATCH' },
    });
    expectApiError(await asOther('GET', `/payouts/bankwire/${p.Id}`), 404, 'ressource_not_found');
  });
});

describe('KYC document consult', () => {
  let consultedUrl = '';

  it('gives one short-lived link per page (SDK createKycDocumentConsult), opened without a bearer token', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const doc = (await s.call('POST', `/users/${user.Id}/KYC/documents/`, { body: { Type: 'IDENTITY_PROOF' } })).body;
    for (const bytes of [PNG_BYTES, PDF_BYTES]) {
      const r = await s.call('POST', `/users/${user.Id}/KYC/documents/${doc.Id}/pages`, { body: { File: bytes.toString('base64') } });
      expect(r.status).toBe(204);
    }
    const before = await clientNow();
    const consults = await api.KycDocuments.createKycDocumentConsult(doc.Id);
    expect(consults).toHaveLength(2);
    for (const c of consults) {
      expect(Object.keys(c)).toEqual(['Url', 'ExpirationDate']);
      expect(c.Url.startsWith(`${s.url}/`)).toBe(true);
      expect(c.ExpirationDate).toBeGreaterThanOrEqual(before + 600);
      expect(c.ExpirationDate).toBeLessThanOrEqual(before + 605);
    }
    expect(consults[0].Url).not.toBe(consults[1].Url);
    const [png, pdf] = await Promise.all(consults.map((c: any) => fetch(c.Url)));
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).equals(PNG_BYTES)).toBe(true);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).equals(PDF_BYTES)).toBe(true);
    // Only a hash of the token is stored.
    const token = consults[0].Url.split('/').pop();
    expect(JSON.stringify(await s.db.query('SELECT * FROM kyc_consults'))).not.toContain(token);
    consultedUrl = consults[0].Url;

    // Works on the client's path as the SDK spells it, and gives [] for a document without pages.
    const empty = (await s.call('POST', `/users/${user.Id}/kyc/documents`, { body: { Type: 'ADDRESS_PROOF' } })).body;
    const none = await s.call('POST', `/KYC/documents/${empty.Id}/consult`, { raw: '', contentType: 'application/json' });
    expect(none.status, JSON.stringify(none.body)).toBe(200);
    expect(none.body).toEqual([]);
  });

  it('is 404 for another client or an unknown document, and a made-up or altered link leads nowhere', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const doc = (await s.call('POST', `/users/${user.Id}/kyc/documents`, { body: { Type: 'IDENTITY_PROOF' } })).body;
    await s.call('POST', `/users/${user.Id}/kyc/documents/${doc.Id}/pages`, { body: { File: PNG_BYTES.toString('base64') } });
    expectApiError(await asOther('POST', `/kyc/documents/${doc.Id}/consult`), 404, 'ressource_not_found');
    expectApiError(await s.call('POST', '/kyc/documents/kyc_m_nope/consult'), 404, 'ressource_not_found');
    const path = new URL(consultedUrl).pathname;
    const altered = path.slice(0, -1) + (path.endsWith('A') ? 'B' : 'A');
    expectApiError(await s.fetch('GET', altered), 404, 'ressource_not_found');
    expectApiError(await s.fetch('GET', '/kyc-pages/short'), 404, 'ressource_not_found');
  });

  // Last in the file: it moves the client's clock.
  it('expires after ten minutes of the client\'s clock (410)', async () => {
    const path = new URL(consultedUrl).pathname;
    expect((await s.fetch('GET', path)).status).toBe(200);
    expect((await s.call('POST', '/sandbox/clock/advance', { body: { Seconds: 601 } })).status).toBe(200);
    const expired = await s.fetch('GET', path);
    expectApiError(expired, 410, 'ressource_not_found');
    expect(expired.headers.get('cache-control')).toBe('no-store');
  });
});
