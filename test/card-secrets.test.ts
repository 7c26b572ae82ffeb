import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.js';
import { createClient, type NewClient } from '../src/modules/auth/service.js';
import { buildServer } from '../src/server.js';
import { naturalPayer } from './helpers/fixtures.js';
import { BROWSER_INFO, IP_ADDRESS, tokenize } from './helpers/cards.js';
import { scanDatabase, uniqueCardNumber } from './helpers/secrets.js';
import { openTestDb } from './helpers/server.js';

/*
 * A card number given to the tokenizer must end up nowhere: in no column of any table, in no log line
 * (the server's logger at its most verbose), whatever happens to the request.
 */

const NUMBER = uniqueCardNumber();
const SPACED = NUMBER.replace(/(\d{4})(?=\d)/g, '$1 ');
// The digits the alias hides, with one on either side: a copy of more than the alias would hold them.
const MIDDLE = NUMBER.slice(5, 13);
const CVX = '739';

let db: Awaited<ReturnType<typeof openTestDb>>;
let app: FastifyInstance;
let url: string;
let client: NewClient;
let token: string;
const logLines: string[] = [];

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/v2.01/${client.id}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function raw(path: string, contentType: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, text: await res.text() };
}

beforeAll(async () => {
  db = await openTestDb();
  // As `mangrove serve` sets it up (logger: { level }), at the most verbose level, into memory.
  app = await buildServer({
    db,
    config: loadConfig({ PORT: '0' }),
    logger: { level: 'trace', stream: { write: (line: string) => void logLines.push(line) } },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  client = await createClient(db);
  const res = await fetch(`${url}/v2.01/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.apiKey}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  token = ((await res.json()) as any).access_token;
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('card numbers and CVCs are kept nowhere', () => {
  it('after registrations, refusals, odd requests, a payment and a validation: in no table and no log line', async () => {
    const user = (await call('POST', '/sca/users/natural', naturalPayer())).body;
    const reg = async (over: Record<string, unknown> = {}) => (await call('POST', '/cardregistrations', { UserId: user.Id, Currency: 'EUR', ...over })).body;

    // The card registered.
    const r = await reg();
    const answer = await tokenize(r, { number: NUMBER, cvx: CVX });
    expect(answer.text).toMatch(/^data=/);
    const updated = await call('PUT', `/cardregistrations/${r.Id}`, { RegistrationData: answer.text, CardHolderName: 'John Doe' });
    expect(updated.body.Status).toBe('VALIDATED');
    const card = (await call('GET', `/cards/${updated.body.CardId}`)).body;
    expect(card.Alias).toBe(`${NUMBER.slice(0, 6)}XXXXXX${NUMBER.slice(-4)}`);

    // Refused by the tokenizer: each check, and requests it cannot read.
    const r2 = await reg();
    expect((await tokenize(r2, { number: NUMBER, cvx: '73' })).text).toBe('errorCode=02627');
    expect((await tokenize(r2, { number: NUMBER, expiry: '1399', cvx: CVX })).text).toBe('errorCode=02626');
    expect((await tokenize(await reg({ CardType: 'AMEX' }), { number: NUMBER, cvx: CVX })).text).toBe('errorCode=02625');
    expect((await tokenize({ ...r2, AccessKey: 'wrong' }, { number: NUMBER, cvx: CVX })).text).toBe('errorCode=09101');
    expect((await tokenize({ ...r2, CardRegistrationURL: `${url}/tokenizer/cardreg_m_nope` }, { number: NUMBER, cvx: CVX })).text).toBe(
      'errorCode=09101',
    );
    const form = `data=${r2.PreregistrationData}&accessKeyRef=${r2.AccessKey}&cardNumber=${NUMBER}&cardExpirationDate=1229&cardCvx=${CVX}`;
    expect(await raw(`/tokenizer/${r2.Id}`, 'application/json', `{"cardNumber":"${NUMBER}", oops`)).toEqual({ status: 200, text: 'errorCode=09101' });
    expect(await raw(`/tokenizer/${r2.Id}`, 'text/plain', form)).toEqual({ status: 200, text: 'errorCode=09101' });
    expect(await raw(`/tokenizer/${r2.Id}`, 'application/x-www-form-urlencoded', `${form}&x=%00`)).toEqual({ status: 200, text: 'errorCode=09101' });
    expect((await raw(`/tokenizer/${r2.Id}?cardNumber=${NUMBER}`, 'application/x-www-form-urlencoded', form)).text).toMatch(/^data=/);

    // A number pasted into the update instead of the tokenizer's answer.
    const r3 = await reg();
    expect((await call('PUT', `/cardregistrations/${r3.Id}`, { RegistrationData: `data=${NUMBER}` })).body.RegistrationData).not.toContain(NUMBER);

    // The card used: a direct pay-in and a validation.
    const wallet = (await call('POST', '/wallets', { Owners: [user.Id], Currency: 'EUR', Description: 'w' })).body;
    const payIn = await call('POST', '/payins/card/direct', {
      AuthorId: user.Id,
      CreditedWalletId: wallet.Id,
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      Fees: { Currency: 'EUR', Amount: 0 },
      CardId: card.Id,
      SecureModeReturnURL: 'https://shop.example',
      BrowserInfo: BROWSER_INFO,
      IpAddress: IP_ADDRESS,
    });
    expect(payIn.status, JSON.stringify(payIn.body)).toBe(200);
    const second = await reg();
    const secondAnswer = await tokenize(second, { number: NUMBER, cvx: CVX });
    const secondCard = (await call('PUT', `/cardregistrations/${second.Id}`, { RegistrationData: secondAnswer.text })).body.CardId;
    const validation = await call('POST', `/cards/${secondCard}/validation`, {
      AuthorId: user.Id,
      SecureModeReturnURL: 'https://shop.example',
      IpAddress: IP_ADDRESS,
      BrowserInfo: BROWSER_INFO,
    });
    expect(validation.status, JSON.stringify(validation.body)).toBe(200);

    // Every column of every table of the schema.
    const tables = await db.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['card_registrations', 'cards', 'transactions', 'events']));
    expect(await scanDatabase(db, [NUMBER, SPACED, MIDDLE])).toEqual([]);

    // And no log line, though the logger wrote one for each request.
    const log = logLines.join('');
    expect(log).toContain(`/tokenizer/${r2.Id}`);
    for (const needle of [NUMBER, SPACED, MIDDLE, 'cardNumber', 'cardCvx']) expect(log, needle).not.toContain(needle);
  });
});
