import { describe, expect, it } from 'vitest';
import { expectApiError } from './helpers/errors.js';
import { naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';
import { registerCard, TEST_CARDS, tokenize } from './helpers/cards.js';

const { s, api } = fileServer();

const REGISTRATION_KEYS = [
  'Id', 'Tag', 'CreationDate', 'UserId', 'AccessKey', 'PreregistrationData', 'RegistrationData', 'CardId', 'CardType',
  'CardRegistrationURL', 'ResultCode', 'ResultMessage', 'Currency', 'Status',
];

const payer = () => createUser(s, 'natural', naturalPayer());

async function registration(userId: string, over: Record<string, unknown> = {}): Promise<any> {
  const r = await s.call('POST', '/cardregistrations', { body: { UserId: userId, Currency: 'EUR', ...over } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function put(id: string, body: Record<string, unknown>) {
  return s.call('PUT', `/cardregistrations/${id}`, { body });
}

/** Posts a form to a CardRegistrationURL exactly as given (names and all). */
async function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('POST /cardregistrations', () => {
  it('creates a CREATED registration in Mangopay key order, URL-safe secrets, CB_VISA_MASTERCARD by default', async () => {
    const user = await payer();
    const r = await registration(user.Id, { Tag: 'my tag' });
    expect(Object.keys(r)).toEqual(REGISTRATION_KEYS);
    expect(r).toMatchObject({
      Tag: 'my tag',
      UserId: user.Id,
      RegistrationData: null,
      CardId: null,
      CardType: 'CB_VISA_MASTERCARD',
      ResultCode: null,
      ResultMessage: null,
      Currency: 'EUR',
      Status: 'CREATED',
    });
    expect(r.Id).toMatch(/^cardreg_m_/);
    expect(r.AccessKey).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(r.PreregistrationData).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(r.CardRegistrationURL).toBe(`${s.url}/tokenizer/${r.Id}`);
    expect(Math.abs(r.CreationDate - Date.now() / 1000)).toBeLessThan(60);
    // Two registrations never share their secrets.
    const other = await registration(user.Id);
    expect(other.AccessKey).not.toBe(r.AccessKey);
    expect(other.PreregistrationData).not.toBe(r.PreregistrationData);
  });

  it('takes the card types in any case and refuses others, and unknown currencies, naming the field', async () => {
    const user = await payer();
    expect((await registration(user.Id, { CardType: 'amex' })).CardType).toBe('AMEX');
    const bad = await s.call('POST', '/cardregistrations', { body: { UserId: user.Id, Currency: 'EUR', CardType: 'DINERS' } });
    expectApiError(bad, 400, 'param_error');
    expect(Object.keys(bad.body.errors)).toEqual(['CardType']);
    const currency = await s.call('POST', '/cardregistrations', { body: { UserId: user.Id, Currency: 'XYZ' } });
    expectApiError(currency, 400, 'param_error');
    expect(currency.body.errors.Currency).toMatch(/XYZ/);
    const missing = await s.call('POST', '/cardregistrations', { body: {} });
    expectApiError(missing, 400, 'param_error');
    expect(Object.keys(missing.body.errors).sort()).toEqual(['Currency', 'UserId']);
  });

  it('answers 404 ressource_not_found for an unknown user, and user_closed for a closed one', async () => {
    const unknown = await s.call('POST', '/cardregistrations', { body: { UserId: '12345678', Currency: 'EUR', CardType: 'CB_VISA_MASTERCARD' } });
    expectApiError(unknown, 404, 'ressource_not_found');
    // As the SDK's "Creating Invalid user card registration" test sees it.
    const error = await api.CardRegistrations.create({ UserId: '12345678', Currency: 'EUR', CardType: 'CB_VISA_MASTERCARD' }).catch((e: any) => e);
    expect(error.Type).toBe('ressource_not_found');
    const user = await payer();
    expect((await s.call('POST', `/sandbox/users/${user.Id}/close`, { body: {} })).status).toBe(204);
    expectApiError(await s.call('POST', '/cardregistrations', { body: { UserId: user.Id, Currency: 'EUR' } }), 400, 'user_closed');
  });

  it("never shows another client's registration, nor lets it register for another client's user", async () => {
    const user = await payer();
    const r = await registration(user.Id);
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const call = (method: string, path: string, body?: unknown) => s.fetch(method, `/v2.01/${other.id}${path}`, { token, body });
    expectApiError(await call('GET', `/cardregistrations/${r.Id}`), 404, 'ressource_not_found');
    expectApiError(await call('PUT', `/cardregistrations/${r.Id}`, { RegistrationData: 'data=x' }), 404, 'ressource_not_found');
    expectApiError(await call('POST', '/cardregistrations', { UserId: user.Id, Currency: 'EUR' }), 404, 'ressource_not_found');
  });
});

describe('the tokenizer (CardRegistrationURL)', () => {
  it('answers data=<token> as plain text, never JSON, no trailing newline, with CORS, and takes no bearer token', async () => {
    const user = await payer();
    const r = await registration(user.Id);
    const answer = await postForm(r.CardRegistrationURL, {
      data: r.PreregistrationData,
      accessKeyRef: r.AccessKey,
      cardNumber: TEST_CARDS.frictionless,
      cardExpirationDate: '1229',
      cardCvx: '123',
    }, { origin: 'https://shop.example' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.text).toMatch(/^data=[A-Za-z0-9_-]{150}$/);
    expect(() => JSON.parse(answer.text)).toThrow();
  });

  it('answers the CORS preflight of the browser kit', async () => {
    const user = await payer();
    const r = await registration(user.Id);
    const res = await fetch(r.CardRegistrationURL, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/content-type/);
  });

  it('is what the official SDK helper posts to (axios, no Authorization) and its answer goes back unchanged through the SDK', async () => {
    const john = await payer();
    const created = await api.CardRegistrations.create({ UserId: john.Id, Currency: 'EUR' });
    expect(created.Status).toBe('CREATED');
    expect(created.Currency).toBe('EUR');
    expect(created.UserId).toBe(john.Id);
    const fetched = await api.CardRegistrations.get(created.Id);
    expect(fetched.Id).toBe(created.Id);
    expect(fetched.PreregistrationData).toBe(created.PreregistrationData);
    const body = await api.method('post', undefined, {
      url: created.CardRegistrationURL,
      data: {
        data: created.PreregistrationData,
        accessKeyRef: created.AccessKey,
        cardNumber: TEST_CARDS.frictionless,
        cardExpirationDate: '1229',
        cardCvx: '123',
      },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    const registrationData = Buffer.from(body).toString();
    expect(registrationData).toMatch(/^data=/);
    created.RegistrationData = registrationData;
    // The SDK sends the whole merged object back, its nested `data` included.
    const updated = await api.CardRegistrations.update(created);
    expect(updated.RegistrationData).toBe(registrationData);
    expect(updated.Status).toBe('VALIDATED');
    expect(updated.ResultCode).toBe('000000');
    expect(updated.CardId).toMatch(/^card_m_/);
    const card = await api.Cards.get(updated.CardId);
    expect(card.UserId).toBe(john.Id);
  });

  it('registers each documented test card with its alias, brand, country and BIN facts', async () => {
    const user = await payer();
    const cases = [
      { number: TEST_CARDS.frictionless, type: undefined, alias: '497010XXXXXX1119', provider: 'VISA', country: 'FRA', cvx: '123', info: { IssuerCountryCode: 'MA', Type: 'CREDIT' } },
      { number: TEST_CARDS.challenge, type: undefined, alias: '497010XXXXXX8183', provider: 'VISA', country: 'FRA', cvx: '123', info: { IssuerCountryCode: 'FR', Type: 'DEBIT' } },
      { number: TEST_CARDS.maestro, type: 'MAESTRO', alias: '503395XXXXXX0004', provider: 'MAESTRO', country: 'BEL', cvx: '123', info: { IssuerCountryCode: 'BE', Type: 'DEBIT' } },
      { number: TEST_CARDS.amex, type: 'AMEX', alias: '375989XXXXX1119', provider: 'AMEX', country: 'USA', cvx: '1234', info: { IssuerCountryCode: 'US', Type: 'CHARGE CARD' } },
    ];
    for (const c of cases) {
      const card = await registerCard(s, user.Id, { number: c.number, cardType: c.type, cvx: c.cvx, expiry: '0330' });
      expect(card, c.number).toMatchObject({
        Alias: c.alias,
        CardProvider: c.provider,
        Country: c.country,
        CardType: c.type ?? 'CB_VISA_MASTERCARD',
        ExpirationDate: '0330',
        Validity: 'UNKNOWN',
        Active: true,
      });
      expect(card.Fingerprint).toMatch(/^[0-9a-f]{32}$/);
      // CardInfo, as the card's payments will show it: the BIN facts read at tokenization.
      const [{ card_info }] = await s.db.query<{ card_info: any }>('SELECT card_info FROM cards WHERE id = $1', [card.Id]);
      expect(card_info, c.number).toEqual({ BIN: c.number.slice(0, 6), Brand: c.provider, SubType: null, IssuingBank: expect.any(String), ...c.info });
    }
    // Maestro's CVC is not checked; a BCMC registration takes a Maestro card too.
    expect((await registerCard(s, user.Id, { number: TEST_CARDS.maestro, cardType: 'MAESTRO', cvx: '' })).CardType).toBe('MAESTRO');
    expect((await registerCard(s, user.Id, { number: TEST_CARDS.maestro, cardType: 'BCMC' })).CardProvider).toBe('MAESTRO');
  });

  it('refuses a bad number (02625), expiry (02626) or CVC (02627) as text, and the registration then ERRORs with 105202/3/4', async () => {
    const user = await payer();
    const cases: Array<{ card: { number: string; expiry?: string; cvx?: string }; type?: string; code: string; result: string }> = [
      { card: { number: '4970107111111118' }, code: '02625', result: '105202' }, // Luhn
      { card: { number: '4970 1071 1111 1119' }, code: '02625', result: '105202' }, // not digits only
      { card: { number: TEST_CARDS.frictionless }, type: 'AMEX', code: '02625', result: '105202' }, // brand not of the type
      { card: { number: TEST_CARDS.amex, cvx: '1234' }, code: '02625', result: '105202' }, // AMEX on CB_VISA_MASTERCARD
      { card: { number: TEST_CARDS.frictionless, expiry: '12227' }, code: '02626', result: '105203' },
      { card: { number: TEST_CARDS.frictionless, expiry: '1329' }, code: '02626', result: '105203' },
      { card: { number: TEST_CARDS.frictionless, expiry: '0120' }, code: '02626', result: '105203' }, // past
      { card: { number: TEST_CARDS.frictionless, cvx: '1234' }, code: '02627', result: '105204' },
      { card: { number: TEST_CARDS.frictionless, cvx: '12' }, code: '02627', result: '105204' },
      { card: { number: TEST_CARDS.frictionless, cvx: 'abc' }, code: '02627', result: '105204' },
      { card: { number: TEST_CARDS.amex, cvx: '12345' }, type: 'AMEX', code: '02627', result: '105204' },
    ];
    for (const c of cases) {
      const r = await registration(user.Id, c.type ? { CardType: c.type } : {});
      const answer = await tokenize(r, c.card);
      expect(answer, JSON.stringify(c)).toEqual({ status: 200, text: `errorCode=${c.code}` });
      const updated = await put(r.Id, { RegistrationData: answer.text });
      expect(updated.status).toBe(200);
      expect(updated.body, JSON.stringify(c)).toMatchObject({ Status: 'ERROR', CardId: null, ResultCode: c.result, RegistrationData: answer.text });
      expect(updated.body.ResultMessage).toEqual(expect.any(String));
    }
  });

  it('judges the expiry on the client sandbox clock', async () => {
    const user = await payer();
    const r = await registration(user.Id);
    const now = new Date();
    const mmyy = (d: Date) => String(d.getUTCMonth() + 1).padStart(2, '0') + String(d.getUTCFullYear() % 100).padStart(2, '0');
    // Valid this month; once the clock moves ~40 days ahead, the month is past.
    expect((await tokenize(r, { number: TEST_CARDS.frictionless, expiry: mmyy(now) })).text).toMatch(/^data=/);
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const u = (await s.fetch('POST', `/v2.01/${other.id}/sca/users/natural`, { token, body: naturalPayer() })).body;
    const created = await s.fetch('POST', `/v2.01/${other.id}/cardregistrations`, { token, body: { UserId: u.Id, Currency: 'EUR' } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const r2 = created.body;
    const advanced = await s.fetch('POST', `/v2.01/${other.id}/sandbox/clock/advance`, { token, body: { Seconds: 40 * 24 * 3600 } });
    expect(advanced.status).toBe(200);
    expect((await tokenize(r2, { number: TEST_CARDS.frictionless, expiry: mmyy(now) })).text).toBe('errorCode=02626');
  });

  it('answers errorCode=09101 to wrong field names, a wrong access key or data, an unknown or used registration, or no form', async () => {
    const user = await payer();
    const r = await registration(user.Id);
    const good = { data: r.PreregistrationData, accessKeyRef: r.AccessKey, cardNumber: TEST_CARDS.frictionless, cardExpirationDate: '1229', cardCvx: '123' };
    const expect09101 = async (url: string, fields: Record<string, string>) => {
      const a = await postForm(url, fields);
      expect(a.status, JSON.stringify(fields)).toBe(200);
      expect(a.text, JSON.stringify(fields)).toBe('errorCode=09101');
      expect(a.headers.get('content-type')).toMatch(/^text\/plain/);
    };
    const { data, accessKeyRef, ...card } = good;
    await expect09101(r.CardRegistrationURL, { PreRegistrationData: data, AccessKey: accessKeyRef, ...card });
    await expect09101(r.CardRegistrationURL, { ...good, accessKeyRef: 'x'.repeat(20) });
    await expect09101(r.CardRegistrationURL, { ...good, data: data.slice(1) });
    await expect09101(r.CardRegistrationURL, { data, accessKeyRef });
    await expect09101(`${s.url}/tokenizer/cardreg_m_unknown`, good);
    // Not a form: still text.
    const json = await fetch(r.CardRegistrationURL, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' });
    expect([json.status, await json.text()]).toEqual([200, 'errorCode=09101']);
    const nul = await postForm(r.CardRegistrationURL, { ...good, cardCvx: '1\u00002' });
    expect([nul.status, nul.text]).toEqual([200, 'errorCode=09101']);
    // The how-to guide's spelling of the access key works too.
    const { accessKeyRef: _k, ...rest } = good;
    const ok = await postForm(r.CardRegistrationURL, { ...rest, accessKey: accessKeyRef });
    expect(ok.text).toMatch(/^data=/);
    expect((await put(r.Id, { RegistrationData: ok.text })).body.Status).toBe('VALIDATED');
    // Used: no more tokens for it.
    await expect09101(r.CardRegistrationURL, good);
  });
});

describe('PUT /cardregistrations/{Id}', () => {
  it('answers a value without data= (105206), a wrong token (105206) and other tokenizer codes (105299) with HTTP 200 ERROR', async () => {
    const user = await payer();
    const cases = [
      ['Wrong-data', '105206'],
      ['data=not-the-token', '105206'],
      ['errorCode=09101', '105299'],
      ['errorCode=12345', '105299'],
    ];
    for (const [data, code] of cases) {
      const r = await registration(user.Id);
      await tokenize(r, { number: TEST_CARDS.frictionless });
      const updated = await put(r.Id, { RegistrationData: data });
      expect(updated.status).toBe(200);
      expect(Object.keys(updated.body)).toEqual(REGISTRATION_KEYS);
      expect(updated.body, data).toMatchObject({ Status: 'ERROR', ResultCode: code, CardId: null, RegistrationData: data });
    }
    // The SDK's Update Error test: the answer is merged into the request object.
    const created = await api.CardRegistrations.create({ UserId: user.Id, Currency: 'EUR' });
    created.RegistrationData = 'Wrong-data';
    await api.CardRegistrations.update(created);
    expect(created.Status).toBe('ERROR');
    expect(created.ResultCode).toBe('105206');
    expect(created.ResultMessage).toBe('Registration data : Invalid format');
  });

  it('copies CardHolderName (2 to 255 characters) and the Tag to the card; the registration does not show the name', async () => {
    const user = await payer();
    const r = await registration(user.Id, { Tag: 'from the registration' });
    const answer = await tokenize(r, { number: TEST_CARDS.frictionless });
    for (const name of ['J', 'x'.repeat(256)]) {
      const refused = await put(r.Id, { RegistrationData: answer.text, CardHolderName: name });
      expectApiError(refused, 400, 'param_error');
      expect(refused.body.errors).toEqual({ CardHolderName: 'The field CardHolderName must be between 2 and 255 characters long.' });
    }
    const updated = await put(r.Id, { RegistrationData: answer.text, CardHolderName: 'John Doe' });
    expect(updated.body.Status).toBe('VALIDATED');
    expect(updated.body).not.toHaveProperty('CardHolderName');
    const card = await s.call('GET', `/cards/${updated.body.CardId}`);
    expect(card.body).toMatchObject({ CardHolderName: 'John Doe', Tag: 'from the registration', UserId: user.Id, Currency: 'EUR' });
  });

  it('makes one card only: the same data again answers the registration unchanged, other data is refused', async () => {
    const user = await payer();
    const r = await registration(user.Id);
    const answer = await tokenize(r, { number: TEST_CARDS.frictionless });
    const first = await put(r.Id, { RegistrationData: answer.text });
    const again = await put(r.Id, { RegistrationData: answer.text });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const other = await put(r.Id, { RegistrationData: 'errorCode=02625' });
    expectApiError(other, 400, 'param_error');
    expect(Object.keys(other.body.errors)).toEqual(['RegistrationData']);
    const cards = await s.call('GET', `/users/${user.Id}/cards`);
    expect(cards.body.map((c: any) => c.Id)).toEqual([first.body.CardId]);
    expect((await s.call('GET', `/cardregistrations/${r.Id}`)).body).toEqual(first.body);
    // An ERROR registration is final as well.
    const failed = await registration(user.Id);
    await put(failed.Id, { RegistrationData: 'Wrong-data' });
    const late = await tokenize(failed, { number: TEST_CARDS.frictionless });
    expect(late.text).toBe('errorCode=09101');
    expectApiError(await put(failed.Id, { RegistrationData: 'data=whatever' }), 400, 'param_error');
  });

  it('checks the registration before the body: 404 for an unknown id whatever is sent; RegistrationData is required', async () => {
    expectApiError(await put('cardreg_m_nope', {}), 404, 'ressource_not_found');
    const user = await payer();
    const r = await registration(user.Id);
    const missing = await put(r.Id, { CardHolderName: 'John Doe' });
    expectApiError(missing, 400, 'param_error');
    expect(Object.keys(missing.body.errors)).toEqual(['RegistrationData']);
    expect((await s.call('GET', `/cardregistrations/${r.Id}`)).body.Status).toBe('CREATED');
  });

  it('uses the last token the tokenizer handed out', async () => {
    const user = await payer();
    const r = await registration(user.Id);
    const first = await tokenize(r, { number: TEST_CARDS.frictionless });
    const second = await tokenize(r, { number: TEST_CARDS.challenge });
    expect(first.text).not.toBe(second.text);
    expect((await put(r.Id, { RegistrationData: first.text })).body.ResultCode).toBe('105206');
    const r2 = await registration(user.Id);
    await tokenize(r2, { number: TEST_CARDS.frictionless });
    const last = await tokenize(r2, { number: TEST_CARDS.challenge });
    const updated = await put(r2.Id, { RegistrationData: last.text });
    expect((await s.call('GET', `/cards/${updated.body.CardId}`)).body.Alias).toBe('497010XXXXXX8183');
  });

  it('refuses to make a card for a user closed since the registration', async () => {
    const user = await payer();
    const r = await registration(user.Id);
    const answer = await tokenize(r, { number: TEST_CARDS.frictionless });
    expect((await s.call('POST', `/sandbox/users/${user.Id}/close`, { body: {} })).status).toBe(204);
    expectApiError(await put(r.Id, { RegistrationData: answer.text }), 400, 'user_closed');
    expect((await s.call('GET', `/cardregistrations/${r.Id}`)).body.Status).toBe('CREATED');
  });

  it('never echoes a card number pasted into RegistrationData', async () => {
    const user = await payer();
    const r = await registration(user.Id);
    const updated = await put(r.Id, { RegistrationData: `cardNumber=${TEST_CARDS.frictionless}` });
    expect(updated.body).toMatchObject({ Status: 'ERROR', ResultCode: '105206', RegistrationData: 'cardNumber=497010XXXXXX1119' });
  });
});
