import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { BROWSER_INFO, IP_ADDRESS, TEST_CARDS, registerCard } from './helpers/cards.js';
import { expectApiError } from './helpers/errors.js';
import { naturalOwner } from './helpers/fixtures.js';
import { parseRaw, rawExchange } from './helpers/raw-http.js';
import { createUser, fileServer, type Reply } from './helpers/server.js';

/*
 * Card requests as the official SDKs of other languages put them on the wire (issue #12 audit). Each body
 * is the one the SDK builds, read from its source (named in each test): Ruby passes the caller's hash as
 * JSON; Python sends every field that is not None (1/0 for booleans, whole objects on PUT); PHP sends the
 * entity's non-null properties with PaymentDetails/ExecutionDetails flattened; Java (Gson) drops nulls,
 * flattens the details and adds ExecutionDetails nested again; .NET (Newtonsoft, default settings) sends
 * every DTO property, nulls included. Paths keep each SDK's trailing slashes.
 */
const { s } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

const ok = (r: Reply, label: string) => expect(r.status, `${label}: ${JSON.stringify(r.body)}`).toBe(200);
const EUR = (Amount: number) => ({ Currency: 'EUR', Amount });

async function owner(): Promise<any> {
  return createUser(s, 'natural', naturalOwner());
}

async function wallet(ownerId: string): Promise<any> {
  const r = await s.call('POST', '/wallets', { body: { Owners: [ownerId], Currency: 'EUR', Description: 'w' } });
  ok(r, 'wallet');
  return r.body;
}

/** A registration's form posted to its CardRegistrationURL: a raw body with the given headers. */
async function postForm(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}

describe('card registration and tokenization as each SDK helper does it', () => {
  it('Ruby: Net::HTTP.post_form (numbers as form text), HTTPOK and a data= body required, then PUT {RegistrationData}', async () => {
    // spec/mangopay/shared_resources.rb new_card_registration_completed
    const user = await owner();
    const reg = await s.call('POST', '/cardregistrations', { body: { UserId: user.Id, Currency: 'EUR', Tag: 'Test Card Registration' } });
    ok(reg, 'create');
    const form = new URLSearchParams({
      data: reg.body.PreregistrationData,
      accessKeyRef: reg.body.AccessKey,
      cardNumber: String(4970107111111119),
      cardExpirationDate: String(1229),
      cardCvx: String(123),
    });
    const res = await postForm(reg.body.CardRegistrationURL, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      accept: '*/*',
      'user-agent': 'Ruby',
    });
    expect(res.status).toBe(200); // Net::HTTPOK only
    expect(res.text.startsWith('data=')).toBe(true);
    const put = await s.call('PUT', `/cardregistrations/${reg.body.Id}`, { body: { RegistrationData: res.text } });
    ok(put, 'update');
    expect(put.body).toMatchObject({ Status: 'VALIDATED', ResultCode: '000000', RegistrationData: res.text, CardId: expect.any(String) });
    const card = await s.call('GET', `/cards/${put.body.CardId}`);
    expect(card.body).toMatchObject({ Alias: '497010XXXXXX1119', Tag: 'Test Card Registration', Active: true });
  });

  it("PHP: the form concatenated unencoded by the test helper, posted by cURL; PUT of the entity's non-null properties", async () => {
    // tests/Cases/Base.php getPaylineCorrectRegistartionData; MangoPay/Libraries/ApiBase.php BuildRequestData
    const user = await owner();
    const reg = await s.call('POST', '/cardregistrations/', { body: { UserId: user.Id, Currency: 'EUR', CardType: 'CB_VISA_MASTERCARD' } });
    ok(reg, 'create');
    const raw =
      'data=' + reg.body.PreregistrationData + '&accessKeyRef=' + reg.body.AccessKey + '&cardNumber=4970107111111119&cardExpirationDate=1229&cardCvx=123';
    const res = await postForm(reg.body.CardRegistrationURL, raw, { 'content-type': 'application/x-www-form-urlencoded', accept: '*/*' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^data=[A-Za-z0-9_-]+$/);
    // The tokenizer's answer is never JSON: json_decode would turn it into something else.
    expect(() => JSON.parse(res.text)).toThrow();
    const put = await s.call('PUT', `/cardregistrations/${reg.body.Id}/`, {
      body: { Tag: null, UserId: user.Id, CardType: 'CB_VISA_MASTERCARD', RegistrationData: res.text, Currency: 'EUR' },
    });
    ok(put, 'update');
    expect(put.body.Status).toBe('VALIDATED');
  });

  it('Java: HttpURLConnection writes the unencoded form (its default content type) and reads the answer line by line', async () => {
    // src/test/java/com/mangopay/core/BaseTest.java getPaylineCorrectRegistartionData3DSecureForCardNumber
    const user = await owner();
    const reg = await s.call('POST', '/cardregistrations', { body: { UserId: user.Id, Currency: 'EUR', CardType: 'CB_VISA_MASTERCARD' } });
    ok(reg, 'create');
    const raw = `data=${reg.body.PreregistrationData}&accessKeyRef=${reg.body.AccessKey}&cardNumber=4970107111111119&cardExpirationDate=1229&cardCvx=123`;
    const res = await postForm(reg.body.CardRegistrationURL, raw, {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2',
      'user-agent': 'Java/17.0.9',
    });
    expect(res.status).toBe(200);
    const lines = res.text.split(/\r?\n/).join(''); // BufferedReader.readLine, appended without separators
    expect(lines).toBe(res.text);
    // Gson drops nulls; the whole registration goes back, the read-only properties included.
    const put = await s.call('PUT', `/cardregistrations/${reg.body.Id}`, {
      body: {
        Id: reg.body.Id,
        CreationDate: reg.body.CreationDate,
        UserId: user.Id,
        AccessKey: reg.body.AccessKey,
        PreregistrationData: reg.body.PreregistrationData,
        RegistrationData: lines,
        CardType: 'CB_VISA_MASTERCARD',
        CardRegistrationURL: reg.body.CardRegistrationURL,
        Currency: 'EUR',
        Status: 'CREATED',
      },
    });
    ok(put, 'update');
    expect(put.body.Status).toBe('VALIDATED');
  });

  it(".NET: RestSharp's encoded form (charset parameter too), then CardRegistrationPutDTO with its nulls", async () => {
    // MangoPay.SDK.Tests/BaseTest.cs GetPaylineCorrectRegistartionData; Entities/PUT/CardRegistrationPutDTO.cs
    const user = await owner();
    const reg = await s.call('POST', '/cardregistrations', {
      body: { Tag: null, UserId: user.Id, Currency: 'EUR', CardType: 'CB_VISA_MASTERCARD' },
      contentType: 'application/json; charset=utf-8',
    });
    ok(reg, 'create');
    const form = new URLSearchParams({
      data: reg.body.PreregistrationData,
      accessKeyRef: reg.body.AccessKey,
      cardNumber: TEST_CARDS.frictionless,
      cardExpirationDate: '1229',
      cardCvx: '123',
    });
    const res = await postForm(reg.body.CardRegistrationURL, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      accept: 'application/json, text/json, text/x-json, text/javascript, application/xml, text/xml',
    });
    expect(res.status).toBe(200);
    expect(res.text.startsWith('data=')).toBe(true);
    const put = await s.call('PUT', `/cardregistrations/${reg.body.Id}`, {
      body: { Tag: null, RegistrationData: res.text, CardHolderName: null },
      contentType: 'application/json; charset=utf-8',
    });
    ok(put, 'update');
    expect(put.body.Status).toBe('VALIDATED');
    const card = await s.call('GET', `/cards/${put.body.CardId}`);
    expect(card.body.CardHolderName).toBeNull();
  });

  it('Python: requests form (its own field order), then the whole registration back, None left out', async () => {
    // tests/test_base.py card fixtures; mangopay/query.py UpdateQuery.parse_update
    const user = await owner();
    const reg = await s.call('POST', '/cardregistrations', { body: { UserId: user.Id, Currency: 'EUR', CardType: 'CB_VISA_MASTERCARD' } });
    ok(reg, 'create');
    const form = new URLSearchParams({
      cardNumber: TEST_CARDS.frictionless,
      cardCvx: '123',
      cardExpirationDate: '1229',
      accessKeyRef: reg.body.AccessKey,
      data: reg.body.PreregistrationData,
    });
    const res = await postForm(reg.body.CardRegistrationURL, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'python-requests/2.31.0',
      'accept-encoding': 'gzip, deflate',
      accept: '*/*',
    });
    expect(res.status).toBe(200);
    const put = await s.call('PUT', `/cardregistrations/${reg.body.Id}`, {
      body: {
        UserId: user.Id,
        Currency: 'EUR',
        CardType: 'CB_VISA_MASTERCARD',
        AccessKey: reg.body.AccessKey,
        PreregistrationData: reg.body.PreregistrationData,
        CardRegistrationURL: reg.body.CardRegistrationURL,
        RegistrationData: res.text,
        Status: 'CREATED',
        CreationDate: reg.body.CreationDate,
      },
      headers: { 'user-agent': 'MangoPay V2 Python/3.0.0' },
    });
    ok(put, 'update');
    expect(put.body.Status).toBe('VALIDATED');
  });
});

