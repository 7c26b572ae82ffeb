import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createClient, type NewClient } from '../src/modules/auth/service.js';
import { buildServer } from '../src/server.js';
import { BROWSER_INFO, IP_ADDRESS, registerCard, TEST_CARDS, tokenize } from './helpers/cards.js';
import { naturalOwner } from './helpers/fixtures.js';
import { scanDatabase, uniqueCardNumber } from './helpers/secrets.js';
import { openTestDb, type CallOptions, type Reply } from './helpers/server.js';

/*
 * Issue #12: "no card number is stored anywhere". Every card flow at once — registrations of each test
 * card and a refused CVC, validations, a direct pay-in, 3-D Secure challenges approved on the /3ds page
 * (a pay-in's, a validation's, a pre-authorization's), web pay-ins paid on the /payment page (one
 * through its challenge), pre-authorizations and their captures, a refund — on a server logging at its most verbose level; then every text, json, bytea and
 * array column of every table, and the whole log, are searched for each number (plain, spaced, dashed)
 * and for the CVCs next to a name that gives them away. A planted number proves the search finds one.
 */

/** The ways a number may be written down: plain, in groups of 4 with spaces or dashes, AMEX's 4-6-5. */
function spellings(n: string): string[] {
  const fours = n.match(/.{1,4}/g)!;
  const out = [n, fours.join(' '), fours.join('-')];
  if (n.length === 15) out.push(`${n.slice(0, 4)} ${n.slice(4, 10)} ${n.slice(10)}`, `${n.slice(0, 4)}-${n.slice(4, 10)}-${n.slice(10)}`);
  return out;
}

const UNIQUE = uniqueCardNumber();
const PLANTED = uniqueCardNumber();
const NUMBERS = [UNIQUE, TEST_CARDS.frictionless, TEST_CARDS.challenge, TEST_CARDS.maestro, TEST_CARDS.amex];
/** The CVCs typed, each a value of its own so that one found next to its name is this test's. */
const CVC = { unique: '864', frictionless: '531', challenge: '642', maestro: '753', amex: '9173', refused: '86' };
/** The hidden digits of the unique number with one on either side: a copy of more than the alias would hold them. */
const HIDDEN = UNIQUE.slice(5, 13);
/** A CVC next to a name that gives it away, as a regex source: cardCvx=864, "cvc": "864", CVV 864… */
const cvcNear = (cvc: string) => `(cvx|cvc|cvv|cvn|securitycode|card_?code)[^0-9a-z]{0,6}${cvc}(?![0-9])`;

const NEEDLES = [...NUMBERS.flatMap(spellings), HIDDEN, 'cardNumber', 'cardCvx'];
const PATTERNS = Object.values(CVC).map(cvcNear);

let db: Awaited<ReturnType<typeof openTestDb>>;
let app: FastifyInstance;
let url: string;
let client: NewClient;
let token: string;
const logLines: string[] = [];

