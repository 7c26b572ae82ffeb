import { describe, expect, it } from 'vitest';
import { decideSecureSession } from '../src/modules/secure-mode/service.js';
import { expectApiError } from './helpers/errors.js';
import { naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';
import { BROWSER_INFO, IP_ADDRESS, registerCard, TEST_CARDS } from './helpers/cards.js';
import { eventTypesOf } from './helpers/reads.js';

const { s, api } = fileServer();

const VALIDATION_KEYS = [
  'Id', 'AuthorId', 'Status', 'SecureModeReturnURL', 'SecureModeRedirectURL', 'SecureModeNeeded', 'IpAddress', 'BrowserInfo',
  'PreferredCardNetwork', 'SecureMode', 'PaymentCategory', 'ValidationUsage', 'Validity', 'CreationDate', 'AuthorizationDate', 'Type',
  'Applied3DSVersion', 'ResultCode', 'ResultMessage', 'Tag', 'CardInfo',
];

const payer = () => createUser(s, 'natural', naturalPayer());
const body = (authorId: string, over: Record<string, unknown> = {}) => ({
  AuthorId: authorId,
  SecureModeReturnURL: 'https://shop.example/back',
  IpAddress: IP_ADDRESS,
  BrowserInfo: BROWSER_INFO,
  ...over,
});
const validate = (cardId: string, b: Record<string, unknown>) => s.call('POST', `/cards/${cardId}/validation`, { body: b });
const card = async (cardId: string) => (await s.call('GET', `/cards/${cardId}`)).body;
/** The secret id of a 3-D Secure session, from its page URL. */
const sessionOf = (url: string) => url.split('/').pop()!;
const clientNow = async () => (await s.call('GET', '/sandbox/clock')).body.Date;

describe('POST /cards/{CardId}/validation', () => {
  it('validates a frictionless card at once (SUCCEEDED, card VALID), in Mangopay key order, with its events', async () => {
    const user = await payer();
    const c = await registerCard(s, user.Id);
    const r = await validate(c.Id, body(user.Id, { Tag: 't' }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Object.keys(r.body)).toEqual(VALIDATION_KEYS);
    expect(r.body).toMatchObject({
      AuthorId: user.Id,
      Status: 'SUCCEEDED',
      SecureModeReturnURL: `https://shop.example/back?cardValidationId=${r.body.Id}`,
      SecureModeRedirectURL: null,
      SecureModeNeeded: false,
      IpAddress: IP_ADDRESS,
      BrowserInfo: BROWSER_INFO,
      PreferredCardNetwork: null,
      SecureMode: 'DEFAULT',
      PaymentCategory: 'ECommerce',
      ValidationUsage: 'MIT',
      Validity: 'VALID',
      Type: 'CARD_VALIDATION',
      ResultCode: '000000',
      ResultMessage: 'Success',
      Tag: 't',
      CardInfo: { BIN: '497010', Brand: 'VISA' },
    });
    expect(Object.keys(r.body.BrowserInfo)).toEqual([
      'AcceptHeader', 'JavaEnabled', 'Language', 'ColorDepth', 'ScreenHeight', 'ScreenWidth', 'TimeZoneOffset', 'UserAgent', 'JavascriptEnabled',
    ]);
    expect(r.body.AuthorizationDate).toBe(r.body.CreationDate);
    expect((await card(c.Id)).Validity).toBe('VALID');
    expect(await eventTypesOf(s.db, r.body.Id)).toEqual(['CARD_VALIDATION_CREATED', 'CARD_VALIDATION_SUCCEEDED']);
    const got = await s.call('GET', `/cards/${c.Id}/validation/${r.body.Id}`);
    expect(got.body).toEqual(r.body);
    // Not a transaction.
    expect((await s.call('GET', `/cards/${c.Id}/transactions`)).body).toEqual([]);
    expect((await s.call('GET', `/users/${user.Id}/transactions`)).body).toEqual([]);
  });

  it('is what the SDK sends (Cards.validate, Cards.getCardValidation), with the return URL of the SDK tests', async () => {
    const john = await payer();
    const c = await api.Cards.get((await registerCard(s, john.Id)).Id);
    expect(c.Validity).toBe('UNKNOWN');
    const v = await api.Cards.validate(c.Id, { AuthorId: john.Id, SecureModeReturnURL: 'http://example.com', IpAddress: IP_ADDRESS, BrowserInfo: BROWSER_INFO });
    expect(v.Id).toBeDefined();
    expect(v.Type).toBe('CARD_VALIDATION');
    expect(v.SecureModeReturnURL).toBe(`http://example.com?cardValidationId=${v.Id}`);
    const got = await api.Cards.getCardValidation(c.Id, v.Id);
    expect(got.Id).toBe(v.Id);
    expect(got.Type).toBe('CARD_VALIDATION');
    const list = await api.Cards.getByFingerprint(c.Fingerprint);
    expect(list.every((x: any) => x.Fingerprint === c.Fingerprint)).toBe(true);
  });

  it('waits for the 3-D Secure page with a challenge card; approved, it SUCCEEDS and the card is VALID', async () => {
    const user = await payer();
    const c = await registerCard(s, user.Id, { number: TEST_CARDS.challenge });
    const r = await validate(c.Id, body(user.Id, { SecureModeReturnURL: 'https://shop.example/back?x=1' }));
    expect(r.body).toMatchObject({ Status: 'CREATED', SecureModeNeeded: true, Validity: 'UNKNOWN', ResultCode: null, AuthorizationDate: null });
    expect(r.body.SecureModeReturnURL).toBe(`https://shop.example/back?x=1&cardValidationId=${r.body.Id}`);
    expect(r.body.SecureModeRedirectURL).toMatch(new RegExp(`^${s.url}/3ds/[0-9a-f]+$`));
    // Being validated: a second one is refused.
    const again = await validate(c.Id, body(user.Id));
    expectApiError(again, 400, 'param_error');
    expect(again.body.errors).toEqual({ CardId: 'This card is already being validated.' });
    const now = await clientNow();
    await decideSecureSession(s.db, sessionOf(r.body.SecureModeRedirectURL), 'APPROVED', async () => now);
    const got = (await s.call('GET', `/cards/${c.Id}/validation/${r.body.Id}`)).body;
    expect(got).toMatchObject({ Status: 'SUCCEEDED', ResultCode: '000000', Validity: 'VALID', AuthorizationDate: now });
    expect((await card(c.Id)).Validity).toBe('VALID');
    expect(await eventTypesOf(s.db, r.body.Id)).toEqual(['CARD_VALIDATION_CREATED', 'CARD_VALIDATION_SUCCEEDED']);
    const valid = await validate(c.Id, body(user.Id));
    expect(valid.body.errors).toEqual({ CardId: 'This card is already VALID.' });
  });

  it('refused on the page: FAILED 101301 and the card INVALID (final)', async () => {
    const user = await payer();
    const c = await registerCard(s, user.Id, { number: TEST_CARDS.challenge });
    const r = await validate(c.Id, body(user.Id));
    await decideSecureSession(s.db, sessionOf(r.body.SecureModeRedirectURL), 'REFUSED', async () => clientNow());
    const got = (await s.call('GET', `/cards/${c.Id}/validation/${r.body.Id}`)).body;
    expect(got).toMatchObject({ Status: 'FAILED', ResultCode: '101301', Validity: 'INVALID', AuthorizationDate: null });
    expect((await card(c.Id)).Validity).toBe('INVALID');
    expect(await eventTypesOf(s.db, r.body.Id)).toEqual(['CARD_VALIDATION_CREATED', 'CARD_VALIDATION_FAILED']);
    expect((await validate(c.Id, body(user.Id))).body.errors).toEqual({ CardId: 'This card is INVALID.' });
  });

  it('FORCE challenges a frictionless card too; left 5 minutes it FAILS 101304 when read, the card stays UNKNOWN', async () => {
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const call = (method: string, path: string, b?: unknown) => s.fetch(method, `/v2.01/${other.id}${path}`, { token, body: b });
    const user = (await call('POST', '/sca/users/natural', naturalPayer())).body;
    const reg = (await call('POST', '/cardregistrations', { UserId: user.Id, Currency: 'EUR' })).body;
    const { tokenize } = await import('./helpers/cards.js');
    const answer = await tokenize(reg, { number: TEST_CARDS.frictionless });
    const cardId = (await call('PUT', `/cardregistrations/${reg.Id}`, { RegistrationData: answer.text })).body.CardId;
    const r = await call('POST', `/cards/${cardId}/validation`, body(user.Id, { SecureMode: 'force', ValidationUsage: 'CIT' }));
    expect(r.body).toMatchObject({ Status: 'CREATED', SecureMode: 'FORCE', SecureModeNeeded: true, ValidationUsage: 'MIT' });
    expect((await call('POST', '/sandbox/clock/advance', { Seconds: 280 })).status).toBe(200);
    expect((await call('GET', `/cards/${cardId}/validation/${r.body.Id}`)).body.Status).toBe('CREATED');
    expect((await call('POST', '/sandbox/clock/advance', { Seconds: 21 })).status).toBe(200);
    const got = (await call('GET', `/cards/${cardId}/validation/${r.body.Id}`)).body;
    expect(got).toMatchObject({ Status: 'FAILED', ResultCode: '101304', Validity: 'UNKNOWN' });
    expect((await call('GET', `/cards/${cardId}`)).body.Validity).toBe('UNKNOWN');
    // No longer being validated: it may be tried again.
    const again = await call('POST', `/cards/${cardId}/validation`, body(user.Id));
    expect(again.body.Status).toBe('SUCCEEDED');
  });

  it('refuses other card types under errors.CardId, and a FAILED validation for a card not the author\'s or inactive', async () => {
    const user = await payer();
    const amex = await registerCard(s, user.Id, { number: TEST_CARDS.amex, cardType: 'AMEX', cvx: '1234' });
    const r = await validate(amex.Id, body(user.Id));
    expectApiError(r, 400, 'param_error');
    expect(r.body.errors).toEqual({ CardId: 'The underlying card type is invalid. Only card type CB_VISA_MASTERCARD is accepted on this feature.' });

    const c = await registerCard(s, user.Id);
    const stranger = await payer();
    const notOwner = await validate(c.Id, body(stranger.Id));
    expect(notOwner.body).toMatchObject({ Status: 'FAILED', ResultCode: '001023', Validity: 'UNKNOWN' });
    expect((await card(c.Id)).Validity).toBe('UNKNOWN');

    expect((await s.call('PUT', `/cards/${c.Id}`, { body: { Active: false } })).status).toBe(200);
    const inactive = await validate(c.Id, body(user.Id));
    expect(inactive.body).toMatchObject({ Status: 'FAILED', ResultCode: '101410', Validity: 'INVALID' });
    expect((await card(c.Id)).Validity).toBe('INVALID');
  });

  it('checks the card, then the body (param_error naming the fields), then the author', async () => {
    const user = await payer();
    expectApiError(await validate('card_m_nope', {}), 404, 'ressource_not_found');
    const c = await registerCard(s, user.Id);
    const r = await validate(c.Id, { AuthorId: user.Id, SecureModeReturnURL: 'not a url', BrowserInfo: { ...BROWSER_INFO, Language: 'French' } });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors).sort()).toEqual(['BrowserInfo.Language', 'IpAddress', 'SecureModeReturnURL']);
    expectApiError(await validate(c.Id, body('user_m_nope')), 404, 'ressource_not_found');
    expect((await card(c.Id)).Validity).toBe('UNKNOWN');
  });

  it("GET answers 404 for another card's validation, an unknown one, and another client's", async () => {
    const user = await payer();
    const c = await registerCard(s, user.Id);
    const c2 = await registerCard(s, user.Id);
    const v = (await validate(c.Id, body(user.Id))).body;
    expectApiError(await s.call('GET', `/cards/${c2.Id}/validation/${v.Id}`), 404, 'ressource_not_found');
    expectApiError(await s.call('GET', `/cards/${c.Id}/validation/cardval_m_nope`), 404, 'ressource_not_found');
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/cards/${c.Id}/validation/${v.Id}`, { token }), 404, 'ressource_not_found');
    expectApiError(await s.fetch('POST', `/v2.01/${other.id}/cards/${c.Id}/validation`, { token, body: body(user.Id) }), 404, 'ressource_not_found');
  });
});
