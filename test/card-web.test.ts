import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ledgerInvariants } from '../src/ledger/index.js';
import { buildServer } from '../src/server.js';
import { sweepSecureSessions } from '../src/modules/secure-mode/service.js';
import { TEST_CARDS } from './helpers/cards.js';
import { expectApiError } from './helpers/errors.js';
import { naturalOwner } from './helpers/fixtures.js';
import { eventTypesOf, feeBalance, walletBalance } from './helpers/reads.js';
import { createUser, fileServer, type Reply } from './helpers/server.js';
import { scanDatabase } from './helpers/secrets.js';

const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const RETURN_URL = 'https://merchant.example/back';
/** Every card number these tests type: none may be found in the database afterwards. */
const TYPED = new Set<string>();

async function funded(currency = 'EUR'): Promise<{ user: any; wallet: any }> {
  const user = await createUser(s, 'natural', naturalOwner());
  const w = await s.call('POST', '/wallets', { body: { Owners: [user.Id], Currency: currency, Description: 'w' } });
  expect(w.status, JSON.stringify(w.body)).toBe(200);
  return { user, wallet: w.body };
}

const money = (Amount: unknown, Currency: unknown = 'EUR') => ({ Currency, Amount });
const webBody = (user: any, w: any, over: Record<string, unknown> = {}) => ({
  AuthorId: user.Id,
  CreditedWalletId: w.Id,
  DebitedFunds: money(1000, w.Currency),
  Fees: money(100, w.Currency),
  ReturnURL: RETURN_URL,
  CardType: 'CB_VISA_MASTERCARD',
  Culture: 'FR',
  ...over,
});
const create = (body: unknown) => s.call('POST', '/payins/card/web', { body });

async function webPayIn(over: Record<string, unknown> = {}, currency = 'EUR'): Promise<{ user: any; wallet: any; payIn: any }> {
  const { user, wallet } = await funded(currency);
  const r = await create(webBody(user, wallet, over));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { user, wallet, payIn: r.body };
}

/** The page's path (the RedirectURL without the server's origin). */
const pagePath = (payIn: any) => new URL(payIn.RedirectURL).pathname;
const getPage = (payIn: any) => s.fetch('GET', pagePath(payIn));

function postForm(path: string, fields: Record<string, string>): Promise<Reply> {
  if (fields.cardNumber) TYPED.add(fields.cardNumber.replace(/\D/g, ''));
  return s.fetch('POST', path, { raw: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });
}
const pay = (payIn: any, card: Partial<Record<'cardNumber' | 'cardExpirationDate' | 'cardCvx' | 'cardHolderName', string>> = {}) =>
  postForm(pagePath(payIn), { action: 'pay', cardNumber: TEST_CARDS.frictionless, cardExpirationDate: '1229', cardCvx: '123', ...card });
const getPayIn = async (id: string) => (await s.call('GET', `/payins/${id}`)).body;
const advanceClock = (Seconds: number) => s.call('POST', '/sandbox/clock/advance', { body: { Seconds } });

function expectBackToPlatform(r: Reply, payIn: any): void {
  expect(r.status, String(r.body)).toBe(303);
  expect(r.headers.get('location')).toBe(`${RETURN_URL}?transactionId=${payIn.Id}`);
}

