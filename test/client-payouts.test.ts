import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { expectApiError } from './helpers/errors.js';
import { address, naturalOwner } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';
import { eventTypesOf } from './helpers/reads.js';

const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const money = (Amount: unknown, Currency: unknown = 'EUR') => ({ Currency, Amount });
const BANK_ACCOUNT_KEYS = ['OwnerAddress', 'IBAN', 'BIC', 'UserId', 'OwnerName', 'Type', 'Id', 'Tag', 'CreationDate', 'Active'];
/** What the Node SDK's Clients test sends (its Details flattened, as the SDK does). */
const ibanBody = (over: Record<string, unknown> = {}) => ({
  OwnerName: 'Joe Blogs',
  OwnerAddress: { AddressLine1: '1 Mangopay Street', AddressLine2: 'The Loop', City: 'Paris', Region: 'Ile de France', PostalCode: '75001', Country: 'FR' },
  IBAN: 'FR7630004000031234567890143',
  BIC: 'BNPAFRPP',
  Tag: 'custom meta',
  ...over,
});

async function clientAccount(over: Record<string, unknown> = {}): Promise<any> {
  const r = await s.call('POST', '/clients/bankaccounts/iban', { body: ibanBody(over) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
/** Credits CREDIT_<cur> through the client's own bank wire, settled by the sandbox. */
async function fundCredit(amount: number, currency = 'EUR'): Promise<string> {
  const p = await s.call('POST', '/clients/payins/bankwire/direct', {
    body: { CreditedWalletId: `CREDIT_${currency}`, DeclaredDebitedFunds: money(amount, currency) },
  });
  expect(p.status, JSON.stringify(p.body)).toBe(200);
  const settled = await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`);
  expect(settled.body.Status).toBe('SUCCEEDED');
  return p.body.Id;
}
/** Charges a fee of `fees` into FEES_EUR through a user's settled pay-in; returns the pay-in id. */
async function chargeFee(fees: number): Promise<string> {
  const user = await createUser(s, 'natural', naturalOwner());
  const w = await s.call('POST', '/wallets', { body: { Owners: [user.Id], Currency: 'EUR', Description: 'w' } });
  const p = await s.call('POST', '/payins/bankwire/direct', {
    body: { AuthorId: user.Id, CreditedWalletId: w.body.Id, DeclaredDebitedFunds: money(fees + 1000), DeclaredFees: money(fees) },
  });
  expect((await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`)).body.Status).toBe('SUCCEEDED');
  return p.body.Id;
}
const balanceOf = async (fundsType: string, currency = 'EUR') =>
  (await s.call('GET', `/clients/wallets/${fundsType}/${currency}`)).body.Balance.Amount as number;
