import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { expectApiError } from './helpers/errors.js';
import { address, naturalOwner } from './helpers/fixtures.js';
import { accountNet, eventTypesOf, feeBalance, walletBalance } from './helpers/reads.js';
import { startReceiver } from './helpers/receiver.js';
import { createUser, fileServer } from './helpers/server.js';

// Pay-in refunds (reference notes §6): bank-wire pay-ins settled by the sandbox here; card pay-ins in
// refunds-cards.test.ts.
const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const money = (Amount: number, Currency = 'EUR') => ({ Currency, Amount });
const balance = (walletId: string) => walletBalance(s, walletId);
const feesHeld = () => feeBalance(s.db, s.client.id);
const eventsOf = (id: string) => eventTypesOf(s.db, id);
/** What the client's external (bank) account has received, net, in EUR. */
const external = () => accountNet(s.db, s.client.id, 'external:EUR');
async function refundRows(initialId: string): Promise<number> {
  const [r] = await s.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM transactions WHERE client_id = $1 AND nature = 'REFUND' AND details->>'InitialTransactionId' = $2",
    [s.client.id, initialId],
  );
  return r.n;
}

async function wallet(ownerId: string): Promise<any> {
  const r = await s.call('POST', '/wallets', { body: { Owners: [ownerId], Currency: 'EUR', Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
/** A bank-wire pay-in of `amount` with `fees`, settled by the sandbox unless told otherwise. */
async function payIn(user: any, w: any, amount: number, fees = 0, settle = true): Promise<any> {
  const p = await s.call('POST', '/payins/bankwire/direct', {
    body: { AuthorId: user.Id, CreditedWalletId: w.Id, DeclaredDebitedFunds: money(amount), DeclaredFees: money(fees) },
  });
  expect(p.status, JSON.stringify(p.body)).toBe(200);
  if (!settle) return p.body;
  const settled = await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`);
  expect(settled.body.Status).toBe('SUCCEEDED');
  return settled.body;
}
async function funded(amount = 10_000, fees = 0): Promise<{ user: any; wallet: any; payIn: any }> {
  const user = await createUser(s, 'natural', naturalOwner());
  const w = await wallet(user.Id);
  return { user, wallet: w, payIn: await payIn(user, w, amount, fees) };
}
const refund = (payInId: string, body: unknown) => s.call('POST', `/payins/${payInId}/refunds`, { body });

describe('a full refund of a bank-wire pay-in through the SDK', () => {
  it('gives the payer all of DebitedFunds back: the wallet its CreditedFunds, the fee wallet the fees', async () => {
    const { user, wallet: w, payIn: p } = await funded(10_000, 500);
    expect(await balance(w.Id)).toBe(9500);
    const [fees0, out0] = [await feesHeld(), await external()];
    // The SDK's body carries CreditedWalletId; it is ignored.
    const r = await api.PayIns.createRefund(p.Id, { AuthorId: user.Id, CreditedWalletId: w.Id, Tag: 'full' });
    expect(Object.keys(r.data ?? r).filter((k) => k !== 'data')).toEqual([
      'Id', 'Tag', 'CreationDate', 'AuthorId', 'CreditedUserId', 'DebitedFunds', 'CreditedFunds', 'Fees', 'Status', 'ResultCode',
      'ResultMessage', 'ExecutionDate', 'Type', 'Nature', 'InitialTransactionId', 'InitialTransactionType', 'InitialTransactionNature',
      'DebitedWalletId', 'CreditedWalletId', 'RefundReason', 'StatementDescriptor',
    ]);
    expect(r).toMatchObject({
      Tag: 'full',
      AuthorId: user.Id,
      CreditedUserId: null,
      DebitedFunds: money(9500),
      CreditedFunds: money(10_000),
      Fees: money(-500),
      Status: 'SUCCEEDED',
      ResultCode: '000000',
      ResultMessage: 'Success',
      Type: 'PAYOUT',
      Nature: 'REFUND',
      InitialTransactionId: p.Id,
      InitialTransactionType: 'PAYIN',
      InitialTransactionNature: 'REGULAR',
      DebitedWalletId: w.Id,
      CreditedWalletId: null,
      RefundReason: { RefundReasonMessage: null, RefundReasonType: 'INITIALIZED_BY_CLIENT' },
      StatementDescriptor: null,
    });
    expect(r.Id).toMatch(/^refund_m_/);
    expect(r.ExecutionDate).toBe(r.CreationDate);
    expect(await balance(w.Id)).toBe(0);
    expect(await feesHeld()).toBe(fees0 - 500);
    expect(await external()).toBe(out0 + 10_000);
    expect(await eventsOf(r.Id)).toEqual(['PAYIN_REFUND_CREATED', 'PAYIN_REFUND_SUCCEEDED']);
    // Read back by id and in the pay-in's list, as the SDK reads them.
    const read = await api.Refunds.get(r.Id);
    expect(read.Id).toBe(r.Id);
    expect(read.DebitedFunds).toEqual(money(9500));
    const listed = await api.PayIns.getRefunds(p.Id);
    expect(listed.map((x: any) => x.Id)).toEqual([r.Id]);
    // The refund is the user's transaction and the wallet's (a PAYOUT of Nature REFUND).
    const mine = await s.call('GET', `/wallets/${w.Id}/transactions?Nature=REFUND`);
    expect(mine.body.map((x: any) => [x.Id, x.Type])).toEqual([[r.Id, 'PAYOUT']]);
    // It is not a payout: GET /payouts does not show it.
    expectApiError(await s.call('GET', `/payouts/${r.Id}`), 404, 'ressource_not_found');
  });

  it('answers another refund after the full one as a 200 FAILED refund (001401), as the SDK suite needs', async () => {
    const { user, wallet: w, payIn: p } = await funded(1000);
    await api.PayIns.createRefund(p.Id, { AuthorId: user.Id, DebitedFunds: money(1000), Fees: money(0) });
    expect(await balance(w.Id)).toBe(0);
    const again = await api.PayIns.createRefund(p.Id, { AuthorId: user.Id, DebitedFunds: { Amount: 100, Currency: 'EUR' }, Fees: { Amount: 10, Currency: 'EUR' } });
    expect(again).toMatchObject({
      Type: 'PAYOUT',
      Nature: 'REFUND',
      Status: 'FAILED',
      ResultCode: '001401',
      ResultMessage: 'Transaction has already been successfully refunded',
      DebitedFunds: money(100),
      Fees: money(10),
      CreditedFunds: money(90),
      ExecutionDate: null,
    });
    expect(again.Id).not.toBeNull();
    expect(await eventsOf(again.Id)).toEqual(['PAYIN_REFUND_CREATED', 'PAYIN_REFUND_FAILED']);
    // A full refund asked again (no amounts) is the same FAILED refund.
    const full = await refund(p.Id, { AuthorId: user.Id });
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ Status: 'FAILED', ResultCode: '001401' });
    expect(await balance(w.Id)).toBe(0);
  });
});

describe('partial refunds', () => {
  it('give fees back or charge them, and never refund more than remains (005403, 005404)', async () => {
    const { user, wallet: w, payIn: p } = await funded(10_000, 1000);
    expect(await balance(w.Id)).toBe(9000);
    const fees0 = await feesHeld();
    const out0 = await external();
    // Fees −300: the payer gets 3300, 300 of it from the client's fee wallet.
    const a = await refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(3000), Fees: money(-300) });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body).toMatchObject({ Status: 'SUCCEEDED', DebitedFunds: money(3000), Fees: money(-300), CreditedFunds: money(3300) });
    expect([await balance(w.Id), await feesHeld(), await external()]).toEqual([6000, fees0 - 300, out0 + 3300]);
    // Fees +100: the refund is charged, the payer gets 1900.
    const b = await refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(2000), Fees: money(100) });
    expect(b.body).toMatchObject({ Status: 'SUCCEEDED', DebitedFunds: money(2000), Fees: money(100), CreditedFunds: money(1900) });
    expect([await balance(w.Id), await feesHeld(), await external()]).toEqual([4000, fees0 - 200, out0 + 5200]);
    // 4000 of the 9000 credited remain: 4001 is too much.
    const c = await refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(4001), Fees: money(0) });
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({
      Status: 'FAILED',
      ResultCode: '005403',
      ResultMessage: 'The refund cannot exceed initial transaction amount',
      DebitedFunds: money(4001),
      ExecutionDate: null,
    });
    // 700 of the 1000 fees remain to give back: −800 is too much.
    const d = await refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(1000), Fees: money(-800) });
    expect(d.body).toMatchObject({ Status: 'FAILED', ResultCode: '005404', ResultMessage: 'The refunded fees cannot exceed initial fee amount' });
    expect(await eventsOf(d.body.Id)).toEqual(['PAYIN_REFUND_CREATED', 'PAYIN_REFUND_FAILED']);
    expect([await balance(w.Id), await feesHeld(), await external()]).toEqual([4000, fees0 - 200, out0 + 5200]);
    // The rest, with no amounts: 4000 and the 700 fees left.
    const e = await refund(p.Id, { AuthorId: user.Id });
    expect(e.body).toMatchObject({ Status: 'SUCCEEDED', DebitedFunds: money(4000), Fees: money(-700), CreditedFunds: money(4700) });
    expect([await balance(w.Id), await feesHeld(), await external()]).toEqual([0, fees0 - 900, out0 + 9900]);
    const f = await refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(1), Fees: money(0) });
    expect(f.body).toMatchObject({ Status: 'FAILED', ResultCode: '001401' });
    // The list: every refund, FAILED ones too, filtered by Status and ResultCode.
    const all = await s.call('GET', `/payins/${p.Id}/refunds?per_page=100`);
    expect(all.body.map((x: any) => x.Id)).toEqual([a, b, c, d, e, f].map((x) => x.body.Id));
    const ok = await s.call('GET', `/payins/${p.Id}/refunds?Status=SUCCEEDED`);
    expect(ok.body.map((x: any) => x.Id)).toEqual([a, b, e].map((x) => x.body.Id));
    const caps = await s.call('GET', `/payins/${p.Id}/refunds?ResultCode=005403,005404`);
    expect(caps.body.map((x: any) => x.Id)).toEqual([c, d].map((x) => x.body.Id));
    expect(caps.headers.get('x-number-of-items')).toBe('2');
  });

  it('fail with 001001 when the wallet no longer holds the funds, moving nothing', async () => {
    const { user, wallet: w, payIn: p } = await funded(5000);
    const other = await wallet(user.Id);
    const t = await s.call('POST', '/transfers', {
      body: { AuthorId: user.Id, DebitedFunds: money(4500), Fees: money(0), DebitedWalletId: w.Id, CreditedWalletId: other.Id },
    });
    expect(t.body.Status).toBe('SUCCEEDED');
    const r = await refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(600), Fees: money(0) });
    expect(r.body).toMatchObject({ Status: 'FAILED', ResultCode: '001001', ResultMessage: 'Unsufficient wallet balance' });
    expect(await balance(w.Id)).toBe(500);
    // A full refund is refused the same way; what the wallet holds can still be refunded.
    expect((await refund(p.Id, { AuthorId: user.Id })).body.ResultCode).toBe('001001');
    expect((await refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(500), Fees: money(0) })).body.Status).toBe('SUCCEEDED');
    expect(await balance(w.Id)).toBe(0);
  });

  it("fail with 005405 when the client's fee wallet cannot give the fees back", async () => {
    const { user, wallet: w, payIn: p } = await funded(10_000, 2000);
    // The client pays its fees out to its own bank account: the fee wallet is empty.
    const account = await s.call('POST', '/clients/bankaccounts/iban', {
      body: { OwnerName: 'Platform', OwnerAddress: address(), IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
    });
    expect(account.status, JSON.stringify(account.body)).toBe(200);
    const held = await feesHeld();
    const out = await s.call('POST', '/clients/payouts', {
      body: { DebitedWalletId: 'FEES_EUR', DebitedFunds: money(held), Fees: money(0), BankAccountId: account.body.Id, BankWireRef: 'fees' },
    });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect(await feesHeld()).toBe(0);
    const r = await refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(1000), Fees: money(-100) });
    expect(r.body).toMatchObject({ Status: 'FAILED', ResultCode: '005405', ResultMessage: 'Balance of client fee wallet unsufficient' });
    expect(await balance(w.Id)).toBe(8000);
    // Without fees given back it goes through.
    const plain = await refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(1000), Fees: money(0) });
    expect(plain.body.Status).toBe('SUCCEEDED');
    expect(await balance(w.Id)).toBe(7000);
  });
});

describe('refused refund requests', () => {
  it('are 400 for the body, the author, the currency and a refund above the pay-in, and change nothing', async () => {
    const { user, wallet: w, payIn: p } = await funded(5000, 500);
    const other = await createUser(s, 'natural', naturalOwner());
    const cases: Array<[unknown, string, Record<string, string>]> = [
      [{}, 'param_error', { AuthorId: expect.any(String) as any }],
      [{ AuthorId: other.Id }, 'param_error', { AuthorId: 'Author of the refund is not the author of the initial payin' }],
      [{ AuthorId: user.Id, DebitedFunds: money(100) }, 'param_error', { Fees: 'if DebitedFunds are defined, Fees must be defined' }],
      [{ AuthorId: user.Id, Fees: money(0) }, 'param_error', { Fees: 'if Fees are defined, DebitedFunds must be defined' }],
      [{ AuthorId: user.Id, DebitedFunds: money(100), Fees: money(0, 'GBP') }, 'param_error', { 'Fees.Currency': expect.any(String) as any }],
      [{ AuthorId: user.Id, DebitedFunds: money(100), Fees: money(100) }, 'param_error', { 'Fees.Amount': expect.any(String) as any }],
      [{ AuthorId: user.Id, DebitedFunds: money(0), Fees: money(0) }, 'param_error', { 'DebitedFunds.Amount': expect.any(String) as any }],
      [{ AuthorId: user.Id, DebitedFunds: money(100, 'GBP'), Fees: money(0, 'GBP') }, 'currency_incompatibility', { currency: expect.any(String) as any }],
      [
        { AuthorId: user.Id, DebitedFunds: money(4501), Fees: money(0) },
        'param_error',
        { DebitedFunds: 'DebitedFunds cannot be superior the CreditedFunds of the initial PayIn' },
      ],
    ];
    for (const [body, type, errors] of cases) {
      const r = await refund(p.Id, body);
      expectApiError(r, 400, type);
      expect(r.body.errors, JSON.stringify(body)).toEqual(errors);
    }
    // Fees given back over the pay-in's own fees, in one refund, is a FAILED refund (005404), not a 400.
    const fees = await refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(100), Fees: money(-501) });
    expect(fees.body).toMatchObject({ Status: 'FAILED', ResultCode: '005404' });
    expect(await refundRows(p.Id)).toBe(1);
    expect(await balance(w.Id)).toBe(4500);
  });

  it('read signed fees leniently and refuse hostile values with a 400 naming the field, never a 5xx', async () => {
    const { user, wallet: w, payIn: p } = await funded(5000, 500);
    // Amounts as strings of digits, a negative one included, as some SDKs send them.
    const lenient = await refund(p.Id, { authorid: user.Id, DebitedFunds: { Currency: 'eur', Amount: '1000' }, Fees: { Currency: 'EUR', Amount: '-100' } });
    expect(lenient.status, JSON.stringify(lenient.body)).toBe(200);
    expect(lenient.body).toMatchObject({ Status: 'SUCCEEDED', DebitedFunds: money(1000), Fees: money(-100), CreditedFunds: money(1100) });
    const hostile: Array<[unknown, string]> = [
      [{ AuthorId: user.Id, DebitedFunds: money(100), Fees: money(-1e13) }, 'Fees.Amount'],
      [{ AuthorId: user.Id, DebitedFunds: money(100), Fees: { Currency: 'EUR', Amount: 1.5 } }, 'Fees.Amount'],
      [{ AuthorId: user.Id, DebitedFunds: money(100), Fees: { Currency: 'EUR', Amount: '9'.repeat(30) } }, 'Fees.Amount'],
      [{ AuthorId: user.Id, DebitedFunds: 'all', Fees: money(0) }, 'DebitedFunds'],
      [{ AuthorId: user.Id, DebitedFunds: money(100), Fees: money(0, 'XYZ') }, 'Fees.Currency'],
      [{ AuthorId: ['x'] }, 'AuthorId'],
      [{ AuthorId: user.Id, Tag: 'x'.repeat(256) }, 'Tag'],
    ];
    for (const [body, field] of hostile) {
      const r = await refund(p.Id, body);
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors), JSON.stringify(body)).toContain(field);
    }
    expect(await refundRows(p.Id)).toBe(1);
    expect(await balance(w.Id)).toBe(3500);
  });

  it('are 400 original_transaction_must_be_succeeded for a pay-in not SUCCEEDED, 404 for an unknown one', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const w = await wallet(user.Id);
    const waiting = await payIn(user, w, 1000, 0, false);
    const r = await refund(waiting.Id, { AuthorId: user.Id });
    expectApiError(r, 400, 'original_transaction_must_be_succeeded');
    expect(r.body.Message).toBe('The original transaction must have a SUCCEEDED Status to be refunded');
    const failed = await s.call('POST', `/sandbox/payins/${waiting.Id}/fail`);
    expect(failed.body.Status).toBe('FAILED');
    expectApiError(await refund(waiting.Id, { AuthorId: user.Id }), 400, 'original_transaction_must_be_succeeded');
    expect(await refundRows(waiting.Id)).toBe(0);
    const unknown = await refund('payin_m_nope', { AuthorId: user.Id });
    expectApiError(unknown, 404, 'ressource_not_found');
    expect(unknown.body.errors.RessourceNotFound).toContain('PayIn with the id=payin_m_nope');
    expectApiError(await s.call('GET', '/payins/payin_m_nope/refunds'), 404, 'ressource_not_found');
    // A refund is not a pay-in to refund, nor is another client's pay-in.
    const { user: u2, payIn: p2 } = await funded(1000);
    const made = await refund(p2.Id, { AuthorId: u2.Id, DebitedFunds: money(10), Fees: money(0) });
    expectApiError(await refund(made.body.Id, { AuthorId: u2.Id }), 404, 'ressource_not_found');
    const client = await s.newClient();
    const token = await s.tokenFor(client);
    const theirs = await s.fetch('POST', `/v2.01/${client.id}/payins/${p2.Id}/refunds`, { body: { AuthorId: u2.Id }, token });
    expectApiError(theirs, 404, 'ressource_not_found');
    expectApiError(await s.fetch('GET', `/v2.01/${client.id}/refunds/${made.body.Id}`, { token }), 404, 'ressource_not_found');
    expectApiError(await s.fetch('GET', `/v2.01/${client.id}/payins/${p2.Id}/refunds`, { token }), 404, 'ressource_not_found');
  });
});

describe("the client's own pay-in", () => {
  it('to its CREDIT wallet is refunded with the ClientId as author', async () => {
    const p = await s.call('POST', '/clients/payins/bankwire/direct', { body: { CreditedWalletId: 'CREDIT_EUR', DeclaredDebitedFunds: money(3000) } });
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect((await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`)).body.Status).toBe('SUCCEEDED');
    const held = async () => (await s.call('GET', '/clients/wallets/CREDIT/EUR')).body.Balance.Amount;
    const before = await held();
    const r = await refund(p.body.Id, { AuthorId: s.client.id, DebitedFunds: money(1000), Fees: money(0) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ Status: 'SUCCEEDED', AuthorId: s.client.id, DebitedWalletId: 'CREDIT_EUR' });
    expect(await held()).toBe(before - 1000);
  });
});

