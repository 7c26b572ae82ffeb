import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { MAX_AMOUNT } from '../src/ledger/money.js';
import { PAYIN_EXPIRY_SECONDS } from '../src/modules/payins/model.js';
import { sweepExpired } from '../src/modules/payins/service.js';
import { isValidIban } from '../src/modules/bankaccounts/rules.js';
import { expectApiError } from './helpers/errors.js';
import { naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer, startServer } from './helpers/server.js';
import { eventTypesOf, feeBalance, walletBalance } from './helpers/reads.js';

const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const natural = (over: Record<string, unknown> = {}) => createUser(s, 'natural', naturalOwner(over));
async function wallet(ownerId: string, Currency = 'EUR'): Promise<any> {
  const r = await s.call('POST', '/wallets', { body: { Owners: [ownerId], Currency, Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
/** A user with a EUR wallet. */
async function funded(): Promise<{ user: any; wallet: any }> {
  const user = await natural();
  return { user, wallet: await wallet(user.Id) };
}
const money = (Amount: unknown, Currency: unknown = 'EUR') => ({ Currency, Amount });
const payInBody = (user: any, w: any, funds = 10_000, fees = 500, over: Record<string, unknown> = {}) => ({
  AuthorId: user.Id,
  CreditedWalletId: w.Id,
  DeclaredDebitedFunds: money(funds, w.Currency ?? 'EUR'),
  DeclaredFees: money(fees, w.Currency ?? 'EUR'),
  ...over,
});
const createPayIn = (body: unknown) => s.call('POST', '/payins/bankwire/direct', { body });
async function payIn(user: any, w: any, funds = 10_000, fees = 500): Promise<any> {
  const r = await createPayIn(payInBody(user, w, funds, fees));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const settle = (id: string, body?: unknown) => s.call('POST', `/sandbox/payins/${id}/settle`, { body });
const failIt = (id: string, body?: unknown) => s.call('POST', `/sandbox/payins/${id}/fail`, { body });
const balance = (walletId: string) => walletBalance(s, walletId);
const closeUser = (id: string) => s.db.query(`UPDATE users SET status = 'CLOSED' WHERE id = $1`, [id]);
const eventsOf = (resourceId: string) => eventTypesOf(s.db, resourceId);
const age = (payInId: string, seconds: number) =>
  s.db.query('UPDATE transactions SET creation_date = creation_date - $2 WHERE id = $1', [payInId, seconds]);

describe('the official SDK drives bank-wire pay-ins', () => {
  it('creates one with PaymentType BANK_WIRE / ExecutionType DIRECT and reads it back', async () => {
    const { user, wallet: w } = await funded();
    const made = await api.PayIns.create({
      PaymentType: 'BANK_WIRE',
      ExecutionType: 'DIRECT',
      AuthorId: user.Id,
      CreditedWalletId: w.Id,
      DeclaredDebitedFunds: { Currency: 'EUR', Amount: 10_000 },
      DeclaredFees: { Currency: 'EUR', Amount: 0 },
      Tag: 'sdk',
    });
    expect(made.Id).toMatch(/^payin_m_/);
    expect(made).toMatchObject({ Status: 'CREATED', Type: 'PAYIN', Nature: 'REGULAR', PaymentType: 'BANK_WIRE', ExecutionType: 'DIRECT' });
    expect(made.BankAccount.Type).toBe('IBAN');
    const read = await api.PayIns.get(made.Id);
    expect(read.Id).toBe(made.Id);
    expect(read.WireReference).toBe(made.WireReference);
    const settled = await settle(made.Id);
    expect(settled.body.Status).toBe('SUCCEEDED');
    expect((await api.Wallets.get(w.Id)).Balance).toEqual({ Currency: 'EUR', Amount: 10_000 });
    const txs = await api.Wallets.getTransactions(w.Id);
    expect(txs.map((t: any) => t.Id)).toEqual([made.Id]);
    const userTxs = await api.Users.getTransactions(user.Id);
    expect(userTxs.map((t: any) => t.Id)).toEqual([made.Id]);
  });

  it('creates one from the SDK model classes, which carry no PaymentType', async () => {
    const { user, wallet: w } = await funded();
    const M = api.models;
    const p = new M.PayIn({
      AuthorId: user.Id,
      CreditedWalletId: w.Id,
      PaymentDetails: new M.PayInPaymentDetailsBankWire({
        DeclaredDebitedFunds: new M.Money({ Currency: 'EUR', Amount: 1000 }),
        DeclaredFees: new M.Money({ Currency: 'EUR', Amount: 100 }),
      }),
      ExecutionDetails: new M.PayInExecutionDetailsDirect(),
    });
    const made = await api.PayIns.create(p);
    expect(made.Status).toBe('CREATED');
    expect(made.DeclaredDebitedFunds).toEqual({ Currency: 'EUR', Amount: 1000 });
    expect(made.DeclaredFees).toEqual({ Currency: 'EUR', Amount: 100 });
  });
});

describe('POST /payins/bankwire/direct', () => {
  it('answers a CREATED pay-in with placeholders, the wire reference and Mangopay bank details', async () => {
    const { user, wallet: w } = await funded();
    const p = await payIn(user, w, 12_345, 345);
    expect(Object.keys(p)).toEqual([
      'Id', 'Tag', 'CreationDate', 'AuthorId', 'CreditedUserId', 'DebitedFunds', 'CreditedFunds', 'Fees', 'Status',
      'ResultCode', 'ResultMessage', 'ExecutionDate', 'Type', 'Nature', 'CreditedWalletId', 'DebitedWalletId',
      'PaymentType', 'ExecutionType', 'DeclaredDebitedFunds', 'DeclaredFees', 'WireReference', 'BankAccount',
      'TransactionDetails',
    ]);
    expect(p).toMatchObject({
      AuthorId: user.Id,
      CreditedUserId: user.Id,
      CreditedWalletId: w.Id,
      DebitedWalletId: null,
      DebitedFunds: { Currency: 'XXX', Amount: 0 },
      CreditedFunds: { Currency: 'XXX', Amount: 0 },
      Fees: { Currency: 'XXX', Amount: 0 },
      Status: 'CREATED',
      ResultCode: null,
      ResultMessage: null,
      ExecutionDate: null,
      DeclaredDebitedFunds: { Currency: 'EUR', Amount: 12_345 },
      DeclaredFees: { Currency: 'EUR', Amount: 345 },
      TransactionDetails: [],
    });
    expect(p.WireReference).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(p.BankAccount).toMatchObject({ Type: 'IBAN', OwnerName: 'MANGOPAY SA' });
    expect(Object.keys(p.BankAccount)).toEqual(['OwnerAddress', 'Type', 'OwnerName', 'IBAN', 'BIC']);
    expect(isValidIban(p.BankAccount.IBAN)).toBe(true);
    expect(await eventsOf(p.Id)).toEqual(['PAYIN_NORMAL_CREATED']);
    expect(await balance(w.Id)).toBe(0);
    expect((await s.call('GET', `/payins/${p.Id}`)).body).toEqual(p);
    // Each pay-in its own reference.
    expect((await payIn(user, w)).WireReference).not.toBe(p.WireReference);
  });

  it('accepts the trailing slash the SDK sends, fees of 0 and fees equal to the funds', async () => {
    const { user, wallet: w } = await funded();
    const r = await s.call('POST', '/payins/bankwire/direct/', { body: payInBody(user, w, 100, 0) });
    expect(r.status).toBe(200);
    expect((await payIn(user, w, 100, 100)).DeclaredFees.Amount).toBe(100);
  });

  it('refuses missing, fractional, negative, zero and too large amounts with param_error', async () => {
    const { user, wallet: w } = await funded();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ DeclaredDebitedFunds: undefined }, 'DeclaredDebitedFunds'],
      [{ DeclaredFees: undefined }, 'DeclaredFees'],
      [{ DeclaredDebitedFunds: money(10.5) }, 'DeclaredDebitedFunds.Amount'],
      [{ DeclaredDebitedFunds: money('10.5') }, 'DeclaredDebitedFunds.Amount'],
      [{ DeclaredDebitedFunds: money(-100) }, 'DeclaredDebitedFunds.Amount'],
      [{ DeclaredDebitedFunds: money(0) }, 'DeclaredDebitedFunds.Amount'],
      [{ DeclaredDebitedFunds: money(MAX_AMOUNT + 1) }, 'DeclaredDebitedFunds.Amount'],
      [{ DeclaredDebitedFunds: money(1e300) }, 'DeclaredDebitedFunds.Amount'],
      [{ DeclaredDebitedFunds: money('99999999999999999999999') }, 'DeclaredDebitedFunds.Amount'],
      [{ DeclaredDebitedFunds: money(true) }, 'DeclaredDebitedFunds.Amount'],
      [{ DeclaredDebitedFunds: money(null) }, 'DeclaredDebitedFunds.Amount'],
      [{ DeclaredFees: money(-1) }, 'DeclaredFees.Amount'],
      [{ DeclaredFees: money(0.01) }, 'DeclaredFees.Amount'],
      [{ DeclaredDebitedFunds: money(100, 'AZN') }, 'DeclaredDebitedFunds.Currency'],
      [{ DeclaredFees: money(0, 'GBP') }, 'DeclaredFees.Currency'],
      [{ DeclaredFees: money(10_001) }, 'DeclaredFees.Amount'],
      [{ AuthorId: undefined }, 'AuthorId'],
      [{ CreditedWalletId: '' }, 'CreditedWalletId'],
      [{ Tag: 't'.repeat(256) }, 'Tag'],
    ];
    for (const [over, field] of cases) {
      const r = await createPayIn({ ...payInBody(user, w, 10_000, 0), ...over });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors), JSON.stringify(over)).toEqual([field]);
    }
    expect(await s.db.query('SELECT id FROM transactions WHERE credited_wallet_id = $1', [w.Id])).toEqual([]);
  });

  it('accepts the largest amount and amounts as digit strings', async () => {
    const { user, wallet: w } = await funded();
    expect((await payIn(user, w, MAX_AMOUNT, 0)).DeclaredDebitedFunds.Amount).toBe(MAX_AMOUNT);
    const r = await createPayIn(payInBody(user, w, '2500' as any, '0' as any));
    expect(r.body.DeclaredDebitedFunds).toEqual({ Currency: 'EUR', Amount: 2500 });
  });

  it('wants the author to own the credited wallet, and CreditedUserId to be its owner', async () => {
    const { user, wallet: w } = await funded();
    const other = await natural();
    let r = await createPayIn(payInBody(other, w));
    expectApiError(r, 400, 'param_error');
    expect(r.body.Message).toBe('Author should be the Credited wallet owner');
    r = await createPayIn(payInBody(user, w, 100, 0, { CreditedUserId: other.Id }));
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toHaveProperty('CreditedUserId');
    r = await createPayIn(payInBody(user, w, 100, 0, { CreditedUserId: user.Id }));
    expect(r.status).toBe(200);
  });

  it("refuses funds in another currency than the wallet's", async () => {
    const user = await natural();
    const gbp = await wallet(user.Id, 'GBP');
    const r = await createPayIn({ ...payInBody(user, gbp), DeclaredDebitedFunds: money(100), DeclaredFees: money(0) });
    expectApiError(r, 400, 'currency_incompatibility');
  });

  it("answers 404 for unknown wallets and authors, and for another client's", async () => {
    const { user, wallet: w } = await funded();
    expectApiError(await createPayIn(payInBody(user, { Id: 'wlt_m_nobody' })), 404, 'ressource_not_found');
    expectApiError(await createPayIn(payInBody({ Id: 'user_m_nobody' }, w)), 404, 'ressource_not_found');
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const r = await s.fetch('POST', `/v2.01/${other.id}/payins/bankwire/direct`, { token, body: payInBody(user, w) });
    expectApiError(r, 404, 'ressource_not_found');
    const p = await payIn(user, w);
    for (const [method, path] of [['GET', `/payins/${p.Id}`], ['POST', `/sandbox/payins/${p.Id}/settle`], ['POST', `/sandbox/payins/${p.Id}/fail`]]) {
      const x = await s.fetch(method, `/v2.01/${other.id}${path}`, { token });
      expectApiError(x, 404, 'ressource_not_found');
      expect(x.body.errors.RessourceNotFound).toContain(p.Id);
    }
    expect((await s.call('GET', `/payins/${p.Id}`)).body.Status).toBe('CREATED');
    expectApiError(await s.call('GET', '/payins/payin_m_nobody'), 404, 'ressource_not_found');
  });

  it('refuses a closed author with user_closed', async () => {
    const { user, wallet: w } = await funded();
    await closeUser(user.Id);
    expectApiError(await createPayIn(payInBody(user, w)), 400, 'user_closed');
  });

  it('creates the pay-in FAILED with 008700 when the user is inflow-blocked (HTTP 200)', async () => {
    const { user, wallet: w } = await funded();
    expect((await s.call('POST', `/sandbox/users/${user.Id}/block`, { body: { Inflows: true } })).status).toBe(200);
    const r = await createPayIn(payInBody(user, w));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Status: 'FAILED', ResultCode: '008700', ResultMessage: 'User blocked by Fraud policy', ExecutionDate: null });
    expect(await eventsOf(r.body.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
    // Outflow blocks do not stop pay-ins.
    await s.call('POST', `/sandbox/users/${user.Id}/unblock`, { body: { Inflows: true } });
    await s.call('POST', `/sandbox/users/${user.Id}/block`, { body: { Outflows: true } });
    expect((await payIn(user, w)).Status).toBe('CREATED');
  });
});