describe('the official SDK drives web card pay-ins', () => {
  it("creates one as the SDK's getNewPayInCardWeb helper does, and reads it back as its 'Card Web' Get test asserts", async () => {
    const { user, wallet } = await funded();
    const payIn = new api.models.PayIn({
      CreditedWalletId: wallet.Id,
      AuthorId: user.Id,
      DebitedFunds: new api.models.Money({ Amount: 1000, Currency: 'EUR' }),
      Fees: new api.models.Money({ Amount: 0, Currency: 'EUR' }),
      PaymentType: 'CARD',
      PaymentDetails: new api.models.PayInPaymentDetailsCard({ CardType: 'CB_VISA_MASTERCARD' }),
      ExecutionType: 'WEB',
      ExecutionDetails: new api.models.PayInPaymentDetailsCard({
        ReturnURL: 'https://test.com',
        TemplateURL: 'https://TemplateURL.com',
        SecureMode: 'DEFAULT',
        Culture: 'fr',
      }),
    });
    const made = await api.PayIns.create(payIn);
    expect(made.Id).toMatch(/^payin_m_/);
    expect(made).toMatchObject({ PaymentType: 'CARD', ExecutionType: 'WEB', Status: 'CREATED', Culture: 'FR', CardType: 'CB_VISA_MASTERCARD' });
    expect(made.ReturnURL).toBe(`https://test.com?transactionId=${made.Id}`);
    expect(made.TemplateURL).toBeNull();
    const read = await api.PayIns.get(made.Id);
    expect(read.Id).toBe(made.Id);
    expect(read.PaymentType).toBe('CARD');
    expect(read.ExecutionType).toBe('WEB');
    expect(read.Status).toBe('CREATED');
    expect(read.ExecutionDate).toBeNull();
    expect(read.RedirectURL).toBe(`${s.url}/payment/${new URL(made.RedirectURL).pathname.split('/').pop()}`);
    expect(read.ReturnURL).toBeDefined();
    // The Events test: PAYIN_NORMAL_CREATED around the creation date; the Wallets test: the single transaction.
    const events = await api.Events.getAll(undefined, {
      parameters: { EventType: 'PAYIN_NORMAL_CREATED', AfterDate: made.CreationDate - 10, BeforeDate: made.CreationDate + 10 },
    });
    expect(events.map((e: any) => e.ResourceId)).toContain(made.Id);
    const txs = await api.Wallets.getTransactions(wallet.Id);
    expect(txs.map((t: any) => t.Id)).toEqual([made.Id]);
  });

  it('stores the first response of a creation with an Idempotency-Key (the Idempotency test)', async () => {
    const { user, wallet } = await funded();
    const key = `web${Date.now()}abcdefgh`;
    const payIn = new api.models.PayIn({
      CreditedWalletId: wallet.Id,
      AuthorId: user.Id,
      DebitedFunds: new api.models.Money({ Amount: 1000, Currency: 'EUR' }),
      Fees: new api.models.Money({ Amount: 0, Currency: 'EUR' }),
      PaymentType: 'CARD',
      PaymentDetails: new api.models.PayInPaymentDetailsCard({ CardType: 'CB_VISA_MASTERCARD' }),
      ExecutionType: 'WEB',
      ExecutionDetails: new api.models.PayInPaymentDetailsCard({ ReturnURL: 'https://test.com', SecureMode: 'DEFAULT', Culture: 'fr' }),
    });
    const made = await api.PayIns.create(payIn, undefined, api.OptionsHelper.withIdempotency({}, key));
    const stored = await api.Idempotency.get(key);
    expect(stored.StatusCode).toBe('200');
    expect(stored.Resource.Id).toBe(made.Id);
  });
});