describe('card deactivation as each SDK sends it', () => {
  /** The card as GET /cards/{Id} answers it, which the whole-object SDKs send back. */
  const whole = (card: any, over: Record<string, unknown>) => ({ ...card, ...over });

  it('Java and PHP: the whole card back with Active false (Country alpha-3, Validity, Fingerprint...); again: card_already_not_active', async () => {
    // Java CardApiImpl.disable -> updateObject(card_save); PHP ApiCards::Update -> BuildRequestData (non-null properties)
    const user = await owner();
    for (const [label, path, strip] of [
      ['java', (id: string) => `/cards/${id}`, (c: any) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null))],
      ['php', (id: string) => `/cards/${id}/`, (c: any) => Object.fromEntries(Object.entries(c).filter(([k, v]) => v !== null && k !== 'Id' && k !== 'CreationDate'))],
    ] as const) {
      const card = await registerCard(s, user.Id);
      const off = await s.call('PUT', path(card.Id), { body: strip(whole(card, { Active: false })) });
      ok(off, label);
      expect(off.body).toMatchObject({ Id: card.Id, Active: false, Validity: card.Validity, Alias: card.Alias });
      // The same whole object again, now that the card is off: Mangopay's own refusal.
      const again = await s.call('PUT', path(card.Id), { body: strip(whole(off.body, { Active: false })) });
      expectApiError(again, 400, 'card_already_not_active');
    }
  });

  it('Python: the whole card with Active 0 and every other non-None field, its holder name included', async () => {
    // mangopay/base.py save -> UpdateQuery (fields not None; BooleanField sends 1/0)
    const user = await owner();
    const card = await registerCard(s, user.Id);
    const named = await s.call('PUT', `/cards/${card.Id}`, { body: { CardHolderName: 'Victor Hugo' } });
    ok(named, 'name');
    const body = { ...named.body, Active: 0 };
    delete body.Id;
    const off = await s.call('PUT', `/cards/${card.Id}`, { body });
    ok(off, 'deactivate');
    expect(off.body).toMatchObject({ Active: false, CardHolderName: 'Victor Hugo' });
    const list = await s.call('GET', `/users/${user.Id}/cards?Active=0`);
    expect(list.body.map((c: any) => c.Id)).toEqual([card.Id]);
  });

  it('.NET: CardPutDTO with its nulls; Ruby: {Active: false} alone', async () => {
    // Entities/PUT/CardPutDTO.cs (Newtonsoft keeps nulls); lib/mangopay/card.rb Card.update(id, params)
    const user = await owner();
    const a = await registerCard(s, user.Id);
    const dotnet = await s.call('PUT', `/cards/${a.Id}`, {
      body: { Tag: null, Active: false, CardHolderName: null },
      contentType: 'application/json; charset=utf-8',
    });
    ok(dotnet, '.NET');
    expect(dotnet.body).toMatchObject({ Active: false, CardHolderName: null });
    const b = await registerCard(s, user.Id);
    const ruby = await s.call('PUT', `/cards/${b.Id}`, { body: { Active: false } });
    ok(ruby, 'Ruby');
    expect(ruby.body.Active).toBe(false);
  });
});

/** A funded setup: an owner with a wallet and a registered frictionless card. */
async function payer(): Promise<{ user: any; wallet: any; card: any }> {
  const user = await owner();
  return { user, wallet: await wallet(user.Id), card: await registerCard(s, user.Id) };
}

