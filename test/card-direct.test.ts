import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { CHALLENGE_TIMEOUT_SECONDS } from '../src/modules/cards/payment.js';
import { BROWSER_INFO, IP_ADDRESS, TEST_CARDS, registerCard } from './helpers/cards.js';
import { expectApiError } from './helpers/errors.js';
import { legalPayer, naturalOwner } from './helpers/fixtures.js';
import { eventTypesOf, feeBalance } from './helpers/reads.js';
import { fileServer, type CallOptions, type Reply } from './helpers/server.js';

const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db)).toEqual([]);
});

/** The client the helpers act for: the main one, or (for the tests moving its clock) a client of their own. */
let caller: (method: string, path: string, opts?: CallOptions) => Promise<Reply> = (m, p, o) => s.call(m, p, o);
const call = (method: string, path: string, opts?: CallOptions) => caller(method, path, opts);
/** registerCard's view of the server: only its `call` is used. */
const viaCaller = () => ({ call }) as any;

/** Switches the helpers to a new client; `renew()` fetches a new token (a clock jump outlives the old one). */
async function ownClient(): Promise<{ renew(): Promise<void> }> {
  const c = await s.newClient();
  const fetchToken = async () => {
    const r = await s.fetch('POST', '/v2.01/oauth/token', {
      raw: 'grant_type=client_credentials',
      contentType: 'application/x-www-form-urlencoded',
      headers: { authorization: `Basic ${Buffer.from(`${c.id}:${c.apiKey}`).toString('base64')}` },
    });
    expect(r.status).toBe(200);
    return r.body.access_token as string;
  };
  let token = await fetchToken();
  caller = (m, p, o = {}) => s.fetch(m, `/v2.01/${c.id}${p}`, { ...o, token: o.token ?? token });
  return { renew: async () => void (token = await fetchToken()) };
}

const KEY_ORDER = [
  'Id', 'Tag', 'CreationDate', 'AuthorId', 'CreditedUserId', 'DebitedFunds', 'CreditedFunds', 'Fees', 'Status', 'ResultCode',
  'ResultMessage', 'ExecutionDate', 'Type', 'Nature', 'CreditedWalletId', 'DebitedWalletId', 'PaymentType', 'ExecutionType',
  'SecureMode', 'CardId', 'SecureModeReturnURL', 'SecureModeRedirectURL', 'SecureModeNeeded', 'Culture', 'SecurityInfo',
  'StatementDescriptor', 'BrowserInfo', 'IpAddress', 'Billing', 'Shipping', 'Requested3DSVersion', 'Applied3DSVersion',
  'RecurringPayinRegistrationId', 'PreferredCardNetwork', 'PaymentCategory', 'CardInfo',
];

