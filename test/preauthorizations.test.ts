import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { HOLD_SECONDS } from '../src/modules/preauthorizations/model.js';
import { sweepPreauthorizations } from '../src/modules/preauthorizations/service.js';
import { decideSecureSession, sweepSecureSessions } from '../src/modules/secure-mode/service.js';
import { BROWSER_INFO, IP_ADDRESS, registerCard, TEST_CARDS } from './helpers/cards.js';
import { expectApiError } from './helpers/errors.js';
import { naturalOwner } from './helpers/fixtures.js';
import { eventTypesOf, feeBalance, walletBalance } from './helpers/reads.js';
import { createUser, fileServer, type TestServer } from './helpers/server.js';

const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const KEY_ORDER = [
  'Id', 'Tag', 'CreationDate', 'AuthorId', 'DebitedFunds', 'RemainingFunds', 'AuthorizationDate', 'Status', 'PaymentStatus',
  'ExpirationDate', 'PayInId', 'ResultCode', 'ResultMessage', 'SecureMode', 'CardId', 'SecureModeReturnURL', 'SecureModeRedirectURL',
  'SecureModeNeeded', 'PaymentType', 'ExecutionType', 'StatementDescriptor', 'Culture', 'SecurityInfo', 'MultiCapture', 'BrowserInfo',
  'IpAddress', 'Billing', 'Shipping', 'Requested3DSVersion', 'Applied3DSVersion', 'PreferredCardNetwork', 'PaymentCategory', 'CardInfo',
];
const CAPTURE_KEY_ORDER = [
  'Id', 'Tag', 'CreationDate', 'ResultCode', 'ResultMessage', 'AuthorId', 'CreditedUserId', 'DebitedFunds', 'CreditedFunds', 'Fees',
  'Status', 'ExecutionDate', 'Type', 'Nature', 'CreditedWalletId', 'DebitedWalletId', 'PaymentType', 'ExecutionType', 'PreauthorizationId',
];
const BILLING = {
  FirstName: 'John',
  LastName: 'Doe',
  Address: {
    AddressLine1: '4101 Reservoir Rd NW',
    AddressLine2: '',
    City: 'Washington',
    Region: 'District of Columbia',
    PostalCode: '68400',
    Country: 'US',
  },
};

