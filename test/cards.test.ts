import { describe, expect, it } from 'vitest';
import { expectApiError } from './helpers/errors.js';
import { naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer } from './helpers/server.js';
import { BROWSER_INFO, IP_ADDRESS, registerCard, TEST_CARDS } from './helpers/cards.js';

const { s, api } = fileServer();

const CARD_KEYS = [
  'ExpirationDate', 'Alias', 'CardType', 'CardProvider', 'Country', 'Product', 'BankCode', 'Active', 'Currency', 'Validity', 'UserId',
  'Id', 'Tag', 'CreationDate', 'Fingerprint', 'CardHolderName',
];

const payer = () => createUser(s, 'natural', naturalPayer());

async function directPayIn(user: any, cardId: string, amount = 1000): Promise<any> {
  const wallet = await s.call('POST', '/wallets', { body: { Owners: [user.Id], Currency: 'EUR', Description: 'w' } });
  const r = await s.call('POST', '/payins/card/direct', {
    body: {
      AuthorId: user.Id,
      CreditedWalletId: wallet.body.Id,
      DebitedFunds: { Currency: 'EUR', Amount: amount },
      Fees: { Currency: 'EUR', Amount: 0 },
      CardId: cardId,
      SecureModeReturnURL: 'https://shop.example/back',
      BrowserInfo: BROWSER_INFO,
      IpAddress: IP_ADDRESS,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

describe('GET /cards/{Id}', () => {
  it("shows a card in Mangopay key order, never another client's", async () => {
    const user = await payer();
    const c = await registerCard(s, user.Id);
    const r = await s.call('GET', `/cards/${c.Id}`);
    expect(Object.keys(r.body)).toEqual(CARD_KEYS);
    expect(r.body).toMatchObject({
      ExpirationDate: '1229',
      Alias: '497010XXXXXX1119',
      CardType: 'CB_VISA_MASTERCARD',
      CardProvider: 'VISA',
      Country: 'FRA',
      Product: 'I',
      BankCode: 'unknown',
      Active: true,
      Currency: 'EUR',
      Validity: 'UNKNOWN',
      UserId: user.Id,
      Tag: null,
      CardHolderName: null,
    });
    expect(r.body.Id).toMatch(/^card_m_/);
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/cards/${c.Id}`, { token }), 404, 'ressource_not_found');
    expectApiError(await s.fetch('PUT', `/v2.01/${other.id}/cards/${c.Id}`, { token, body: { Active: false } }), 404, 'ressource_not_found');
    expectApiError(await s.fetch('GET', `/v2.01/${other.id}/cards/${c.Id}/transactions`, { token }), 404, 'ressource_not_found');
    expectApiError(await s.call('GET', '/cards/card_m_nope'), 404, 'ressource_not_found');
  });

  it('turns a card left unused 24 hours INVALID, on the sandbox clock; a card used in time keeps its validity', async () => {
    const other = await s.newClient();
    const sdk = s.sdk(other);
    // A fresh token for each call: moving the clock a day ends the tokens of before.
    const freshToken = async () => {
      const r = await s.fetch('POST', '/v2.01/oauth/token', {
        raw: 'grant_type=client_credentials',
        contentType: 'application/x-www-form-urlencoded',
        headers: { authorization: `Basic ${Buffer.from(`${other.id}:${other.apiKey}`).toString('base64')}` },
      });
      return r.body.access_token as string;
    };
    const call = async (method: string, path: string, b?: unknown) =>
      s.fetch(method, `/v2.01/${other.id}${path}`, { token: await freshToken(), body: b });
    const user = (await call('POST', '/sca/users/natural', naturalPayer())).body;
    const register = async () => {
      const reg = await sdk.CardRegistrations.create({ UserId: user.Id, Currency: 'EUR' });
      const { tokenize } = await import('./helpers/cards.js');
      reg.RegistrationData = (await tokenize(reg, { number: TEST_CARDS.frictionless })).text;
      return (await sdk.CardRegistrations.update(reg)).CardId;
    };
    const unused = await register();
    const validated = await register();
    const v = await call('POST', `/cards/${validated}/validation`, {
      AuthorId: user.Id,
      SecureModeReturnURL: 'https://shop.example',
      IpAddress: IP_ADDRESS,
      BrowserInfo: BROWSER_INFO,
    });
    expect(v.body.Status).toBe('SUCCEEDED');
    expect((await call('POST', '/sandbox/clock/advance', { Seconds: 23 * 3600 })).status).toBe(200);
    expect((await call('GET', `/cards/${unused}`)).body.Validity).toBe('UNKNOWN');
    expect((await call('POST', '/sandbox/clock/advance', { Seconds: 3600 + 60 })).status).toBe(200);
    expect((await call('GET', `/cards/${unused}`)).body.Validity).toBe('INVALID');
    expect((await call('GET', `/cards/${validated}`)).body.Validity).toBe('VALID');
    const listed = (await call('GET', `/users/${user.Id}/cards`)).body;
    expect(listed.map((c: any) => [c.Id, c.Validity])).toEqual([
      [unused, 'INVALID'],
      [validated, 'VALID'],
    ]);
  });
});

describe('PUT /cards/{Id}', () => {
  it('deactivates for good: twice is card_already_not_active, reactivating is refused; the SDK body passes', async () => {
    const user = await payer();
    const c = await registerCard(s, user.Id);
    const updated = await api.Cards.update({ Id: c.Id, Active: false });
    expect(updated.Active).toBe(false);
    const again = await s.call('PUT', `/cards/${c.Id}`, { body: { Active: false } });
    expectApiError(again, 400, 'card_already_not_active');
    expect(again.body.Message).toBe('The card has already been deactivated');
    expect(again.body.errors).toBeNull();
    expectApiError(await s.call('PUT', `/cards/${c.Id}`, { body: { Active: true } }), 400, 'param_error');
    expect((await s.call('GET', `/cards/${c.Id}`)).body.Active).toBe(false);
  });

  it('sets CardHolderName once (the same name again is no change), 2 to 255 characters', async () => {
    const user = await payer();
    const c = await registerCard(s, user.Id);
    const short = await s.call('PUT', `/cards/${c.Id}`, { body: { CardHolderName: 'J' } });
    expectApiError(short, 400, 'param_error');
    expect(short.body.errors).toEqual({ CardHolderName: 'The field CardHolderName must be between 2 and 255 characters long.' });
    const set = await s.call('PUT', `/cards/${c.Id}`, { body: { CardHolderName: 'John Doe' } });
    expect(set.body).toMatchObject({ CardHolderName: 'John Doe', Active: true });
    const exists = await s.call('PUT', `/cards/${c.Id}`, { body: { CardHolderName: 'Jane Doe', Active: false } });
    expectApiError(exists, 400, 'param_error');
    expect(exists.body.errors).toEqual({ cardHolderName: 'card holder name already exists' });
    // Refused as a whole: still active.
    expect((await s.call('GET', `/cards/${c.Id}`)).body.Active).toBe(true);
    // The whole card sent back, as an SDK user would after a GET.
    const whole = await api.Cards.get(c.Id);
    whole.Active = false;
    const done = await api.Cards.update(whole);
    expect(done).toMatchObject({ Active: false, CardHolderName: 'John Doe' });
  });
});

describe('card lists', () => {
  it("GET /users/{Id}/cards: the user's cards, filtered by Active, paged and sorted", async () => {
    const user = await payer();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await registerCard(s, user.Id)).Id);
    await s.call('PUT', `/cards/${ids[1]}`, { body: { Active: false } });
    const all = await s.call('GET', `/users/${user.Id}/cards`);
    expect(all.body.map((c: any) => c.Id)).toEqual(ids);
    expect(all.headers.get('x-number-of-items')).toBe('3');
    expect(all.body.every((c: any) => Object.keys(c).join() === CARD_KEYS.join())).toBe(true);
    expect((await s.call('GET', `/users/${user.Id}/cards?Active=false`)).body.map((c: any) => c.Id)).toEqual([ids[1]]);
    expect((await s.call('GET', `/users/${user.Id}/cards?active=true`)).body.map((c: any) => c.Id)).toEqual([ids[0], ids[2]]);
    const page = await s.call('GET', `/users/${user.Id}/cards?per_page=2&page=2&Sort=CreationDate:DESC`);
    expect(page.body.map((c: any) => c.Id)).toEqual([ids[0]]);
    expect(page.headers.get('x-number-of-pages')).toBe('2');
    expectApiError(await s.call('GET', `/users/${user.Id}/cards?Sort=Alias:ASC`), 400, 'param_error');
    expectApiError(await s.call('GET', '/users/user_m_nope/cards'), 404, 'ressource_not_found');
    const sdk = await api.Users.getCards(user.Id);
    expect(sdk).toHaveLength(3);
    expect(sdk.every((c: any) => c.UserId === user.Id)).toBe(true);
  });

  it("fingerprints: the same number gives the same fingerprint, lists the client's cards and users only", async () => {
    const a = await payer();
    const b = await payer();
    const a1 = await registerCard(s, a.Id);
    const b1 = await registerCard(s, b.Id);
    const other = await registerCard(s, a.Id, { number: TEST_CARDS.challenge });
    expect(a1.Fingerprint).toBe(b1.Fingerprint);
    expect(other.Fingerprint).not.toBe(a1.Fingerprint);
    const client2 = await s.newClient();
    const token = await s.tokenFor(client2);
    const u2 = (await s.fetch('POST', `/v2.01/${client2.id}/sca/users/natural`, { token, body: naturalPayer() })).body;
    const reg = (await s.fetch('POST', `/v2.01/${client2.id}/cardregistrations`, { token, body: { UserId: u2.Id, Currency: 'EUR' } })).body;
    const { tokenize } = await import('./helpers/cards.js');
    const put = await s.fetch('PUT', `/v2.01/${client2.id}/cardregistrations/${reg.Id}`, {
      token,
      body: { RegistrationData: (await tokenize(reg, { number: TEST_CARDS.frictionless })).text },
    });
    const theirs = (await s.fetch('GET', `/v2.01/${client2.id}/cards/${put.body.CardId}`, { token })).body;
    // One key per installation: the other client's card has the same fingerprint, but is never listed here.
    expect(theirs.Fingerprint).toBe(a1.Fingerprint);

    const listed = await s.call('GET', `/cards/fingerprints/${a1.Fingerprint}`);
    const ours = listed.body.map((c: any) => c.Id);
    expect(ours).toContain(a1.Id);
    expect(ours).toContain(b1.Id);
    expect(ours).not.toContain(theirs.Id);
    expect(ours).not.toContain(other.Id);
    const mine = await s.fetch('GET', `/v2.01/${client2.id}/cards/fingerprints/${a1.Fingerprint}`, { token });
    expect(mine.body.map((c: any) => c.Id)).toEqual([theirs.Id]);
    expect((await s.call('GET', '/cards/fingerprints/0123456789abcdef0123456789abcdef')).body).toEqual([]);

    const users = await s.call('GET', `/cards/fingerprints/${other.Fingerprint}/users`);
    expect(users.body.map((u: any) => u.Id)).toEqual([a.Id]);
    const both = (await s.call('GET', `/cards/fingerprints/${a1.Fingerprint}/users`)).body.map((u: any) => u.Id);
    expect(both).toEqual(expect.arrayContaining([a.Id, b.Id]));
    expect(both).not.toContain(u2.Id);

    const sdk = await api.Cards.getByFingerprint(a1.Fingerprint);
    expect(sdk.every((c: any) => c.Fingerprint === a1.Fingerprint)).toBe(true);
  });

  it('lists the payments of a card and of a fingerprint, with the transaction filters', async () => {
    const user = await payer();
    const c = await registerCard(s, user.Id);
    const twin = await registerCard(s, user.Id);
    const p1 = await directPayIn(user, c.Id);
    const p2 = await directPayIn(user, twin.Id, 33305);
    expect(p1.Status).toBe('SUCCEEDED');
    expect(p2.Status).toBe('FAILED');
    const byCard = await s.call('GET', `/cards/${c.Id}/transactions`);
    expect(byCard.body.map((t: any) => t.Id)).toEqual([p1.Id]);
    const byPrint = await s.call('GET', `/cards/fingerprints/${c.Fingerprint}/transactions`);
    expect(byPrint.body.map((t: any) => t.Id)).toEqual(expect.arrayContaining([p1.Id, p2.Id]));
    const failed = await s.call('GET', `/cards/fingerprints/${c.Fingerprint}/transactions?Status=FAILED`);
    expect(failed.body.map((t: any) => t.Id)).toEqual([p2.Id]);
    expectApiError(await s.call('GET', `/cards/${c.Id}/transactions?Status=NOPE`), 400, 'param_error');
    const sdk = await api.Cards.getTransactions(c.Id);
    expect(sdk.map((t: any) => t.Id)).toEqual([p1.Id]);
    expect(Array.isArray(await api.Cards.getTransactionsForFingerprint(c.Fingerprint))).toBe(true);
    // A judged card shows it.
    expect((await s.call('GET', `/cards/${c.Id}`)).body.Validity).toBe('VALID');
  });
});