describe('concurrent refunds of one pay-in', () => {
  it('never refund more than it credited', async () => {
    const { user, wallet: w, payIn: p } = await funded(10_000, 1000);
    const N = 8;
    const replies = await Promise.all(
      Array.from({ length: N }, () => refund(p.Id, { AuthorId: user.Id, DebitedFunds: money(2000), Fees: money(-300) })),
    );
    for (const r of replies) expect(r.status, JSON.stringify(r.body)).toBe(200);
    const succeeded = replies.filter((r) => r.body.Status === 'SUCCEEDED');
    // 9000 credited: four refunds of 2000 fit; fees: 1000, so three of −300 fit, the fourth is 005404.
    expect(succeeded.length).toBe(3);
    expect(replies.filter((r) => r.body.Status === 'FAILED').map((r) => r.body.ResultCode).sort()).toEqual(
      ['005404', '005404', '005404', '005404', '005404'],
    );
    expect(await balance(w.Id)).toBe(3000);
    // Full refunds racing: exactly one takes what remains, the others find it all refunded.
    const full = await Promise.all(Array.from({ length: N }, () => refund(p.Id, { AuthorId: user.Id })));
    expect(full.filter((r) => r.body.Status === 'SUCCEEDED').map((r) => r.body.DebitedFunds.Amount)).toEqual([3000]);
    expect(full.filter((r) => r.body.ResultCode === '001401').length).toBe(N - 1);
    expect(await balance(w.Id)).toBe(0);
    const [sum] = await s.db.query<{ debited: string }>(
      "SELECT sum(debited_amount)::text AS debited FROM transactions WHERE details->>'InitialTransactionId' = $1 AND status = 'SUCCEEDED'",
      [p.Id],
    );
    expect(Number(sum.debited)).toBe(9000);
  });
});

