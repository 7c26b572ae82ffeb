import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { expectApiError } from './helpers/errors.js';
import { legalPayer, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';
import { eventTypesOf, feeBalance, walletBalance } from './helpers/reads.js';

const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const owner = () => createUser(s, 'natural', naturalOwner());
const payer = () => createUser(s, 'natural', naturalPayer());
async function wallet(ownerId: string, Currency = 'EUR'): Promise<any> {
  const r = await s.call('POST', '/wallets', { body: { Owners: [ownerId], Currency, Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const money = (Amount: unknown, Currency: unknown = 'EUR') => ({ Currency, Amount });
/** Credits the wallet with `amount` through a settled bank-wire pay-in without fees. */
async function fund(user: any, w: any, amount: number): Promise<void> {
  const p = await s.call('POST', '/payins/bankwire/direct', {
    body: { AuthorId: user.Id, CreditedWalletId: w.Id, DeclaredDebitedFunds: money(amount, w.Currency), DeclaredFees: money(0, w.Currency) },
  });
  expect(p.status, JSON.stringify(p.body)).toBe(200);
  const settled = await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`);
  expect(settled.body.Status).toBe('SUCCEEDED');
}
/** A user (an OWNER by default) with a EUR wallet holding `amount`. */
async function holder(amount = 10_000, kind: 'owner' | 'payer' = 'owner'): Promise<{ user: any; wallet: any }> {
  const user = kind === 'owner' ? await owner() : await payer();
  const w = await wallet(user.Id);
  if (amount) await fund(user, w, amount);
  return { user, wallet: w };
}
const body = (from: { user: any; wallet: any }, to: { wallet: any }, amount = 1000, fees = 0, over: Record<string, unknown> = {}) => ({
  AuthorId: from.user.Id,
  DebitedFunds: money(amount, from.wallet.Currency),
  Fees: money(fees, from.wallet.Currency),
  DebitedWalletId: from.wallet.Id,
  CreditedWalletId: to.wallet.Id,
  ...over,
});
const transfer = (b: unknown) => s.call('POST', '/transfers', { body: b });
const balance = (walletId: string) => walletBalance(s, walletId);
const feesHeld = (currency = 'EUR') => feeBalance(s.db, s.client.id, currency);
const eventsOf = (resourceId: string) => eventTypesOf(s.db, resourceId);
const setUser = (id: string, sql: string) => s.db.query(`UPDATE users SET ${sql} WHERE id = $1`, [id]);

describe('the official SDK drives transfers', () => {
  it('creates one with Transfers.create and reads it back with Transfers.get', async () => {
    const a = await holder(10_000);
    const b = await holder(0);
    const made = await api.Transfers.create({ ...body(a, b, 2500, 100), Tag: 'sdk' });
    expect(made.Id).toMatch(/^xfer_m_/);
    expect(made).toMatchObject({
      Status: 'SUCCEEDED',
      ResultCode: '000000',
      ResultMessage: 'Success',
      Type: 'TRANSFER',
      Nature: 'REGULAR',
      AuthorId: a.user.Id,
      CreditedUserId: b.user.Id,
      DebitedWalletId: a.wallet.Id,
      CreditedWalletId: b.wallet.Id,
      DebitedFunds: { Currency: 'EUR', Amount: 2500 },
      CreditedFunds: { Currency: 'EUR', Amount: 2400 },
      Fees: { Currency: 'EUR', Amount: 100 },
      Tag: 'sdk',
    });
    expect(made.ExecutionDate).toEqual(expect.any(Number));
    const read = await api.Transfers.get(made.Id);
    expect(read).toEqual(made);
  });

  it('answers an insufficient balance as HTTP 200 FAILED with the ids filled in', async () => {
    const a = await holder(100);
    const b = await holder(0);
    const made = await api.Transfers.create(body(a, b, 101));
    expect(made).toMatchObject({
      Status: 'FAILED',
      ResultCode: '001001',
      ResultMessage: 'Unsufficient wallet balance',
      CreditedUserId: b.user.Id,
      DebitedWalletId: a.wallet.Id,
      CreditedWalletId: b.wallet.Id,
      ExecutionDate: null,
    });
  });
});

describe('POST /transfers', () => {
  it('moves the funds, the fees to the client fee wallet, with events, and shows in the transaction lists', async () => {
    const a = await holder(10_000);
    const b = await holder(500);
    const feesBefore = await feesHeld();
    const r = await transfer(body(a, b, 3000, 250));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body)).toEqual([
      'Id', 'Tag', 'CreationDate', 'AuthorId', 'CreditedUserId', 'DebitedFunds', 'CreditedFunds', 'Fees', 'Status',
      'ResultCode', 'ResultMessage', 'ExecutionDate', 'Type', 'Nature', 'CreditedWalletId', 'DebitedWalletId',
      'ScaContext', 'PendingUserAction',
    ]);
    expect(r.body).toMatchObject({ Status: 'SUCCEEDED', Tag: null, ScaContext: null, PendingUserAction: null });
    expect(await balance(a.wallet.Id)).toBe(7000);
    expect(await balance(b.wallet.Id)).toBe(500 + 2750);
    expect(await feesHeld()).toBe(feesBefore + 250);
    expect(await eventsOf(r.body.Id)).toEqual(['TRANSFER_NORMAL_CREATED', 'TRANSFER_NORMAL_SUCCEEDED']);
    const postings = await s.db.query<{ account: string; amount: number }>(
      'SELECT account, amount FROM postings WHERE movement_id = $1 ORDER BY amount',
      [r.body.Id],
    );
    expect(postings.map((p) => Number(p.amount))).toEqual([-3000, 250, 2750]);
    for (const w of [a.wallet, b.wallet]) {
      const txs = await s.call('GET', `/wallets/${w.Id}/transactions?Type=TRANSFER`);
      expect(txs.body.map((t: any) => t.Id)).toEqual([r.body.Id]);
    }
    for (const u of [a.user, b.user]) {
      const txs = await s.call('GET', `/users/${u.Id}/transactions?Type=TRANSFER`);
      expect(txs.body.map((t: any) => t.Id)).toEqual([r.body.Id]);
    }
    const listed = (await s.call('GET', `/wallets/${a.wallet.Id}/transactions?Type=TRANSFER`)).body[0];
    expect(listed.DebitedFunds).toEqual({ Currency: 'EUR', Amount: 3000 });
  });

  it('without fees posts no fee leg, and the whole balance can be transferred', async () => {
    const a = await holder(1000);
    const b = await holder(0);
    const feesBefore = await feesHeld();
    const r = await transfer(body(a, b, 1000, 0, { ScaContext: 'USER_NOT_PRESENT', Tag: 'all' }));
    expect(r.body).toMatchObject({ Status: 'SUCCEEDED', ScaContext: 'USER_NOT_PRESENT', Tag: 'all' });
    expect(await balance(a.wallet.Id)).toBe(0);
    expect(await balance(b.wallet.Id)).toBe(1000);
    expect(await feesHeld()).toBe(feesBefore);
    const legs = await s.db.query('SELECT account FROM postings WHERE movement_id = $1', [r.body.Id]);
    expect(legs).toHaveLength(2);
  });

  it('creates the client fee wallet of a currency on first use', async () => {
    const a = await owner();
    const b = await owner();
    const wa = await wallet(a.Id, 'JPY');
    const wb = await wallet(b.Id, 'JPY');
    await fund(a, wa, 5000);
    expect(await feesHeld('JPY')).toBe(0);
    const r = await transfer(body({ user: a, wallet: wa }, { wallet: wb }, 1000, 10));
    expect(r.body).toMatchObject({ Status: 'SUCCEEDED', DebitedFunds: { Currency: 'JPY', Amount: 1000 } });
    expect(await feesHeld('JPY')).toBe(10);
  });

  it('a PAYER may transfer to an OWNER and between its own wallets', async () => {
    const p = await holder(5000, 'payer');
    const o = await holder(0);
    expect((await transfer(body(p, o, 1000))).body.Status).toBe('SUCCEEDED');
    const own = await wallet(p.user.Id);
    expect((await transfer(body(p, { wallet: own }, 1000))).body.Status).toBe('SUCCEEDED');
    expect(await balance(own.Id)).toBe(1000);
  });

  it('refuses malformed requests with param_error, naming the field', async () => {
    const a = await holder(1000);
    const b = await holder(0);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ AuthorId: undefined }, 'AuthorId'],
      [{ DebitedWalletId: undefined }, 'DebitedWalletId'],
      [{ CreditedWalletId: '' }, 'CreditedWalletId'],
      [{ DebitedFunds: undefined }, 'DebitedFunds'],
      [{ Fees: undefined }, 'Fees'],
      [{ DebitedFunds: money(0) }, 'DebitedFunds.Amount'],
      [{ DebitedFunds: money(-5) }, 'DebitedFunds.Amount'],
      [{ DebitedFunds: money(10.5) }, 'DebitedFunds.Amount'],
      [{ DebitedFunds: money(100, 'AZN') }, 'DebitedFunds.Currency'],
      [{ Fees: money(-1) }, 'Fees.Amount'],
      [{ Fees: money(0, 'GBP') }, 'Fees.Currency'],
      [{ Fees: money(1001) }, 'Fees.Amount'],
      [{ Tag: 't'.repeat(256) }, 'Tag'],
      [{ ScaContext: 'SOMETIMES' }, 'ScaContext'],
    ];
    for (const [over, field] of cases) {
      const r = await transfer({ ...body(a, b, 1000), ...over });
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors), JSON.stringify(over)).toEqual([field]);
    }
    expect(await s.db.query("SELECT id FROM transactions WHERE type = 'TRANSFER' AND debited_wallet_id = $1", [a.wallet.Id])).toEqual([]);
  });

  it('refuses an author who does not own the debited wallet, and a CreditedUserId not owning the credited one', async () => {
    const a = await holder(1000);
    const b = await holder(0);
    let r = await transfer(body({ user: b.user, wallet: a.wallet }, b));
    expectApiError(r, 400, 'param_error');
    expect(r.body).toMatchObject({ Message: 'Author should be the Debited wallet owner', errors: null });
    r = await transfer(body(a, b, 100, 0, { CreditedUserId: a.user.Id }));
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toHaveProperty('CreditedUserId');
    r = await transfer(body(a, b, 100, 0, { CreditedUserId: b.user.Id }));
    expect(r.body.Status).toBe('SUCCEEDED');
    expect(await balance(a.wallet.Id)).toBe(900);
  });

  it('refuses currencies that do not match with currency_incompatibility', async () => {
    const a = await holder(1000);
    const gbp = await wallet((await owner()).Id, 'GBP');
    let r = await transfer(body(a, { wallet: gbp }));
    expectApiError(r, 400, 'currency_incompatibility');
    expect(r.body.Message).toBe('Error: multi-currency usage is not authorized');
    expect(r.body.errors).toEqual({ currency: "The Debited Wallet's currency EUR and the Credited Wallet's currency GBP must be the same" });
    const b = await holder(0);
    r = await transfer({ ...body(a, b), DebitedFunds: money(100, 'GBP'), Fees: money(0, 'GBP') });
    expectApiError(r, 400, 'currency_incompatibility');
    expect(await balance(a.wallet.Id)).toBe(1000);
  });

  it('answers 404 for an unknown wallet or author, and for another client’s wallet', async () => {
    const a = await holder(1000);
    const b = await holder(0);
    expectApiError(await transfer(body(a, { wallet: { Id: 'wlt_m_01JUNKNOWN000000000000000' } })), 404, 'ressource_not_found');
    expectApiError(await transfer(body({ user: a.user, wallet: { Id: 'wlt_m_01JUNKNOWN000000000000000', Currency: 'EUR' } }, b)), 404, 'ressource_not_found');
    expectApiError(await transfer(body({ user: { Id: 'user_m_01JUNKNOWN00000000000000' }, wallet: a.wallet }, b)), 404, 'ressource_not_found');
    // The client's fee wallet is not a wallet a transfer may name.
    const [fees] = await s.db.query<{ id: string }>("SELECT id FROM wallets WHERE client_id = $1 AND funds_type = 'FEES' LIMIT 1", [s.client.id]);
    if (fees) expectApiError(await transfer(body(a, { wallet: { Id: fees.id } })), 404, 'ressource_not_found');
  });

  describe('business failures: HTTP 200, Status FAILED, nothing moved, stored and listed', () => {
    type Setup = { from: { user: any; wallet: any }; to: { user?: any; wallet: any }; amount?: number; fees?: number };
    const cases: Array<[string, string, string, () => Promise<Setup>]> = [
      ['insufficient balance', '001001', 'Unsufficient wallet balance', async () => ({ from: await holder(999), to: await holder(0), amount: 1000 })],
      [
        'fees equal to the funds',
        '001014',
        'CreditedFunds must be more than 0 (DebitedFunds can not equal Fees)',
        async () => ({ from: await holder(1000), to: await holder(0), amount: 500, fees: 500 }),
      ],
      [
        'the same wallet on both sides',
        '101108',
        'Transaction refused: the Debited Wallet and the Credited Wallet must be different',
        async () => {
          const a = await holder(1000);
          return { from: a, to: a };
        },
      ],
      [
        'debited user closed',
        '002601',
        'User owning debited wallet is closed and cannot transfer to another wallet',
        async () => {
          const a = await holder(0);
          await setUser(a.user.Id, "status = 'CLOSED', inflows_blocked = true, outflows_blocked = true");
          return { from: a, to: await holder(0) };
        },
      ],
      [
        'credited user closed',
        '002602',
        'User owning credited wallet is closed and and cannot receive funds from another wallet',
        async () => {
          const b = await holder(0);
          await setUser(b.user.Id, "status = 'CLOSED', inflows_blocked = true, outflows_blocked = true");
          return { from: await holder(1000), to: b };
        },
      ],
      [
        'PAYER to another PAYER',
        '002701',
        'Users with category PAYER cannot make transfers to other users with category PAYER.',
        async () => ({ from: await holder(1000, 'payer'), to: await holder(0, 'payer') }),
      ],
      [
        'OWNER to a PAYER',
        '002701',
        'Users with category PAYER cannot make transfers to other users with category PAYER.',
        async () => ({ from: await holder(1000), to: await holder(0, 'payer') }),
      ],
      [
        'legal PAYER to natural PAYER',
        '002701',
        'Users with category PAYER cannot make transfers to other users with category PAYER.',
        async () => {
          const lp = await createUser(s, 'legal', legalPayer());
          const w = await wallet(lp.Id);
          await fund(lp, w, 1000);
          return { from: { user: lp, wallet: w }, to: await holder(0, 'payer') };
        },
      ],
      [
        "debited user's outflows blocked",
        '008700',
        'User blocked by Fraud policy',
        async () => {
          const a = await holder(1000);
          const r = await s.call('POST', `/sandbox/users/${a.user.Id}/block`, { body: { Outflows: true } });
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          return { from: a, to: await holder(0) };
        },
      ],
      [
        "credited user's inflows blocked",
        '008700',
        'User blocked by Fraud policy',
        async () => {
          const b = await holder(0);
          const r = await s.call('POST', `/sandbox/users/${b.user.Id}/block`, { body: { Inflows: true } });
          expect(r.status, JSON.stringify(r.body)).toBe(200);
          return { from: await holder(1000), to: b };
        },
      ],
    ];
    it.each(cases)('%s → %s', async (_name, code, message, setup) => {
      const { from, to, amount = 1000, fees = 0 } = await setup();
      const before = [await balance(from.wallet.Id), await balance(to.wallet.Id), await feesHeld()];
      const r = await transfer(body(from, to, amount, fees));
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({
        Status: 'FAILED',
        ResultCode: code,
        ResultMessage: message,
        ExecutionDate: null,
        DebitedWalletId: from.wallet.Id,
        CreditedWalletId: to.wallet.Id,
        DebitedFunds: { Currency: 'EUR', Amount: amount },
        Fees: { Currency: 'EUR', Amount: fees },
      });
      expect([await balance(from.wallet.Id), await balance(to.wallet.Id), await feesHeld()]).toEqual(before);
      expect(await s.db.query('SELECT seq FROM postings WHERE movement_id = $1', [r.body.Id])).toEqual([]);
      expect(await eventsOf(r.body.Id)).toEqual(['TRANSFER_NORMAL_CREATED', 'TRANSFER_NORMAL_FAILED']);
      expect((await s.call('GET', `/transfers/${r.body.Id}`)).body).toEqual(r.body);
      const listed = await s.call('GET', `/wallets/${from.wallet.Id}/transactions?Status=FAILED&Type=TRANSFER`);
      expect(listed.body.map((t: any) => t.Id)).toEqual([r.body.Id]);
      const byCode = await s.call('GET', `/users/${from.user.Id}/transactions?ResultCode=${code}`);
      expect(byCode.body.map((t: any) => t.Id)).toContain(r.body.Id);
    });
  });
});

describe('GET /transfers/{Id}', () => {
  it('answers 404 for an unknown id, a pay-in id and another client’s transfer', async () => {
    const a = await holder(1000);
    const b = await holder(0);
    const t = (await transfer(body(a, b, 10))).body;
    expectApiError(await s.call('GET', '/transfers/xfer_m_01JUNKNOWN00000000000000'), 404, 'ressource_not_found');
    const [payIn] = await s.db.query<{ id: string }>("SELECT id FROM transactions WHERE type = 'PAYIN' AND credited_wallet_id = $1", [a.wallet.Id]);
    expectApiError(await s.call('GET', `/transfers/${payIn.id}`), 404, 'ressource_not_found');
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const r = await s.fetch('GET', `/v2.01/${other.id}/transfers/${t.Id}`, { token });
    expectApiError(r, 404, 'ressource_not_found');
    // Nor can the other client move this client's money.
    const moved = await s.fetch('POST', `/v2.01/${other.id}/transfers`, { token, body: body(a, b, 10) });
    expectApiError(moved, 404, 'ressource_not_found');
    expect(await balance(a.wallet.Id)).toBe(990);
  });
});

describe('concurrency', () => {
  it('many simultaneous transfers out of one wallet never overdraw it', async () => {
    const a = await holder(1000);
    const targets = await Promise.all([holder(0), holder(0), holder(0)]);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, k) => transfer(body(a, targets[k % 3], 100, 10))),
    );
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const succeeded = results.filter((r) => r.body.Status === 'SUCCEEDED');
    const failed = results.filter((r) => r.body.Status === 'FAILED');
    expect(succeeded).toHaveLength(10);
    expect(failed.every((r) => r.body.ResultCode === '001001')).toBe(true);
    expect(await balance(a.wallet.Id)).toBe(0);
    const credited = await Promise.all(targets.map((t) => balance(t.wallet.Id)));
    expect(credited.reduce((x, y) => x + y, 0)).toBe(900);
    expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
  });

  it('opposite transfers A→B and B→A at once do not deadlock', async () => {
    const a = await holder(5000);
    const b = await holder(5000);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, k) => (k % 2 ? transfer(body(a, b, 100, 1)) : transfer(body(b, a, 100, 1)))),
    );
    for (const r of results) expect(r.body.Status, JSON.stringify(r.body)).toBe('SUCCEEDED');
    expect((await balance(a.wallet.Id)) + (await balance(b.wallet.Id))).toBe(10_000 - 20);
    expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
  });
});
