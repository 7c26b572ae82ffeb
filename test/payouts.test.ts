import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { expectApiError } from './helpers/errors.js';
import { address, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';
import { eventTypesOf, feeBalance, walletBalance } from './helpers/reads.js';

const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const money = (Amount: unknown, Currency: unknown = 'EUR') => ({ Currency, Amount });
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(40 * 1024, 0x41)]).toString('base64');

/** A natural OWNER made REGULAR the documented way: an IDENTITY_PROOF validated by the sandbox (Tag 'accept'). */
async function regularOwner(): Promise<any> {
  const user = await createUser(s, 'natural', naturalOwner());
  const doc = await s.call('POST', `/users/${user.Id}/kyc/documents`, { body: { Type: 'IDENTITY_PROOF', Tag: 'accept' } });
  expect(doc.status, JSON.stringify(doc.body)).toBe(200);
  expect((await s.call('POST', `/users/${user.Id}/kyc/documents/${doc.body.Id}/pages`, { body: { File: PNG } })).status).toBe(204);
  const submitted = await s.call('PUT', `/users/${user.Id}/kyc/documents/${doc.body.Id}`, { body: { Status: 'VALIDATION_ASKED' } });
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  const u = await s.call('GET', `/sca/users/${user.Id}`);
  expect(u.body.KYCLevel).toBe('REGULAR');
  return u.body;
}
async function wallet(ownerId: string, Currency = 'EUR'): Promise<any> {
  const r = await s.call('POST', '/wallets', { body: { Owners: [ownerId], Currency, Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
/** Credits the wallet with `amount` through a settled bank-wire pay-in without fees. */
async function fund(userId: string, w: any, amount: number): Promise<void> {
  const p = await s.call('POST', '/payins/bankwire/direct', {
    body: { AuthorId: userId, CreditedWalletId: w.Id, DeclaredDebitedFunds: money(amount, w.Currency), DeclaredFees: money(0, w.Currency) },
  });
  expect(p.status, JSON.stringify(p.body)).toBe(200);
  const settled = await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`);
  expect(settled.body.Status).toBe('SUCCEEDED');
}
async function bankAccount(userId: string): Promise<any> {
  const r = await s.call('POST', `/users/${userId}/bankaccounts/iban`, {
    body: { OwnerName: 'Owner Name', OwnerAddress: address(), IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
interface Holder {
  user: any;
  wallet: any;
  account: any;
}
/** A REGULAR OWNER with a EUR wallet holding `amount` and an active IBAN account. */
async function holder(amount = 10_000, user?: any): Promise<Holder> {
  const u = user ?? (await regularOwner());
  const w = await wallet(u.Id);
  if (amount) await fund(u.Id, w, amount);
  return { user: u, wallet: w, account: await bankAccount(u.Id) };
}
const body = (h: Holder, amount = 1000, fees = 0, over: Record<string, unknown> = {}) => ({
  AuthorId: h.user.Id,
  DebitedWalletId: h.wallet.Id,
  DebitedFunds: money(amount, h.wallet.Currency),
  Fees: money(fees, h.wallet.Currency),
  BankAccountId: h.account.Id,
  ...over,
});
const payOut = (b: unknown) => s.call('POST', '/payouts/bankwire', { body: b });
const balance = (walletId: string) => walletBalance(s, walletId);
const feesHeld = (currency = 'EUR') => feeBalance(s.db, s.client.id, currency);
const eventsOf = (resourceId: string) => eventTypesOf(s.db, resourceId);

describe('the official SDK drives bank-wire payouts', () => {
  it('creates a payout (CREATED, funds gone at once), then gets it both ways', async () => {
    const h = await holder(5000);
    const fees0 = await feesHeld();
    const created = await api.PayOuts.create({ ...body(h, 1200, 200, { BankWireRef: 'invoice 7', Tag: 'sdk' }), PaymentType: 'BANK_WIRE' });
    expect(created.Id).toMatch(/^po_m_/);
    expect(created).toMatchObject({
      Status: 'CREATED',
      ResultCode: null,
      ResultMessage: null,
      ExecutionDate: null,
      Type: 'PAYOUT',
      Nature: 'REGULAR',
      PaymentType: 'BANK_WIRE',
      AuthorId: h.user.Id,
      DebitedWalletId: h.wallet.Id,
      CreditedWalletId: null,
      DebitedFunds: money(1200),
      Fees: money(200),
      CreditedFunds: money(1000),
      BankAccountId: h.account.Id,
      BankWireRef: 'invoice 7',
      ModeRequested: 'STANDARD',
      ModeApplied: 'STANDARD',
      Tag: 'sdk',
    });
    expect(created).toHaveProperty('ChargeBearer');
    expect(await balance(h.wallet.Id)).toBe(3800);
    expect(await feesHeld()).toBe(fees0 + 200);
    const got = await api.PayOuts.get(created.Id);
    expect(got.Id).toBe(created.Id);
    expect(got.Status).toBe('CREATED');
    const wire = await api.PayOuts.getBankwire(created.Id);
    expect(wire.BankAccountId).toBe(h.account.Id);
    expect(await eventsOf(created.Id)).toEqual(['PAYOUT_NORMAL_CREATED']);
  });

  it('shows payouts in the wallet and user transaction lists (Type PAYOUT)', async () => {
    const h = await holder(3000);
    const p = (await payOut(body(h, 1000))).body;
    const ofWallet = await s.call('GET', `/wallets/${h.wallet.Id}/transactions?Type=PAYOUT`);
    expect(ofWallet.body.map((t: any) => t.Id)).toEqual([p.Id]);
    expect(ofWallet.body[0].Type).toBe('PAYOUT');
    const ofUser = await s.call('GET', `/users/${h.user.Id}/transactions?Type=PAYOUT`);
    expect(ofUser.body.map((t: any) => t.Id)).toEqual([p.Id]);
    const sdkList = await api.Wallets.getTransactions(h.wallet.Id);
    expect(sdkList.map((t: any) => t.Type).sort()).toEqual(['PAYIN', 'PAYOUT']);
  });

  it('accepts the trailing slash the SDK sends', async () => {
    const h = await holder(2000);
    const r = await s.call('POST', '/payouts/bankwire/', { body: body(h, 500) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.Status).toBe('CREATED');
  });
});

describe('business failures: answered CREATED as Mangopay does, FAILED when read, nothing moves', () => {
  type Case = [name: string, code: string, message: string, setup: () => Promise<{ b: Record<string, unknown>; walletId: string }>];
  const cases: Case[] = [
    [
      'a PAYER author',
      '002701',
      'Users with category PAYER cannot make payouts',
      async () => {
        const payer = await createUser(s, 'natural', naturalPayer());
        const w = await wallet(payer.Id);
        await fund(payer.Id, w, 2000);
        const other = await holder(0);
        return { b: body({ user: payer, wallet: w, account: other.account }), walletId: w.Id };
      },
    ],
    [
      'an OWNER whose KYCLevel is LIGHT',
      '002999',
      "Blocked due to the Debited Wallet Owner's KYC limitations",
      async () => {
        const light = await createUser(s, 'natural', naturalOwner());
        const h = await holder(2000, light);
        return { b: body(h), walletId: h.wallet.Id };
      },
    ],
    [
      "the author's outflows blocked",
      '008700',
      'User blocked by Fraud policy',
      async () => {
        const h = await holder(2000);
        const r = await s.call('POST', `/sandbox/users/${h.user.Id}/block`, { body: { Outflows: true } });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        return { b: body(h), walletId: h.wallet.Id };
      },
    ],
    [
      'a deactivated bank account',
      '121006',
      'The associated bank account is not active',
      async () => {
        const h = await holder(2000);
        const r = await s.call('PUT', `/users/${h.user.Id}/bankaccounts/${h.account.Id}`, { body: { Active: false } });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        return { b: body(h), walletId: h.wallet.Id };
      },
    ],
    [
      "another user's bank account",
      '121007',
      'The author is not the bank account owner',
      async () => {
        const h = await holder(2000);
        const other = await bankAccount((await createUser(s, 'natural', naturalOwner())).Id);
        return { b: body(h, 1000, 0, { BankAccountId: other.Id }), walletId: h.wallet.Id };
      },
    ],
    [
      'Fees equal to DebitedFunds',
      '001014',
      'CreditedFunds must be more than 0 (DebitedFunds can not equal Fees)',
      async () => {
        const h = await holder(2000);
        return { b: body(h, 500, 500), walletId: h.wallet.Id };
      },
    ],
    [
      'more than the balance',
      '121003',
      'Insufficient wallet balance',
      async () => {
        const h = await holder(999);
        return { b: body(h, 1000, 10), walletId: h.wallet.Id };
      },
    ],
    [
      'an empty wallet',
      '121003',
      'Insufficient wallet balance',
      async () => {
        const h = await holder(0);
        return { b: body(h, 10), walletId: h.wallet.Id };
      },
    ],
  ];
  it.each(cases)('%s → %s', async (_name, code, message, setup) => {
    const { b, walletId } = await setup();
    const before = [await balance(walletId), await feesHeld()];
    const r = await payOut(b);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Mangopay processes a payout after answering: the answer is the payout as created (SDK notes §4.8).
    expect(r.body).toMatchObject({ Status: 'CREATED', ResultCode: null, ResultMessage: null, ExecutionDate: null, Type: 'PAYOUT' });
    expect([await balance(walletId), await feesHeld()]).toEqual(before);
    expect(await eventsOf(r.body.Id)).toEqual(['PAYOUT_NORMAL_CREATED', 'PAYOUT_NORMAL_FAILED']);
    for (const path of [`/payouts/${r.body.Id}`, `/payouts/bankwire/${r.body.Id}`]) {
      const read = await s.call('GET', path);
      expect(read.body).toMatchObject({ Id: r.body.Id, Status: 'FAILED', ResultCode: code, ResultMessage: message, ExecutionDate: null });
    }
    // A failed payout cannot be settled or failed afterwards.
    expectApiError(await s.call('POST', `/sandbox/payouts/${r.body.Id}/settle`), 400, 'invalid_action');
  });
});

describe('refusals of the request', () => {
  it.each([
    ['no AuthorId', { AuthorId: undefined }, 'AuthorId'],
    ['no DebitedWalletId', { DebitedWalletId: undefined }, 'DebitedWalletId'],
    ['no BankAccountId', { BankAccountId: undefined }, 'BankAccountId'],
    ['no DebitedFunds', { DebitedFunds: undefined }, 'DebitedFunds'],
    ['no Fees', { Fees: undefined }, 'Fees'],
    ['a zero amount', { DebitedFunds: money(0) }, 'DebitedFunds.Amount'],
    ['a fractional amount', { DebitedFunds: money(10.5) }, 'DebitedFunds.Amount'],
    ['Fees above DebitedFunds', { Fees: money(2000) }, 'Fees.Amount'],
    ['Fees in another currency', { Fees: money(0, 'GBP') }, 'Fees.Currency'],
    ['an instant payout', { PayoutModeRequested: 'INSTANT_PAYMENT' }, 'PayoutModeRequested'],
    ['an unknown payout mode', { PayoutModeRequested: 'FAST' }, 'PayoutModeRequested'],
    ['a BankWireRef of 256 characters', { BankWireRef: 'x'.repeat(256) }, 'BankWireRef'],
  ])('%s → 400 param_error', async (_name, over, field) => {
    const h = await holder(2000);
    const r = await payOut(body(h, 1000, 0, over));
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toContain(field);
    expect(await balance(h.wallet.Id)).toBe(2000);
  });

  it('answers 404 for an unknown wallet, author or bank account', async () => {
    const h = await holder(2000);
    expectApiError(await payOut(body(h, 1000, 0, { DebitedWalletId: 'wlt_m_nope' })), 404, 'ressource_not_found');
    expectApiError(await payOut(body(h, 1000, 0, { AuthorId: 'user_m_nope' })), 404, 'ressource_not_found');
    expectApiError(await payOut(body(h, 1000, 0, { BankAccountId: 'bankacc_m_nope' })), 404, 'ressource_not_found');
    expectApiError(await s.call('GET', '/payouts/po_m_nope'), 404, 'ressource_not_found');
    expectApiError(await s.call('GET', '/payouts/bankwire/po_m_nope'), 404, 'ressource_not_found');
  });

  it("refuses an author who does not own the wallet (400 param_error)", async () => {
    const h = await holder(2000);
    const other = await regularOwner();
    const r = await payOut(body(h, 1000, 0, { AuthorId: other.Id }));
    expectApiError(r, 400, 'param_error');
    expect(r.body.Message).toBe('Author should be the Debited wallet owner');
  });

  it('refuses funds in another currency than the wallet (currency_incompatibility)', async () => {
    const h = await holder(2000);
    expectApiError(await payOut(body(h, 1000, 0, { DebitedFunds: money(1000, 'GBP'), Fees: money(0, 'GBP') })), 400, 'currency_incompatibility');
  });

  it('refuses a closed author (400 user_closed)', async () => {
    const h = await holder(0);
    const closed = await s.call('DELETE', `/users/natural/${h.user.Id}`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(204);
    expectApiError(await payOut(body(h)), 400, 'user_closed');
  });
});

describe('sandbox settle and fail', () => {
  it('settle: SUCCEEDED with its event, money gone to the bank, once', async () => {
    const h = await holder(3000);
    const p = (await payOut(body(h, 1000, 100))).body;
    const r = await s.call('POST', `/sandbox/payouts/${p.Id}/settle`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ Status: 'SUCCEEDED', ResultCode: '000000', ResultMessage: 'Success' });
    expect(r.body.ExecutionDate).toEqual(expect.any(Number));
    expect(await balance(h.wallet.Id)).toBe(2000);
    expect(await eventsOf(p.Id)).toEqual(['PAYOUT_NORMAL_CREATED', 'PAYOUT_NORMAL_SUCCEEDED']);
    expectApiError(await s.call('POST', `/sandbox/payouts/${p.Id}/settle`), 400, 'invalid_action');
    expectApiError(await s.call('POST', `/sandbox/payouts/${p.Id}/fail`), 400, 'invalid_action');
    expect((await s.call('GET', `/payouts/${p.Id}`)).body.Status).toBe('SUCCEEDED');
  });

  it('fail: FAILED with the given result, funds and fees back in the wallet, once', async () => {
    const h = await holder(3000);
    const fees0 = await feesHeld();
    const p = (await payOut(body(h, 1000, 100))).body;
    expect(await feesHeld()).toBe(fees0 + 100);
    const r = await s.call('POST', `/sandbox/payouts/${p.Id}/fail`, { body: { ResultCode: '121001', ResultMessage: 'Bank refused' } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ Status: 'FAILED', ResultCode: '121001', ResultMessage: 'Bank refused', ExecutionDate: null });
    expect(await balance(h.wallet.Id)).toBe(3000);
    expect(await feesHeld()).toBe(fees0);
    expect(await eventsOf(p.Id)).toEqual(['PAYOUT_NORMAL_CREATED', 'PAYOUT_NORMAL_FAILED']);
    expectApiError(await s.call('POST', `/sandbox/payouts/${p.Id}/fail`), 400, 'invalid_action');
    expectApiError(await s.call('POST', `/sandbox/payouts/${p.Id}/settle`), 400, 'invalid_action');
  });

  it('fail without a body: 001999 Generic Operation error; a bad ResultCode is refused', async () => {
    const h = await holder(3000);
    const p = (await payOut(body(h, 1000))).body;
    expectApiError(await s.call('POST', `/sandbox/payouts/${p.Id}/fail`, { body: { ResultCode: 'abc' } }), 400, 'param_error');
    const r = await s.call('POST', `/sandbox/payouts/${p.Id}/fail`);
    expect(r.body).toMatchObject({ Status: 'FAILED', ResultCode: '001999', ResultMessage: 'Generic Operation error' });
  });

  it('keeps its author open while pending (user_closure_not_possible); the outcome decides', async () => {
    const settled = await holder(1000);
    const p1 = (await payOut(body(settled, 1000))).body;
    expect(await balance(settled.wallet.Id)).toBe(0);
    for (const path of [`/users/natural/${settled.user.Id}`, `/sandbox/users/${settled.user.Id}/close`]) {
      const r = await s.call(path.startsWith('/users') ? 'DELETE' : 'POST', path);
      expectApiError(r, 400, 'user_closure_not_possible');
      expect(r.body.Message).toBe('The user cannot be closed while one or several of its payouts are pending');
    }
    expect((await s.call('GET', `/users/${settled.user.Id}`)).body.UserStatus).not.toBe('CLOSED');
    expect((await s.call('POST', `/sandbox/payouts/${p1.Id}/settle`)).body.Status).toBe('SUCCEEDED');
    expect((await s.call('DELETE', `/users/natural/${settled.user.Id}`)).status).toBe(204);

    // A rejected payout brings the money back: the wallet is no longer empty.
    const failed = await holder(1000);
    const p2 = (await payOut(body(failed, 1000))).body;
    expect((await s.call('POST', `/sandbox/payouts/${p2.Id}/fail`)).body.Status).toBe('FAILED');
    const r = await s.call('DELETE', `/users/natural/${failed.user.Id}`);
    expectApiError(r, 400, 'user_closure_not_possible');
    expect(r.body.Message).toBe('The user cannot be closed as one or several wallets are not empty');
    expect(await balance(failed.wallet.Id)).toBe(1000);
  });

  it('answers 404 for an unknown payout', async () => {
    expectApiError(await s.call('POST', '/sandbox/payouts/po_m_nope/settle'), 404, 'ressource_not_found');
    expectApiError(await s.call('POST', '/sandbox/payouts/po_m_nope/fail'), 404, 'ressource_not_found');
  });
});

describe('concurrency', () => {
  it('simultaneous payouts never overdraw the wallet', async () => {
    const h = await holder(1000);
    const results = await Promise.all(Array.from({ length: 6 }, () => payOut(body(h, 300))));
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(results.map((r) => r.body.Status)).toEqual(Array(6).fill('CREATED'));
    const read = await Promise.all(results.map((r) => s.call('GET', `/payouts/${r.body.Id}`)));
    const statuses = read.map((r) => r.body.Status).sort();
    expect(statuses).toEqual(['CREATED', 'CREATED', 'CREATED', 'FAILED', 'FAILED', 'FAILED']);
    for (const r of read.filter((x) => x.body.Status === 'FAILED')) expect(r.body.ResultCode).toBe('121003');
    expect(await balance(h.wallet.Id)).toBe(100);
  });

  it('a payout and a transfer racing for the same money: one of them fails', async () => {
    const h = await holder(1000);
    const to = await wallet((await regularOwner()).Id);
    const [po, tr] = await Promise.all([
      payOut(body(h, 800)),
      s.call('POST', '/transfers', {
        body: { AuthorId: h.user.Id, DebitedWalletId: h.wallet.Id, CreditedWalletId: to.Id, DebitedFunds: money(800), Fees: money(0) },
      }),
    ]);
    // Exactly one takes the money; the other fails for want of balance (the payout's outcome is read back).
    const paid = (await s.call('GET', `/payouts/${po.body.Id}`)).body;
    expect([paid.Status === 'CREATED', tr.body.Status === 'SUCCEEDED'].filter(Boolean)).toHaveLength(1);
    expect(paid.Status === 'CREATED' ? tr.body.ResultCode : paid.ResultCode).toBe(paid.Status === 'CREATED' ? '001001' : '121003');
    expect(await balance(h.wallet.Id)).toBe(200);
  });

  it('settling and failing one payout at the same time: exactly one wins', async () => {
    const h = await holder(1000);
    const p = (await payOut(body(h, 1000, 50))).body;
    const results = await Promise.all([
      s.call('POST', `/sandbox/payouts/${p.Id}/settle`),
      s.call('POST', `/sandbox/payouts/${p.Id}/settle`),
      s.call('POST', `/sandbox/payouts/${p.Id}/fail`),
    ]);
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 200)) expectApiError(r, 400, 'invalid_action');
    const final = (await s.call('GET', `/payouts/${p.Id}`)).body;
    expect(await balance(h.wallet.Id)).toBe(final.Status === 'SUCCEEDED' ? 0 : 1000);
    expect((await eventsOf(p.Id)).length).toBe(2);
  });
});

describe('isolation between clients', () => {
  it("another client can neither see nor settle a client's payout", async () => {
    const h = await holder(2000);
    const p = (await payOut(body(h, 1000))).body;
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    for (const [method, path] of [
      ['GET', `/payouts/${p.Id}`],
      ['GET', `/payouts/bankwire/${p.Id}`],
      ['POST', `/sandbox/payouts/${p.Id}/settle`],
      ['POST', `/sandbox/payouts/${p.Id}/fail`],
    ]) {
      expectApiError(await s.fetch(method, `/v2.01/${other.id}${path}`, { token }), 404, 'ressource_not_found');
    }
    const r = await s.fetch('POST', `/v2.01/${other.id}/payouts/bankwire`, { token, body: body(h) });
    expectApiError(r, 404, 'ressource_not_found');
    expect((await s.call('GET', `/payouts/${p.Id}`)).body.Status).toBe('CREATED');
    const wallets = await s.fetch('GET', `/v2.01/${other.id}/clients/wallets?per_page=100`, { token });
    expect(wallets.status).toBe(200);
    expect(wallets.body.every((w: any) => w.Balance.Amount === 0)).toBe(true);
    expect(await ledgerInvariants(s.db, other.id)).toEqual([]);
  });
});

describe('client wallets', () => {
  it('lists and shows the fee wallet, with the transactions that paid fees', async () => {
    const h = await holder(5000);
    const p = (await payOut(body(h, 1000, 70))).body;
    const fees = await feesHeld();
    const all = await s.call('GET', '/clients/wallets');
    expect(all.status).toBe(200);
    const eur = all.body.find((w: any) => w.Currency === 'EUR');
    expect(eur).toMatchObject({ FundsType: 'FEES', Owners: [], Balance: money(fees), Currency: 'EUR' });
    expect(Object.keys(eur)).toEqual(['Description', 'Owners', 'Id', 'Balance', 'Currency', 'FundsType', 'Tag', 'CreationDate']);
    const byType = await s.call('GET', '/clients/wallets/FEES');
    expect(byType.body.map((w: any) => w.Id)).toContain(eur.Id);
    expect((await s.call('GET', '/clients/wallets/CREDIT')).body.every((w: any) => w.FundsType === 'CREDIT')).toBe(true);
    const one = await s.call('GET', '/clients/wallets/fees/eur');
    expect(one.body.Id).toBe(eur.Id);
    const txs = await s.call('GET', '/clients/wallets/FEES/EUR/transactions?per_page=100');
    expect(txs.status).toBe(200);
    expect(txs.body.map((t: any) => t.Id)).toContain(p.Id);
    const onlyPayouts = await s.call('GET', '/clients/wallets/FEES/EUR/transactions?Type=PAYIN');
    expect(onlyPayouts.body.map((t: any) => t.Id)).not.toContain(p.Id);
  });

  it('through the SDK', async () => {
    const h = await holder(2000);
    await payOut(body(h, 1000, 10));
    const list = await api.Clients.getClientWallets();
    expect(list.some((w: any) => w.FundsType === 'FEES' && w.Currency === 'EUR')).toBe(true);
    const one = await api.Clients.getClientWallet('FEES', 'EUR');
    expect(one.Balance.Amount).toBe(await feesHeld());
    const byType = await api.Clients.getClientWalletsByFundsType('FEES');
    expect(byType.map((w: any) => w.Id)).toContain(one.Id);
    const txs = await api.Clients.getClientWalletTransactions('FEES', 'EUR');
    expect(txs.length).toBeGreaterThan(0);
  });

  it('refuses an unknown funds type or currency; a wallet nothing moved yet is there at zero (issue 10)', async () => {
    expectApiError(await s.call('GET', '/clients/wallets/DEFAULT'), 400, 'param_error');
    expectApiError(await s.call('GET', '/clients/wallets/FEES/XYZ'), 400, 'param_error');
    expect((await s.call('GET', '/clients/wallets/CREDIT/EUR')).body.Balance).toEqual(money(0));
    expect((await s.call('GET', '/clients/wallets/FEES/JPY')).body.Balance).toEqual(money(0, 'JPY'));
    expect((await s.call('GET', '/clients/wallets/FEES/JPY/transactions')).body).toEqual([]);
  });
});