describe('refund webhooks', () => {
  it('reach the hooks of PAYIN_REFUND_CREATED, _SUCCEEDED and _FAILED', async () => {
    const rx = await startReceiver();
    try {
      for (const EventType of ['PAYIN_REFUND_CREATED', 'PAYIN_REFUND_SUCCEEDED', 'PAYIN_REFUND_FAILED']) {
        const h = await s.call('POST', '/hooks', { body: { EventType, Url: rx.url } });
        expect(h.status, JSON.stringify(h.body)).toBe(200);
      }
      const { user, payIn: p } = await funded(1000);
      const ok = await refund(p.Id, { AuthorId: user.Id });
      const failed = await refund(p.Id, { AuthorId: user.Id });
      const got = await rx.waitFor(4, (n) => n.eventType?.startsWith('PAYIN_REFUND_') ?? false);
      expect(got.map((n) => `${n.eventType} ${n.resourceId}`).sort()).toEqual(
        [
          `PAYIN_REFUND_CREATED ${ok.body.Id}`,
          `PAYIN_REFUND_SUCCEEDED ${ok.body.Id}`,
          `PAYIN_REFUND_CREATED ${failed.body.Id}`,
          `PAYIN_REFUND_FAILED ${failed.body.Id}`,
        ].sort(),
      );
    } finally {
      await rx.close();
    }
  });
});