describe('POST /payins/card/web', () => {
  it("answers a CREATED pay-in in Mangopay's key order, with the page's RedirectURL and the ReturnURL with transactionId", async () => {
    const { user, wallet } = await funded();
    const r = await s.call('POST', '/payins/card/web/', {
      body: webBody(user, wallet, { Culture: 'de', SecureMode: 'force', StatementDescriptor: 'SHOP 42', Tag: 'web' }),
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const p = r.body;
    expect(Object.keys(p)).toEqual([
      'Id', 'Tag', 'CreationDate', 'AuthorId', 'CreditedUserId', 'DebitedFunds', 'CreditedFunds', 'Fees', 'Status',
      'ResultCode', 'ResultMessage', 'ExecutionDate', 'Type', 'Nature', 'CreditedWalletId', 'DebitedWalletId',
      'PaymentType', 'ExecutionType', 'RedirectURL', 'ReturnURL', 'TemplateURL', 'CardType', 'Culture', 'SecureMode',
      'Billing', 'Shipping', 'StatementDescriptor', 'BankName',
    ]);
    expect(p).toMatchObject({
      Tag: 'web',
      AuthorId: user.Id,
      CreditedUserId: user.Id,
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      CreditedFunds: { Currency: 'EUR', Amount: 900 },
      Fees: { Currency: 'EUR', Amount: 100 },
      Status: 'CREATED',
      ResultCode: null,
      ResultMessage: null,
      ExecutionDate: null,
      Type: 'PAYIN',
      Nature: 'REGULAR',
      CreditedWalletId: wallet.Id,
      DebitedWalletId: null,
      PaymentType: 'CARD',
      ExecutionType: 'WEB',
      ReturnURL: `${RETURN_URL}?transactionId=${p.Id}`,
      TemplateURL: null,
      CardType: 'CB_VISA_MASTERCARD',
      Culture: 'DE',
      SecureMode: 'FORCE',
      StatementDescriptor: 'SHOP 42',
      BankName: null,
    });
    expect(p.RedirectURL).toMatch(new RegExp(`^${s.url}/payment/[0-9a-f]{40}$`));
    expect(p.Billing).toEqual({
      FirstName: 'Alice',
      LastName: 'Durand',
      Address: { AddressLine1: null, AddressLine2: null, City: null, Region: null, PostalCode: null, Country: null },
    });
    expect(await eventTypesOf(s.db, p.Id)).toEqual(['PAYIN_NORMAL_CREATED']);
    const [row] = await s.db.query<any>('SELECT type, nature, payment_type, execution_type, card_id FROM transactions WHERE id = $1', [p.Id]);
    expect(row).toEqual({ type: 'PAYIN', nature: 'REGULAR', payment_type: 'CARD', execution_type: 'WEB', card_id: null });
    expect(await getPayIn(p.Id)).toEqual(p);
  });

  it('keeps a query of the ReturnURL and adds transactionId with &', async () => {
    const { payIn } = await webPayIn({ ReturnURL: 'http://shop.example/done?order=7' });
    expect(payIn.ReturnURL).toBe(`http://shop.example/done?order=7&transactionId=${payIn.Id}`);
  });

  it('refuses a body missing what Mangopay requires, naming each field, and creates nothing', async () => {
    const { user, wallet } = await funded();
    const r = await create({ AuthorId: user.Id, CreditedWalletId: wallet.Id, DebitedFunds: money(1000), Fees: money(0) });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual(['CardType', 'Culture', 'ReturnURL']);
    const none = await s.db.query('SELECT 1 FROM transactions WHERE credited_wallet_id = $1', [wallet.Id]);
    expect(none).toEqual([]);
  });

  it.each([
    [{ Culture: 'XX' }, 'Culture'],
    [{ Culture: 'fr-FR' }, 'Culture'],
    [{ CardType: 'VISA' }, 'CardType'],
    [{ ReturnURL: 'ftp://merchant.example/' }, 'ReturnURL'],
    [{ ReturnURL: `https://merchant.example/${'a'.repeat(200)}` }, 'ReturnURL'],
    [{ SecureMode: 'ALWAYS' }, 'SecureMode'],
    [{ StatementDescriptor: 'No-dashes!' }, 'StatementDescriptor'],
    [{ Fees: money(1001) }, 'Fees.Amount'],
    [{ Fees: money(10, 'GBP') }, 'Fees.Currency'],
    [{ DebitedFunds: money(0) }, 'DebitedFunds.Amount'],
    [{ Shipping: { Address: { AddressLine1: '1 Main St', City: 'Austin', PostalCode: '73301', Country: 'US' } } }, 'Shipping.Address.Region'],
    [{ Tag: 'x'.repeat(256) }, 'Tag'],
  ])('refuses %j under %s', async (over, field) => {
    const { user, wallet } = await funded();
    const r = await create(webBody(user, wallet, over));
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toContain(field);
  });

  it('accepts a ReturnURL of 220 characters', async () => {
    const url = `https://merchant.example/${'a'.repeat(220 - 'https://merchant.example/'.length)}`;
    expect(url.length).toBe(220);
    const { payIn } = await webPayIn({ ReturnURL: url });
    expect(payIn.ReturnURL).toBe(`${url}?transactionId=${payIn.Id}`);
  });

  it('refuses funds in another currency than the wallet, an unknown wallet or author, and another owner', async () => {
    const { user, wallet } = await funded();
    const other = await funded();
    const mismatch = await create(webBody(user, wallet, { DebitedFunds: money(1000, 'GBP'), Fees: money(0, 'GBP') }));
    expectApiError(mismatch, 400, 'currency_incompatibility');
    expect(mismatch.body.errors.currency).toBe("The Wallet's currency EUR and the DebitedFunds's currency GBP must be the same");
    expectApiError(await create(webBody(user, { Id: 'wlt_m_nope', Currency: 'EUR' })), 404, 'ressource_not_found');
    expectApiError(await create(webBody({ Id: 'user_m_nope' }, wallet)), 404, 'ressource_not_found');
    expectApiError(await create(webBody(user, other.wallet)), 400, 'param_error');
    expectApiError(await create(webBody(user, wallet, { CreditedUserId: other.user.Id })), 400, 'param_error');
  });

  it('refuses a closed author (user_closed)', async () => {
    const { user, wallet } = await funded();
    expect((await s.call('DELETE', `/users/natural/${user.Id}`)).status).toBe(204);
    expectApiError(await create(webBody(user, wallet)), 400, 'user_closed');
  });

  it('fails at once (HTTP 200) when the inflows are blocked (008700) or when the fees take everything (001014)', async () => {
    const { user, wallet } = await funded();
    const same = await create(webBody(user, wallet, { Fees: money(1000) }));
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ Status: 'FAILED', ResultCode: '001014', RedirectURL: null, ExecutionDate: null });
    expect((await s.call('POST', `/sandbox/users/${user.Id}/block`, { body: { Inflows: true } })).status).toBe(200);
    const blocked = await create(webBody(user, wallet));
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ Status: 'FAILED', ResultCode: '008700', RedirectURL: null });
    expect(await eventTypesOf(s.db, blocked.body.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
  });

  it('answers 404 for a bank-wire pay-in on the extended details, and nulls before a card was used', async () => {
    const { payIn } = await webPayIn();
    const ext = await s.call('GET', `/payins/card/web/${payIn.Id}/extended`);
    expect(ext.status).toBe(200);
    expect(ext.body).toEqual({
      Id: payIn.Id,
      PaymentType: 'CARD',
      ExecutionType: 'WEB',
      ExpirationDate: null,
      Alias: null,
      CardType: null,
      Country: null,
      Fingerprint: null,
    });
    expectApiError(await s.call('GET', '/payins/card/web/payin_m_nope/extended'), 404, 'ressource_not_found');
    const { user, wallet } = await funded();
    const wire = await s.call('POST', '/payins/bankwire/direct', {
      body: { AuthorId: user.Id, CreditedWalletId: wallet.Id, DeclaredDebitedFunds: money(1000), DeclaredFees: money(0) },
    });
    expect(wire.status).toBe(200);
    expectApiError(await s.call('GET', `/payins/card/web/${wire.body.Id}/extended`), 404, 'ressource_not_found');
  });

  it('accepts the deprecated TemplateURLOptions and a Billing address, and shows Billing as Shipping when only it was sent', async () => {
    const billing = { FirstName: 'John', LastName: 'Doe', Address: { AddressLine1: '4101 Reservoir Rd NW', AddressLine2: '', City: 'Washington', Region: 'District of Columbia', PostalCode: '68400', Country: 'US' } };
    const { payIn } = await webPayIn({ TemplateURLOptions: { PaylineV2: 'https://template.example/v2' }, Billing: billing });
    const party = { FirstName: 'John', LastName: 'Doe', Address: { ...billing.Address, AddressLine2: null } };
    expect(payIn.Billing).toEqual(party);
    expect(payIn.Shipping).toEqual(party);
    expect(payIn.TemplateURL).toBeNull();
  });
});