describe('direct card pay-ins as each SDK sends them', () => {
  // A PHP Address entity, json_encode'd with its null properties.
  const PHP_ADDRESS = { AddressLine1: 'Main Street no 5', AddressLine2: null, City: 'Paris', Region: null, PostalCode: '68400', Country: 'FR' };
  const expectSucceeded = (r: Reply, label: string, amount: number) => {
    ok(r, label);
    expect(r.body, label).toMatchObject({
      Status: 'SUCCEEDED',
      ResultCode: '000000',
      PaymentType: 'CARD',
      ExecutionType: 'DIRECT',
      DebitedFunds: EUR(amount),
      SecureModeNeeded: false,
      BrowserInfo: { TimeZoneOffset: '+60', Language: 'FR-FR', JavaEnabled: true },
    });
    expect(r.body.SecureModeReturnURL, label).toBe(`http://test.com?transactionId=${r.body.Id}`);
  };

  it('Ruby: the caller hash, Requested3DSVersion and TimeZoneOffset "+60" included', async () => {
    // spec/mangopay/shared_resources.rb create_new_payin_card_direct
    const { user, wallet: w, card } = await payer();
    const r = await s.call('POST', '/payins/card/direct', {
      body: {
        AuthorId: user.Id,
        CreditedUserId: w.Owners[0],
        CreditedWalletId: w.Id,
        DebitedFunds: EUR(1000),
        Fees: EUR(0),
        CardType: 'CB_VISA_MASTERCARD',
        CardId: card.Id,
        SecureModeReturnURL: 'http://test.com',
        Tag: 'Test PayIn/Card/Direct',
        Requested3DSVersion: 'V2_1',
        BrowserInfo: BROWSER_INFO,
        IpAddress: IP_ADDRESS,
      },
    });
    expectSucceeded(r, 'ruby', 1000);
    expect(r.body.Tag).toBe('Test PayIn/Card/Direct');
  });

  it('Java: flattened details plus ExecutionDetails nested again, PaymentType/ExecutionType, a trailing slash', async () => {
    // src/main/java/com/mangopay/core/serializer/PayInSerializer.java; ApiBase "payins_card-direct_create" = /payins/card/direct/
    const { user, wallet: w, card } = await payer();
    const execution = { CardId: card.Id, SecureMode: 'DEFAULT', SecureModeReturnURL: 'http://test.com', Culture: 'FR' };
    const r = await s.call('POST', '/payins/card/direct/', {
      body: {
        AuthorId: user.Id,
        CreditedUserId: user.Id,
        DebitedFunds: EUR(10000),
        Fees: EUR(0),
        CreditedWalletId: w.Id,
        PaymentType: 'CARD',
        ExecutionType: 'DIRECT',
        ExecutionDetails: execution,
        CardType: 'CB_VISA_MASTERCARD',
        BrowserInfo: BROWSER_INFO,
        IpAddress: IP_ADDRESS,
        ...execution, // CardId again (PayInPaymentDetailsCard's and PayInExecutionDetailsDirect's)
      },
      contentType: 'application/json; charset=UTF-8',
    });
    expectSucceeded(r, 'java', 10000);
    expect(r.body.Culture).toBe('FR');
  });

  it('PHP: PaymentDetails and ExecutionDetails flattened, nested objects with their null properties', async () => {
    // MangoPay/Libraries/ApiBase.php BuildRequestData + CanReadSubRequestData; tests/Cases/Base.php getNewPayInCardDirect
    const { user, wallet: w, card } = await payer();
    const r = await s.call('POST', '/payins/card/direct/', {
      body: {
        AuthorId: user.Id,
        CreditedUserId: user.Id,
        DebitedFunds: EUR(1000),
        Fees: EUR(0),
        CreditedWalletId: w.Id,
        PaymentType: 'CARD',
        ExecutionType: 'DIRECT',
        CardType: 'CB_VISA_MASTERCARD',
        CardId: card.Id,
        StatementDescriptor: 'PHP',
        BrowserInfo: BROWSER_INFO,
        IpAddress: IP_ADDRESS,
        Billing: { FirstName: 'John', LastName: 'Doe', Address: PHP_ADDRESS },
        Shipping: { FirstName: null, LastName: null, Address: PHP_ADDRESS },
        SecureModeReturnURL: 'http://test.com',
        SecureMode: 'DEFAULT',
      },
    });
    expectSucceeded(r, 'php', 1000);
    expect(r.body).toMatchObject({ StatementDescriptor: 'PHP', Billing: { FirstName: 'John', Address: { City: 'Paris', Country: 'FR' } } });
  });

  it('.NET: PayInCardDirectPostDTO with every unset property null', async () => {
    // Entities/POST/PayInCardDirectPostDTO.cs; Core/MangoPayJsonSerializer.cs (JsonConvert.SerializeObject, nulls kept)
    const { user, wallet: w, card } = await payer();
    const r = await s.call('POST', '/payins/card/direct', {
      body: {
        Tag: null,
        AuthorId: user.Id,
        CreditedUserId: user.Id,
        DebitedFunds: EUR(1000),
        Fees: EUR(0),
        CreditedWalletId: w.Id,
        SecureModeReturnURL: 'http://test.com',
        CardId: card.Id,
        SecureMode: null,
        CardType: 'CB_VISA_MASTERCARD',
        StatementDescriptor: null,
        Billing: null,
        SecurityInfo: null,
        BrowserInfo: BROWSER_INFO,
        IpAddress: IP_ADDRESS,
        Shipping: null,
        Culture: null,
        Requested3DSVersion: 'V1',
        PreferredCardNetwork: null,
        PaymentCategory: null,
        ProfilingAttemptReference: null,
      },
      contentType: 'application/json; charset=utf-8',
    });
    expectSucceeded(r, '.NET', 1000);
    expect(r.body).toMatchObject({ SecureMode: 'DEFAULT', PaymentCategory: 'ECommerce', StatementDescriptor: null });
  });

  it('Python: every non-None field, SecureMode defaulted, Money built from ints', async () => {
    // mangopay/resources.py DirectPayIn; mangopay/query.py InsertQuery.parse_insert
    const { user, wallet: w, card } = await payer();
    const r = await s.call('POST', '/payins/card/direct', {
      body: {
        AuthorId: user.Id,
        CreditedWalletId: w.Id,
        CardId: card.Id,
        SecureMode: 'DEFAULT',
        SecureModeReturnURL: 'http://test.com',
        DebitedFunds: EUR(1000),
        Fees: EUR(100),
        BrowserInfo: { ...BROWSER_INFO, TimeZoneOffset: '+60' },
        IpAddress: IP_ADDRESS,
      },
      headers: { 'user-agent': 'MangoPay V2 Python/3.0.0' },
    });
    expectSucceeded(r, 'python', 1000);
    expect(r.body.CreditedFunds).toEqual(EUR(900));
  });

  it('TimeZoneOffset as a number, a signed string or a negative string, all as the docs and SDKs send it', async () => {
    const { user, wallet: w, card } = await payer();
    for (const tz of [60, '+60', '-300', '0']) {
      const r = await s.call('POST', '/payins/card/direct', {
        body: {
          AuthorId: user.Id,
          CreditedWalletId: w.Id,
          CardId: card.Id,
          SecureModeReturnURL: 'http://test.com',
          DebitedFunds: EUR(100),
          Fees: EUR(0),
          BrowserInfo: { ...BROWSER_INFO, TimeZoneOffset: tz },
          IpAddress: IP_ADDRESS,
        },
      });
      ok(r, String(tz));
      expect(r.body.BrowserInfo.TimeZoneOffset, String(tz)).toBe(String(tz));
    }
  });
});