describe('POST /sandbox/payins/{Id}/settle', () => {
  it('credits the wallet with funds minus fees and the fee wallet with the fees, in one movement', async () => {
    const { user, wallet: w } = await funded();
    const before = await feeBalance(s.db, s.client.id, 'EUR');
    const p = await payIn(user, w, 10_000, 500);
    const r = await settle(p.Id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      Status: 'SUCCEEDED',
      ResultCode: '000000',
      ResultMessage: 'Success',
      DebitedFunds: { Currency: 'EUR', Amount: 10_000 },
      Fees: { Currency: 'EUR', Amount: 500 },
      CreditedFunds: { Currency: 'EUR', Amount: 9_500 },
    });
    expect(Math.abs(r.body.ExecutionDate - Date.now() / 1000)).toBeLessThan(60);
    expect(await balance(w.Id)).toBe(9_500);
    expect(await feeBalance(s.db, s.client.id, 'EUR')).toBe(before + 500);
    expect(await eventsOf(p.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_SUCCEEDED']);
    const postings = await s.db.query<{ account: string; amount: number }>(
      'SELECT account, amount FROM postings WHERE movement_id = $1 ORDER BY amount',
      [p.Id],
    );
    expect(postings.map((x) => Number(x.amount))).toEqual([-10_000, 500, 9_500]);
    expect(postings[0].account).toBe('external:EUR');
    expect((await s.call('GET', `/payins/${p.Id}`)).body).toEqual(r.body);
  });

  it('takes the Amount actually received, keeping the declared fees', async () => {
    const { user, wallet: w } = await funded();
    const p = await payIn(user, w, 10_000, 500);
    const r = await settle(p.Id, { Amount: 7_000 });
    expect(r.body).toMatchObject({ DebitedFunds: { Amount: 7_000 }, Fees: { Amount: 500 }, CreditedFunds: { Amount: 6_500 } });
    expect(await balance(w.Id)).toBe(6_500);
  });

  it('posts nothing to the fee wallet for a pay-in without fees', async () => {
    const user = await natural();
    const w = await wallet(user.Id, 'JPY');
    const p = await payIn(user, w, 1200, 0);
    await settle(p.Id);
    expect(await balance(w.Id)).toBe(1200);
    // The fee wallet exists from the client's creation (issue 10), and stays at zero.
    expect(await feeBalance(s.db, s.client.id, 'JPY')).toBe(0);
    const rows = await s.db.query("SELECT 1 FROM postings WHERE client_id = $1 AND account = 'FEES_JPY'", [s.client.id]);
    expect(rows).toEqual([]);
  });

  it('refuses a bad Amount, or one below the fees, and changes nothing', async () => {
    const { user, wallet: w } = await funded();
    const p = await payIn(user, w, 10_000, 500);
    for (const Amount of [0, -5, 1.5, 'abc', MAX_AMOUNT + 1, 499]) {
      const r = await settle(p.Id, { Amount });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual(['Amount']);
    }
    expect((await s.call('GET', `/payins/${p.Id}`)).body.Status).toBe('CREATED');
    expect(await balance(w.Id)).toBe(0);
  });

  it('settles only once: again, after a failure, and concurrently', async () => {
    const { user, wallet: w } = await funded();
    const p = await payIn(user, w, 10_000, 500);
    const [a, b] = await Promise.all([settle(p.Id), settle(p.Id)]);
    expect([a.status, b.status].sort()).toEqual([200, 400]);
    expectApiError(a.status === 400 ? a : b, 400, 'invalid_action');
    expect(await balance(w.Id)).toBe(9_500);
    expectApiError(await settle(p.Id), 400, 'invalid_action');
    expectApiError(await failIt(p.Id), 400, 'invalid_action');
    expect(await balance(w.Id)).toBe(9_500);
    expect(await eventsOf(p.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_SUCCEEDED']);
    const failed = await payIn(user, w);
    await failIt(failed.Id);
    expectApiError(await settle(failed.Id), 400, 'invalid_action');
    expect(await balance(w.Id)).toBe(9_500);
  });

  it('credits many concurrent settlements of different pay-ins exactly', async () => {
    const { user, wallet: w } = await funded();
    const ps = [];
    for (let n = 0; n < 6; n++) ps.push(await payIn(user, w, 1000 + n, 1));
    const rs = await Promise.all([...ps, ...ps].map((p) => settle(p.Id)));
    expect(rs.filter((r) => r.status === 200)).toHaveLength(6);
    expect(await balance(w.Id)).toBe(ps.reduce((sum, _p, n) => sum + 1000 + n - 1, 0));
  });

  it('fails the pay-in with 008700 when inflows were blocked meanwhile, crediting nothing', async () => {
    const { user, wallet: w } = await funded();
    const p = await payIn(user, w);
    await s.call('POST', `/sandbox/users/${user.Id}/block`, { body: { Inflows: true } });
    const r = await settle(p.Id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Status: 'FAILED', ResultCode: '008700', ExecutionDate: null, CreditedFunds: { Currency: 'XXX', Amount: 0 } });
    expect(await balance(w.Id)).toBe(0);
    expect(await eventsOf(p.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
  });

  it('fails the pay-in of a user closed meanwhile, who never holds money', async () => {
    const { user, wallet: w } = await funded();
    const p = await payIn(user, w);
    await closeUser(user.Id);
    const r = await settle(p.Id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Status: 'FAILED', ResultCode: '002602' });
    expect(await balance(w.Id)).toBe(0);
  });

  it('answers 404 for an unknown pay-in', async () => {
    expectApiError(await settle('payin_m_nobody'), 404, 'ressource_not_found');
    expectApiError(await failIt('payin_m_nobody'), 404, 'ressource_not_found');
  });
});

describe('POST /sandbox/payins/{Id}/fail', () => {
  it('fails with the given code and message, or 001999 by default', async () => {
    const { user, wallet: w } = await funded();
    const a = await payIn(user, w);
    let r = await failIt(a.Id, { ResultCode: '101110', ResultMessage: 'Refused by the bank' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ Status: 'FAILED', ResultCode: '101110', ResultMessage: 'Refused by the bank', ExecutionDate: null });
    expect(await eventsOf(a.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
    const b = await payIn(user, w);
    r = await failIt(b.Id);
    expect(r.body).toMatchObject({ Status: 'FAILED', ResultCode: '001999', ResultMessage: 'Generic Operation error' });
    expect(await balance(w.Id)).toBe(0);
  });

  it('refuses a ResultCode that is not six digits and a too long message', async () => {
    const { user, wallet: w } = await funded();
    const p = await payIn(user, w);
    expectApiError(await failIt(p.Id, { ResultCode: 'nope' }), 400, 'param_error');
    expectApiError(await failIt(p.Id, { ResultMessage: 'm'.repeat(256) }), 400, 'param_error');
    expect((await s.call('GET', `/payins/${p.Id}`)).body.Status).toBe('CREATED');
  });
});

describe('expiry after a month', () => {
  it('shows a month-old CREATED pay-in as FAILED 101109 on read, with its event, once', async () => {
    const { user, wallet: w } = await funded();
    const p = await payIn(user, w);
    await age(p.Id, PAYIN_EXPIRY_SECONDS - 60);
    expect((await s.call('GET', `/payins/${p.Id}`)).body.Status).toBe('CREATED');
    await age(p.Id, 60);
    const r = await s.call('GET', `/payins/${p.Id}`);
    expect(r.body).toMatchObject({ Status: 'FAILED', ResultCode: '101109', ResultMessage: 'The payment period has expired' });
    await s.call('GET', `/payins/${p.Id}`);
    expect(await eventsOf(p.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
    expectApiError(await settle(p.Id), 400, 'invalid_action');
  });

  it('refuses to settle or fail an expired pay-in, which stays FAILED', async () => {
    const { user, wallet: w } = await funded();
    for (const op of [settle, failIt]) {
      const p = await payIn(user, w);
      await age(p.Id, PAYIN_EXPIRY_SECONDS);
      const r = await op(p.Id);
      expectApiError(r, 400, 'invalid_action');
      expect(r.body.Message).toMatch(/expired/);
      expect((await s.call('GET', `/payins/${p.Id}`)).body).toMatchObject({ Status: 'FAILED', ResultCode: '101109' });
      expect(await eventsOf(p.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
    }
    expect(await balance(w.Id)).toBe(0);
  });

  it('expires pay-ins nobody reads at the periodic sweep, each client on its own clock, each once', async () => {
    const { user, wallet: w } = await funded();
    const due = await payIn(user, w);
    const young = await payIn(user, w);
    await age(due.Id, PAYIN_EXPIRY_SECONDS + 1);
    await age(young.Id, PAYIN_EXPIRY_SECONDS - 600);
    const status = async (id: string) =>
      (await s.db.query<{ status: string; result_code: string }>('SELECT status, result_code FROM transactions WHERE id = $1', [id]))[0];
    expect((await status(due.Id)).status).toBe('CREATED');
    // Two processes sweeping at once.
    await Promise.all([sweepExpired(s.db), sweepExpired(s.db)]);
    expect(await status(due.Id)).toEqual({ status: 'FAILED', result_code: '101109' });
    expect((await status(young.Id)).status).toBe('CREATED');
    expect(await eventsOf(due.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
    // Ten minutes later on this client's clock only, the young one is due too.
    await s.db.query('UPDATE clients SET clock_offset = clock_offset + 600 WHERE id = $1', [s.client.id]);
    try {
      await sweepExpired(s.db);
    } finally {
      await s.db.query('UPDATE clients SET clock_offset = clock_offset - 600 WHERE id = $1', [s.client.id]);
    }
    expect((await status(young.Id)).status).toBe('FAILED');
  });

  it('expires pay-ins when transactions are listed', async () => {
    const { user, wallet: w } = await funded();
    const p = await payIn(user, w);
    await age(p.Id, PAYIN_EXPIRY_SECONDS + 1);
    const r = await s.call('GET', `/wallets/${w.Id}/transactions`);
    expect(r.body[0]).toMatchObject({ Id: p.Id, Status: 'FAILED', ResultCode: '101109' });
  });
});

describe('transactions of a wallet and of a user', () => {
  it('lists pay-ins with the common Transaction fields, filtered and paged', async () => {
    const { user, wallet: w } = await funded();
    const otherWallet = await wallet(user.Id);
    const created = await payIn(user, w, 1000, 0);
    const succeeded = await payIn(user, w, 2000, 0);
    await settle(succeeded.Id);
    const failed = await payIn(user, w, 3000, 0);
    await failIt(failed.Id);
    const elsewhere = await payIn(user, otherWallet, 4000, 0);
    const stranger = await funded();
    await payIn(stranger.user, stranger.wallet);

    const ids = (r: any) => r.body.map((t: any) => t.Id);
    let r = await s.call('GET', `/wallets/${w.Id}/transactions?Sort=CreationDate:ASC`);
    expect(r.status).toBe(200);
    expect(ids(r)).toEqual([created.Id, succeeded.Id, failed.Id]);
    expect(Object.keys(r.body[1])).toEqual([
      'Id', 'Tag', 'CreationDate', 'AuthorId', 'CreditedUserId', 'DebitedFunds', 'CreditedFunds', 'Fees', 'Status',
      'ResultCode', 'ResultMessage', 'ExecutionDate', 'Type', 'Nature', 'CreditedWalletId', 'DebitedWalletId',
    ]);
    expect(r.body[1]).toMatchObject({ Status: 'SUCCEEDED', Type: 'PAYIN', Nature: 'REGULAR', CreditedFunds: { Currency: 'EUR', Amount: 2000 } });
    r = await s.call('GET', `/users/${user.Id}/transactions?Sort=CreationDate:ASC`);
    expect(ids(r)).toEqual([created.Id, succeeded.Id, failed.Id, elsewhere.Id]);

    const q = (query: string) => s.call('GET', `/wallets/${w.Id}/transactions?Sort=CreationDate:ASC&${query}`);
    expect(ids(await q('Status=SUCCEEDED'))).toEqual([succeeded.Id]);
    expect(ids(await q('status=succeeded,failed'))).toEqual([succeeded.Id, failed.Id]);
    expect(ids(await q('Status=CREATED&Status=FAILED'))).toEqual([created.Id, failed.Id]);
    expect(ids(await q('Status[]=CREATED&Status[]=SUCCEEDED'))).toEqual([created.Id, succeeded.Id]);
    expect(ids(await q('Type=PAYIN'))).toHaveLength(3);
    expect(ids(await q('Type=TRANSFER,PAYOUT'))).toEqual([]);
    expect(ids(await q('Nature=REGULAR'))).toHaveLength(3);
    expect(ids(await q('Nature=REFUND'))).toEqual([]);
    expect(ids(await q('ResultCode=000000'))).toEqual([succeeded.Id]);
    // Unknown query parameters (the SDK's junk) are ignored.
    expect(ids(await q('resolveWithFullResponse=true&ScaContext=USER_NOT_PRESENT'))).toHaveLength(3);

    r = await s.call('GET', `/wallets/${w.Id}/transactions?per_page=2&page=2&Sort=CreationDate:ASC`);
    expect(ids(r)).toEqual([failed.Id]);
    expect(r.headers.get('X-Number-Of-Items')).toBe('3');
    expect(r.headers.get('X-Number-Of-Pages')).toBe('2');
  });

  it('filters on BeforeDate and AfterDate', async () => {
    const { user, wallet: w } = await funded();
    const old = await payIn(user, w);
    const recent = await payIn(user, w);
    await age(old.Id, 1000);
    const t = recent.CreationDate;
    const ids = async (query: string) => (await s.call('GET', `/wallets/${w.Id}/transactions?${query}`)).body.map((x: any) => x.Id);
    expect(await ids(`BeforeDate=${t - 10}`)).toEqual([old.Id]);
    expect(await ids(`AfterDate=${t - 10}`)).toEqual([recent.Id]);
  });

  it('refuses unknown filter values', async () => {
    const { user, wallet: w } = await funded();
    for (const query of ['Status=DONE', 'Type=CARD', 'Nature=OTHER', 'ResultCode=abc', 'per_page=0']) {
      expectApiError(await s.call('GET', `/wallets/${w.Id}/transactions?${query}`), 400, 'param_error');
      expectApiError(await s.call('GET', `/users/${user.Id}/transactions?${query}`), 400, 'param_error');
    }
  });

  it("answers 404 for unknown wallets and users, and for another client's", async () => {
    expectApiError(await s.call('GET', '/wallets/wlt_m_nobody/transactions'), 404, 'ressource_not_found');
    expectApiError(await s.call('GET', '/users/user_m_nobody/transactions'), 404, 'ressource_not_found');
    const { user } = await funded();
    const other = await s.newClient();
    const r = await s.fetch('GET', `/v2.01/${other.id}/users/${user.Id}/transactions`, { token: await s.tokenFor(other) });
    expectApiError(r, 404, 'ressource_not_found');
  });

  it('keeps a PAYER able to pay in', async () => {
    const payer = await createUser(s, 'natural', naturalPayer());
    const w = await wallet(payer.Id);
    const p = await payIn(payer, w, 500, 0);
    expect((await settle(p.Id)).body.Status).toBe('SUCCEEDED');
    expect(await balance(w.Id)).toBe(500);
  });
});

describe('sandbox off', () => {
  it('serves no sandbox pay-in operation', async () => {
    const off = await startServer({ db: s.db, keepDb: true, env: { MANGROVE_SANDBOX: 'off' } });
    try {
      const user = await off.call('POST', '/sca/users/natural', { body: naturalOwner() });
      const w = await off.call('POST', '/wallets', { body: { Owners: [user.body.Id], Currency: 'EUR', Description: 'x' } });
      const p = await off.call('POST', '/payins/bankwire/direct', {
        body: { AuthorId: user.body.Id, CreditedWalletId: w.body.Id, DeclaredDebitedFunds: money(100), DeclaredFees: money(0) },
      });
      expect(p.status).toBe(200);
      expectApiError(await off.call('POST', `/sandbox/payins/${p.body.Id}/settle`), 404, 'ressource_not_found');
      expectApiError(await off.call('POST', `/sandbox/payins/${p.body.Id}/fail`), 404, 'ressource_not_found');
    } finally {
      await off.close();
    }
  });
});