async function send(method: string, path: string, o: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  let body: string | undefined;
  if (o.raw !== undefined) {
    body = String(o.raw);
    if (o.contentType) headers['content-type'] = o.contentType;
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  const res = await fetch(url + path, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') && text;
  return { status: res.status, headers: res.headers, body: json ? JSON.parse(text) : text };
}
const call = (method: string, path: string, o: CallOptions = {}) => send(method, `/v2.01/${client.id}${path}`, { ...o, token });
/** registerCard's view of the server: only its `call` is used. */
const server = () => ({ call }) as any;
const form = (fields: Record<string, string>) => ({ raw: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });
const money = (Amount: number) => ({ Currency: 'EUR', Amount });

async function ok(method: string, path: string, body: unknown): Promise<any> {
  const r = await call(method, path, { body });
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}

/** The log lines searched the same way. */
function scanLog(lines: string[], needles: string[], patterns: string[]): string[] {
  const log = lines.join('');
  return [
    ...needles.filter((n) => log.includes(n)),
    ...patterns.filter((p) => new RegExp(p, 'i').test(log)).map((p) => `pattern ${p}`),
  ];
}

beforeAll(async () => {
  db = await openTestDb();
  // As `mangrove serve` sets its logger up (logger: { level }), at the most verbose level, into memory.
  app = await buildServer({
    db,
    config: loadConfig({ PORT: '0' }),
    logger: { level: 'trace', stream: { write: (line: string) => void logLines.push(line) } },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  client = await createClient(db);
  const r = await send('POST', '/v2.01/oauth/token', {
    ...form({ grant_type: 'client_credentials' }),
    headers: { authorization: `Basic ${Buffer.from(`${client.id}:${client.apiKey}`).toString('base64')}` },
  });
  token = r.body.access_token;
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

describe('no card number or CVC is kept anywhere, across every card flow', () => {
  it('after registrations, validations, direct, 3-D Secure, web and pre-authorized payments and a refund: in no column and no log line', async () => {
    const user = await ok('POST', '/sca/users/natural', naturalOwner());
    const wallet = await ok('POST', '/wallets', { Owners: [user.Id], Currency: 'EUR', Description: 'secrecy' });
    const payment = { SecureModeReturnURL: 'https://shop.example/back', BrowserInfo: BROWSER_INFO, IpAddress: IP_ADDRESS };

    // Registrations: each documented test card, the unique number three times, and a refused CVC.
    const cards = {
      frictionless: await registerCard(server(), user.Id, { number: TEST_CARDS.frictionless, cvx: CVC.frictionless }),
      challenge: await registerCard(server(), user.Id, { number: TEST_CARDS.challenge, cvx: CVC.challenge }),
      maestro: await registerCard(server(), user.Id, { number: TEST_CARDS.maestro, cvx: CVC.maestro, cardType: 'MAESTRO' }),
      amex: await registerCard(server(), user.Id, { number: TEST_CARDS.amex, cvx: CVC.amex, cardType: 'AMEX' }),
      paying: await registerCard(server(), user.Id, { number: UNIQUE, cvx: CVC.unique }),
      validated: await registerCard(server(), user.Id, { number: UNIQUE, cvx: CVC.unique }),
      held: await registerCard(server(), user.Id, { number: UNIQUE, cvx: CVC.unique }),
      challengeValidated: await registerCard(server(), user.Id, { number: TEST_CARDS.challenge, cvx: CVC.challenge }),
      challengeHeld: await registerCard(server(), user.Id, { number: TEST_CARDS.challenge, cvx: CVC.challenge }),
    };
    expect(cards.paying.Alias).toBe(`${UNIQUE.slice(0, 6)}XXXXXX${UNIQUE.slice(-4)}`);
    const refusedReg = await ok('POST', '/cardregistrations', { UserId: user.Id, Currency: 'EUR' });
    expect((await tokenize(refusedReg, { number: UNIQUE, cvx: CVC.refused })).text).toBe('errorCode=02627');

    /** Approves a challenge on the 3-D Secure page, over HTTP, after reading the page. */
    const approve = async (redirectUrl: string) => {
      const page = new URL(redirectUrl).pathname;
      expect((await send('GET', page)).status).toBe(200);
      const answered = await send('POST', page, form({ outcome: 'APPROVED' }));
      expect(answered.status, String(answered.body)).toBeGreaterThanOrEqual(300);
      return page;
    };

    // Card validations: frictionless, and one through its challenge.
    const validation = await ok('POST', `/cards/${cards.validated.Id}/validation`, { AuthorId: user.Id, ...payment });
    expect(validation.Status, JSON.stringify(validation)).toBe('SUCCEEDED');
    const challengedValidation = await ok('POST', `/cards/${cards.challengeValidated.Id}/validation`, { AuthorId: user.Id, ...payment });
    expect(challengedValidation.Status, JSON.stringify(challengedValidation)).toBe('CREATED');
    await approve(challengedValidation.SecureModeRedirectURL);
    expect((await call('GET', `/cards/${cards.challengeValidated.Id}/validation/${challengedValidation.Id}`)).body.Status).toBe('SUCCEEDED');

    // A direct pay-in, frictionless, then a refund of part of it.
    const direct = await ok('POST', '/payins/card/direct', {
      AuthorId: user.Id, CreditedWalletId: wallet.Id, DebitedFunds: money(3000), Fees: money(100), CardId: cards.paying.Id, ...payment,
    });
    expect(direct.Status, JSON.stringify(direct)).toBe('SUCCEEDED');
    const refund = await ok('POST', `/payins/${direct.Id}/refunds`, { AuthorId: user.Id, DebitedFunds: money(1000), Fees: money(-50) });
    expect(refund.Status, JSON.stringify(refund)).toBe('SUCCEEDED');

    // A challenge approved on the 3-D Secure page, over HTTP.
    const challenged = await ok('POST', '/payins/card/direct', {
      AuthorId: user.Id, CreditedWalletId: wallet.Id, DebitedFunds: money(2000), Fees: money(0), CardId: cards.challenge.Id, ...payment,
    });
    expect(challenged.Status, JSON.stringify(challenged)).toBe('CREATED');
    const page3ds = await approve(challenged.SecureModeRedirectURL);
    expect((await call('GET', `/payins/${challenged.Id}`)).body.Status).toBe('SUCCEEDED');

    // Web pay-ins paid on the payment page (a form post with the number): a refused CVC first, then paid;
    // another through the page's own challenge.
    const web = async (number: string, cvc: string) => {
      const made = await ok('POST', '/payins/card/web', {
        AuthorId: user.Id, CreditedWalletId: wallet.Id, DebitedFunds: money(1500), Fees: money(0),
        ReturnURL: 'https://shop.example/back', CardType: 'CB_VISA_MASTERCARD', Culture: 'FR',
      });
      const page = new URL(made.RedirectURL).pathname;
      expect((await send('GET', page)).status).toBe(200);
      const pay = (cardCvx: string) => send('POST', page, form({ action: 'pay', cardNumber: number, cardExpirationDate: '1229', cardCvx, cardHolderName: 'Jane Doe' }));
      expect((await pay(CVC.refused)).status).toBe(400);
      expect((await pay(cvc)).status).toBe(303);
      return { made, page };
    };
    const paidWeb = await web(UNIQUE, CVC.unique);
    expect((await call('GET', `/payins/${paidWeb.made.Id}`)).body.Status).toBe('SUCCEEDED');
    const challengedWeb = await web(TEST_CARDS.challenge, CVC.challenge);
    expect((await send('POST', challengedWeb.page, form({ action: 'approve' }))).status).toBe(303);
    expect((await call('GET', `/payins/${challengedWeb.made.Id}`)).body.Status).toBe('SUCCEEDED');

    // A pre-authorization and its capture.
    const pre = await ok('POST', '/preauthorizations/card/direct', { AuthorId: user.Id, DebitedFunds: money(2500), CardId: cards.held.Id, ...payment });
    expect(pre.Status, JSON.stringify(pre)).toBe('SUCCEEDED');
    const captured = await ok('POST', '/payins/preauthorized/direct', {
      AuthorId: user.Id, PreauthorizationId: pre.Id, CreditedWalletId: wallet.Id, DebitedFunds: money(2000), Fees: money(0),
    });
    expect(captured.Status, JSON.stringify(captured)).toBe('SUCCEEDED');
    // And one held through its challenge, captured in full.
    const heldAfterChallenge = await ok('POST', '/preauthorizations/card/direct', {
      AuthorId: user.Id, DebitedFunds: money(1200), CardId: cards.challengeHeld.Id, ...payment,
    });
    expect(heldAfterChallenge.Status, JSON.stringify(heldAfterChallenge)).toBe('CREATED');
    await approve(heldAfterChallenge.SecureModeRedirectURL);
    const capturedAfterChallenge = await ok('POST', '/payins/preauthorized/direct', {
      AuthorId: user.Id, PreauthorizationId: heldAfterChallenge.Id, CreditedWalletId: wallet.Id, DebitedFunds: money(1200), Fees: money(0),
    });
    expect(capturedAfterChallenge.Status, JSON.stringify(capturedAfterChallenge)).toBe('SUCCEEDED');

    // The maestro and AMEX cards are read back; their numbers were typed only into the tokenizer.
    for (const c of [cards.frictionless, cards.maestro, cards.amex]) expect((await call('GET', `/cards/${c.Id}`)).status).toBe(200);

    expect(await scanDatabase(db, NEEDLES, PATTERNS)).toEqual([]);
    // The logger did write every request, yet none of the secrets.
    const log = logLines.join('');
    for (const path of [`/tokenizer/${refusedReg.Id}`, page3ds, paidWeb.page, '/payins/preauthorized/direct']) expect(log).toContain(path);
    expect(scanLog(logLines, NEEDLES, PATTERNS)).toEqual([]);
  });

  it('finds a number planted in a scratch row and a log line, so the search above cannot pass by finding nothing', async () => {
    await db.query('CREATE TABLE secrecy_scratch (note text, data jsonb, raw bytea, tags text[])');
    try {
      const [plain, spaced, dashed] = spellings(PLANTED);
      await db.query(`INSERT INTO secrecy_scratch VALUES ($1, $2, convert_to($3, 'UTF8'), NULL), (NULL, NULL, NULL, $4)`, [
        `paid with ${plain}`,
        JSON.stringify({ card: spaced, cardCvx: '318' }),
        `card ${dashed}`,
        [`x ${plain}`],
      ]);
      const hits = await scanDatabase(db, spellings(PLANTED), [cvcNear('318')]);
      expect(hits).toEqual(
        expect.arrayContaining([
          `secrecy_scratch.note: ${plain}`,
          `secrecy_scratch.data: ${spaced}`,
          `secrecy_scratch.raw: ${dashed}`,
          `secrecy_scratch.tags: ${plain}`,
          `secrecy_scratch.data: pattern ${cvcNear('318')}`,
        ]),
      );
      // Only the planted rows: the real tables still hold nothing.
      expect(hits.every((h) => h.startsWith('secrecy_scratch.'))).toBe(true);
    } finally {
      await db.query('DROP TABLE secrecy_scratch');
    }
    // A request that puts a number in its URL is logged with it: the log is captured and searched.
    const from = logLines.length;
    expect((await call('GET', `/cards/${PLANTED}?cardCvx=318`)).status).toBe(404);
    expect(scanLog(logLines.slice(from), spellings(PLANTED), [cvcNear('318')])).toEqual([PLANTED, `pattern ${cvcNear('318')}`]);
  });
});