describe('web card pay-ins as each SDK sends them', () => {
  const expectCreated = (r: Reply, label: string) => {
    ok(r, label);
    expect(r.body, label).toMatchObject({
      Status: 'CREATED',
      PaymentType: 'CARD',
      ExecutionType: 'WEB',
      CardType: 'CB_VISA_MASTERCARD',
      Culture: 'FR',
      SecureMode: 'DEFAULT',
      RedirectURL: expect.stringMatching(/^http/),
    });
    expect(r.body.ReturnURL, label).toContain(`transactionId=${r.body.Id}`);
  };

  it('Ruby: flat fields, TemplateURLOptions {PAYLINEV2}, the configured root URL as ReturnURL', async () => {
    // spec/mangopay/shared_resources.rb new_payin_card_web_payline
    const user = await owner();
    const w = await wallet(user.Id);
    const r = await s.call('POST', '/payins/card/web', {
      body: {
        AuthorId: user.Id,
        CreditedUserId: w.Owners[0],
        CreditedWalletId: w.Id,
        DebitedFunds: EUR(1000),
        Fees: EUR(0),
        CardType: 'CB_VISA_MASTERCARD',
        ReturnURL: s.url,
        Culture: 'FR',
        Tag: 'Test PayIn/Card/Web',
        TemplateURLOptions: { PAYLINEV2: 'https://www.maysite.com/payline_template/' },
      },
    });
    expectCreated(r, 'ruby');
    expect(r.body.ReturnURL).toBe(`${s.url}?transactionId=${r.body.Id}`);
  });

  it('Java: flat fields and ExecutionDetails nested again (TemplateURLOptions PAYLINE), a trailing slash', async () => {
    // PayInSerializer.java (PayInPaymentDetailsCard + PayInExecutionDetailsWeb); BaseTest.java getJohnsPayInCardWeb
    const user = await owner();
    const w = await wallet(user.Id);
    const execution = {
      TemplateURL: null,
      Culture: 'FR',
      SecureMode: 'DEFAULT',
      ReturnURL: 'https://test.com',
      TemplateURLOptions: { PAYLINE: 'https://www.mysite.com/template/' },
    };
    const body = {
      AuthorId: user.Id,
      CreditedUserId: user.Id,
      DebitedFunds: EUR(1000),
      Fees: EUR(5),
      CreditedWalletId: w.Id,
      PaymentType: 'CARD',
      ExecutionType: 'WEB',
      ExecutionDetails: execution,
      CardType: 'CB_VISA_MASTERCARD',
      ...execution,
    };
    // Gson drops the null TemplateURL.
    delete (body as any).TemplateURL;
    delete (body.ExecutionDetails as any).TemplateURL;
    const r = await s.call('POST', '/payins/card/web/', { body, contentType: 'application/json; charset=UTF-8' });
    expectCreated(r, 'java');
    expect(r.body.CreditedFunds).toEqual(EUR(995));
  });

  it('PHP: the details flattened, null properties left out; .NET: PayInCardWebPostDTO with its nulls', async () => {
    // ApiBase.php BuildRequestData; Entities/POST/PayInCardWebPostDTO.cs
    const user = await owner();
    const w = await wallet(user.Id);
    const php = await s.call('POST', '/payins/card/web/', {
      body: {
        AuthorId: user.Id,
        CreditedUserId: user.Id,
        DebitedFunds: EUR(1000),
        Fees: EUR(0),
        CreditedWalletId: w.Id,
        PaymentType: 'CARD',
        ExecutionType: 'WEB',
        CardType: 'CB_VISA_MASTERCARD',
        ReturnURL: 'https://test.com',
        Culture: 'FR',
        SecureMode: 'DEFAULT',
      },
    });
    expectCreated(php, 'php');
    const dotnet = await s.call('POST', '/payins/card/web', {
      body: {
        Tag: null,
        AuthorId: user.Id,
        DebitedFunds: EUR(1000),
        Fees: EUR(0),
        CreditedWalletId: w.Id,
        ReturnURL: 'https://test.com',
        TemplateURLOptions: null,
        Culture: 'FR',
        CardType: 'CB_VISA_MASTERCARD',
        SecureMode: null,
        CreditedUserId: null,
        StatementDescriptor: null,
        Billing: null,
        Shipping: null,
      },
      contentType: 'application/json; charset=utf-8',
    });
    expectCreated(dotnet, '.NET');
    expect(dotnet.body.CreditedUserId).toBe(user.Id);
  });

  it("Python: Culture 'fr' in lower case and a TemplateURL", async () => {
    // tests/test_base.py get_johns_payin (CardWebPayIn); mangopay/resources.py
    const user = await owner();
    const w = await wallet(user.Id);
    const r = await s.call('POST', '/payins/card/web', {
      body: {
        CreditedWalletId: w.Id,
        AuthorId: user.Id,
        DebitedFunds: EUR(10000),
        Fees: EUR(0),
        CardType: 'CB_VISA_MASTERCARD',
        ReturnURL: 'https://test.com',
        TemplateURL: 'https://TemplateURL.com',
        SecureMode: 'DEFAULT',
        Culture: 'fr',
      },
    });
    expectCreated(r, 'python');
    expect(r.body.TemplateURL).toBeNull();
  });
});

