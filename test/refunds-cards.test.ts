import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { BROWSER_INFO, IP_ADDRESS, TEST_CARDS, registerCard } from './helpers/cards.js';
import { expectApiError } from './helpers/errors.js';
import { naturalOwner } from './helpers/fixtures.js';
import { accountNet, eventTypesOf, feeBalance, walletBalance } from './helpers/reads.js';
import { createUser, fileServer } from './helpers/server.js';

// Refunds of card pay-ins (direct, and pre-authorized captures): the money goes back to the card
// network's account, as the SDK's 'Card Direct' and Refunds suites drive it.
const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const money = (Amount: number, Currency = 'EUR') => ({ Currency, Amount });
const balance = (walletId: string) => walletBalance(s, walletId);
const feesHeld = () => feeBalance(s.db, s.client.id);
/** The net of an outside account of the client (the card network's or the banks'), in EUR. */
const account = (name: 'card-network' | 'external') => accountNet(s.db, s.client.id, `${name}:EUR`);

async function payer(): Promise<{ user: any; wallet: any; card: any }> {
  const user = await createUser(s, 'natural', naturalOwner());
  const w = await s.call('POST', '/wallets', { body: { Owners: [user.Id], Currency: 'EUR', Description: 'w' } });
  expect(w.status, JSON.stringify(w.body)).toBe(200);
  return { user, wallet: w.body, card: await registerCard(s, user.Id, { number: TEST_CARDS.frictionless }) };
}
const card = {
  SecureModeReturnURL: 'https://test.com',
  BrowserInfo: BROWSER_INFO,
  IpAddress: IP_ADDRESS,
};

describe('refunds of direct card pay-ins', () => {
  it("run the SDK 'Card Direct' suite's full refund then partial refund", async () => {
    const p = await payer();
    const payIn = await api.PayIns.create({
      PaymentType: 'CARD',
      ExecutionType: 'DIRECT',
      AuthorId: p.user.Id,
      CreditedWalletId: p.wallet.Id,
      DebitedFunds: money(1000),
      Fees: money(0),
      CardId: p.card.Id,
      SecureMode: 'DEFAULT',
      ...card,
    });
    expect(payIn.Status, JSON.stringify(payIn)).toBe('SUCCEEDED');
    expect(await balance(p.wallet.Id)).toBe(1000);
    const network0 = await account('card-network');
    const external0 = await account('external');
    // The bodies of the SDK's helpers getNewRefundForPayIn and getPartialRefundForPayIn.
    const r = await api.PayIns.createRefund(payIn.Id, { CreditedWalletId: payIn.CreditedWalletId, AuthorId: p.user.Id, DebitedFunds: payIn.DebitedFunds, Fees: payIn.Fees });
    expect(r.DebitedFunds).toEqual(payIn.DebitedFunds);
    expect(r).toMatchObject({ Type: 'PAYOUT', Nature: 'REFUND', Status: 'SUCCEEDED', InitialTransactionId: payIn.Id, DebitedWalletId: p.wallet.Id });
    // The money goes back to the card network, not to the banks.
    expect(await account('card-network')).toBe(network0 + 1000);
    expect(await account('external')).toBe(external0);
    expect(await balance(p.wallet.Id)).toBe(0);
    const partial = await api.PayIns.createRefund(payIn.Id, {
      AuthorId: p.user.Id,
      DebitedFunds: new api.models.Money({ Amount: 100, Currency: payIn.DebitedFunds.Currency }),
      Fees: new api.models.Money({ Amount: 10, Currency: payIn.Fees.Currency }),
    });
    expect(partial.Id).not.toBeNull();
    expect(partial).toMatchObject({ Type: 'PAYOUT', Nature: 'REFUND', Status: 'FAILED', ResultCode: '001401' });
    expect(await eventTypesOf(s.db, partial.Id)).toEqual(['PAYIN_REFUND_CREATED', 'PAYIN_REFUND_FAILED']);
    // 'Card Web' Get Refunds reads the list as an array.
    expect((await api.PayIns.getRefunds(payIn.Id)).map((x: any) => x.Status)).toEqual(['SUCCEEDED', 'FAILED']);
  });

  it('give the fees back from the fee wallet and the card its whole charge', async () => {
    const p = await payer();
    const r0 = await s.call('POST', '/payins/card/direct', {
      body: { AuthorId: p.user.Id, CreditedWalletId: p.wallet.Id, DebitedFunds: money(5000), Fees: money(400), CardId: p.card.Id, ...card },
    });
    expect(r0.body.Status, JSON.stringify(r0.body)).toBe('SUCCEEDED');
    const fees0 = await feesHeld();
    const network0 = await account('card-network');
    const half = await s.call('POST', `/payins/${r0.body.Id}/refunds`, { body: { AuthorId: p.user.Id, DebitedFunds: money(2300), Fees: money(-200) } });
    expect(half.body).toMatchObject({ Status: 'SUCCEEDED', CreditedFunds: money(2500) });
    const rest = await s.call('POST', `/payins/${r0.body.Id}/refunds`, { body: { AuthorId: p.user.Id } });
    expect(rest.body).toMatchObject({ Status: 'SUCCEEDED', DebitedFunds: money(2300), Fees: money(-200), CreditedFunds: money(2500) });
    expect([await balance(p.wallet.Id), await feesHeld(), await account('card-network')]).toEqual([0, fees0 - 400, network0 + 5000]);
  });
});