const payOut = (body: unknown) => s.call('POST', '/clients/payouts', { body });
const countRows = async (table: string) =>
  (await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE client_id = $1`, [s.client.id]))[0].n;

describe('POST /clients/bankaccounts/iban', () => {
  it("creates the client's own IBAN account: no user, the ClientId as UserId, keys in Mangopay's order", async () => {
    const r = await s.call('POST', '/clients/bankaccounts/iban', { body: ibanBody({ IBAN: 'fr76 3000 4000 0312 3456 7890 143' }) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Object.keys(r.body)).toEqual(BANK_ACCOUNT_KEYS);
    expect(r.body).toMatchObject({
      UserId: s.client.id,
      Type: 'IBAN',
      IBAN: 'FR7630004000031234567890143',
      BIC: 'BNPAFRPP',
      OwnerName: 'Joe Blogs',
      Tag: 'custom meta',
      Active: true,
    });
    expect(r.body.Id).toMatch(/^bankacc_m_/);
    const rows = await s.db.query<{ user_id: string | null }>('SELECT user_id FROM bank_accounts WHERE id = $1', [r.body.Id]);
    expect(rows).toEqual([{ user_id: null }]);
    // Readable where any of the client's accounts is: the payouts made to it (none yet).
    const txs = await s.call('GET', `/bankaccounts/${r.body.Id}/transactions`);
    expect(txs.status).toBe(200);
    expect(txs.body).toEqual([]);
  });

  it('checks the body as a user IBAN account is, reports every field together, and stores nothing', async () => {
    const before = await countRows('bank_accounts');
    const r = await s.call('POST', '/clients/bankaccounts/iban', {
      body: { OwnerName: '', IBAN: 'FR7630004000031234567890144', BIC: 'BNPA', Tag: 'x'.repeat(256) },
    });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual(['BIC', 'IBAN', 'OwnerAddress', 'OwnerName', 'Tag']);
    expect(r.body.errors.IBAN).toBe('The value is not a valid IBAN');
    expectApiError(await s.call('POST', '/clients/bankaccounts/iban', { body: {} }), 400, 'param_error');
    expectApiError(await s.call('POST', '/clients/bankaccounts/iban', { body: ibanBody({ OwnerAddress: address({ Country: 'XX' }) }) }), 400, 'param_error');
    expect(await countRows('bank_accounts')).toBe(before);
  });

  it("is not a user's account: a user's payout to it fails 121007, and another client cannot see it", async () => {
    const account = await clientAccount();
    const user = await createUser(s, 'natural', naturalOwner());
    await s.db.query("UPDATE users SET kyc_level = 'REGULAR' WHERE id = $1", [user.Id]);
    const w = await s.call('POST', '/wallets', { body: { Owners: [user.Id], Currency: 'EUR', Description: 'w' } });
    const p = await s.call('POST', '/payins/bankwire/direct', {
      body: { AuthorId: user.Id, CreditedWalletId: w.body.Id, DeclaredDebitedFunds: money(500), DeclaredFees: money(0) },
    });
    await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`);
    const r = await s.call('POST', '/payouts/bankwire', {
      body: { AuthorId: user.Id, DebitedWalletId: w.body.Id, DebitedFunds: money(100), Fees: money(0), BankAccountId: account.Id },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const read = await s.call('GET', `/payouts/${r.body.Id}`);
    expect(read.body).toMatchObject({ Status: 'FAILED', ResultCode: '121007' });
    expect((await s.call('GET', `/wallets/${w.body.Id}`)).body.Balance.Amount).toBe(500);

    const other = await s.newClient();
    const token = await s.tokenFor(other);
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/bankaccounts/${account.Id}/transactions`, { token }), 404, 'ressource_not_found');
    const theirs = await s.fetch('POST', `/v2.01/${other.id}/clients/payouts`, {
      token,
      body: { DebitedWalletId: 'FEES_EUR', DebitedFunds: money(12), BankAccountId: account.Id },
    });
    expectApiError(theirs, 404, 'ressource_not_found');
  });
});

describe('POST /clients/payouts', () => {
  it('pays out of CREDIT_EUR: CREATED, the funds leave at once; the sandbox settles it; GET /payouts reads it', async () => {
    const account = await clientAccount();
    await fundCredit(1000);
    const before = await balanceOf('CREDIT');
    const r = await payOut({ DebitedWalletId: 'CREDIT_EUR', DebitedFunds: money(300), BankAccountId: account.Id, BankWireRef: 'invoice 7282', Tag: 'bla' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      Tag: 'bla',
      AuthorId: s.client.id,
      CreditedUserId: null,
      DebitedFunds: money(300),
      CreditedFunds: money(300),
      Fees: money(0),
      Status: 'CREATED',
      ResultCode: null,
      ExecutionDate: null,
      Type: 'PAYOUT',
      Nature: 'REGULAR',
      CreditedWalletId: null,
      DebitedWalletId: 'CREDIT_EUR',
      PaymentType: 'BANK_WIRE',
      BankAccountId: account.Id,
      BankWireRef: 'invoice 7282',
      ModeRequested: 'STANDARD',
    });
    expect(r.body.Id).toMatch(/^po_m_/);
    expect(await balanceOf('CREDIT')).toBe(before - 300);
    expect(await eventTypesOf(s.db, r.body.Id)).toEqual(['PAYOUT_NORMAL_CREATED']);
    const read = await s.call('GET', `/payouts/${r.body.Id}`);
    expect(read.body).toEqual(r.body);
    expect((await s.call('GET', `/payouts/bankwire/${r.body.Id}`)).body.Id).toBe(r.body.Id);

    const settled = await s.call('POST', `/sandbox/payouts/${r.body.Id}/settle`);
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    expect(settled.body).toMatchObject({ Status: 'SUCCEEDED', ResultCode: '000000' });
    expect(settled.body.ExecutionDate).toEqual(expect.any(Number));
    expect(await balanceOf('CREDIT')).toBe(before - 300);
    expect(await eventTypesOf(s.db, r.body.Id)).toEqual(['PAYOUT_NORMAL_CREATED', 'PAYOUT_NORMAL_SUCCEEDED']);

    // Listed with the account's payouts and the wallet's transactions.
    const toAccount = await s.call('GET', `/bankaccounts/${account.Id}/transactions`);
    expect(toAccount.body.map((t: any) => t.Id)).toEqual([r.body.Id]);
    const ofWallet = await s.call('GET', '/clients/wallets/CREDIT/EUR/transactions?Type=PAYOUT&per_page=100');
    expect(ofWallet.body.map((t: any) => t.Id)).toContain(r.body.Id);
  });

  it('from FEES_EUR (id case-insensitive, MeanOfPaymentDetails nested as the SDKs model it); a bank rejection gives the funds back', async () => {
    const account = await clientAccount();
    await chargeFee(250);
    const before = await balanceOf('FEES');
    expect(before).toBeGreaterThanOrEqual(250);
    const r = await payOut({
      DebitedWalletId: 'fees_eur',
      DebitedFunds: money(200),
      Fees: money(0),
      MeanOfPaymentDetails: { BankAccountId: account.Id, BankWireRef: 'ref', PayoutModeRequested: 'STANDARD' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ Status: 'CREATED', DebitedWalletId: 'FEES_EUR', BankAccountId: account.Id, BankWireRef: 'ref' });
    expect(await balanceOf('FEES')).toBe(before - 200);
    const failed = await s.call('POST', `/sandbox/payouts/${r.body.Id}/fail`, { body: { ResultCode: '121001' } });
    expect(failed.status, JSON.stringify(failed.body)).toBe(200);
    expect(failed.body).toMatchObject({ Status: 'FAILED', ResultCode: '121001' });
    expect(await balanceOf('FEES')).toBe(before);
    expect(await eventTypesOf(s.db, r.body.Id)).toEqual(['PAYOUT_NORMAL_CREATED', 'PAYOUT_NORMAL_FAILED']);
    expectApiError(await s.call('POST', `/sandbox/payouts/${r.body.Id}/settle`), 400, 'invalid_action');
  });

  it('a balance too low is answered as created (as user payouts are) and stored FAILED 121003, moving nothing', async () => {
    const account = await clientAccount();
    const before = await balanceOf('CREDIT', 'GBP');
    const r = await payOut({ DebitedWalletId: 'CREDIT_GBP', DebitedFunds: money(before + 12, 'GBP'), BankAccountId: account.Id });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ Status: 'CREATED', ResultCode: null });
    const read = await s.call('GET', `/payouts/${r.body.Id}`);
    expect(read.body).toMatchObject({ Status: 'FAILED', ResultCode: '121003', ResultMessage: 'Insufficient wallet balance' });
    expect(await balanceOf('CREDIT', 'GBP')).toBe(before);
    expect(await eventTypesOf(s.db, r.body.Id)).toEqual(['PAYOUT_NORMAL_CREATED', 'PAYOUT_NORMAL_FAILED']);
    expectApiError(await s.call('POST', `/sandbox/payouts/${r.body.Id}/settle`), 400, 'invalid_action');
  });

  it('two payouts at once that the balance covers only one of: one moves the money, the other fails 121003', async () => {
    const account = await clientAccount();
    await fundCredit(1000, 'CHF');
    const before = await balanceOf('CREDIT', 'CHF');
    const amount = Math.floor(before / 2) + 1;
    const both = await Promise.all(
      [1, 2].map(() => payOut({ DebitedWalletId: 'CREDIT_CHF', DebitedFunds: money(amount, 'CHF'), BankAccountId: account.Id })),
    );
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    const outcomes = await Promise.all(both.map(async (r) => (await s.call('GET', `/payouts/${r.body.Id}`)).body));
    expect(outcomes.map((o) => o.Status).sort()).toEqual(['CREATED', 'FAILED']);
    expect(outcomes.find((o) => o.Status === 'FAILED').ResultCode).toBe('121003');
    expect(await balanceOf('CREDIT', 'CHF')).toBe(before - amount);
  });

  it("to a user's bank account: answered as created, stored FAILED 121007, moving nothing", async () => {
    await fundCredit(500);
    const before = await balanceOf('CREDIT');
    const user = await createUser(s, 'natural', naturalOwner());
    const theirs = await s.call('POST', `/users/${user.Id}/bankaccounts/iban`, { body: ibanBody() });
    expect(theirs.status).toBe(200);
    const r = await payOut({ DebitedWalletId: 'CREDIT_EUR', DebitedFunds: money(100), BankAccountId: theirs.body.Id });
    expect(r.body.Status).toBe('CREATED');
    expect((await s.call('GET', `/payouts/${r.body.Id}`)).body).toMatchObject({ Status: 'FAILED', ResultCode: '121007' });
    expect(await balanceOf('CREDIT')).toBe(before);
  });

  it('refuses bad requests naming the fields, and changes nothing', async () => {
    const account = await clientAccount();
    await fundCredit(1000);
    const user = await createUser(s, 'natural', naturalOwner());
    const userWallet = await s.call('POST', '/wallets', { body: { Owners: [user.Id], Currency: 'EUR', Description: 'w' } });
    const state = async () => [await countRows('transactions'), await countRows('events'), await balanceOf('CREDIT')];
    const before = await state();

    const empty = await payOut({});
    expectApiError(empty, 400, 'param_error');
    expect(Object.keys(empty.body.errors).sort()).toEqual(['BankAccountId', 'DebitedFunds', 'DebitedWalletId']);
    const fields = await payOut({
      DebitedWalletId: 'CREDIT_EUR',
      DebitedFunds: money(-5, 'EUR'),
      Fees: money(1, 'EUR'),
      BankAccountId: account.Id,
      BankWireRef: 'r'.repeat(256),
      PayoutModeRequested: 'INSTANT_PAYMENT',
    });
    expectApiError(fields, 400, 'param_error');
    expect(Object.keys(fields.body.errors)).toEqual(
      expect.arrayContaining(['DebitedFunds.Amount', 'BankWireRef', 'PayoutModeRequested']),
    );
    const fee = await payOut({ DebitedWalletId: 'CREDIT_EUR', DebitedFunds: money(50), Fees: money(5), BankAccountId: account.Id });
    expectApiError(fee, 400, 'param_error');
    expect(Object.keys(fee.body.errors)).toEqual(['Fees.Amount']);
    for (const DebitedWalletId of [userWallet.body.Id, 'CREDIT_XYZ', 'DEFAULT_EUR', 'nothing']) {
      const r = await payOut({ DebitedWalletId, DebitedFunds: money(50), BankAccountId: account.Id });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual(['DebitedWalletId']);
    }
    const currency = await payOut({ DebitedWalletId: 'CREDIT_EUR', DebitedFunds: money(50, 'GBP'), BankAccountId: account.Id });
    expectApiError(currency, 400, 'currency_incompatibility');
    expectApiError(await payOut({ DebitedWalletId: 'CREDIT_EUR', DebitedFunds: money(50), BankAccountId: 'bankacc_m_nope' }), 404, 'ressource_not_found');
    expect(await state()).toEqual(before);
  });
});

describe('GET /clients/transactions', () => {
  it("lists the transactions of every client wallet (its own pay-ins and payouts, and fees), filtered and paged", async () => {
    const c = await s.newClient();
    const token = await s.tokenFor(c);
    const call = (method: string, path: string, body?: unknown) => s.fetch(method, `/v2.01/${c.id}${path}`, { token, body });
    const listed = async (query = '') => (await call('GET', `/clients/transactions${query}`)).body.map((t: any) => t.Id);
    expect(await listed()).toEqual([]);

    // A user's pay-in without fees touches no client wallet; one with fees does.
    const user = (await call('POST', '/sca/users/natural', naturalOwner())).body;
    const w = (await call('POST', '/wallets', { Owners: [user.Id], Currency: 'EUR', Description: 'w' })).body;
    const plain = (await call('POST', '/payins/bankwire/direct', { AuthorId: user.Id, CreditedWalletId: w.Id, DeclaredDebitedFunds: money(100), DeclaredFees: money(0) })).body;
    await call('POST', `/sandbox/payins/${plain.Id}/settle`);
    const withFee = (await call('POST', '/payins/bankwire/direct', { AuthorId: user.Id, CreditedWalletId: w.Id, DeclaredDebitedFunds: money(100), DeclaredFees: money(7) })).body;
    const own = (await call('POST', '/clients/payins/bankwire/direct', { CreditedWalletId: 'CREDIT_EUR', DeclaredDebitedFunds: money(900) })).body;
    expect(await listed()).toEqual([own.Id]); // the fee is not taken until the wire arrives
    await call('POST', `/sandbox/payins/${withFee.Id}/settle`);
    await call('POST', `/sandbox/payins/${own.Id}/settle`);
    const account = (await call('POST', '/clients/bankaccounts/iban', ibanBody())).body;
    const out = (await call('POST', '/clients/payouts', { DebitedWalletId: 'CREDIT_EUR', DebitedFunds: money(400), BankAccountId: account.Id })).body;
    expect(out.Status).toBe('CREATED');

    expect(await listed()).toEqual([withFee.Id, own.Id, out.Id]);
    expect(await listed('?Sort=CreationDate:DESC')).toEqual([out.Id, own.Id, withFee.Id]);
    expect(await listed('?Type=PAYOUT')).toEqual([out.Id]);
    expect(await listed('?Status=CREATED')).toEqual([out.Id]);
    const page = await call('GET', '/clients/transactions?per_page=2&page=2');
    expect(page.body.map((t: any) => t.Id)).toEqual([out.Id]);
    expect(page.headers.get('X-Number-Of-Items')).toBe('3');
    expect(page.headers.get('X-Number-Of-Pages')).toBe('2');
    expectApiError(await call('GET', '/clients/transactions?Status=DONE'), 400, 'param_error');
    // Only this client's.
    expect((await s.call('GET', '/clients/transactions?per_page=100')).body.map((t: any) => t.Id)).not.toContain(out.Id);
    expect(await ledgerInvariants(s.db, c.id)).toEqual([]);
  });
});

describe('the official Node SDK', () => {
  it("Clients.createBankAccountIBAN and createPayOut with the SDK's own models, as its Clients test sends them", async () => {
    const { BankAccount, BankAccountDetailsIBAN, PayOut, PayOutPaymentDetailsBankWire } = api.models;
    const account = await api.Clients.createBankAccountIBAN(
      new BankAccount({
        OwnerName: 'Joe Blogs',
        OwnerAddress: ibanBody().OwnerAddress,
        Details: new BankAccountDetailsIBAN({ IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' }),
        Tag: 'custom meta',
      }),
    );
    expect(account.Id).toMatch(/^bankacc_m_/);
    expect(account).toMatchObject({ Type: 'IBAN', UserId: s.client.id, IBAN: 'FR7630004000031234567890143' });

    await fundCredit(100);
    const before = await balanceOf('CREDIT');
    const created = await api.Clients.createPayOut(
      new PayOut({
        DebitedWalletId: 'CREDIT_EUR',
        PaymentType: 'BANK_WIRE',
        MeanOfPaymentDetails: new PayOutPaymentDetailsBankWire({ BankAccountId: account.Id, BankWireRef: 'invoice 7282', PayoutModeRequested: 'STANDARD' }),
        DebitedFunds: { Currency: 'EUR', Amount: 12 },
        Tag: 'bla',
      }),
    );
    expect(created.Id).toMatch(/^po_m_/);
    expect(created).toMatchObject({ Status: 'CREATED', DebitedWalletId: 'CREDIT_EUR', BankAccountId: account.Id, BankWireRef: 'invoice 7282' });
    expect(await balanceOf('CREDIT')).toBe(before - 12);
    const read = await api.PayOuts.get(created.Id);
    expect(read.Status).toBe('CREATED');
  });

  it("its Clients test's flow on a new client: the first client wallet is FEES_EUR, a EUR payout from it gets an Id, and the wallet lists it", async () => {
    const c = await s.newClient();
    const sdk = s.sdk(c);
    const { BankAccount, BankAccountDetailsIBAN, PayOut, PayOutPaymentDetailsBankWire } = sdk.models;
    const wallets = await sdk.Clients.getClientWallets();
    expect(wallets[0]).toMatchObject({ Id: 'FEES_EUR', FundsType: 'FEES', Currency: 'EUR' });
    const wallet = await sdk.Clients.getClientWallet(wallets[0].FundsType, wallets[0].Currency);
    const account = await sdk.Clients.createBankAccountIBAN(
      new BankAccount({
        OwnerName: 'Joe Blogs',
        OwnerAddress: ibanBody().OwnerAddress,
        Details: new BankAccountDetailsIBAN({ IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' }),
      }),
    );
    const created = await sdk.Clients.createPayOut(
      new PayOut({
        DebitedWalletId: wallet.Id,
        PaymentType: 'BANK_WIRE',
        MeanOfPaymentDetails: new PayOutPaymentDetailsBankWire({ BankAccountId: account.Id, BankWireRef: 'invoice 7282', PayoutModeRequested: 'STANDARD' }),
        DebitedFunds: { Currency: 'EUR', Amount: 12 },
        Tag: 'bla',
      }),
    );
    expect(created.Id).toMatch(/^po_m_/);
    // An empty fee wallet: the payout FAILS behind its CREATED answer (121003), and is the wallet's transaction.
    expect((await sdk.PayOuts.get(created.Id)).ResultCode).toBe('121003');
    const txs = await sdk.Clients.getClientWalletTransactions(wallets[0].FundsType, wallets[0].Currency);
    expect(txs.map((t: any) => t.Id)).toEqual([created.Id]);
    expect(await ledgerInvariants(s.db, c.id)).toEqual([]);
  });
});