describe('pre-authorizations and their captures as each SDK sends them', () => {
  const HOLD = (user: any, card: any, over: Record<string, unknown> = {}) => ({
    AuthorId: user.Id,
    DebitedFunds: EUR(1000),
    CardId: card.Id,
    SecureModeReturnURL: 'http://test.com',
    BrowserInfo: BROWSER_INFO,
    IpAddress: IP_ADDRESS,
    ...over,
  });
  const expectHeld = (r: Reply, label: string) => {
    ok(r, label);
    expect(r.body, label).toMatchObject({ Status: 'SUCCEEDED', PaymentStatus: 'WAITING', RemainingFunds: EUR(1000), ResultCode: '000000' });
    expect(r.body.SecureModeReturnURL, label).toBe(`http://test.com?preAuthorizationId=${r.body.Id}`);
  };

  it('Ruby: create (SecureMode, Requested3DSVersion), capture with BrowserInfo and IpAddress, PUT {PaymentStatus} after it', async () => {
    // shared_resources.rb create_new_card_preauthorization, create_new_payin_preauthorized_direct; lib/mangopay/pre_authorization.rb
    const { user, wallet: w, card } = await payer();
    const hold = await s.call('POST', '/preauthorizations/card/direct', {
      body: HOLD(user, card, { SecureMode: 'DEFAULT', Tag: 'Test Card PreAuthorization', Requested3DSVersion: 'V2_1' }),
    });
    expectHeld(hold, 'create');
    const capture = await s.call('POST', '/payins/preauthorized/direct', {
      body: {
        AuthorId: user.Id,
        CreditedUserId: w.Owners[0],
        CreditedWalletId: w.Id,
        DebitedFunds: EUR(400),
        Fees: EUR(0),
        PreauthorizationId: hold.body.Id,
        Tag: 'Test PayIn/PreAuthorized/Direct',
        BrowserInfo: BROWSER_INFO,
        IpAddress: IP_ADDRESS,
      },
    });
    ok(capture, 'capture');
    expect(capture.body).toMatchObject({ Status: 'SUCCEEDED', PaymentType: 'PREAUTHORIZED', PreauthorizationId: hold.body.Id });
    const validated = await s.call('PUT', `/preauthorizations/${hold.body.Id}`, { body: { PaymentStatus: 'VALIDATED' } });
    ok(validated, 'validate');
    expect(validated.body).toMatchObject({ PaymentStatus: 'VALIDATED', PayInId: capture.body.Id });
  });

  it('Java: the whole hold back on PUT (Status, RemainingFunds, ExpirationDate...), captures flattened with ExecutionDetails', async () => {
    // CardPreAuthorizationApiImpl.update -> updateObject(preauthorization_save); PayInSerializer (PayInPaymentDetailsPreAuthorized)
    const { user, wallet: w, card } = await payer();
    const hold = await s.call('POST', '/preauthorizations/card/direct', {
      body: HOLD(user, card, { SecureMode: 'DEFAULT', ExecutionType: 'DIRECT', PaymentType: 'CARD', Culture: 'FR' }),
    });
    expectHeld(hold, 'create');
    const execution = { SecureModeReturnURL: 'http://test.com', SecureMode: 'DEFAULT' };
    const capture = await s.call('POST', '/payins/preauthorized/direct/', {
      body: {
        AuthorId: user.Id,
        CreditedUserId: user.Id,
        DebitedFunds: EUR(1000),
        Fees: EUR(0),
        CreditedWalletId: w.Id,
        PaymentType: 'PREAUTHORIZED',
        ExecutionType: 'DIRECT',
        ExecutionDetails: execution,
        PreauthorizationId: hold.body.Id,
        Culture: 'FR',
        ...execution,
      },
    });
    ok(capture, 'capture');
    expect(capture.body.Status).toBe('SUCCEEDED');
    const read = await s.call('GET', `/preauthorizations/${hold.body.Id}`);
    expect(read.body.PaymentStatus).toBe('VALIDATED');

    // Another hold canceled the Java way: the object read, PaymentStatus changed, nulls dropped.
    const second = await s.call('POST', '/preauthorizations/card/direct', { body: HOLD(user, card) });
    expectHeld(second, 'second');
    const body = Object.fromEntries(Object.entries({ ...second.body, PaymentStatus: 'CANCELED' }).filter(([, v]) => v !== null));
    const canceled = await s.call('PUT', `/preauthorizations/${second.body.Id}`, { body });
    ok(canceled, 'cancel');
    expect(canceled.body).toMatchObject({ PaymentStatus: 'CANCELED', Status: 'SUCCEEDED', RemainingFunds: EUR(0) });
  });

  it('.NET: CardPreAuthorizationPostDTO and PayInPreauthorizedDirectPostDTO with their nulls, CardPreAuthorizationPutDTO {Tag, PaymentStatus}', async () => {
    // Entities/POST/CardPreAuthorizationPostDTO.cs, PayInPreauthorizedDirectPostDTO.cs, Entities/PUT/CardPreAuthorizationPutDTO.cs
    const { user, wallet: w, card } = await payer();
    const json = 'application/json; charset=utf-8';
    const hold = await s.call('POST', '/preauthorizations/card/direct', {
      body: HOLD(user, card, {
        Tag: null,
        SecureMode: 'DEFAULT',
        PaymentStatus: null,
        StatementDescriptor: null,
        Billing: null,
        SecurityInfo: null,
        Shipping: null,
        Culture: null,
        PreferredCardNetwork: null,
      }),
      contentType: json,
    });
    expectHeld(hold, 'create');
    const capture = await s.call('POST', '/payins/preauthorized/direct', {
      body: {
        Tag: null,
        AuthorId: user.Id,
        CreditedUserId: null,
        DebitedFunds: EUR(300),
        Fees: EUR(30),
        CreditedWalletId: w.Id,
        PreauthorizationId: hold.body.Id,
        SecureModeReturnURL: null,
        BrowserInfo: null,
        IpAddress: null,
      },
      contentType: json,
    });
    ok(capture, 'capture');
    expect(capture.body).toMatchObject({ Status: 'SUCCEEDED', CreditedFunds: EUR(270), CreditedUserId: user.Id });
    const cancelAfterCapture = await s.call('PUT', `/preauthorizations/${hold.body.Id}`, { body: { Tag: null, PaymentStatus: 'CANCELED' }, contentType: json });
    expectApiError(cancelAfterCapture, 400, 'preauthorization_payment_status_can_not_be_canceled');
    const validated = await s.call('PUT', `/preauthorizations/${hold.body.Id}`, { body: { Tag: null, PaymentStatus: 'VALIDATED' }, contentType: json });
    ok(validated, 'validate');
    expect(validated.body.PaymentStatus).toBe('VALIDATED');
  });

  it('PHP and Python: the whole hold on PUT, PHP without its nulls, Python with SecureModeNeeded 0 and a lower-case status', async () => {
    // ApiBase.php BuildRequestData; mangopay/query.py UpdateQuery (BooleanField -> 0/1)
    const { user, card } = await payer();
    const a = await s.call('POST', '/preauthorizations/card/direct/', { body: HOLD(user, card, { SecureMode: 'DEFAULT', ExecutionType: 'DIRECT' }) });
    expectHeld(a, 'php create');
    const php = Object.fromEntries(Object.entries({ ...a.body, PaymentStatus: 'CANCELED' }).filter(([k, v]) => v !== null && k !== 'Id' && k !== 'CreationDate'));
    const canceled = await s.call('PUT', `/preauthorizations/${a.body.Id}/`, { body: php });
    ok(canceled, 'php cancel');
    expect(canceled.body.PaymentStatus).toBe('CANCELED');

    const b = await s.call('POST', '/preauthorizations/card/direct', { body: HOLD(user, card, { SecureMode: 'DEFAULT' }) });
    expectHeld(b, 'python create');
    const python = { ...b.body, SecureModeNeeded: 0, MultiCapture: 1, PaymentStatus: 'canceled' };
    delete python.Id;
    const pyCanceled = await s.call('PUT', `/preauthorizations/${b.body.Id}`, { body: python });
    ok(pyCanceled, 'python cancel');
    expect(pyCanceled.body.PaymentStatus).toBe('CANCELED');
  });

  it('Python (and the old JavaScript SDK): captures at /payins/PreAuthorized/direct, with capitals and SecureMode defaulted', async () => {
    // mangopay/resources.py PreAuthorizedPayIn Meta.url
    const { user, wallet: w, card } = await payer();
    const hold = await s.call('POST', '/preauthorizations/card/direct', { body: HOLD(user, card) });
    expectHeld(hold, 'create');
    const capture = await s.call('POST', '/payins/PreAuthorized/direct', {
      body: {
        AuthorId: user.Id,
        CreditedWalletId: w.Id,
        DebitedFunds: EUR(1000),
        Fees: EUR(0),
        PreauthorizationId: hold.body.Id,
        SecureMode: 'DEFAULT',
        SecureModeReturnURL: 'http://test.com',
      },
    });
    ok(capture, 'capture');
    expect(capture.body.Status).toBe('SUCCEEDED');
  });
});