const money = (Amount: number, Currency = 'EUR') => ({ Currency, Amount });
/** The main client's token; a new one once the sandbox clock has moved past the old one's lifetime. */
let token: string | undefined;
const call: TestServer['call'] = (method, path, opts = {}) => s.call(method, path, { token, ...opts });
/** The main client as the card and user helpers use it (they only call its API). */
const me = { call } as TestServer;
async function newToken(): Promise<string> {
  const r = await s.fetch('POST', '/v2.01/oauth/token', {
    raw: 'grant_type=client_credentials',
    contentType: 'application/x-www-form-urlencoded',
    headers: { authorization: `Basic ${Buffer.from(`${s.client.id}:${s.client.apiKey}`).toString('base64')}` },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.access_token;
}
const natural = (over: Record<string, unknown> = {}) => createUser(me, 'natural', naturalOwner(over));
async function wallet(ownerId: string, Currency = 'EUR', srv: Pick<TestServer, 'call'> = me): Promise<any> {
  const r = await srv.call('POST', '/wallets', { body: { Owners: [ownerId], Currency, Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const preauthBody = (user: any, card: any, amount = 1000, over: Record<string, unknown> = {}) => ({
  AuthorId: user.Id,
  DebitedFunds: money(amount, card.Currency ?? 'EUR'),
  CardId: card.Id,
  SecureModeReturnURL: 'https://shop.example/back',
  BrowserInfo: BROWSER_INFO,
  IpAddress: IP_ADDRESS,
  ...over,
});
const createPreauth = (body: unknown, srv: Pick<TestServer, 'call'> = me) => srv.call('POST', '/preauthorizations/card/direct', { body });
async function preauth(user: any, card: any, amount = 1000, over: Record<string, unknown> = {}, srv: Pick<TestServer, 'call'> = me): Promise<any> {
  const r = await createPreauth(preauthBody(user, card, amount, over), srv);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const captureBody = (p: any, w: any, amount: number, fees = 0, over: Record<string, unknown> = {}) => ({
  PreauthorizationId: p.Id,
  CreditedWalletId: w.Id,
  DebitedFunds: money(amount, w.Currency),
  Fees: money(fees, w.Currency),
  ...over,
});
const capture = (p: any, w: any, amount: number, fees = 0, over: Record<string, unknown> = {}) =>
  call('POST', '/payins/preauthorized/direct', { body: captureBody(p, w, amount, fees, over) });
const getPreauth = (id: string) => call('GET', `/preauthorizations/${id}`);
const eventsOf = (id: string) => eventTypesOf(s.db, id);
const balance = (id: string) => walletBalance(me, id);
async function advance(Seconds: number) {
  const r = await call('POST', '/sandbox/clock/advance', { body: { Seconds } });
  token = await newToken();
  return r;
}

/** A user with a EUR card (the frictionless test card unless told) and a EUR wallet. */
async function payer(opts: Parameters<typeof registerCard>[2] = {}): Promise<{ user: any; card: any; wallet: any }> {
  const user = await natural();
  const card = await registerCard(me, user.Id, opts);
  return { user, card, wallet: await wallet(user.Id) };
}

/** Answers a pre-authorization's 3-D Secure challenge on Mangrove's page, as the payer's browser does. */
async function answerChallenge(p: any, outcome: 'APPROVED' | 'REFUSED'): Promise<void> {
  const res = await fetch(p.SecureModeRedirectURL, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `outcome=${outcome}`,
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe(p.SecureModeReturnURL);
}

/** A hold approved through its challenge (the AMEX and Maestro test cards always ask for one). */
async function challengedPreauth(user: any, card: any, amount: number): Promise<any> {
  const p = await preauth(user, card, amount);
  expect(p.Status).toBe('CREATED');
  await answerChallenge(p, 'APPROVED');
  const after = (await getPreauth(p.Id)).body;
  expect(after).toMatchObject({ Status: 'SUCCEEDED', PaymentStatus: 'WAITING' });
  return after;
}

describe('the official SDK drives pre-authorizations (its CardPreAuthorizations, PayIns and Cards tests)', () => {
  it('creates, reads and cancels one with the merged object', async () => {
    const user = await natural();
    const card = await registerCard(me, user.Id);
    const made: any = {
      AuthorId: user.Id,
      Tag: 'custom meta',
      CardId: card.Id,
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      SecureModeReturnURL: 'http://test.com',
      Billing: BILLING,
      BrowserInfo: BROWSER_INFO,
      IpAddress: IP_ADDRESS,
    };
    const created = await api.CardPreAuthorizations.create(made);
    expect(created.Id).toBeDefined();
    expect(made.Status).toBe('SUCCEEDED');
    expect(made.PaymentStatus).toBe('WAITING');
    expect(made.ExecutionType).toBe('DIRECT');
    expect(made.PayInId).toBeNull();
    expect(made.RemainingFunds).toEqual({ Currency: 'EUR', Amount: 1000 });
    expect(made.CardInfo).not.toBeNull();
    expect(Object.keys(made.data)).toEqual(KEY_ORDER);
    expect(made.data).toMatchObject({
      Tag: 'custom meta',
      ResultCode: '000000',
      ResultMessage: 'Success',
      SecureMode: 'DEFAULT',
      SecureModeReturnURL: `http://test.com?preAuthorizationId=${made.Id}`,
      SecureModeRedirectURL: null,
      SecureModeNeeded: false,
      PaymentType: 'CARD',
      Culture: 'EN',
      SecurityInfo: { AVSResult: 'NO_CHECK' },
      MultiCapture: true,
      IpAddress: IP_ADDRESS,
      Billing: { FirstName: 'John', LastName: 'Doe', Address: { City: 'Washington', PostalCode: '68400', AddressLine2: null } },
      Shipping: { FirstName: 'John', LastName: 'Doe' },
      CardInfo: { BIN: '497010', Brand: 'VISA', Type: 'CREDIT' },
      PaymentCategory: 'ECommerce',
    });
    expect(made.ExpirationDate - made.AuthorizationDate).toBe(HOLD_SECONDS);
    expect(made.AuthorizationDate).toBe(made.CreationDate);
    expect(await eventsOf(made.Id)).toEqual(['PREAUTHORIZATION_CREATED', 'PREAUTHORIZATION_SUCCEEDED', 'PREAUTHORIZATION_PAYMENT_WAITING']);
    expect((await call('GET', `/cards/${card.Id}`)).body.Validity).toBe('VALID');

    // The docs print the read with a trailing slash.
    expect((await call('GET', `/preauthorizations/${made.Id}/`)).body.Id).toBe(made.Id);
    const got = await api.CardPreAuthorizations.get(made.Id);
    expect(got.Id).toBe(made.Id);
    expect(got.ResultCode).toBe('000000');
    expect(got.RemainingFunds).toBeDefined();

    made.PaymentStatus = 'CANCELED';
    await api.CardPreAuthorizations.update(made);
    expect(made.Status).toBe('SUCCEEDED');
    expect(made.PaymentStatus).toBe('CANCELED');
    expect(made.SecurityInfo.AVSResult).toBe('NO_CHECK');
    expect(made.RemainingFunds).toEqual({ Currency: 'EUR', Amount: 0 });
    expect(await eventsOf(made.Id)).toEqual([
      'PREAUTHORIZATION_CREATED', 'PREAUTHORIZATION_SUCCEEDED', 'PREAUTHORIZATION_PAYMENT_WAITING', 'PREAUTHORIZATION_PAYMENT_CANCELED',
    ]);
  });

  it('captures one with PayIns.create (PREAUTHORIZED/DIRECT, trailing slash) and lists its transactions', async () => {
    const { user, card, wallet: w } = await payer();
    const made: any = {
      AuthorId: user.Id,
      CardId: card.Id,
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      SecureModeReturnURL: 'http://test.com',
      Billing: BILLING,
      BrowserInfo: BROWSER_INFO,
      IpAddress: IP_ADDRESS,
    };
    await api.CardPreAuthorizations.create(made);
    const payIn: any = {
      CreditedWalletId: w.Id,
      AuthorId: user.Id,
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      Fees: { Currency: 'EUR', Amount: 0 },
      CardId: card.Id,
      SecureModeReturnURL: 'http://test.com',
      PaymentType: 'PREAUTHORIZED',
      ExecutionType: 'DIRECT',
      PreauthorizationId: made.Id,
    };
    await api.PayIns.create(payIn);
    expect(payIn.Id).toBeDefined();
    expect(payIn.data.AuthorId).toBe(user.Id);
    expect(payIn.data.PaymentType).toBe('PREAUTHORIZED');
    expect(payIn.data.ExecutionType).toBe('DIRECT');
    expect(payIn.data.CardId).not.toBeNull();
    expect(payIn.data.Type).toBe('PAYIN');
    expect(payIn.data.Status).toBe('SUCCEEDED');
    expect(Object.keys(payIn.data)).toEqual(CAPTURE_KEY_ORDER);
    expect(payIn.data.PreauthorizationId).toBe(made.Id);

    const transactions = await api.CardPreAuthorizations.getTransactions(made.Id);
    expect(transactions.length).toBe(1);
    expect(transactions[0].Status).not.toBe('FAILED');
    expect(transactions[0]).toMatchObject({ Id: payIn.Id, DepositId: null, Type: 'PAYIN' });

    const byCard = await api.Cards.getPreAuthorizations(card.Id);
    expect(Array.isArray(byCard)).toBe(true);
    expect(byCard.map((p: any) => p.Id)).toEqual([made.Id]);
    expect(byCard[0]).toMatchObject({ PaymentStatus: 'VALIDATED', PayInId: payIn.Id, RemainingFunds: { Amount: 0 } });
    const byUser = await api.Users.getPreAuthorizations(user.Id);
    expect(byUser.map((p: any) => p.Id)).toEqual([made.Id]);
    // The capture is a pay-in of the card; the pre-authorization is no transaction at all.
    const ofCard = await call('GET', `/cards/${card.Id}/transactions`);
    expect(ofCard.body.map((t: any) => t.Id)).toEqual([payIn.Id]);
  });

  it('counts a pre-authorization and a direct pay-in as one PAYIN in the user transactions (Users "Transactions")', async () => {
    const { user, card, wallet: w } = await payer();
    await preauth(user, card, 1000, { Billing: BILLING });
    const direct = await call('POST', '/payins/card/direct/', {
      body: {
        AuthorId: user.Id,
        CreditedWalletId: w.Id,
        DebitedFunds: money(1000),
        Fees: money(0),
        CardId: card.Id,
        SecureModeReturnURL: 'http://test.com',
        BrowserInfo: BROWSER_INFO,
        IpAddress: IP_ADDRESS,
        Billing: BILLING,
      },
    });
    expect(direct.body.Status, JSON.stringify(direct.body)).toBe('SUCCEEDED');
    const list = await api.Users.getTransactions(user.Id, { parameters: { Type: 'PAYIN' } });
    expect(list.length).toBe(1);
  });
});

describe('POST /preauthorizations/card/direct', () => {
  it('falls back on the author for Billing and Shipping, upper-cases Culture and keeps what was sent', async () => {
    const user = await natural();
    const card = await registerCard(me, user.Id);
    const p = await preauth(user, card, 1500, {
      Culture: 'fr',
      StatementDescriptor: 'SHOP 42',
      SecureMode: 'no_choice',
      PreferredCardNetwork: 'VISA',
      SecureModeReturnURL: 'https://shop.example/back?order=7',
    });
    expect(p).toMatchObject({
      Culture: 'FR',
      StatementDescriptor: 'SHOP 42',
      SecureMode: 'NO_CHOICE',
      PreferredCardNetwork: 'VISA',
      SecureModeReturnURL: `https://shop.example/back?order=7&preAuthorizationId=${p.Id}`,
      Billing: { FirstName: 'Alice', LastName: 'Durand', Address: { AddressLine1: null, Country: null } },
      Shipping: { FirstName: 'Alice', LastName: 'Durand' },
      BrowserInfo: BROWSER_INFO,
      Requested3DSVersion: null,
      Applied3DSVersion: 'V2_1',
    });
  });

  it('refuses bad requests with 400 naming the field, 404 for unknown ids and 400 for another currency, changing nothing', async () => {
    const user = await natural();
    const card = await registerCard(me, user.Id);
    const count = async () => (await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM preauthorizations WHERE client_id = $1', [s.client.id]))[0].n;
    const before = await count();
    for (const [field, over] of [
      ['BrowserInfo', { BrowserInfo: undefined }],
      ['IpAddress', { IpAddress: 'not an ip' }],
      ['SecureModeReturnURL', { SecureModeReturnURL: undefined }],
      ['DebitedFunds.Amount', { DebitedFunds: money(0) }],
      ['SecureMode', { SecureMode: 'SOMETIMES' }],
      ['Billing.Address.Region', { Billing: { ...BILLING, Address: { ...BILLING.Address, Region: null } } }],
    ] as const) {
      const r = await createPreauth(preauthBody(user, card, 1000, over as Record<string, unknown>));
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors), field).toContain(field);
    }
    expectApiError(await createPreauth(preauthBody(user, { ...card, Id: 'card_m_nope' })), 404, 'ressource_not_found');
    expectApiError(await createPreauth(preauthBody({ Id: 'user_m_nope' }, card)), 404, 'ressource_not_found');
    const gbp = await createPreauth(preauthBody(user, card, 1000, { DebitedFunds: money(1000, 'GBP') }));
    expectApiError(gbp, 400, 'currency_incompatibility');
    expect(gbp.body.errors.currency).toBe("The card's currency EUR and the debitedAmount's currency GBP must be the same");
    expect(await count()).toBe(before);
  });

  it('fails on the amount triggers (PaymentStatus CANCELED, nothing left, the card INVALID) and for a card the author does not own', async () => {
    const user = await natural();
    const card = await registerCard(me, user.Id);
    const p = await preauth(user, card, 33305);
    expect(p).toMatchObject({
      Status: 'FAILED',
      PaymentStatus: 'CANCELED',
      ResultCode: '101101',
      ResultMessage: 'Transaction refused by the bank (Do not honor)',
      RemainingFunds: { Currency: 'EUR', Amount: 0 },
      AuthorizationDate: null,
      ExpirationDate: null,
      SecureModeNeeded: false,
    });
    expect(await eventsOf(p.Id)).toEqual(['PREAUTHORIZATION_CREATED', 'PREAUTHORIZATION_FAILED']);
    expect((await call('GET', `/cards/${card.Id}`)).body.Validity).toBe('INVALID');

    const other = await natural();
    const otherCard = await registerCard(me, other.Id);
    const notOwner = await preauth(user, otherCard, 1000);
    expect(notOwner).toMatchObject({ Status: 'FAILED', ResultCode: '001023', PaymentStatus: 'CANCELED' });
    expect((await call('GET', `/cards/${otherCard.Id}`)).body.Validity).toBe('UNKNOWN');
  });
});

describe('3-D Secure', () => {
  it('leaves a challenge CREATED until the payer approves on the page, then holds the funds', async () => {
    const { user, card } = await payer({ number: TEST_CARDS.challenge });
    const p = await preauth(user, card, 2000);
    expect(p).toMatchObject({
      Status: 'CREATED',
      PaymentStatus: 'WAITING',
      ResultCode: null,
      AuthorizationDate: null,
      ExpirationDate: null,
      SecureModeNeeded: true,
      PayInId: null,
    });
    expect(p.SecureModeRedirectURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/3ds\/[0-9a-f]{40}$/);
    expect(await eventsOf(p.Id)).toEqual(['PREAUTHORIZATION_CREATED']);
    // Not capturable yet.
    const w = await wallet(user.Id);
    const early = await capture(p, w, 100);
    expectApiError(early, 400, 'param_error');
    expect(early.body.errors).toEqual({ Status: 'The PreAuthorization Status value has to be up to SUCCEEDED' });

    await answerChallenge(p, 'APPROVED');
    const after = (await getPreauth(p.Id)).body;
    expect(after).toMatchObject({
      Status: 'SUCCEEDED',
      PaymentStatus: 'WAITING',
      ResultCode: '000000',
      SecureModeNeeded: true,
      SecureModeRedirectURL: null,
      RemainingFunds: { Amount: 2000 },
    });
    expect(after.ExpirationDate - after.AuthorizationDate).toBe(HOLD_SECONDS);
    expect(await eventsOf(p.Id)).toEqual(['PREAUTHORIZATION_CREATED', 'PREAUTHORIZATION_SUCCEEDED', 'PREAUTHORIZATION_PAYMENT_WAITING']);
    expect((await capture(after, w, 2000)).body.Status).toBe('SUCCEEDED');
  });

  it('fails with 101301 when the payer refuses (decided once), and FORCE challenges a frictionless card', async () => {
    const { user, card } = await payer();
    const p = await preauth(user, card, 1000, { SecureMode: 'FORCE' });
    expect(p.Status).toBe('CREATED');
    const sessionId = p.SecureModeRedirectURL.split('/').pop();
    const now = async () => Math.floor(Date.now() / 1000);
    await decideSecureSession(s.db, sessionId, 'REFUSED', now);
    await decideSecureSession(s.db, sessionId, 'APPROVED', now);
    const after = (await getPreauth(p.Id)).body;
    expect(after).toMatchObject({
      Status: 'FAILED',
      PaymentStatus: 'CANCELED',
      ResultCode: '101301',
      RemainingFunds: { Amount: 0 },
      SecureModeRedirectURL: null,
    });
    expect(await eventsOf(p.Id)).toEqual(['PREAUTHORIZATION_CREATED', 'PREAUTHORIZATION_FAILED']);
  });

  it('fails with 101304 when the challenge is left too long, seen on the next read', async () => {
    const { user, card } = await payer({ number: TEST_CARDS.challenge });
    const p = await preauth(user, card, 1000);
    expect((await advance(11 * 60)).status).toBe(200);
    const listed = await call('GET', `/cards/${card.Id}/preauthorizations`);
    expect(listed.body[0]).toMatchObject({ Id: p.Id, Status: 'FAILED', ResultCode: '101304', PaymentStatus: 'CANCELED' });
    expect((await getPreauth(p.Id)).body.ResultCode).toBe('101304');
    expect(await eventsOf(p.Id)).toEqual(['PREAUTHORIZATION_CREATED', 'PREAUTHORIZATION_FAILED']);
  });
});

describe('3-D Secure, left alone', () => {
  it('fails a challenge nobody answered at the secure-mode sweep (101304), once', async () => {
    const { user, card } = await payer({ number: TEST_CARDS.challenge });
    const p = await preauth(user, card, 1000);
    await s.db.query('UPDATE secure_sessions SET expires_at = expires_at - 3600 WHERE resource_id = $1', [p.Id]);
    await Promise.all([sweepSecureSessions(s.db), sweepSecureSessions(s.db)]);
    const row = await s.db.query<{ status: string; result_code: string }>('SELECT status, result_code FROM preauthorizations WHERE id = $1', [p.Id]);
    expect(row[0]).toEqual({ status: 'FAILED', result_code: '101304' });
    expect(await eventsOf(p.Id)).toEqual(['PREAUTHORIZATION_CREATED', 'PREAUTHORIZATION_FAILED']);
    // The card was never tried.
    expect((await call('GET', `/cards/${card.Id}`)).body.Validity).toBe('UNKNOWN');
  });
});

describe('POST /payins/preauthorized/direct', () => {
  it('captures in two parts, then the hold is VALIDATED; the money comes from the card network', async () => {
    const { user, card, wallet: w } = await payer();
    const p = await preauth(user, card, 1000);
    const fees0 = await feeBalance(s.db, s.client.id);
    const first = await capture(p, w, 400, 50, { Tag: 'first' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(Object.keys(first.body)).toEqual(CAPTURE_KEY_ORDER);
    expect(first.body).toMatchObject({
      Tag: 'first',
      ResultCode: '000000',
      AuthorId: user.Id,
      CreditedUserId: user.Id,
      DebitedFunds: money(400),
      CreditedFunds: money(350),
      Fees: money(50),
      Status: 'SUCCEEDED',
      Type: 'PAYIN',
      Nature: 'REGULAR',
      CreditedWalletId: w.Id,
      DebitedWalletId: null,
      PaymentType: 'PREAUTHORIZED',
      ExecutionType: 'DIRECT',
      PreauthorizationId: p.Id,
    });
    expect(first.body.ExecutionDate).toBe(first.body.CreationDate);
    let now = (await getPreauth(p.Id)).body;
    expect(now).toMatchObject({ PaymentStatus: 'WAITING', PayInId: first.body.Id, RemainingFunds: money(600) });

    const second = await call('POST', '/payins/preauthorized/direct/', { body: captureBody(p, w, 600) });
    expect(second.body.Status).toBe('SUCCEEDED');
    now = (await getPreauth(p.Id)).body;
    expect(now).toMatchObject({ Status: 'SUCCEEDED', PaymentStatus: 'VALIDATED', PayInId: first.body.Id, RemainingFunds: money(0) });
    expect(await eventsOf(p.Id)).toEqual([
      'PREAUTHORIZATION_CREATED', 'PREAUTHORIZATION_SUCCEEDED', 'PREAUTHORIZATION_PAYMENT_WAITING', 'PREAUTHORIZATION_PAYMENT_VALIDATED',
    ]);
    expect(await eventsOf(first.body.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_SUCCEEDED']);
    expect(await balance(w.Id)).toBe(950);
    expect(await feeBalance(s.db, s.client.id)).toBe(fees0 + 50);
    const card0 = await s.db.query<{ total: string }>(
      "SELECT coalesce(sum(amount), 0)::text AS total FROM postings WHERE client_id = $1 AND transaction_id = ANY($2) AND account = 'card-network:EUR'",
      [s.client.id, [first.body.Id, second.body.Id]],
    );
    expect(card0[0].total).toBe('-1000');

    // GET /payins/{Id} shows a capture as the create did; the list of captures has both.
    const read = await call('GET', `/payins/${first.body.Id}`);
    expect(read.body).toEqual(first.body);
    const listed = await call('GET', `/preauthorizations/${p.Id}/transactions?Sort=CreationDate:ASC`);
    expect(listed.body.map((t: any) => t.Id)).toEqual([first.body.Id, second.body.Id]);
    expect(listed.headers.get('x-number-of-items')).toBe('2');
    const failedOnly = await call('GET', `/preauthorizations/${p.Id}/transactions?Status=FAILED`);
    expect(failedOnly.body).toEqual([]);

    // Nothing is left to capture.
    const third = await capture(p, w, 1);
    expectApiError(third, 400, 'param_error');
    expect(third.body.errors).toEqual({ PaymentStatus: 'The PreAuthorization PaymentStatus value has to be WAITING' });
  });

  it('fails a capture above RemainingFunds with 001505 (HTTP 200), moving nothing', async () => {
    const { user, card, wallet: w } = await payer();
    const p = await preauth(user, card, 1000);
    expect((await capture(p, w, 700)).body.Status).toBe('SUCCEEDED');
    const over = await capture(p, w, 301, 10);
    expect(over.status).toBe(200);
    expect(over.body).toMatchObject({
      Status: 'FAILED',
      ResultCode: '001505',
      ResultMessage: "The PayIn DebitedFunds can't be higher than the PreAuthorization remaining amount",
      ExecutionDate: null,
      DebitedFunds: money(301),
      CreditedFunds: money(291),
    });
    expect(await eventsOf(over.body.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
    expect((await getPreauth(p.Id)).body).toMatchObject({ RemainingFunds: money(300), PaymentStatus: 'WAITING' });
    expect(await balance(w.Id)).toBe(700);
    // The failed capture is listed with the others.
    const listed = await call('GET', `/preauthorizations/${p.Id}/transactions?Status=FAILED`);
    expect(listed.body.map((t: any) => t.Id)).toEqual([over.body.Id]);
  });

  it('fails a capture for a blocked credited user and when everything would go to fees; refuses a closed one', async () => {
    const { user, card } = await payer();
    const p = await preauth(user, card, 1000);
    const other = await natural();
    const w = await wallet(other.Id);
    expect((await capture(p, w, 100, 100)).body).toMatchObject({ Status: 'FAILED', ResultCode: '001014' });
    await call('POST', `/sandbox/users/${other.Id}/block`, { body: { Inflows: true } });
    expect((await capture(p, w, 100)).body).toMatchObject({ Status: 'FAILED', ResultCode: '008700' });
    await call('POST', `/sandbox/users/${other.Id}/unblock`, { body: { Inflows: true } });
    await s.db.query(`UPDATE users SET status = 'CLOSED' WHERE id = $1`, [other.Id]);
    expectApiError(await capture(p, w, 100), 400, 'user_closed');
    expect((await getPreauth(p.Id)).body).toMatchObject({ RemainingFunds: money(1000), PayInId: null });
    expect(await balance(w.Id)).toBe(0);
  });

  it('refuses bad captures with 400 or 404, changing nothing', async () => {
    const { user, card, wallet: w } = await payer();
    const p = await preauth(user, card, 1000);
    const gbpWallet = await wallet(user.Id, 'GBP');
    const count = async () => (await s.db.query<{ n: number }>("SELECT count(*)::int AS n FROM transactions WHERE payment_type = 'PREAUTHORIZED'"))[0].n;
    const before = await count();
    const gbp = await capture(p, gbpWallet, 100, 0, { DebitedFunds: money(100), Fees: money(0) });
    expectApiError(gbp, 400, 'currency_incompatibility');
    expect(gbp.body.errors.currency).toBe("The Wallet's currency GBP and the DebitedFunds's currency EUR must be the same");
    expectApiError(await capture(p, w, 100, 0, { Fees: money(0, 'GBP') }), 400, 'param_error');
    expectApiError(await capture(p, w, 100, 200), 400, 'param_error');
    expectApiError(await capture(p, w, 100, 0, { AuthorId: (await natural()).Id }), 400, 'param_error');
    expectApiError(await capture(p, w, 100, 0, { CreditedUserId: 'user_m_nope' }), 400, 'param_error');
    expectApiError(await capture({ Id: 'preauth_m_nope' }, w, 100), 404, 'ressource_not_found');
    expectApiError(await capture(p, { Id: 'wlt_m_nope', Currency: 'EUR' }, 100), 404, 'ressource_not_found');
    const missing = await call('POST', '/payins/preauthorized/direct', { body: { CreditedWalletId: w.Id } });
    expectApiError(missing, 400, 'param_error');
    expect(Object.keys(missing.body.errors).sort()).toEqual(['DebitedFunds', 'Fees', 'PreauthorizationId']);
    // The fees rule is reported with the schema's refusals.
    const both = await call('POST', '/payins/preauthorized/direct', { body: { ...captureBody(p, w, 100, 200), CreditedWalletId: undefined } });
    expectApiError(both, 400, 'param_error');
    expect(Object.keys(both.body.errors).sort()).toEqual(['CreditedWalletId', 'Fees.Amount']);

    const failed = await preauth(user, card, 33351);
    const notSucceeded = await capture(failed, w, 100);
    expectApiError(notSucceeded, 400, 'param_error');
    expect(notSucceeded.body.errors).toEqual({ Status: 'The PreAuthorization Status value has to be up to SUCCEEDED' });

    const card2 = await registerCard(me, user.Id);
    const canceled = await preauth(user, card2, 1000);
    expect((await call('PUT', `/preauthorizations/${canceled.Id}`, { body: { PaymentStatus: 'CANCELED' } })).status).toBe(200);
    const notWaiting = await capture(canceled, w, 100);
    expectApiError(notWaiting, 400, 'param_error');
    expect(notWaiting.body.errors).toEqual({ PaymentStatus: 'The PreAuthorization PaymentStatus value has to be WAITING' });
    expect(await count()).toBe(before);
    expect((await getPreauth(p.Id)).body.RemainingFunds).toEqual(money(1000));
  });

  it('lets two captures racing for one hold take no more than RemainingFunds', async () => {
    const { user, card, wallet: w } = await payer();
    const p = await preauth(user, card, 1000);
    const replies = await Promise.all(Array.from({ length: 6 }, () => capture(p, w, 300)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const statuses = replies.map((r) => r.body.Status).sort();
    expect(statuses).toEqual(['FAILED', 'FAILED', 'FAILED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(replies.filter((r) => r.body.Status === 'FAILED').every((r) => r.body.ResultCode === '001505')).toBe(true);
    const after = (await getPreauth(p.Id)).body;
    expect(after).toMatchObject({ RemainingFunds: money(100), PaymentStatus: 'WAITING' });
    expect(replies.filter((r) => r.body.Status === 'SUCCEEDED').map((r) => r.body.Id)).toContain(after.PayInId);
    expect(await balance(w.Id)).toBe(900);

    // Emptying it from two sides at once: one takes the rest and ends the hold (once), the other finds it ended.
    const [a, b] = await Promise.all([capture(p, w, 100), capture(p, w, 100)]);
    const [won, lost] = a.body.Status === 'SUCCEEDED' ? [a, b] : [b, a];
    expect(won.body.Status).toBe('SUCCEEDED');
    expectApiError(lost, 400, 'param_error');
    expect(lost.body.errors).toEqual({ PaymentStatus: 'The PreAuthorization PaymentStatus value has to be WAITING' });
    expect(await eventsOf(p.Id)).toEqual([
      'PREAUTHORIZATION_CREATED', 'PREAUTHORIZATION_SUCCEEDED', 'PREAUTHORIZATION_PAYMENT_WAITING', 'PREAUTHORIZATION_PAYMENT_VALIDATED',
    ]);
    expect(await balance(w.Id)).toBe(1000);
  });

  it('lets a capture and a cancel racing for one hold end it one way only', async () => {
    for (let round = 0; round < 3; round++) {
      const { user, card, wallet: w } = await payer();
      const p = await preauth(user, card, 1000);
      const [captured, canceled] = await Promise.all([
        capture(p, w, 300),
        call('PUT', `/preauthorizations/${p.Id}`, { body: { PaymentStatus: 'CANCELED' } }),
      ]);
      const after = (await getPreauth(p.Id)).body;
      if (captured.status === 200) {
        expect(captured.body.Status).toBe('SUCCEEDED');
        expectApiError(canceled, 400, 'preauthorization_payment_status_can_not_be_canceled');
        expect(after).toMatchObject({ PaymentStatus: 'WAITING', RemainingFunds: money(700), PayInId: captured.body.Id });
        expect(await balance(w.Id)).toBe(300);
      } else {
        expectApiError(captured, 400, 'param_error');
        expect(canceled.status).toBe(200);
        expect(after).toMatchObject({ PaymentStatus: 'CANCELED', RemainingFunds: money(0), PayInId: null });
        expect(await balance(w.Id)).toBe(0);
      }
    }
  });

  it('captures once for one Idempotency-Key, however often the request is sent', async () => {
    const { user, card, wallet: w } = await payer();
    const p = await preauth(user, card, 1000);
    const key = `capture-${randomBytes(8).toString('hex')}`;
    const headers = { 'Idempotency-Key': key };
    const body = captureBody(p, w, 400);
    const replies = await Promise.all([1, 2, 3].map(() => call('POST', '/payins/preauthorized/direct', { body, headers })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const done = replies.find((r) => r.status === 200)!;
    expectApiError(await call('POST', '/payins/preauthorized/direct', { body, headers }), 409, 'idempotent_creation_conflict');
    const stored = await call('GET', `/responses/${key}`);
    expect(stored.body.Resource.Id).toBe(done.body.Id);
    expect((await getPreauth(p.Id)).body.RemainingFunds).toEqual(money(600));
    expect(await balance(w.Id)).toBe(400);
  });

  it('captures an AMEX hold once (partly), and a Maestro hold only in full', async () => {
    const user = await natural();
    const w = await wallet(user.Id);
    const amexCard = await registerCard(me, user.Id, { number: TEST_CARDS.amex, cardType: 'AMEX', cvx: '1234' });
    const amex = await challengedPreauth(user, amexCard, 1000);
    expect((await capture(amex, w, 300)).body.Status).toBe('SUCCEEDED');
    expect((await getPreauth(amex.Id)).body).toMatchObject({ PaymentStatus: 'VALIDATED', RemainingFunds: money(0) });
    expectApiError(await capture(amex, w, 300), 400, 'param_error');

    const maestroCard = await registerCard(me, user.Id, { number: TEST_CARDS.maestro, cardType: 'MAESTRO' });
    const maestro = await challengedPreauth(user, maestroCard, 1000);
    const partial = await capture(maestro, w, 999);
    expectApiError(partial, 400, 'param_error');
    expect(Object.keys(partial.body.errors)).toEqual(['DebitedFunds.Amount']);
    expect((await capture(maestro, w, 1000)).body.Status).toBe('SUCCEEDED');
    expect((await getPreauth(maestro.Id)).body).toMatchObject({ PaymentStatus: 'VALIDATED', RemainingFunds: money(0) });
    expect(await balance(w.Id)).toBe(1300);
  });
});

describe('PUT /preauthorizations/{Id}', () => {
  it('validates after a capture (the rest released) and refuses what Mangopay refuses', async () => {
    const { user, card, wallet: w } = await payer();
    const p = await preauth(user, card, 1000);
    const put = (id: string, PaymentStatus: unknown) => call('PUT', `/preauthorizations/${id}`, { body: { PaymentStatus } });

    const early = await put(p.Id, 'VALIDATED');
    expectApiError(early, 400, 'invalid_action');
    expect(early.body.Message).toBe("Can't validate a preauthorization with no successful payin.");
    expectApiError(await put(p.Id, 'WAITING'), 400, 'param_error');
    expectApiError(await put(p.Id, undefined), 400, 'param_error');
    expectApiError(await put('preauth_m_nope', 'CANCELED'), 404, 'ressource_not_found');

    expect((await capture(p, w, 250)).body.Status).toBe('SUCCEEDED');
    const cancel = await put(p.Id, 'canceled');
    expectApiError(cancel, 400, 'preauthorization_payment_status_can_not_be_canceled');
    expect(cancel.body).toMatchObject({ Message: 'The Payment Status of the preauthorization does not allow for it to be edited', errors: null });

    const validated = await put(p.Id, 'VALIDATED');
    expect(validated.status).toBe(200);
    expect(Object.keys(validated.body)).toEqual(KEY_ORDER);
    expect(validated.body).toMatchObject({ PaymentStatus: 'VALIDATED', RemainingFunds: money(0) });
    expect((await eventsOf(p.Id)).at(-1)).toBe('PREAUTHORIZATION_PAYMENT_VALIDATED');
    expectApiError(await put(p.Id, 'VALIDATED'), 400, 'preauthorization_payment_status_can_not_be_canceled');
    expectApiError(await capture(p, w, 10), 400, 'param_error');

    // A failed authorization is already CANCELED: nothing to cancel.
    const failed = await preauth(user, await registerCard(me, user.Id), 33305);
    expectApiError(await put(failed.Id, 'CANCELED'), 400, 'preauthorization_payment_status_can_not_be_canceled');
  });
});

describe('lists', () => {
  it('lists by user, card and fingerprint, paged and filtered, never another client’s', async () => {
    const user = await natural();
    const card = await registerCard(me, user.Id);
    const twin = await registerCard(me, user.Id);
    expect(twin.Fingerprint).toBe(card.Fingerprint);
    const a = await preauth(user, card, 1000);
    const b = await preauth(user, twin, 33305);
    const c = await preauth(user, card, 2000);
    await call('PUT', `/preauthorizations/${c.Id}`, { body: { PaymentStatus: 'CANCELED' } });

    const byUser = await call('GET', `/users/${user.Id}/preauthorizations?Sort=CreationDate:DESC&per_page=2`);
    expect(byUser.headers.get('x-number-of-items')).toBe('3');
    expect(byUser.headers.get('x-number-of-pages')).toBe('2');
    expect(byUser.body).toHaveLength(2);
    const ids = (r: any) => r.body.map((p: any) => p.Id).sort();
    expect(ids(await call('GET', `/cards/${card.Id}/preauthorizations`))).toEqual([a.Id, c.Id].sort());
    // Every card of this test number bears its fingerprint, whoever registered it.
    const byFingerprint = await call('GET', `/cards/fingerprints/${card.Fingerprint}/preauthorizations?per_page=100`);
    expect(ids(byFingerprint)).toEqual(expect.arrayContaining([a.Id, b.Id, c.Id]));
    const cardsOf = await s.db.query<{ id: string }>('SELECT id FROM cards WHERE fingerprint = $1', [card.Fingerprint]);
    expect(byFingerprint.body.every((p: any) => cardsOf.some((c) => c.id === p.CardId))).toBe(true);
    expect(ids(await call('GET', `/users/${user.Id}/preauthorizations?Status=FAILED`))).toEqual([b.Id]);
    expect(ids(await call('GET', `/users/${user.Id}/preauthorizations?PaymentStatus=canceled`))).toEqual([b.Id, c.Id].sort());
    expect(ids(await call('GET', `/users/${user.Id}/preauthorizations?ResultCode=101101`))).toEqual([b.Id]);
    expectApiError(await call('GET', `/users/${user.Id}/preauthorizations?Status=LOST`), 400, 'param_error');
    expectApiError(await call('GET', `/users/${user.Id}/preauthorizations?Sort=Amount:ASC`), 400, 'param_error');
    expectApiError(await call('GET', '/users/user_m_nope/preauthorizations'), 404, 'ressource_not_found');
    expectApiError(await call('GET', '/cards/card_m_nope/preauthorizations'), 404, 'ressource_not_found');
    expect((await call('GET', '/cards/fingerprints/0123456789abcdef0123456789abcdef/preauthorizations')).body).toEqual([]);

    // Another client sees none of it.
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const as = (path: string, method = 'GET', body?: unknown) => s.fetch(method, `/v2.01/${other.id}${path}`, { token, body });
    expectApiError(await as(`/preauthorizations/${a.Id}`), 404, 'ressource_not_found');
    expectApiError(await as(`/preauthorizations/${a.Id}`, 'PUT', { PaymentStatus: 'CANCELED' }), 404, 'ressource_not_found');
    expectApiError(await as(`/preauthorizations/${a.Id}/transactions`), 404, 'ressource_not_found');
    expectApiError(await as(`/cards/${card.Id}/preauthorizations`), 404, 'ressource_not_found');
    expect((await as(`/cards/fingerprints/${card.Fingerprint}/preauthorizations`)).body).toEqual([]);
    const otherUser = (await as('/sca/users/natural', 'POST', naturalOwner())).body;
    const otherWallet = await wallet(otherUser.Id, 'EUR', { call: (m, p, o) => as(p, m, o?.body) });
    expectApiError(await as('/payins/preauthorized/direct', 'POST', captureBody(a, otherWallet, 100)), 404, 'ressource_not_found');
    expect((await getPreauth(a.Id)).body.RemainingFunds).toEqual(money(1000));
  });
});

describe('the end of a hold, on the client clock', () => {
  const paymentStatusOf = async (id: string) =>
    (await s.db.query<{ payment_status: string }>('SELECT payment_status FROM preauthorizations WHERE id = $1', [id]))[0].payment_status;

  it('ends holds as the sandbox clock passes their ExpirationDate: EXPIRED with no capture, VALIDATED after one', async () => {
    const { user, card, wallet: w } = await payer();
    const idle = await preauth(user, card, 1000);
    const used = await preauth(user, card, 1000);
    expect((await capture(used, w, 400)).body.Status).toBe('SUCCEEDED');
    expect((await advance(HOLD_SECONDS - 10)).status).toBe(200);
    expect(await paymentStatusOf(idle.Id)).toBe('WAITING');
    expect((await capture(used, w, 100)).body.Status).toBe('SUCCEEDED');
    expect((await advance(10)).status).toBe(200);
    // Ended by the clock's move itself, before anything reads them.
    expect(await paymentStatusOf(idle.Id)).toBe('EXPIRED');
    expect(await paymentStatusOf(used.Id)).toBe('VALIDATED');

    expect((await getPreauth(idle.Id)).body).toMatchObject({ Status: 'SUCCEEDED', PaymentStatus: 'EXPIRED', RemainingFunds: money(0) });
    expect((await getPreauth(used.Id)).body).toMatchObject({ PaymentStatus: 'VALIDATED', RemainingFunds: money(0) });
    expect((await eventsOf(idle.Id)).at(-1)).toBe('PREAUTHORIZATION_PAYMENT_EXPIRED');
    expect((await eventsOf(used.Id)).filter((e) => e.startsWith('PREAUTHORIZATION_PAYMENT_'))).toEqual([
      'PREAUTHORIZATION_PAYMENT_WAITING', 'PREAUTHORIZATION_PAYMENT_VALIDATED',
    ]);
    const late = await capture(used, w, 100);
    expectApiError(late, 400, 'param_error');
    expect(late.body.errors).toEqual({ PaymentStatus: 'The PreAuthorization PaymentStatus value has to be WAITING' });
    expectApiError(await call('PUT', `/preauthorizations/${idle.Id}`, { body: { PaymentStatus: 'CANCELED' } }), 400, 'preauthorization_payment_status_can_not_be_canceled');
    expect(await balance(w.Id)).toBe(500);
  });

  it('ends a due hold on the next read, list, capture or change of it', async () => {
    const { user, card, wallet: w } = await payer();
    const [read, listed, captured, changed] = [
      await preauth(user, card, 1000),
      await preauth(user, card, 1000),
      await preauth(user, card, 1000),
      await preauth(user, card, 1000),
    ];
    expect((await capture(captured, w, 100)).body.Status).toBe('SUCCEEDED');
    // Aged in the database one at a time (as if the clock had moved, with no sweep yet).
    const age = (id: string) => s.db.query('UPDATE preauthorizations SET expiration_date = expiration_date - $2 WHERE id = $1', [id, HOLD_SECONDS]);
    await age(read.Id);
    expect(await paymentStatusOf(read.Id)).toBe('WAITING');
    expect((await getPreauth(read.Id)).body.PaymentStatus).toBe('EXPIRED');
    await age(listed.Id);
    const page = await call('GET', `/users/${user.Id}/preauthorizations?per_page=100`);
    expect(page.body.find((p: any) => p.Id === listed.Id).PaymentStatus).toBe('EXPIRED');
    await age(captured.Id);
    const late = await capture(captured, w, 100);
    expectApiError(late, 400, 'param_error');
    expect(await paymentStatusOf(captured.Id)).toBe('VALIDATED');
    await age(changed.Id);
    expectApiError(await call('PUT', `/preauthorizations/${changed.Id}`, { body: { PaymentStatus: 'CANCELED' } }), 400, 'preauthorization_payment_status_can_not_be_canceled');
    expect(await paymentStatusOf(changed.Id)).toBe('EXPIRED');
    expect(await balance(w.Id)).toBe(100);
  });

  it('ends due holds at the periodic sweep, each client on its own clock, each once', async () => {
    const { user, card } = await payer();
    const due = await preauth(user, card, 1000);
    const young = await preauth(user, card, 1000);
    const row = async (id: string) =>
      (await s.db.query<{ payment_status: string; remaining_amount: string }>('SELECT payment_status, remaining_amount FROM preauthorizations WHERE id = $1', [id]))[0];
    // Aged in the database, so that no read of the API ends it first.
    await s.db.query('UPDATE preauthorizations SET expiration_date = expiration_date - $2 WHERE id = $1', [due.Id, HOLD_SECONDS]);
    await s.db.query('UPDATE preauthorizations SET expiration_date = expiration_date - $2 WHERE id = $1', [young.Id, HOLD_SECONDS - 600]);
    expect((await row(due.Id)).payment_status).toBe('WAITING');
    await Promise.all([sweepPreauthorizations(s.db), sweepPreauthorizations(s.db)]);
    expect(await row(due.Id)).toEqual({ payment_status: 'EXPIRED', remaining_amount: expect.anything() });
    expect(Number((await row(due.Id)).remaining_amount)).toBe(0);
    expect((await row(young.Id)).payment_status).toBe('WAITING');
    expect((await eventsOf(due.Id)).filter((e) => e === 'PREAUTHORIZATION_PAYMENT_EXPIRED')).toHaveLength(1);
    // Ten minutes later on this client's clock only, the young one is due too.
    await s.db.query('UPDATE clients SET clock_offset = clock_offset + 600 WHERE id = $1', [s.client.id]);
    try {
      await sweepPreauthorizations(s.db);
    } finally {
      await s.db.query('UPDATE clients SET clock_offset = clock_offset - 600 WHERE id = $1', [s.client.id]);
    }
    expect((await row(young.Id)).payment_status).toBe('EXPIRED');
    expect((await eventsOf(young.Id)).at(-1)).toBe('PREAUTHORIZATION_PAYMENT_EXPIRED');
  });
});

describe('POST /sandbox/reset', () => {
  it('wipes a client holding cards, holds and captures, and nobody else’s', async () => {
    const other = await s.newClient();
    const otherToken = await s.tokenFor(other);
    const as: Pick<TestServer, 'call'> = { call: (method, path, opts = {}) => s.fetch(method, `/v2.01/${other.id}${path}`, { token: otherToken, ...opts }) };
    const user = (await as.call('POST', '/sca/users/natural', { body: naturalOwner() })).body;
    const card = await registerCard(as as TestServer, user.Id);
    const challengeCard = await registerCard(as as TestServer, user.Id, { number: TEST_CARDS.challenge });
    const w = await wallet(user.Id, 'EUR', as);
    const p = await preauth(user, card, 1000, {}, as);
    await preauth(user, challengeCard, 1000, {}, as);
    const captured = await as.call('POST', '/payins/preauthorized/direct', { body: captureBody(p, w, 400) });
    expect(captured.body.Status).toBe('SUCCEEDED');
    const mine = await payer();
    const kept = await preauth(mine.user, mine.card, 1000);

    const reset = await as.call('POST', '/sandbox/reset', { body: {} });
    expect(reset.status, JSON.stringify(reset.body)).toBe(204);
    for (const table of ['preauthorizations', 'cards', 'card_registrations', 'secure_sessions', 'transactions', 'users']) {
      const [{ n }] = await s.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE client_id = $1`, [other.id]);
      expect(n, table).toBe(0);
    }
    expectApiError(await as.call('GET', `/preauthorizations/${p.Id}`), 404, 'ressource_not_found');
    expect((await getPreauth(kept.Id)).body.PaymentStatus).toBe('WAITING');
  });
});
