import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { expectApiError } from './helpers/errors.js';
import { address, naturalOwner } from './helpers/fixtures.js';
import { accountNet, eventTypesOf, feeBalance, walletBalance } from './helpers/reads.js';
import { createUser, fileServer } from './helpers/server.js';

// Transfer refunds, payout refunds (the sandbox's "the payout came back"), GET /refunds/{Id} and the
// refund lists of transfers and payouts (the SDKs' Transfers.getRefunds and PayOuts.getRefunds).
// Pay-in refunds: refunds-payins.test.ts.
const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const money = (Amount: number, Currency = 'EUR') => ({ Currency, Amount });
const balance = (walletId: string) => walletBalance(s, walletId);
const feesHeld = () => feeBalance(s.db, s.client.id);
const eventsOf = (id: string) => eventTypesOf(s.db, id);
const external = () => accountNet(s.db, s.client.id, 'external:EUR');

async function wallet(ownerId: string): Promise<any> {
  const r = await s.call('POST', '/wallets', { body: { Owners: [ownerId], Currency: 'EUR', Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
/** A natural OWNER (REGULAR, so that it may pay out) with a EUR wallet holding `amount`, credited by a settled bank wire. */
async function holder(amount: number): Promise<{ user: any; wallet: any }> {
  const user = await createUser(s, 'natural', naturalOwner());
  await s.db.query("UPDATE users SET kyc_level = 'REGULAR' WHERE id = $1", [user.Id]);
  const w = await wallet(user.Id);
  if (amount) {
    const p = await s.call('POST', '/payins/bankwire/direct', {
      body: { AuthorId: user.Id, CreditedWalletId: w.Id, DeclaredDebitedFunds: money(amount), DeclaredFees: money(0) },
    });
    expect((await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`)).body.Status).toBe('SUCCEEDED');
  }
  return { user, wallet: w };
}
type Holder = Awaited<ReturnType<typeof holder>>;
async function transfer(from: Holder, to: Holder, amount: number, fees = 0): Promise<any> {
  const t = await api.Transfers.create({
    AuthorId: from.user.Id,
    DebitedFunds: money(amount),
    Fees: money(fees),
    DebitedWalletId: from.wallet.Id,
    CreditedWalletId: to.wallet.Id,
  });
  expect(t.Id).toMatch(/^xfer_m_/);
  return t;
}
const refundTransfer = (id: string, body: unknown) => s.call('POST', `/transfers/${id}/refunds`, { body });

async function payOut(h: Holder, amount: number, fees = 0): Promise<any> {
  const account = await s.call('POST', `/users/${h.user.Id}/bankaccounts/iban`, {
    body: { OwnerName: 'Owner Name', OwnerAddress: address(), IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
  });
  expect(account.status, JSON.stringify(account.body)).toBe(200);
  const p = await api.PayOuts.create({
    AuthorId: h.user.Id, DebitedWalletId: h.wallet.Id, DebitedFunds: money(amount), Fees: money(fees), BankAccountId: account.body.Id, PaymentType: 'BANK_WIRE',
  });
  expect(p.Id).toMatch(/^po_m_/);
  return p;
}
const settle = async (payOutId: string) => expect((await s.call('POST', `/sandbox/payouts/${payOutId}/settle`)).body.Status).toBe('SUCCEEDED');
const comeBack = (payOutId: string, body?: unknown) => s.call('POST', `/sandbox/payouts/${payOutId}/refund`, { body });

describe('transfer refunds', () => {
  it('move the money back through the SDK, as its Refunds suite does', async () => {
    const a = await holder(10_000);
    const b = await holder(0);
    const t = await transfer(a, b, 1);
    // The SDK's body carries both wallet ids; they are ignored.
    const r = await api.Transfers.createRefund(t.Id, {
      DebitedWalletId: t.DebitedWalletId, CreditedWalletId: t.CreditedWalletId, AuthorId: a.user.Id, DebitedFunds: money(1), Fees: money(0),
    });
    expect(r).toMatchObject({
      InitialTransactionId: t.Id,
      InitialTransactionType: 'TRANSFER',
      InitialTransactionNature: 'REGULAR',
      AuthorId: a.user.Id,
      Type: 'TRANSFER',
      Nature: 'REFUND',
      Status: 'SUCCEEDED',
      ResultCode: '000000',
      DebitedWalletId: b.wallet.Id,
      CreditedWalletId: a.wallet.Id,
      DebitedFunds: money(1),
      CreditedFunds: money(1),
      Fees: money(0),
      RefundReason: { RefundReasonMessage: null, RefundReasonType: 'OTHER' },
    });
    expect(r.ExecutionDate).toBe(r.CreationDate);
    expect([await balance(a.wallet.Id), await balance(b.wallet.Id)]).toEqual([10_000, 0]);
    expect(await eventsOf(r.Id)).toEqual(['TRANSFER_REFUND_CREATED', 'TRANSFER_REFUND_SUCCEEDED']);
    expect((await api.Refunds.get(r.Id)).InitialTransactionId).toBe(t.Id);
    expect((await api.Transfers.getRefunds(t.Id)).map((x: any) => x.Id)).toEqual([r.Id]);
    // A refund is read as a refund: GET /transfers/{Id} does not show it as a transfer.
    expectApiError(await s.call('GET', `/transfers/${r.Id}`), 404, 'ressource_not_found');
  });

  it('give the fees back in full, then refuse another refund with 400 errors.TransferId', async () => {
    const a = await holder(10_000);
    const b = await holder(0);
    const fees0 = await feesHeld();
    const t = await transfer(a, b, 2500, 100);
    expect([await balance(a.wallet.Id), await balance(b.wallet.Id), await feesHeld()]).toEqual([7500, 2400, fees0 + 100]);
    const r = await refundTransfer(t.Id, { AuthorId: a.user.Id, Tag: 'all' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ Status: 'SUCCEEDED', Tag: 'all', DebitedFunds: money(2400), Fees: money(-100), CreditedFunds: money(2500) });
    expect([await balance(a.wallet.Id), await balance(b.wallet.Id), await feesHeld()]).toEqual([10_000, 0, fees0]);
    const again = await refundTransfer(t.Id, { AuthorId: a.user.Id, DebitedFunds: money(1), Fees: money(0) });
    expectApiError(again, 400, 'param_error');
    expect(again.body.errors).toEqual({ TransferId: 'Original transaction has already been successfully refunded' });
    expect((await api.Transfers.getRefunds(t.Id)).length).toBe(1);
  });

  it('in part, never beyond what remains (005403), nor beyond the transfer (400), nor by another author', async () => {
    const a = await holder(10_000);
    const b = await holder(0);
    const t = await transfer(a, b, 3000, 200);
    const other = await createUser(s, 'natural', naturalOwner());
    const wrongAuthor = await refundTransfer(t.Id, { AuthorId: b.user.Id });
    expectApiError(wrongAuthor, 400, 'param_error');
    expect(wrongAuthor.body.errors).toEqual({ AuthorId: 'Author of the refund is not the author of the initial transfer' });
    expectApiError(await refundTransfer(t.Id, { AuthorId: other.Id }), 400, 'param_error');
    const above = await refundTransfer(t.Id, { AuthorId: a.user.Id, DebitedFunds: money(2801), Fees: money(0) });
    expectApiError(above, 400, 'param_error');
    expect(above.body.errors).toEqual({ DebitedFunds: 'DebitedFunds cannot be higher than CreditedFunds of the initial transfer' });
    const first = await refundTransfer(t.Id, { AuthorId: a.user.Id, DebitedFunds: money(2000), Fees: money(-50) });
    expect(first.body).toMatchObject({ Status: 'SUCCEEDED', CreditedFunds: money(2050) });
    const over = await refundTransfer(t.Id, { AuthorId: a.user.Id, DebitedFunds: money(801), Fees: money(0) });
    expect(over.status).toBe(200);
    expect(over.body).toMatchObject({ Status: 'FAILED', ResultCode: '005403' });
    expect(await eventsOf(over.body.Id)).toEqual(['TRANSFER_REFUND_CREATED', 'TRANSFER_REFUND_FAILED']);
    const rest = await refundTransfer(t.Id, { AuthorId: a.user.Id });
    expect(rest.body).toMatchObject({ Status: 'SUCCEEDED', DebitedFunds: money(800), Fees: money(-150), CreditedFunds: money(950) });
    expect([await balance(a.wallet.Id), await balance(b.wallet.Id)]).toEqual([10_000, 0]);
  });

  it('of a FAILED transfer are 400 original_transaction_must_be_succeeded; an unknown transfer is 404', async () => {
    const a = await holder(100);
    const b = await holder(0);
    const t = await transfer(a, b, 1000);
    expect(t.Status).toBe('FAILED');
    expectApiError(await refundTransfer(t.Id, { AuthorId: a.user.Id }), 400, 'original_transaction_must_be_succeeded');
    const unknown = await refundTransfer('xfer_m_nope', { AuthorId: a.user.Id });
    expectApiError(unknown, 404, 'ressource_not_found');
    expect(unknown.body.errors.RessourceNotFound).toContain('Transfer with the id=xfer_m_nope');
    expect((await api.Transfers.getRefunds(t.Id)).length).toBe(0);
  });

  it('that would credit a closed user fail (002602) and move nothing', async () => {
    const a = await holder(1000);
    const b = await holder(0);
    const t = await transfer(a, b, 1000);
    expect(t.Status).toBe('SUCCEEDED');
    const closed = await s.call('DELETE', `/users/natural/${a.user.Id}`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(204);
    const r = await refundTransfer(t.Id, { AuthorId: a.user.Id });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      Status: 'FAILED',
      ResultCode: '002602',
      ResultMessage: 'User owning credited wallet is closed and cannot receive funds',
      CreditedWalletId: a.wallet.Id,
      ExecutionDate: null,
    });
    expect(await eventsOf(r.body.Id)).toEqual(['TRANSFER_REFUND_CREATED', 'TRANSFER_REFUND_FAILED']);
    expect(await balance(b.wallet.Id)).toBe(1000);
  });
});

describe('a transfer refund racing the closure of the user it credits', () => {
  it('either fails for the closed user or keeps the user open: no closed user ends up holding money', async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      const a = await holder(1000);
      const b = await holder(0);
      const t = await transfer(a, b, 1000);
      // Sent in both orders, round after round.
      const close = () => s.call('DELETE', `/users/natural/${a.user.Id}`);
      const give = () => refundTransfer(t.Id, { AuthorId: a.user.Id });
      const [closed, r] = round % 2 ? await Promise.all([close(), give()]) : (await Promise.all([give(), close()])).reverse();
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const outcome = `${closed.status} ${r.body.Status} ${r.body.ResultCode}`;
      expect(['204 FAILED 002602', '400 SUCCEEDED 000000']).toContain(outcome);
      outcomes.push(outcome);
      expect(await balance(a.wallet.Id)).toBe(r.body.Status === 'SUCCEEDED' ? 1000 : 0);
    }
    console.log(`refund against closure: ${outcomes.join(', ')}`);
  });
});

describe('payout refunds (the sandbox sends a payout back)', () => {
  it('credit the wallet with what the bank received, as a PAYIN refund, once', async () => {
    const h = await holder(5000);
    const p = await payOut(h, 3000, 200);
    expect(await balance(h.wallet.Id)).toBe(2000);
    // Not before the bank executed it.
    expectApiError(await comeBack(p.Id), 400, 'original_transaction_must_be_succeeded');
    await settle(p.Id);
    const out0 = await external();
    const r = await comeBack(p.Id, { RefundReasonType: 'bankaccount_has_been_closed', RefundReasonMessage: 'Account closed' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      AuthorId: h.user.Id,
      CreditedUserId: h.user.Id,
      DebitedFunds: money(2800),
      CreditedFunds: money(2800),
      Fees: money(0),
      Status: 'SUCCEEDED',
      ResultCode: '000000',
      Type: 'PAYIN',
      Nature: 'REFUND',
      InitialTransactionId: p.Id,
      InitialTransactionType: 'PAYOUT',
      DebitedWalletId: null,
      CreditedWalletId: h.wallet.Id,
      RefundReason: { RefundReasonMessage: 'Account closed', RefundReasonType: 'BANKACCOUNT_HAS_BEEN_CLOSED' },
    });
    expect(await balance(h.wallet.Id)).toBe(4800);
    expect(await external()).toBe(out0 - 2800);
    expect(await eventsOf(r.body.Id)).toEqual(['PAYOUT_REFUND_CREATED', 'PAYOUT_REFUND_SUCCEEDED']);
    expect((await api.PayOuts.getRefunds(p.Id)).map((x: any) => x.Id)).toEqual([r.body.Id]);
    expect((await api.Refunds.get(r.body.Id)).Type).toBe('PAYIN');
    // A payout comes back once; a payout refund is not a pay-in.
    expectApiError(await comeBack(p.Id), 400, 'invalid_action');
    expectApiError(await s.call('GET', `/payins/${r.body.Id}`), 404, 'ressource_not_found');
    expectApiError(await s.call('POST', `/payins/${r.body.Id}/refunds`, { body: { AuthorId: h.user.Id } }), 404, 'ressource_not_found');
    expect(await balance(h.wallet.Id)).toBe(4800);
  });

  it('default to OTHER, refuse an unknown reason, and fail (002602) for a closed owner', async () => {
    const h = await holder(1000);
    const p = await payOut(h, 1000);
    await settle(p.Id);
    const bad = await comeBack(p.Id, { RefundReasonType: 'LOST' });
    expectApiError(bad, 400, 'param_error');
    expect(Object.keys(bad.body.errors)).toEqual(['RefundReasonType']);
    expect((await s.call('DELETE', `/users/natural/${h.user.Id}`)).status).toBe(204);
    const r = await comeBack(p.Id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      Status: 'FAILED',
      ResultCode: '002602',
      RefundReason: { RefundReasonMessage: null, RefundReasonType: 'OTHER' },
    });
    expect(await eventsOf(r.body.Id)).toEqual(['PAYOUT_REFUND_CREATED', 'PAYOUT_REFUND_FAILED']);
    expect(await balance(h.wallet.Id)).toBe(0);
    expectApiError(await comeBack('po_m_nope'), 404, 'ressource_not_found');
  });
});

describe("the client's own payout", () => {
  it('comes back to the client wallet it left, with the ClientId as author', async () => {
    const h = await holder(0);
    const p = await s.call('POST', '/payins/bankwire/direct', {
      body: { AuthorId: h.user.Id, CreditedWalletId: h.wallet.Id, DeclaredDebitedFunds: money(5000), DeclaredFees: money(1000) },
    });
    expect((await s.call('POST', `/sandbox/payins/${p.body.Id}/settle`)).body.Status).toBe('SUCCEEDED');
    const account = await s.call('POST', '/clients/bankaccounts/iban', {
      body: { OwnerName: 'Platform', OwnerAddress: address(), IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
    });
    expect(account.status, JSON.stringify(account.body)).toBe(200);
    const fees0 = await feesHeld();
    const out = await s.call('POST', '/clients/payouts', {
      body: { DebitedWalletId: 'FEES_EUR', DebitedFunds: money(600), Fees: money(0), BankAccountId: account.body.Id, BankWireRef: 'fees' },
    });
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    await settle(out.body.Id);
    expect(await feesHeld()).toBe(fees0 - 600);
    const r = await comeBack(out.body.Id, { RefundReasonType: 'BANKACCOUNT_INCORRECT' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({
      Status: 'SUCCEEDED',
      AuthorId: s.client.id,
      CreditedUserId: s.client.id,
      CreditedWalletId: 'FEES_EUR',
      CreditedFunds: money(600),
      RefundReason: { RefundReasonType: 'BANKACCOUNT_INCORRECT' },
    });
    expect(await feesHeld()).toBe(fees0);
  });
});

describe('refund lists and reads', () => {
  it('are empty for a transfer or payout nothing refunded, with the paging headers', async () => {
    const a = await holder(1000);
    const t = await transfer(a, await holder(0), 100);
    const p = await payOut(a, 10);
    expect(await api.Transfers.getRefunds(t.Id)).toEqual([]);
    expect(await api.PayOuts.getRefunds(p.Id)).toEqual([]);
    for (const path of [`/transfers/${t.Id}/refunds`, `/payouts/${p.Id}/refunds?page=1&per_page=5&Sort=CreationDate:DESC`]) {
      const r = await s.call('GET', path);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toEqual([]);
      expect(r.headers.get('x-number-of-items')).toBe('0');
      expect(r.headers.get('x-number-of-pages')).toBe('1');
    }
  });

  it('filter by Status, ResultCode and dates, sort and page, and show only the refunds of that transaction', async () => {
    const a = await holder(10_000);
    const b = await holder(0);
    const t = await transfer(a, b, 3000);
    const other = await transfer(a, b, 100);
    const ids: string[] = [];
    const dates: number[] = [];
    for (const amount of [1000, 2500, 500]) {
      // One refund per second of the client's sandbox clock, so that dates tell them apart.
      const r = await refundTransfer(t.Id, { AuthorId: a.user.Id, DebitedFunds: money(amount), Fees: money(0) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      ids.push(r.body.Id);
      dates.push(r.body.CreationDate);
      expect((await s.call('POST', '/sandbox/clock/advance', { body: { Seconds: 1 } })).status).toBe(200);
    }
    const mine = await refundTransfer(other.Id, { AuthorId: a.user.Id });
    const list = async (query: string) => (await s.call('GET', `/transfers/${t.Id}/refunds${query}`)).body.map((x: any) => x.Id);
    expect(await list('')).toEqual(ids);
    expect(await list('?Status=FAILED')).toEqual([ids[1]]);
    expect(await list('?status=succeeded')).toEqual([ids[0], ids[2]]);
    expect(await list('?ResultCode=005403')).toEqual([ids[1]]);
    expect(await list('?Sort=CreationDate:DESC&per_page=2')).toEqual([ids[2], ids[1]]);
    expect(await list('?per_page=2&page=2')).toEqual([ids[2]]);
    expect(await list(`?AfterDate=${dates[0]}`)).toEqual([ids[1], ids[2]]);
    expect(await list(`?BeforeDate=${dates[2]}`)).toEqual([ids[0], ids[1]]);
    const bad = await s.call('GET', `/transfers/${t.Id}/refunds?Status=DONE&ResultCode=1`);
    expectApiError(bad, 400, 'param_error');
    expect(Object.keys(bad.body.errors).sort()).toEqual(['ResultCode', 'Status']);
    expect((await api.Transfers.getRefunds(other.Id)).map((x: any) => x.Id)).toEqual([mine.body.Id]);
    // GET /refunds/{Id} reads any of them; an id of another kind, or unknown, is 404.
    const read = await s.call('GET', `/refunds/${ids[1]}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ Id: ids[1], Status: 'FAILED', ResultCode: '005403' });
    for (const id of [t.Id, 'refund_m_nope']) {
      const r = await s.call('GET', `/refunds/${id}`);
      expectApiError(r, 404, 'ressource_not_found');
      expect(r.body.errors.RessourceNotFound).toContain(`Refund with the id=${id}`);
    }
  });

  it('are 404 for an unknown id or an id of another kind, and 400 for bad paging', async () => {
    const a = await holder(1000);
    const t = await transfer(a, await holder(0), 100);
    const p = await payOut(a, 10);
    const unknown = await s.call('GET', '/transfers/xfer_m_nope/refunds');
    expectApiError(unknown, 404, 'ressource_not_found');
    expect(unknown.body.errors.RessourceNotFound).toContain('Transfer with the id=xfer_m_nope');
    expectApiError(await s.call('GET', `/transfers/${p.Id}/refunds`), 404, 'ressource_not_found');
    const wrong = await s.call('GET', `/payouts/${t.Id}/refunds`);
    expectApiError(wrong, 404, 'ressource_not_found');
    expect(wrong.body.errors.RessourceNotFound).toContain(`PayOut with the id=${t.Id}`);
    const r = await refundTransfer(t.Id, { AuthorId: a.user.Id });
    // A transfer's refund is a TRANSFER transaction, but has no refunds of its own.
    expectApiError(await s.call('GET', `/transfers/${r.body.Id}/refunds`), 404, 'ressource_not_found');
    const paging = await s.call('GET', `/payouts/${p.Id}/refunds?per_page=1000&Sort=Amount:ASC`);
    expectApiError(paging, 400, 'param_error');
    expect(Object.keys(paging.body.errors).sort()).toEqual(['Sort', 'per_page']);
  });

  it("are another client's 404", async () => {
    const a = await holder(1000);
    const t = await transfer(a, await holder(0), 100);
    const r = await refundTransfer(t.Id, { AuthorId: a.user.Id });
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/transfers/${t.Id}/refunds`, { token }), 404, 'ressource_not_found');
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/refunds/${r.body.Id}`, { token }), 404, 'ressource_not_found');
    expectApiError(await s.fetch('POST', `/v2.01/${other.id}/transfers/${t.Id}/refunds`, { body: { AuthorId: a.user.Id }, token }), 404, 'ressource_not_found');
  });
});