describe('refunds as each SDK sends them', () => {
  async function payIn(amount = 1000, fees = 100): Promise<{ user: any; wallet: any; payIn: any }> {
    const { user, wallet: w, card } = await payer();
    const r = await s.call('POST', '/payins/card/direct', {
      body: {
        AuthorId: user.Id,
        CreditedWalletId: w.Id,
        CardId: card.Id,
        SecureModeReturnURL: 'http://test.com',
        DebitedFunds: EUR(amount),
        Fees: EUR(fees),
        BrowserInfo: BROWSER_INFO,
        IpAddress: IP_ADDRESS,
      },
    });
    ok(r, 'pay-in');
    return { user, wallet: w, payIn: r.body };
  }
  const expectRefund = (r: Reply, label: string, debited: number, fees: number) => {
    ok(r, label);
    expect(r.body, label).toMatchObject({ Status: 'SUCCEEDED', Type: 'PAYOUT', Nature: 'REFUND', DebitedFunds: EUR(debited), Fees: EUR(fees) });
  };

  it('.NET: RefundPayInPostDTO with null DebitedFunds and Fees is a full refund; Ruby: {AuthorId} alone', async () => {
    // Entities/POST/RefundPayInPostDTO.cs; lib/mangopay/pay_in.rb PayIn.refund(id, params)
    const a = await payIn();
    const dotnet = await s.call('POST', `/payins/${a.payIn.Id}/refunds`, {
      body: { Tag: null, AuthorId: a.user.Id, DebitedFunds: null, Fees: null },
      contentType: 'application/json; charset=utf-8',
    });
    expectRefund(dotnet, '.NET', 900, -100); // a full refund: the initial CreditedFunds and fees back
    const b = await payIn();
    const ruby = await s.call('POST', `/payins/${b.payIn.Id}/refunds`, { body: { AuthorId: b.user.Id } });
    expectRefund(ruby, 'Ruby', 900, -100);
  });

  it('Java: a Refund entity with DebitedFunds, Fees and the wallets (ignored); PHP: empty Money objects mean a full refund', async () => {
    // PayInApiImpl.createRefund (Gson, nulls dropped); PHP Libraries/ApiBase.php (Money properties of a new Refund)
    const a = await payIn();
    const java = await s.call('POST', `/payins/${a.payIn.Id}/refunds/`, {
      body: {
        AuthorId: a.user.Id,
        DebitedFunds: EUR(300),
        Fees: EUR(-30),
        DebitedWalletId: a.wallet.Id,
        CreditedWalletId: a.wallet.Id,
        Type: 'PAYOUT',
        Nature: 'REFUND',
      },
    });
    expectRefund(java, 'java', 300, -30);
    const b = await payIn();
    const php = await s.call('POST', `/payins/${b.payIn.Id}/refunds`, {
      body: { AuthorId: b.user.Id, DebitedFunds: { Currency: null, Amount: null }, Fees: { Currency: null, Amount: null } },
    });
    expectRefund(php, 'php', 900, -100);
  });

  it("Java and PHP: a transfer's refund with the transfer's own DebitedFunds and Fees and both wallets; .NET: RefundTransferPostDTO", async () => {
    // BaseTest.java getNewRefundForTransfer; tests/Cases/Base.php getNewRefundForTransfer; Entities/POST/RefundTransferPostDTO.cs
    const a = await payIn(3000, 0);
    const other = await wallet(a.user.Id);
    const transfer = async () => {
      const r = await s.call('POST', '/transfers', {
        body: { AuthorId: a.user.Id, DebitedFunds: EUR(1000), Fees: EUR(0), DebitedWalletId: a.wallet.Id, CreditedWalletId: other.Id },
      });
      ok(r, 'transfer');
      return r.body;
    };
    for (const [label, t] of [['java', await transfer()], ['php', await transfer()]] as const) {
      const r = await s.call('POST', `/transfers/${t.Id}/refunds`, {
        body: { AuthorId: a.user.Id, DebitedFunds: t.DebitedFunds, Fees: t.Fees, DebitedWalletId: t.DebitedWalletId, CreditedWalletId: t.CreditedWalletId },
      });
      ok(r, label);
      expect(r.body, label).toMatchObject({ Status: 'SUCCEEDED', Type: 'TRANSFER', DebitedFunds: EUR(1000), Fees: EUR(0), CreditedWalletId: a.wallet.Id });
    }
    const t = await transfer();
    const dotnet = await s.call('POST', `/transfers/${t.Id}/refunds`, { body: { Tag: null, AuthorId: a.user.Id }, contentType: 'application/json; charset=utf-8' });
    ok(dotnet, '.NET');
    expect(dotnet.body).toMatchObject({ Status: 'SUCCEEDED', DebitedFunds: EUR(1000), InitialTransactionId: t.Id });
    const balance = await s.call('GET', `/wallets/${a.wallet.Id}`);
    expect(balance.body.Balance).toEqual(EUR(3000));
  });

  it('Python: refund of a transfer (all non-None fields) and of a pay-in with a RefundReason it cannot set', async () => {
    // mangopay/resources.py TransferRefund / PayInRefund
    const a = await payIn(2000, 0);
    const other = await wallet(a.user.Id);
    const transfer = await s.call('POST', '/transfers', {
      body: { AuthorId: a.user.Id, DebitedFunds: EUR(500), Fees: EUR(0), DebitedWalletId: a.wallet.Id, CreditedWalletId: other.Id },
    });
    ok(transfer, 'transfer');
    const refund = await s.call('POST', `/transfers/${transfer.body.Id}/refunds`, { body: { AuthorId: a.user.Id, Tag: 'python' } });
    ok(refund, 'transfer refund');
    expect(refund.body).toMatchObject({ Status: 'SUCCEEDED', Type: 'TRANSFER', Nature: 'REFUND', DebitedFunds: EUR(500), InitialTransactionId: transfer.body.Id });
    const payInRefund = await s.call('POST', `/payins/${a.payIn.Id}/refunds`, {
      body: { AuthorId: a.user.Id, DebitedFunds: EUR(1000), Fees: EUR(0), RefundReason: { RefusedReasonType: null, RefusedReasonMessage: 'None' } },
    });
    expectRefund(payInRefund, 'python pay-in', 1000, 0);
  });
});