describe('refunds of web card pay-ins', () => {
  it("list none while the page waits ('Card Web' Get Refunds), refuse one, then refund the paid pay-in", async () => {
    const p = await payer();
    const made = await s.call('POST', '/payins/card/web', {
      body: {
        AuthorId: p.user.Id,
        CreditedWalletId: p.wallet.Id,
        DebitedFunds: money(2000),
        Fees: money(100),
        ReturnURL: 'https://shop.example/back',
        CardType: 'CB_VISA_MASTERCARD',
        Culture: 'FR',
      },
    });
    expect(made.body.Status, JSON.stringify(made.body)).toBe('CREATED');
    expect(await api.PayIns.getRefunds(made.body.Id)).toEqual([]);
    expectApiError(await s.call('POST', `/payins/${made.body.Id}/refunds`, { body: { AuthorId: p.user.Id } }), 400, 'original_transaction_must_be_succeeded');
    const form = new URLSearchParams({ action: 'pay', cardNumber: TEST_CARDS.frictionless, cardExpirationDate: '1229', cardCvx: '123' });
    const paid = await s.fetch('POST', new URL(made.body.RedirectURL).pathname, { raw: form.toString(), contentType: 'application/x-www-form-urlencoded' });
    expect(paid.status, String(paid.body)).toBe(303);
    expect((await s.call('GET', `/payins/${made.body.Id}`)).body.Status).toBe('SUCCEEDED');
    expect(await balance(p.wallet.Id)).toBe(1900);
    const network0 = await account('card-network');
    const r = await s.call('POST', `/payins/${made.body.Id}/refunds`, { body: { AuthorId: p.user.Id } });
    expect(r.body).toMatchObject({ Status: 'SUCCEEDED', DebitedFunds: money(1900), Fees: money(-100), CreditedFunds: money(2000) });
    expect(await account('card-network')).toBe(network0 + 2000);
    expect((await api.PayIns.getRefunds(made.body.Id)).map((x: any) => x.Id)).toEqual([r.body.Id]);
  });
});

describe('refunds of pre-authorized pay-ins', () => {
  it('send the captured money back to the card network', async () => {
    const p = await payer();
    const pre = await s.call('POST', '/preauthorizations/card/direct', {
      body: { AuthorId: p.user.Id, DebitedFunds: money(3000), CardId: p.card.Id, ...card },
    });
    expect(pre.body.Status, JSON.stringify(pre.body)).toBe('SUCCEEDED');
    const captured = await s.call('POST', '/payins/preauthorized/direct', {
      body: { AuthorId: p.user.Id, PreauthorizationId: pre.body.Id, CreditedWalletId: p.wallet.Id, DebitedFunds: money(2000), Fees: money(0) },
    });
    expect(captured.body.Status, JSON.stringify(captured.body)).toBe('SUCCEEDED');
    const network0 = await account('card-network');
    const r = await s.call('POST', `/payins/${captured.body.Id}/refunds`, { body: { AuthorId: p.user.Id, DebitedFunds: money(500), Fees: money(0) } });
    expect(r.body).toMatchObject({ Status: 'SUCCEEDED', InitialTransactionId: captured.body.Id, InitialTransactionType: 'PAYIN' });
    expect(await account('card-network')).toBe(network0 + 500);
    expect(await balance(p.wallet.Id)).toBe(1500);
  });
});

describe('concurrent refunds of a card pay-in', () => {
  it('never refund more than it credited', async () => {
    const p = await payer();
    const payIn = await s.call('POST', '/payins/card/direct', {
      body: { AuthorId: p.user.Id, CreditedWalletId: p.wallet.Id, DebitedFunds: money(1000), Fees: money(0), CardId: p.card.Id, ...card },
    });
    expect(payIn.body.Status).toBe('SUCCEEDED');
    const replies = await Promise.all(
      Array.from({ length: 6 }, () => s.call('POST', `/payins/${payIn.body.Id}/refunds`, { body: { AuthorId: p.user.Id, DebitedFunds: money(300), Fees: money(0) } })),
    );
    expect(replies.map((r) => r.body.Status).filter((x) => x === 'SUCCEEDED').length).toBe(3);
    expect(replies.map((r) => r.body.ResultCode).filter((x) => x === '005403').length).toBe(3);
    expect(await balance(p.wallet.Id)).toBe(100);
  });
});