describe('the payment page, over plain HTTP', () => {
  it('shows the amount in the Culture, a labelled form and strict headers', async () => {
    const { payIn } = await webPayIn({ DebitedFunds: money(1234), Fees: money(0) });
    const r = await getPage(payIn);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('content-security-policy')).toContain("form-action 'self' https://merchant.example");
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    const html = String(r.body);
    expect(html).toContain('<html lang="fr">');
    expect(html).toMatch(/12,34\s€/);
    for (const id of ['card-number', 'card-expiry', 'card-cvc', 'card-holder']) {
      expect(html).toContain(`<label for="${id}">`);
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toContain('value="pay"');
    expect(html).toContain('value="cancel"');
    expect(html).not.toMatch(/<script/i);
  });

  it('answers 404 for an unknown page', async () => {
    const r = await s.fetch('GET', `/payment/${'0'.repeat(40)}`);
    expect(r.status).toBe(404);
    expect(String(r.body)).toContain('does not exist');
  });

  it('charges a good frictionless card: 303 to the ReturnURL, SUCCEEDED, wallet and fee wallet credited, the card created for the author', async () => {
    const { user, wallet, payIn } = await webPayIn({ DebitedFunds: money(5000), Fees: money(300) });
    const feesBefore = await feeBalance(s.db, s.client.id);
    const r = await pay(payIn, { cardHolderName: 'Alice Durand' });
    expectBackToPlatform(r, payIn);
    const done = await getPayIn(payIn.Id);
    expect(done).toMatchObject({ Status: 'SUCCEEDED', ResultCode: '000000', ResultMessage: 'Success' });
    expect(done.ExecutionDate).toEqual(expect.any(Number));
    expect(await walletBalance(s, wallet.Id)).toBe(4700);
    expect(await feeBalance(s.db, s.client.id)).toBe(feesBefore + 300);
    expect(await eventTypesOf(s.db, payIn.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_SUCCEEDED']);
    const [row] = await s.db.query<any>('SELECT card_id FROM transactions WHERE id = $1', [payIn.Id]);
    const [card] = await s.db.query<any>('SELECT * FROM cards WHERE id = $1', [row.card_id]);
    expect(card).toMatchObject({
      user_id: user.Id,
      registration_id: payIn.Id,
      alias: '497010XXXXXX1119',
      expiration_date: '1229',
      card_type: 'CB_VISA_MASTERCARD',
      card_provider: 'VISA',
      currency: 'EUR',
      card_holder_name: 'Alice Durand',
      validity: 'VALID',
      active: true,
    });
    const ext = await s.call('GET', `/payins/card/web/${payIn.Id}/extended`);
    expect(ext.body).toEqual({
      Id: payIn.Id,
      PaymentType: 'CARD',
      ExecutionType: 'WEB',
      ExpirationDate: '1229',
      Alias: '497010XXXXXX1119',
      CardType: 'CB_VISA_MASTERCARD',
      Country: 'FRA',
      Fingerprint: card.fingerprint,
    });
    // The same number typed again gives the same fingerprint.
    const again = await webPayIn();
    expectBackToPlatform(await pay(again.payIn, { cardNumber: '4970 1071 1111 1119', cardExpirationDate: '12/29' }), again.payIn);
    const ext2 = await s.call('GET', `/payins/card/web/${again.payIn.Id}/extended`);
    expect(ext2.body.Fingerprint).toBe(card.fingerprint);
    // A decided page shows the result, and another Pay only sends the payer back.
    const page = await getPage(payIn);
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('Votre paiement a réussi');
    expect(String(page.body)).toContain(`href="${RETURN_URL}?transactionId=${payIn.Id}"`);
    expectBackToPlatform(await pay(payIn), payIn);
    expect(await walletBalance(s, wallet.Id)).toBe(4700);
  });

  it('fails on the amount triggers of web pay-ins after the card is typed (33358 → 101103), crediting nothing', async () => {
    const { wallet, payIn } = await webPayIn({ DebitedFunds: money(33358), Fees: money(0) });
    expectBackToPlatform(await pay(payIn), payIn);
    const done = await getPayIn(payIn.Id);
    expect(done).toMatchObject({ Status: 'FAILED', ResultCode: '101103', ResultMessage: 'Transaction refused by the terminal', ExecutionDate: null });
    expect(await walletBalance(s, wallet.Id)).toBe(0);
    const [card] = await s.db.query<any>('SELECT c.validity FROM cards c JOIN transactions t ON t.card_id = c.id WHERE t.id = $1', [payIn.Id]);
    expect(card.validity).toBe('INVALID');
    expect(await eventTypesOf(s.db, payIn.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
  });

  it('shows a bad card again with a clear message, never echoing the number, and changes nothing', async () => {
    const { payIn } = await webPayIn({ Culture: 'EN' });
    const bad = '4970107111111118';
    const r = await pay(payIn, { cardNumber: bad, cardHolderName: 'Alice <b>Durand</b>' });
    expect(r.status).toBe(400);
    const html = String(r.body);
    expect(html).toContain('This card number is not valid.');
    expect(html).toContain('role="alert"');
    expect(html).toContain('aria-invalid="true"');
    expect(html).not.toContain(bad);
    expect(html).not.toContain('value="123"');
    expect(html).toContain('value="1229"');
    expect(html).toContain('Alice &#60;b&#62;Durand&#60;/b&#62;');
    expect((await getPayIn(payIn.Id)).Status).toBe('CREATED');
    // Each check has its message.
    const amex = await pay(payIn, { cardNumber: TEST_CARDS.amex, cardCvx: '1234' });
    expect(String(amex.body)).toContain('This card is not accepted for this payment (CB_VISA_MASTERCARD).');
    const expired = await pay(payIn, { cardExpirationDate: '0120' });
    expect(String(expired.body)).toContain('This card has expired.');
    const format = await pay(payIn, { cardExpirationDate: '1329' });
    expect(String(format.body)).toContain('Enter the expiry date as MMYY');
    const cvc = await pay(payIn, { cardCvx: '12' });
    expect(String(cvc.body)).toContain('The security code is not valid.');
    expect(await s.db.query('SELECT 1 FROM cards WHERE registration_id = $1', [payIn.Id])).toEqual([]);
    // Then a good card goes through.
    expectBackToPlatform(await pay(payIn), payIn);
    expect((await getPayIn(payIn.Id)).Status).toBe('SUCCEEDED');
  });

  it('takes the AMEX test card (4-digit CVC) on an AMEX pay-in, through its challenge', async () => {
    const { payIn } = await webPayIn({ CardType: 'AMEX' });
    const r = await pay(payIn, { cardNumber: TEST_CARDS.amex, cardCvx: '1234' });
    expect(r.status).toBe(303);
    const page = await getPage(payIn);
    expect(String(page.body)).toContain('375989XXXXX1119');
    const approved = await postForm(pagePath(payIn), { action: 'approve' });
    expectBackToPlatform(approved, payIn);
    expect((await getPayIn(payIn.Id)).Status).toBe('SUCCEEDED');
  });

  it('takes a Maestro card without a CVC on a MAESTRO pay-in; the EUR-only test card is refused in GBP (101102)', async () => {
    const { wallet, payIn } = await webPayIn({ CardType: 'MAESTRO', Culture: 'en', DebitedFunds: money(1000, 'GBP'), Fees: money(0, 'GBP') }, 'GBP');
    const form = String((await getPage(payIn)).body);
    expect(form).toMatch(/id="card-cvc"[^>]*maxlength="4"(?! required)/);
    expect(form).toMatch(/£10\.00/);
    expect((await pay(payIn, { cardNumber: TEST_CARDS.maestro, cardCvx: '' })).status).toBe(303);
    expectBackToPlatform(await postForm(pagePath(payIn), { action: 'approve' }), payIn);
    expect(await getPayIn(payIn.Id)).toMatchObject({ Status: 'FAILED', ResultCode: '101102' });
    expect(await walletBalance(s, wallet.Id)).toBe(0);
  });

  it('fails with 101002 when the payer cancels', async () => {
    const { wallet, payIn } = await webPayIn();
    expectBackToPlatform(await postForm(pagePath(payIn), { action: 'cancel' }), payIn);
    expect(await getPayIn(payIn.Id)).toMatchObject({
      Status: 'FAILED',
      ResultCode: '101002',
      ResultMessage: 'The transaction has been cancelled by the user',
    });
    expect(await walletBalance(s, wallet.Id)).toBe(0);
    expect(await eventTypesOf(s.db, payIn.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
    expect(await s.db.query('SELECT 1 FROM cards WHERE registration_id = $1', [payIn.Id])).toEqual([]);
  });

  it('asks for a 3-D Secure challenge for the challenge card; refusing it fails with 101301', async () => {
    const { wallet, payIn } = await webPayIn();
    const r = await pay(payIn, { cardNumber: TEST_CARDS.challenge });
    expect(r.status).toBe(303);
    expect(new URL(r.headers.get('location')!, `${s.url}${pagePath(payIn)}`).pathname).toBe(pagePath(payIn));
    const page = await getPage(payIn);
    expect(String(page.body)).toContain('Authentification 3-D Secure');
    expect(String(page.body)).toContain('497010XXXXXX8183');
    expect(String(page.body)).toContain('value="approve"');
    expect((await getPayIn(payIn.Id)).Status).toBe('CREATED');
    const [session] = await s.db.query<any>('SELECT data FROM secure_sessions WHERE resource_id = $1', [payIn.Id]);
    expect(JSON.stringify(session.data)).not.toContain(TEST_CARDS.challenge);
    expectBackToPlatform(await postForm(pagePath(payIn), { action: 'refuse' }), payIn);
    expect(await getPayIn(payIn.Id)).toMatchObject({ Status: 'FAILED', ResultCode: '101301' });
    expect(await walletBalance(s, wallet.Id)).toBe(0);
    const [card] = await s.db.query<any>('SELECT validity FROM cards WHERE registration_id = $1', [payIn.Id]);
    expect(card.validity).toBe('INVALID');
  });

  it('charges the challenge card once the challenge is approved; FORCE challenges the frictionless card too', async () => {
    const { wallet, payIn } = await webPayIn({ DebitedFunds: money(2000), Fees: money(0) });
    expect((await pay(payIn, { cardNumber: TEST_CARDS.challenge })).status).toBe(303);
    expectBackToPlatform(await postForm(pagePath(payIn), { action: 'approve' }), payIn);
    expect((await getPayIn(payIn.Id)).Status).toBe('SUCCEEDED');
    expect(await walletBalance(s, wallet.Id)).toBe(2000);

    const forced = await webPayIn({ SecureMode: 'FORCE' });
    expect((await pay(forced.payIn)).status).toBe(303);
    expect(String((await getPage(forced.payIn)).body)).toContain('value="approve"');
    expectBackToPlatform(await postForm(pagePath(forced.payIn), { action: 'approve' }), forced.payIn);
    expect((await getPayIn(forced.payIn.Id)).Status).toBe('SUCCEEDED');
  });

  it('re-checks closure and blocks when the card is charged', async () => {
    const blocked = await webPayIn();
    expect((await s.call('POST', `/sandbox/users/${blocked.user.Id}/block`, { body: { Inflows: true } })).status).toBe(200);
    expectBackToPlatform(await pay(blocked.payIn), blocked.payIn);
    expect(await getPayIn(blocked.payIn.Id)).toMatchObject({ Status: 'FAILED', ResultCode: '008700' });

    const closed = await webPayIn();
    expect((await s.call('DELETE', `/users/natural/${closed.user.Id}`)).status).toBe(204);
    expectBackToPlatform(await pay(closed.payIn), closed.payIn);
    expect(await getPayIn(closed.payIn.Id)).toMatchObject({ Status: 'FAILED', ResultCode: '002602' });
    expect(await walletBalance(s, closed.wallet.Id)).toBe(0);
  });

  it('expires after 15 minutes on the sandbox clock: read of the pay-in, page opened late, and the sweep (101109)', async () => {
    const read = await webPayIn();
    const late = await webPayIn();
    const swept = await webPayIn();
    const young = await webPayIn();
    expect((await advanceClock(14 * 60)).status).toBe(200);
    expect((await getPayIn(read.payIn.Id)).Status).toBe('CREATED');
    const young2 = await webPayIn();
    expect((await advanceClock(61)).status).toBe(200);
    // A read of the pay-in.
    expect(await getPayIn(read.payIn.Id)).toMatchObject({ Status: 'FAILED', ResultCode: '101109', ResultMessage: 'The payment period has expired' });
    // The page opened late.
    const page = await getPage(late.payIn);
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('Le délai de paiement est dépassé.');
    expect(String(page.body)).not.toContain('value="pay"');
    expect((await getPayIn(late.payIn.Id)).ResultCode).toBe('101109');
    // A card posted late is not charged.
    expectBackToPlatform(await pay(young.payIn), young.payIn);
    expect((await getPayIn(young.payIn.Id)).ResultCode).toBe('101109');
    expect(await walletBalance(s, young.wallet.Id)).toBe(0);
    // The sweep, with nobody reading.
    await sweepSecureSessions(s.db);
    const [row] = await s.db.query<any>('SELECT status, result_code FROM transactions WHERE id = $1', [swept.payIn.Id]);
    expect(row).toEqual({ status: 'FAILED', result_code: '101109' });
    expect(await eventTypesOf(s.db, swept.payIn.Id)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
    // One created later still has its time.
    expect((await getPayIn(young2.payIn.Id)).Status).toBe('CREATED');
    expectBackToPlatform(await pay(young2.payIn), young2.payIn);
    expect((await getPayIn(young2.payIn.Id)).Status).toBe('SUCCEEDED');
  });

  it('writes no card number or CVC into the logs, even at trace level', async () => {
    const lines: string[] = [];
    const app = await buildServer({
      db: s.db,
      config: loadConfig({ PORT: '0' }),
      logger: { level: 'trace', stream: { write: (line: string) => void lines.push(line) } },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const addr = app.server.address();
      const base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      const { payIn } = await webPayIn();
      const post = (fields: Record<string, string>) => {
        if (fields.cardNumber) TYPED.add(fields.cardNumber);
        return fetch(`${base}${pagePath(payIn)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
          redirect: 'manual',
        });
      };
      expect((await post({ action: 'pay', cardNumber: '5555555555554445', cardExpirationDate: '1229', cardCvx: '987' })).status).toBe(400);
      expect((await post({ action: 'launch', cardNumber: '5555555555554445', cardCvx: '987' })).status).toBe(400);
      expect((await post({ action: 'pay', cardNumber: '5555555555554444', cardExpirationDate: '1229', cardCvx: '987' })).status).toBe(303);
      expect((await getPayIn(payIn.Id)).Status).toBe('SUCCEEDED');
    } finally {
      await app.close();
    }
    const log = lines.join('');
    expect(log).toContain('incoming request');
    // The numbers, and the form's fields at all (a CVC's three digits could match any timestamp).
    for (const secret of ['5555555555554445', '5555555555554444', 'cardCvx', 'cardNumber']) expect(log).not.toContain(secret);
  });

  it('leaves no typed card number in any table', async () => {
    expect(TYPED.size).toBeGreaterThan(3);
    expect(await scanDatabase(s.db, [...TYPED])).toEqual([]);
  });
});