describe('the headers each SDK sends with a card request', () => {
  async function rawPayIn(headers: string[]): Promise<{ interim: string[]; reply: Reply }> {
    const { user, wallet: w, card } = await payer();
    const body = JSON.stringify({
      AuthorId: user.Id,
      CreditedWalletId: w.Id,
      CardId: card.Id,
      SecureModeReturnURL: 'http://test.com',
      DebitedFunds: EUR(1000),
      Fees: EUR(0),
      BrowserInfo: BROWSER_INFO,
      IpAddress: IP_ADDRESS,
      Tag: 'Île-de-France',
    });
    const head = [
      `POST /v2.01/${s.client.id}/payins/card/direct/ HTTP/1.1`,
      `Host: 127.0.0.1`,
      `Authorization: Bearer ${await s.token()}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      ...headers,
    ].join('\r\n');
    const text = await rawExchange(s.url, `${head}\r\n\r\n${body}`);
    // Interim 1xx answers come first, each ending with an empty line.
    const interim: string[] = [];
    let rest = text;
    while (/^HTTP\/1\.1 1\d\d /.test(rest)) {
      const end = rest.indexOf('\r\n\r\n');
      interim.push(rest.slice(0, end).split('\r\n')[0]);
      rest = rest.slice(end + 4);
    }
    return { interim, reply: parseRaw(rest) };
  }

  it("PHP's cURL: Expect: 100-continue before a JSON body", async () => {
    // MangoPay/Libraries/HttpCurl.php (curl adds Expect to larger bodies)
    const { interim, reply } = await rawPayIn(['Content-Type: application/json', 'Accept: */*', 'Expect: 100-continue', 'User-Agent: MangoPay V2 SDK PHP 3.0']);
    expect(interim).toEqual(['HTTP/1.1 100 Continue']);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body).toMatchObject({ Status: 'SUCCEEDED', Tag: 'Île-de-France' });
  });

  it("Ruby's Net::HTTP: header names with underscores (user_agent, x_mangopay_client_user_agent) and a JSON header value", async () => {
    // lib/mangopay.rb request_headers
    const { interim, reply } = await rawPayIn([
      'Content-Type: application/json',
      'Accept-Encoding: gzip;q=1.0,deflate;q=0.6,identity;q=0.3',
      'Accept: */*',
      'User-Agent: Ruby',
      'user_agent: MangoPay V2.01 RubyBindings/3.40.0',
      'x_mangopay_client_user_agent: {"bindings_version":"3.40.0","lang":"ruby","lang_version":"3.3.0 p0 (2023-12-25)","platform":"x86_64-linux","uname":"Linux"}',
    ]);
    expect(interim).toEqual([]);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.Status).toBe('SUCCEEDED');
  });
});

describe('paths and tokenizer answers the SDKs rely on', () => {
  it("each SDK's spelling of the card paths: trailing slashes, capitals, the docs' GET /preauthorizations/{Id}/", async () => {
    // .NET ApiBase.cs (/payins/card/web/{0}/extended/), Java/PHP ApiBase (/payins/card/web/), the docs' GET with a slash
    const { user, wallet: w, card } = await payer();
    const web = await s.call('POST', '/PayIns/Card/Web/', {
      body: { AuthorId: user.Id, CreditedWalletId: w.Id, DebitedFunds: EUR(500), Fees: EUR(0), ReturnURL: 'https://test.com', CardType: 'CB_VISA_MASTERCARD', Culture: 'EN' },
    });
    ok(web, 'web');
    const hold = await s.call('POST', '/PreAuthorizations/Card/Direct/', {
      body: { AuthorId: user.Id, DebitedFunds: EUR(700), CardId: card.Id, SecureModeReturnURL: 'http://test.com', BrowserInfo: BROWSER_INFO, IpAddress: IP_ADDRESS },
    });
    ok(hold, 'hold');
    for (const path of [
      `/cards/${card.Id}/`,
      `/Cards/${card.Id}`,
      `/preauthorizations/${hold.body.Id}/`,
      `/PreAuthorizations/${hold.body.Id}`,
      `/cards/${card.Id}/preauthorizations/`,
      `/users/${user.Id}/cards/`,
      `/payins/${web.body.Id}/`,
      `/cardregistrations/${(await s.call('POST', '/cardregistrations', { body: { UserId: user.Id, Currency: 'EUR' } })).body.Id}/`,
    ]) {
      const r = await s.call('GET', path);
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
    }
    const extended = await s.call('GET', `/payins/card/web/${web.body.Id}/extended/`);
    // Not paid yet: no card to show, the same answer with or without the slash.
    expect(extended.status).toBe((await s.call('GET', `/payins/card/web/${web.body.Id}/extended`)).status);
  });

  it('a refused card is a 200 errorCode= text answer (RestSharp and Ruby pass on only 200s), turned into an ERROR registration', async () => {
    const user = await owner();
    const reg = await s.call('POST', '/cardregistrations', { body: { UserId: user.Id, Currency: 'EUR' } });
    ok(reg, 'create');
    const raw = `data=${reg.body.PreregistrationData}&accessKeyRef=${reg.body.AccessKey}&cardNumber=4970107111111119&cardExpirationDate=1229&cardCvx=1234`;
    const res = await postForm(reg.body.CardRegistrationURL, raw, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res).toMatchObject({ status: 200, text: 'errorCode=02627' });
    expect(res.type).toMatch(/^text\/plain/);
    const put = await s.call('PUT', `/cardregistrations/${reg.body.Id}`, { body: { Tag: null, RegistrationData: res.text } });
    ok(put, 'update');
    expect(put.body).toMatchObject({ Status: 'ERROR', ResultCode: '105204', CardId: null });
  });
});

describe('card validations as the SDKs send them', () => {
  it('Ruby: {AuthorId, SecureModeReturnURL, IpAddress, Tag, BrowserInfo}; .NET: CardValidationPostDTO with its nulls', async () => {
    // shared_resources.rb create_card_validation; Entities/POST/CardValidationPostDTO.cs
    const user = await owner();
    const a = await registerCard(s, user.Id);
    const ruby = await s.call('POST', `/cards/${a.Id}/validation`, {
      body: { AuthorId: user.Id, SecureModeReturnURL: 'https://mangopay.com', IpAddress: IP_ADDRESS, Tag: 'custom meta', BrowserInfo: BROWSER_INFO },
    });
    ok(ruby, 'ruby');
    expect(ruby.body).toMatchObject({ Status: 'SUCCEEDED', Type: 'CARD_VALIDATION', Tag: 'custom meta' });
    const b = await registerCard(s, user.Id);
    const dotnet = await s.call('POST', `/cards/${b.Id}/validation`, {
      body: {
        Tag: null,
        AuthorId: user.Id,
        SecureModeReturnURL: 'https://mangopay.com',
        IpAddress: IP_ADDRESS,
        BrowserInfo: BROWSER_INFO,
        SecureMode: null,
        PreferredCardNetwork: null,
        PaymentCategory: null,
        ValidationUsage: null,
      },
      contentType: 'application/json; charset=utf-8',
    });
    ok(dotnet, '.NET');
    expect(dotnet.body).toMatchObject({ Status: 'SUCCEEDED', SecureMode: 'DEFAULT' });
  });

  it('older Java, .NET and Node SDK versions: POST /cards/{Id}/validate, the same operation', async () => {
    const user = await owner();
    const card = await registerCard(s, user.Id);
    const r = await s.call('POST', `/cards/${card.Id}/validate`, {
      body: { AuthorId: user.Id, SecureModeReturnURL: 'https://mangopay.com', IpAddress: IP_ADDRESS, BrowserInfo: BROWSER_INFO },
    });
    ok(r, 'validate');
    expect(r.body).toMatchObject({ Status: 'SUCCEEDED', Type: 'CARD_VALIDATION' });
    expect((await s.call('GET', `/cards/${card.Id}/validation/${r.body.Id}`)).body.Id).toBe(r.body.Id);
    expect((await s.call('GET', `/cards/${card.Id}`)).body.Validity).toBe('VALID');
  });
});

describe('values as loosely typed SDKs pass them on', () => {
  it('PHP and Python callers: numbers as strings, booleans as "true"/1, empty strings for the optional fields', async () => {
    // PHP models are untyped (form input goes straight in); Python BooleanField sends 1/0
    const { user, wallet: w, card } = await payer();
    const r = await s.call('POST', '/payins/card/direct', {
      body: {
        AuthorId: user.Id,
        CreditedWalletId: w.Id,
        CardId: card.Id,
        SecureModeReturnURL: 'http://test.com',
        DebitedFunds: { Currency: 'eur', Amount: '1000' },
        Fees: { Currency: 'EUR', Amount: '0' },
        BrowserInfo: { ...BROWSER_INFO, JavaEnabled: 'true', JavascriptEnabled: 1, ColorDepth: '24', ScreenHeight: '1800', ScreenWidth: '400' },
        IpAddress: IP_ADDRESS,
        Tag: '',
        StatementDescriptor: '',
        SecureMode: '',
        Culture: '',
        PreferredCardNetwork: '',
        PaymentCategory: '',
      },
    });
    ok(r, 'pay-in');
    expect(r.body).toMatchObject({
      Status: 'SUCCEEDED',
      DebitedFunds: EUR(1000),
      SecureMode: 'DEFAULT',
      Tag: null,
      StatementDescriptor: null,
      BrowserInfo: { JavaEnabled: true, JavascriptEnabled: true, ColorDepth: 24, ScreenHeight: 1800 },
    });
    const hold = await s.call('POST', '/preauthorizations/card/direct', {
      body: {
        AuthorId: user.Id,
        DebitedFunds: { Currency: 'EUR', Amount: '500' },
        CardId: card.Id,
        SecureMode: 'default',
        SecureModeReturnURL: 'http://test.com',
        BrowserInfo: { ...BROWSER_INFO, TimeZoneOffset: -120 },
        IpAddress: IP_ADDRESS,
      },
    });
    ok(hold, 'hold');
    expect(hold.body).toMatchObject({ Status: 'SUCCEEDED', SecureMode: 'DEFAULT', DebitedFunds: EUR(500), BrowserInfo: { TimeZoneOffset: '-120' } });
  });
});

describe('answers the SDKs must be able to read', () => {
  it('.NET: CardInfo is null for a card whose issuer is unknown, never with IssuerCountryCode null (a non-nullable CountryIso: Newtonsoft throws)', async () => {
    // MangoPay.SDK/Entities/CardInfo.cs (public CountryIso IssuerCountryCode); BaseTest.cs registers 4970100000000154
    const user = await owner();
    const w = await wallet(user.Id);
    const json = 'application/json; charset=utf-8';
    for (const [number, known] of [['4970100000000154', false], [TEST_CARDS.frictionless, true]] as const) {
      const card = await registerCard(s, user.Id, { number });
      const payIn = await s.call('POST', '/payins/card/direct', {
        body: {
          Tag: null,
          AuthorId: user.Id,
          CreditedUserId: user.Id,
          DebitedFunds: EUR(1000),
          Fees: EUR(0),
          CreditedWalletId: w.Id,
          SecureModeReturnURL: 'http://test.com',
          CardId: card.Id,
          SecureMode: 'DEFAULT',
          CardType: 'CB_VISA_MASTERCARD',
          BrowserInfo: BROWSER_INFO,
          IpAddress: IP_ADDRESS,
        },
        contentType: json,
      });
      const hold = await s.call('POST', '/preauthorizations/card/direct', {
        body: { AuthorId: user.Id, DebitedFunds: EUR(1000), SecureMode: 'DEFAULT', CardId: card.Id, SecureModeReturnURL: 'http://test.com', BrowserInfo: BROWSER_INFO, IpAddress: IP_ADDRESS },
        contentType: json,
      });
      // A card already VALID is not validated again: a fresh one of the same number.
      const fresh = await registerCard(s, user.Id, { number });
      const validation = await s.call('POST', `/cards/${fresh.Id}/validation`, {
        body: { AuthorId: user.Id, SecureModeReturnURL: 'http://test.com', IpAddress: IP_ADDRESS, BrowserInfo: BROWSER_INFO },
        contentType: json,
      });
      for (const [label, r] of [['pay-in', payIn], ['pre-authorization', hold], ['validation', validation]] as const) {
        ok(r, `${number} ${label}`);
        expect(r.body.Status, `${number} ${label}`).toBe('SUCCEEDED');
        if (known) expect(r.body.CardInfo, label).toMatchObject({ BIN: '497010', IssuerCountryCode: 'MA', Brand: 'VISA' });
        else expect(r.body.CardInfo, label).toBeNull();
      }
      const read = await s.call('GET', `/payins/${payIn.body.Id}`);
      expect(read.body.CardInfo === null, number).toBe(!known);
    }
  });
});