const SDK_BILLING = {
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

async function wallet(ownerId: string, Currency = 'EUR'): Promise<any> {
  const r = await call('POST', '/wallets', { body: { Owners: [ownerId], Currency, Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
async function createUser(kind: 'natural' | 'legal', b: Record<string, unknown>): Promise<any> {
  const r = await call('POST', `/sca/users/${kind}`, { body: b });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const owner = (over: Record<string, unknown> = {}) => createUser('natural', naturalOwner(over));

/** A user with a EUR wallet and a card of the given number. */
async function payer(number: string = TEST_CARDS.frictionless, cardOpts: { currency?: string; expiry?: string } = {}) {
  const user = await owner();
  return { user, wallet: await wallet(user.Id), card: await registerCard(viaCaller(), user.Id, { number, ...cardOpts }) };
}

const balance = async (walletId: string) => (await call('GET', `/wallets/${walletId}`)).body.Balance.Amount as number;
const money = (Amount: number, Currency = 'EUR') => ({ Currency, Amount });
function body(p: { user: any; wallet: any; card: any }, over: Record<string, unknown> = {}) {
  return {
    AuthorId: p.user.Id,
    CreditedWalletId: p.wallet.Id,
    DebitedFunds: money(1000),
    Fees: money(0),
    CardId: p.card.Id,
    SecureModeReturnURL: 'https://shop.example/return',
    BrowserInfo: BROWSER_INFO,
    IpAddress: IP_ADDRESS,
    ...over,
  };
}
const direct = (b: unknown, path = '/payins/card/direct') => call('POST', path, { body: b });
async function payIn(b: unknown): Promise<any> {
  const r = await direct(b);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const getPayIn = async (id: string) => {
  const r = await call('GET', `/payins/${id}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const validity = async (cardId: string) => (await s.db.query<{ validity: string }>('SELECT validity FROM cards WHERE id = $1', [cardId]))[0].validity;
const countTransactions = async () =>
  Number((await s.db.query<{ n: string }>('SELECT count(*)::text AS n FROM transactions WHERE client_id = $1', [s.client.id]))[0].n);
const sessionPath = (p: any) => new URL(p.SecureModeRedirectURL).pathname;
const answer = (p: any, outcome: string) =>
  s.fetch('POST', sessionPath(p), { raw: `outcome=${outcome}`, contentType: 'application/x-www-form-urlencoded' });

describe('the official SDK drives direct card pay-ins', () => {
  it('charges the frictionless test card at once, as the SDK tests expect (getNewPayInCardDirect)', async () => {
    const p = await payer();
    const made = await api.PayIns.create({
      CreditedWalletId: p.wallet.Id,
      AuthorId: p.user.Id,
      DebitedFunds: money(1000),
      Fees: money(0),
      CardId: p.card.Id,
      SecureModeReturnURL: 'http://test.com',
      PaymentType: 'CARD',
      ExecutionType: 'DIRECT',
      Billing: SDK_BILLING,
      BrowserInfo: BROWSER_INFO,
      IpAddress: IP_ADDRESS,
    });
    expect(made.Id).toMatch(/^payin_m_/);
    expect(made).toMatchObject({
      PaymentType: 'CARD',
      ExecutionType: 'DIRECT',
      AuthorId: p.user.Id,
      CreditedUserId: p.user.Id,
      Status: 'SUCCEEDED',
      ResultCode: '000000',
      Type: 'PAYIN',
      Nature: 'REGULAR',
      DebitedWalletId: null,
      SecurityInfo: { AVSResult: 'NO_CHECK' },
      SecureMode: 'DEFAULT',
      SecureModeNeeded: false,
      SecureModeRedirectURL: null,
      SecureModeReturnURL: `http://test.com?transactionId=${made.Id}`,
      CardId: p.card.Id,
      Culture: 'EN',
      Requested3DSVersion: null,
      Applied3DSVersion: 'V2_1',
      RecurringPayinRegistrationId: null,
      PaymentCategory: 'ECommerce',
      PreferredCardNetwork: null,
      CardInfo: { BIN: '497010', IssuingBank: 'LA BANQUE POSTALE', IssuerCountryCode: 'MA', Type: 'CREDIT', Brand: 'VISA', SubType: null },
      Billing: { FirstName: 'John', LastName: 'Doe', Address: { ...SDK_BILLING.Address, AddressLine2: null } },
      // Shipping defaults to Billing.
      Shipping: { FirstName: 'John', LastName: 'Doe', Address: { ...SDK_BILLING.Address, AddressLine2: null } },
      BrowserInfo: BROWSER_INFO,
      IpAddress: IP_ADDRESS,
    });
    expect(made.ExecutionDate).toEqual(expect.any(Number));
    const read = await api.PayIns.get(made.Id);
    expect(read).toMatchObject({ Id: made.Id, PaymentType: 'CARD', ExecutionType: 'DIRECT', CardId: p.card.Id, Status: 'SUCCEEDED' });
    expect((await api.Wallets.get(p.wallet.Id)).Balance).toEqual(money(1000));
    expect(await validity(p.card.Id)).toBe('VALID');
    // The SDK's Events test: PAYIN_NORMAL_SUCCEEDED within [CreationDate − 100, ExecutionDate + 100].
    const events = await api.Events.getAll({
      parameters: { EventType: 'PAYIN_NORMAL_SUCCEEDED', AfterDate: made.CreationDate - 100, BeforeDate: made.ExecutionDate + 100 },
    });
    expect(events.map((e: any) => e.ResourceId)).toContain(made.Id);
    expect(await eventTypesOf(s.db, made.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_SUCCEEDED']);
  });

  it('is listed among the wallet and user transactions as one PAYIN', async () => {
    const p = await payer();
    const made = await payIn(body(p));
    const walletTxs = await api.Wallets.getTransactions(p.wallet.Id);
    expect(walletTxs.map((t: any) => [t.Id, t.Type, t.Status])).toEqual([[made.Id, 'PAYIN', 'SUCCEEDED']]);
    const userTxs = await api.Users.getTransactions(p.user.Id, { parameters: { Type: 'PAYIN' } });
    expect(userTxs.map((t: any) => t.Id)).toEqual([made.Id]);
  });
});

describe('POST /payins/card/direct', () => {
  it('answers in Mangopay key order, with or without the trailing slash the SDK adds', async () => {
    const p = await payer();
    for (const path of ['/payins/card/direct', '/payins/card/direct/']) {
      const r = await direct(body(p), path);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(Object.keys(r.body)).toEqual(KEY_ORDER);
      expect(Object.keys(r.body.BrowserInfo)).toEqual([
        'AcceptHeader', 'JavaEnabled', 'Language', 'ColorDepth', 'ScreenHeight', 'ScreenWidth', 'TimeZoneOffset', 'UserAgent', 'JavascriptEnabled',
      ]);
      expect(Object.keys(await getPayIn(r.body.Id))).toEqual(KEY_ORDER);
    }
  });

  it('credits DebitedFunds − Fees to the wallet and the fees to the client fee wallet', async () => {
    const p = await payer();
    const feesBefore = await feeBalance(s.db, s.client.id);
    const made = await payIn(body(p, { DebitedFunds: money(10_000), Fees: money(750), Tag: 'order 42' }));
    expect(made).toMatchObject({
      Status: 'SUCCEEDED',
      DebitedFunds: money(10_000),
      CreditedFunds: money(9_250),
      Fees: money(750),
      Tag: 'order 42',
    });
    expect(await balance(p.wallet.Id)).toBe(9_250);
    expect((await feeBalance(s.db, s.client.id)) - feesBefore).toBe(750);
    const postings = await s.db.query<{ account: string; amount: string }>(
      'SELECT account, amount::text FROM postings WHERE transaction_id = $1 ORDER BY amount',
      [made.Id],
    );
    expect(postings).toEqual([
      { account: 'card-network:EUR', amount: '-10000' },
      { account: 'FEES_EUR', amount: '750' },
      { account: p.wallet.Id, amount: '9250' },
    ]);
    const row = await s.db.query<any>('SELECT type, nature, payment_type, execution_type, card_id, details FROM transactions WHERE id = $1', [made.Id]);
    expect(row[0]).toMatchObject({ type: 'PAYIN', nature: 'REGULAR', payment_type: 'CARD', execution_type: 'DIRECT', card_id: p.card.Id });
    expect(row[0].details).toMatchObject({ browserInfo: BROWSER_INFO, ipAddress: IP_ADDRESS, secureMode: 'DEFAULT', culture: 'EN' });
  });

  it('credits another user’s wallet: CreditedUserId defaults to its owner and must match when sent', async () => {
    const p = await payer();
    const other = await owner({ FirstName: 'Otto' });
    const theirs = await wallet(other.Id);
    const made = await payIn(body(p, { CreditedWalletId: theirs.Id }));
    expect(made).toMatchObject({ Status: 'SUCCEEDED', AuthorId: p.user.Id, CreditedUserId: other.Id, CreditedWalletId: theirs.Id });
    expect(await balance(theirs.Id)).toBe(1000);
    expect((await payIn(body(p, { CreditedWalletId: theirs.Id, CreditedUserId: other.Id }))).Status).toBe('SUCCEEDED');
    const before = await countTransactions();
    const r = await direct(body(p, { CreditedWalletId: theirs.Id, CreditedUserId: p.user.Id }));
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['CreditedUserId']);
    expect(await countTransactions()).toBe(before);
  });

  it('shows the request: Culture upper-cased, StatementDescriptor, PreferredCardNetwork, PaymentCategory, Billing and Shipping defaults', async () => {
    const p = await payer();
    const shipping = { Address: { AddressLine1: '1 Main St', City: 'Lyon', PostalCode: '69001', Country: 'FR' } };
    const made = await payIn(
      body(p, {
        Culture: 'fr',
        StatementDescriptor: 'Mangrove shop 22 chars',
        PreferredCardNetwork: 'visa',
        PaymentCategory: 'TelephoneOrder',
        SecureMode: 'no_choice',
        Shipping: shipping,
      }),
    );
    const shown = { FirstName: 'Alice', LastName: 'Durand', Address: { ...shipping.Address, AddressLine2: null, Region: null } };
    expect(made).toMatchObject({
      Status: 'SUCCEEDED',
      Culture: 'FR',
      StatementDescriptor: 'Mangrove shop 22 chars',
      PreferredCardNetwork: 'VISA',
      PaymentCategory: 'TelephoneOrder',
      SecureMode: 'NO_CHOICE',
      SecureModeNeeded: false,
      // Shipping names fall back to the author's; Billing defaults to Shipping.
      Shipping: shown,
      Billing: shown,
    });
    // Neither sent: the author's names, no address.
    const bare = await payIn(body(p));
    const nobody = { AddressLine1: null, AddressLine2: null, City: null, Region: null, PostalCode: null, Country: null };
    expect(bare.Billing).toEqual({ FirstName: 'Alice', LastName: 'Durand', Address: nobody });
    expect(bare.Shipping).toEqual(bare.Billing);
    expect(bare.StatementDescriptor).toBeNull();
    // A legal author's names are its representative's.
    const company = await createUser('legal', legalPayer());
    const card = await registerCard(viaCaller(), company.Id);
    const legal = await payIn(body({ user: company, wallet: p.wallet, card }));
    expect(legal.Billing).toMatchObject({ FirstName: 'Paul', LastName: 'Payer' });
  });

  it('runs the AVS mock on GBP pay-ins, by the billing postal code', async () => {
    const user = await owner();
    const gbp = await wallet(user.Id, 'GBP');
    const card = await registerCard(viaCaller(), user.Id, { currency: 'GBP' });
    const billing = (PostalCode: string) => ({ Address: { AddressLine1: '1 High St', PostalCode, Country: 'GB' } });
    const p = { user, wallet: gbp, card };
    for (const [code, result] of [['22AB', 'FULL_MATCH'], ['12AB', 'ADDRESS_MATCH_ONLY'], ['21AB', 'POSTAL_CODE_MATCH_ONLY'], ['14AB', 'NO_MATCH'], ['11AB', 'NO_CHECK']]) {
      const made = await payIn(body(p, { DebitedFunds: money(100, 'GBP'), Fees: money(0, 'GBP'), Billing: billing(code) }));
      expect(made.SecurityInfo, code).toEqual({ AVSResult: result });
    }
  });

  it.each([
    [33305, '101101', 'Transaction refused by the bank (Do not honor)'],
    [33351, '101102', 'Transaction refused by the bank (Amount limit)'],
    [33363, '008005', 'Security violation'],
    [33334, '008006', 'Fraud suspected by the bank'],
  ])('fails the amount trigger %i with %s, moving nothing, and judges the card INVALID', async (amount, code, message) => {
    const p = await payer();
    const made = await payIn(body(p, { DebitedFunds: money(amount), Fees: money(5) }));
    expect(made).toMatchObject({
      Status: 'FAILED',
      ResultCode: code,
      ResultMessage: message,
      ExecutionDate: null,
      SecureModeNeeded: false,
      DebitedFunds: money(amount),
      CreditedFunds: money(amount - 5),
      Fees: money(5),
    });
    expect(await balance(p.wallet.Id)).toBe(0);
    expect(await validity(p.card.Id)).toBe('INVALID');
    expect(await eventTypesOf(s.db, made.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
    expect((await getPayIn(made.Id)).ResultCode).toBe(code);
    // INVALID is final: a later success does not change it.
    expect((await payIn(body(p))).Status).toBe('SUCCEEDED');
    expect(await validity(p.card.Id)).toBe('INVALID');
  });

  it('fails with 001014 when the fees take everything (nothing would be credited)', async () => {
    const p = await payer();
    const made = await payIn(body(p, { DebitedFunds: money(500), Fees: money(500) }));
    expect(made).toMatchObject({ Status: 'FAILED', ResultCode: '001014', Applied3DSVersion: null });
    expect(await balance(p.wallet.Id)).toBe(0);
    expect(await validity(p.card.Id)).toBe('UNKNOWN');
  });

  it('fails with 001023 when the author does not own the card, leaving the card UNKNOWN', async () => {
    const p = await payer();
    const stranger = await owner({ FirstName: 'Mallory' });
    const made = await payIn(body(p, { AuthorId: stranger.Id }));
    expect(made).toMatchObject({ Status: 'FAILED', ResultCode: '001023', ResultMessage: 'Author is not the card owner', AuthorId: stranger.Id });
    expect(await balance(p.wallet.Id)).toBe(0);
    expect(await validity(p.card.Id)).toBe('UNKNOWN');
  });

  it('fails with 101410 on a deactivated card', async () => {
    const p = await payer();
    const off = await call('PUT', `/cards/${p.card.Id}`, { body: { Active: false } });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const made = await payIn(body(p));
    expect(made).toMatchObject({ Status: 'FAILED', ResultCode: '101410', ResultMessage: 'The card is not active' });
    expect(await balance(p.wallet.Id)).toBe(0);
  });

  it('fails with 008700 while the credited user’s inflows are blocked, and succeeds once unblocked', async () => {
    const p = await payer();
    expect((await call('POST', `/sandbox/users/${p.user.Id}/block`, { body: { Inflows: true } })).status).toBe(200);
    const made = await payIn(body(p));
    expect(made).toMatchObject({ Status: 'FAILED', ResultCode: '008700' });
    expect(await balance(p.wallet.Id)).toBe(0);
    expect(await validity(p.card.Id)).toBe('UNKNOWN');
    expect((await call('POST', `/sandbox/users/${p.user.Id}/unblock`, { body: { Inflows: true } })).status).toBe(200);
    expect((await payIn(body(p))).Status).toBe('SUCCEEDED');
  });

  it('refuses a closed author or a closed credited user (400 user_closed), creating nothing', async () => {
    const p = await payer();
    const other = await owner({ FirstName: 'Carl' });
    const theirs = await wallet(other.Id);
    expect((await call('POST', `/sandbox/users/${other.Id}/close`)).status).toBe(204);
    const before = await countTransactions();
    expectApiError(await direct(body(p, { CreditedWalletId: theirs.Id })), 400, 'user_closed');
    expect((await call('POST', `/sandbox/users/${p.user.Id}/close`)).status).toBe(204);
    expectApiError(await direct(body(p)), 400, 'user_closed');
    expect(await countTransactions()).toBe(before);
  });

  it('refuses currency mismatches with Mangopay’s two messages', async () => {
    const user = await owner();
    const eur = await wallet(user.Id);
    const gbp = await wallet(user.Id, 'GBP');
    const eurCard = await registerCard(viaCaller(), user.Id);
    const gbpCard = await registerCard(viaCaller(), user.Id, { currency: 'GBP' });
    const before = await countTransactions();
    const cardFirst = await direct(body({ user, wallet: eur, card: gbpCard }));
    expectApiError(cardFirst, 400, 'currency_incompatibility');
    expect(cardFirst.body.Message).toBe('Error: multi-currency usage is not authorized');
    expect(cardFirst.body.errors).toEqual({ currency: "The card's currency GBP and the debitedAmount's currency EUR must be the same" });
    const walletSecond = await direct(body({ user, wallet: gbp, card: eurCard }));
    expectApiError(walletSecond, 400, 'currency_incompatibility');
    expect(walletSecond.body.errors).toEqual({ currency: "The Wallet's currency GBP and the DebitedFunds's currency EUR must be the same" });
    expect(await countTransactions()).toBe(before);
  });

  it('answers 404 for an unknown wallet, card or author', async () => {
    const p = await payer();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ CreditedWalletId: 'wlt_m_01JUNKNOWN000000000000000' }, 'Wallet'],
      [{ CardId: 'card_m_01JUNKNOWN000000000000000' }, 'Card'],
      [{ AuthorId: 'user_m_01JUNKNOWN000000000000000' }, 'User'],
    ];
    for (const [over, entity] of cases) {
      const r = await direct(body(p, over));
      expectApiError(r, 404, 'ressource_not_found');
      expect(JSON.stringify(r.body.errors)).toContain(entity);
    }
    // Another client's card is unknown here.
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const r = await s.fetch('POST', `/v2.01/${other.id}/payins/card/direct`, { token, body: body(p) });
    expectApiError(r, 404, 'ressource_not_found');
  });

  it('refuses Fees above DebitedFunds or in another currency, naming the field', async () => {
    const p = await payer();
    const more = await direct(body(p, { Fees: money(1001) }));
    expectApiError(more, 400, 'param_error');
    expect(Object.keys(more.body.errors)).toEqual(['Fees.Amount']);
    const other = await direct(body(p, { Fees: money(10, 'GBP') }));
    expectApiError(other, 400, 'param_error');
    expect(Object.keys(other.body.errors)).toEqual(['Fees.Currency']);
  });

  const long = (n: number) => 'x'.repeat(n);
  const { AcceptHeader: _a, ...noAccept } = BROWSER_INFO;
  it.each<[string, Record<string, unknown>, string]>([
    ['AuthorId missing', { AuthorId: undefined }, 'AuthorId'],
    ['CreditedWalletId missing', { CreditedWalletId: undefined }, 'CreditedWalletId'],
    ['DebitedFunds missing', { DebitedFunds: undefined }, 'DebitedFunds'],
    ['DebitedFunds zero', { DebitedFunds: money(0) }, 'DebitedFunds.Amount'],
    ['DebitedFunds fraction', { DebitedFunds: money(10.5) }, 'DebitedFunds.Amount'],
    ['DebitedFunds currency', { DebitedFunds: money(10, 'XYZ') }, 'DebitedFunds.Currency'],
    ['Fees missing', { Fees: undefined }, 'Fees'],
    ['Fees negative', { Fees: money(-1) }, 'Fees.Amount'],
    ['CardId missing', { CardId: undefined }, 'CardId'],
    ['SecureModeReturnURL missing', { SecureModeReturnURL: undefined }, 'SecureModeReturnURL'],
    ['SecureModeReturnURL too long', { SecureModeReturnURL: `https://shop.example/${long(240)}` }, 'SecureModeReturnURL'],
    ['SecureModeReturnURL not http', { SecureModeReturnURL: 'javascript:alert(1)' }, 'SecureModeReturnURL'],
    ['BrowserInfo missing', { BrowserInfo: undefined }, 'BrowserInfo'],
    ['BrowserInfo.AcceptHeader missing', { BrowserInfo: noAccept }, 'BrowserInfo.AcceptHeader'],
    ['BrowserInfo.JavaEnabled', { BrowserInfo: { ...BROWSER_INFO, JavaEnabled: 'maybe' } }, 'BrowserInfo.JavaEnabled'],
    ['BrowserInfo.JavascriptEnabled', { BrowserInfo: { ...BROWSER_INFO, JavascriptEnabled: undefined } }, 'BrowserInfo.JavascriptEnabled'],
    ['BrowserInfo.Language', { BrowserInfo: { ...BROWSER_INFO, Language: 'French' } }, 'BrowserInfo.Language'],
    ['BrowserInfo.ColorDepth', { BrowserInfo: { ...BROWSER_INFO, ColorDepth: 'deep' } }, 'BrowserInfo.ColorDepth'],
    ['BrowserInfo.ScreenHeight', { BrowserInfo: { ...BROWSER_INFO, ScreenHeight: 10_000_000 } }, 'BrowserInfo.ScreenHeight'],
    ['BrowserInfo.ScreenWidth', { BrowserInfo: { ...BROWSER_INFO, ScreenWidth: -1 } }, 'BrowserInfo.ScreenWidth'],
    ['BrowserInfo.TimeZoneOffset', { BrowserInfo: { ...BROWSER_INFO, TimeZoneOffset: 'UTC+1' } }, 'BrowserInfo.TimeZoneOffset'],
    ['BrowserInfo.UserAgent', { BrowserInfo: { ...BROWSER_INFO, UserAgent: long(256) } }, 'BrowserInfo.UserAgent'],
    ['IpAddress missing', { IpAddress: undefined }, 'IpAddress'],
    ['IpAddress', { IpAddress: '300.1.1.1' }, 'IpAddress'],
    ['StatementDescriptor too long', { StatementDescriptor: long(23) }, 'StatementDescriptor'],
    ['StatementDescriptor punctuation', { StatementDescriptor: 'Shop #1!' }, 'StatementDescriptor'],
    ['SecureMode', { SecureMode: 'ALWAYS' }, 'SecureMode'],
    ['Culture', { Culture: 'French' }, 'Culture'],
    ['PreferredCardNetwork', { PreferredCardNetwork: 'AMEX' }, 'PreferredCardNetwork'],
    ['PaymentCategory', { PaymentCategory: 'InStore' }, 'PaymentCategory'],
    ['Tag', { Tag: long(256) }, 'Tag'],
    ['Billing.Address.Country', { Billing: { Address: { AddressLine1: 'a', PostalCode: '1', Country: 'ZZ' } } }, 'Billing.Address.Country'],
    ['Billing.Address.PostalCode', { Billing: { Address: { AddressLine1: 'a', Country: 'FR' } } }, 'Billing.Address.PostalCode'],
    ['Billing.Address.Region', { Billing: { Address: { AddressLine1: 'a', PostalCode: '1', Country: 'US' } } }, 'Billing.Address.Region'],
    ['Shipping.Address', { Shipping: { FirstName: 'A' } }, 'Shipping.Address'],
    ['Shipping.Address.City', { Shipping: { Address: { AddressLine1: 'a', PostalCode: '1', Country: 'FR' } } }, 'Shipping.Address.City'],
  ])('refuses %s with 400 naming the field, creating nothing', async (_name, over, field) => {
    const p = await payer();
    const before = await countTransactions();
    const r = await direct(JSON.parse(JSON.stringify(body(p, over))));
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors ?? {}), JSON.stringify(r.body)).toContain(field);
    expect(await countTransactions()).toBe(before);
    expect(JSON.stringify(r.body)).not.toContain(TEST_CARDS.frictionless);
  });

  it('lists several problems together', async () => {
    const p = await payer();
    const r = await direct(body(p, { IpAddress: 'nope', StatementDescriptor: long(30), Fees: money(2000) }));
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual(['Fees.Amount', 'IpAddress', 'StatementDescriptor']);
  });

  it('charges once per Idempotency-Key: a replay is refused with 409 and the stored answer is the pay-in', async () => {
    const p = await payer();
    const key = `card-direct-${Date.now()}`;
    const headers = { 'Idempotency-Key': key };
    const first = await call('POST', '/payins/card/direct', { body: body(p), headers });
    expect(first.status).toBe(200);
    expectApiError(await call('POST', '/payins/card/direct', { body: body(p), headers }), 409, 'idempotent_creation_conflict');
    const stored = await call('GET', `/responses/${key}`);
    expect(stored.body).toMatchObject({ StatusCode: '200', Resource: { Id: first.body.Id, Status: 'SUCCEEDED' } });
    expect(await balance(p.wallet.Id)).toBe(1000);
  });

  it('accepts TimeZoneOffset as a number and the properties in any case', async () => {
    const p = await payer();
    const b: any = body(p, { BrowserInfo: { ...BROWSER_INFO, TimeZoneOffset: -300 } });
    b.authorid = b.AuthorId;
    delete b.AuthorId;
    const made = await payIn(b);
    expect(made.Status).toBe('SUCCEEDED');
    expect(made.BrowserInfo.TimeZoneOffset).toBe('-300');
  });
});

describe('3-D Secure challenges', () => {
  it('leaves a challenge card CREATED with a SecureModeRedirectURL; Approve charges it and goes back with transactionId', async () => {
    const p = await payer(TEST_CARDS.challenge);
    const made = await payIn(body(p, { DebitedFunds: money(2500), Fees: money(100), SecureModeReturnURL: 'https://shop.example/back?order=7' }));
    expect(made).toMatchObject({
      Status: 'CREATED',
      ResultCode: null,
      ResultMessage: null,
      ExecutionDate: null,
      SecureModeNeeded: true,
      SecureModeReturnURL: `https://shop.example/back?order=7&transactionId=${made.Id}`,
      Applied3DSVersion: 'V2_1',
    });
    expect(made.SecureModeRedirectURL).toMatch(new RegExp(`^${s.url}/3ds/[0-9a-f]{40}$`));
    expect(await eventTypesOf(s.db, made.Id)).toEqual(['PAYIN_NORMAL_CREATED']);
    expect(await balance(p.wallet.Id)).toBe(0);
    expect((await getPayIn(made.Id)).SecureModeRedirectURL).toBe(made.SecureModeRedirectURL);

    const page = await s.fetch('GET', sessionPath(made));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('€25.00');
    expect(page.body).toContain(p.card.Alias);
    expect(page.body).not.toContain(TEST_CARDS.challenge);

    const r = await answer(made, 'APPROVED');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(made.SecureModeReturnURL);
    const after = await getPayIn(made.Id);
    expect(after).toMatchObject({
      Status: 'SUCCEEDED',
      ResultCode: '000000',
      SecureModeNeeded: true,
      SecureModeRedirectURL: null,
      CreditedFunds: money(2400),
    });
    expect(after.ExecutionDate).toEqual(expect.any(Number));
    expect(await balance(p.wallet.Id)).toBe(2400);
    expect(await validity(p.card.Id)).toBe('VALID');
    expect(await eventTypesOf(s.db, made.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_SUCCEEDED']);

    // Decided once: the page now shows the result, and another answer changes nothing.
    const again = await s.fetch('GET', sessionPath(made));
    expect(again.status).toBe(200);
    expect(again.body).toContain('approved');
    expect(again.body).toContain(`href="https://shop.example/back?order=7&#38;transactionId=${made.Id}"`);
    const late = await answer(made, 'REFUSED');
    expect(late.status).toBe(200);
    expect((await getPayIn(made.Id)).Status).toBe('SUCCEEDED');
    expect(await balance(p.wallet.Id)).toBe(2400);
  });

  it('charges once when the payer answers twice at the same time', async () => {
    const p = await payer(TEST_CARDS.challenge);
    const made = await payIn(body(p));
    const answers = await Promise.all([answer(made, 'APPROVED'), answer(made, 'APPROVED'), answer(made, 'REFUSED')]);
    for (const r of answers) expect([200, 303]).toContain(r.status);
    const after = await getPayIn(made.Id);
    expect(['SUCCEEDED', 'FAILED']).toContain(after.Status);
    expect(await balance(p.wallet.Id)).toBe(after.Status === 'SUCCEEDED' ? 1000 : 0);
    expect((await eventTypesOf(s.db, made.Id)).length).toBe(2);
  });

  it('asks for the challenge on the frictionless card when SecureMode is FORCE', async () => {
    const p = await payer();
    const made = await payIn(body(p, { SecureMode: 'FORCE' }));
    expect(made).toMatchObject({ Status: 'CREATED', SecureMode: 'FORCE', SecureModeNeeded: true });
    expect((await answer(made, 'approved')).status).toBe(303);
    expect((await getPayIn(made.Id)).Status).toBe('SUCCEEDED');
  });

  it('fails with 101301 when the payer refuses, judging the card INVALID', async () => {
    const p = await payer(TEST_CARDS.challenge);
    const made = await payIn(body(p));
    const r = await answer(made, 'REFUSED');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe(made.SecureModeReturnURL);
    const after = await getPayIn(made.Id);
    expect(after).toMatchObject({
      Status: 'FAILED',
      ResultCode: '101301',
      ResultMessage: 'Secure mode: The 3DSecure authentication has failed',
      ExecutionDate: null,
      SecureModeNeeded: true,
      SecureModeRedirectURL: null,
    });
    expect(await balance(p.wallet.Id)).toBe(0);
    expect(await validity(p.card.Id)).toBe('INVALID');
    expect(await eventTypesOf(s.db, made.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
  });

  it('applies the amount triggers after an approved challenge', async () => {
    const p = await payer(TEST_CARDS.challenge);
    const made = await payIn(body(p, { DebitedFunds: money(33305) }));
    expect(made.Status).toBe('CREATED');
    await answer(made, 'APPROVED');
    expect(await getPayIn(made.Id)).toMatchObject({ Status: 'FAILED', ResultCode: '101101' });
    expect(await balance(p.wallet.Id)).toBe(0);
  });

  it('judges the credited user when the payer approves: blocked inflows fail it with 008700, closure with 002602', async () => {
    const p = await payer(TEST_CARDS.challenge);
    const blocked = await payIn(body(p));
    const other = await owner({ FirstName: 'Zoe' });
    const theirs = await wallet(other.Id);
    const toClosed = await payIn(body(p, { CreditedWalletId: theirs.Id }));
    expect((await call('POST', `/sandbox/users/${p.user.Id}/block`, { body: { Inflows: true } })).status).toBe(200);
    expect((await call('POST', `/sandbox/users/${other.Id}/close`)).status).toBe(204);
    await answer(blocked, 'APPROVED');
    await answer(toClosed, 'APPROVED');
    expect(await getPayIn(blocked.Id)).toMatchObject({ Status: 'FAILED', ResultCode: '008700' });
    expect(await getPayIn(toClosed.Id)).toMatchObject({ Status: 'FAILED', ResultCode: '002602' });
    expect(await balance(p.wallet.Id)).toBe(0);
    expect(await balance(theirs.Id)).toBe(0);
  });

  it('refuses a card refused before 3-D Secure without a challenge (not the owner)', async () => {
    const p = await payer(TEST_CARDS.challenge);
    const stranger = await owner({ FirstName: 'Eve' });
    const made = await payIn(body(p, { AuthorId: stranger.Id }));
    expect(made).toMatchObject({ Status: 'FAILED', ResultCode: '001023', SecureModeNeeded: false, SecureModeRedirectURL: null });
    expect(await s.db.query('SELECT 1 FROM secure_sessions WHERE resource_id = $1', [made.Id])).toEqual([]);
  });

  it('keeps the page honest: unknown sessions 404, a bad answer 400, security headers, no caching', async () => {
    const p = await payer(TEST_CARDS.challenge);
    const made = await payIn(body(p));
    const page = await s.fetch('GET', sessionPath(made));
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).toContain('form-action');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.body).not.toContain('<script');
    expect(page.body).toMatch(/<button[^>]*value="APPROVED"[^>]*>Approve<\/button>/);
    expect(page.body).toMatch(/<button[^>]*value="REFUSED"[^>]*>Refuse<\/button>/);
    const unknown = await s.fetch('GET', '/3ds/0000000000000000000000000000000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await s.fetch('POST', '/3ds/nope', { raw: 'outcome=APPROVED', contentType: 'application/x-www-form-urlencoded' })).status).toBe(404);
    const bad = await answer(made, 'MAYBE');
    expect(bad.status).toBe(400);
    expect((await s.fetch('POST', sessionPath(made), { body: {} })).status).toBe(400);
    expect((await getPayIn(made.Id)).Status).toBe('CREATED');
    // The trailing slash the router ignores, and a JSON answer read like the form.
    const r = await s.fetch('POST', `${sessionPath(made)}/`, { body: { Outcome: 'approved' } });
    expect(r.status).toBe(303);
    expect((await getPayIn(made.Id)).Status).toBe('SUCCEEDED');
  });
});

// These move the client's sandbox clock (forward only), so they come last.
describe('time: expired cards and lapsed challenges', () => {
  let client: { renew(): Promise<void> };
  beforeAll(async () => {
    client = await ownClient();
  });
  afterAll(() => {
    caller = (m, p, o) => s.call(m, p, o);
  });
  it('fails with 101105 once the card has expired on the client clock', async () => {
    const clock = (await call('GET', '/sandbox/clock')).body.Date as number;
    const d = new Date(clock * 1000);
    const thisMonth = `${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCFullYear() % 100).padStart(2, '0')}`;
    const p = await payer(TEST_CARDS.frictionless, { expiry: thisMonth });
    expect((await payIn(body(p))).Status).toBe('SUCCEEDED');
    const nextMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 2) / 1000;
    expect((await call('POST', '/sandbox/clock/advance', { body: { Seconds: nextMonth - clock } })).status).toBe(200);
    await client.renew();
    const made = await payIn(body(p));
    expect(made).toMatchObject({ Status: 'FAILED', ResultCode: '101105', ResultMessage: 'The card has expired' });
    expect(await balance(p.wallet.Id)).toBe(1000);
  });

  it('fails a challenge left unanswered with 101304 when read after its time, and the page says it expired', async () => {
    const p = await payer(TEST_CARDS.challenge);
    const made = await payIn(body(p));
    const other = await payIn(body(p));
    const advance = await call('POST', '/sandbox/clock/advance', { body: { Seconds: CHALLENGE_TIMEOUT_SECONDS + 1 } });
    expect(advance.status).toBe(200);
    // A read settles the lapsed challenge first (no waiting for the sweep).
    const read = await getPayIn(made.Id);
    expect(read).toMatchObject({
      Status: 'FAILED',
      ResultCode: '101304',
      ResultMessage: 'The 3DSecure authentication session has expired',
      SecureModeNeeded: true,
      SecureModeRedirectURL: null,
      ExecutionDate: null,
    });
    expect(await eventTypesOf(s.db, made.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
    // Expired, the card was never tried.
    expect(await validity(p.card.Id)).toBe('UNKNOWN');
    const page = await s.fetch('GET', sessionPath(made));
    expect(page.status).toBe(410);
    expect(page.body).toContain('expired');
    // An answer after the time is too late: the other session expires instead of charging.
    const late = await answer(other, 'APPROVED');
    expect(late.status).toBe(410);
    expect(await getPayIn(other.Id)).toMatchObject({ Status: 'FAILED', ResultCode: '101304' });
    expect(await balance(p.wallet.Id)).toBe(0);
  });

  it('a challenge outlived by a month-long clock jump still fails as an expired challenge (101304), not as a bank wire (101109)', async () => {
    const p = await payer(TEST_CARDS.challenge);
    const made = await payIn(body(p));
    expect((await call('POST', '/sandbox/clock/advance', { body: { Seconds: 31 * 86400 } })).status).toBe(200);
    await client.renew();
    // A list settles due bank wires first; the card pay-in is left to its own session.
    const listed = await call('GET', `/wallets/${p.wallet.Id}/transactions`);
    expect(listed.body.map((t: any) => [t.Id, t.Status, t.ResultCode])).toEqual([[made.Id, 'FAILED', '101304']]);
    expect(await getPayIn(made.Id)).toMatchObject({ Status: 'FAILED', ResultCode: '101304' });
    expect(await eventTypesOf(s.db, made.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
  });
});
