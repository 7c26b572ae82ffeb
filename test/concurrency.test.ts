/*
 * Two real `mangrove serve` processes on one PostgreSQL database, firing closures, transfers, pay-in
 * settlements, card pay-ins, refunds and captures of pre-authorizations at the same users at once.
 * Afterwards the ledger is checked with direct SQL: every request answered (no dropped connection, no
 * 5xx), no closed user holds money, every movement sums to zero, every transaction either SUCCEEDED
 * with its postings or moved nothing, no pay-in refunded beyond its CreditedFunds, no hold captured
 * beyond its amount, and the money conserved. Then the same card races in one server, on both databases.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDb } from '../src/db/index.js';
import { ledgerInvariants } from '../src/ledger/index.js';
import { legalOwner, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { processStorage, processToken, spawnServer, type ServerProcess } from './helpers/process.js';
import { BROWSER_INFO, IP_ADDRESS, registerCard, TEST_CARDS } from './helpers/cards.js';
import { checkStorages } from './helpers/invariants.js';
import { fileServer, TEST_DB } from './helpers/server.js';

vi.setConfig({ testTimeout: 240_000 });

const CLIENT = 'concurrency';
const KEY = 'concurrency-secret-key-0001';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-conc-'));
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const p of running) if (p.proc.exitCode === null) await p.stop('SIGKILL');
  try {
    await checkStorages();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A small deterministic PRNG (mulberry32), so a run can be replayed with CONCURRENCY_SEED. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Api {
  url: string;
  token: string;
}

const token = (url: string) => processToken(url, CLIENT, KEY);

async function call(api: Api, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.url}/v2.01/${CLIENT}${p}`, {
    method,
    headers: { authorization: `Bearer ${api.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function ok(api: Api, method: string, p: string, body?: unknown): Promise<any> {
  const r = await call(api, method, p, body);
  expect(r.status, `${method} ${p}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}

const money = (Amount: number) => ({ Currency: 'EUR', Amount });
/** The parts of a direct card pay-in or pre-authorization besides the money and the card. */
const CARD = { SecureModeReturnURL: 'https://shop.example/back', BrowserInfo: BROWSER_INFO, IpAddress: IP_ADDRESS };

/** Runs the tasks with at most `limit` in flight. */
async function pool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) {
        const k = next++;
        out[k] = await tasks[k]();
      }
    }),
  );
  return out;
}

interface User {
  id: string;
  kind: 'natural' | 'legal';
  wallets: string[];
  pending: string[];
}

describe.runIf(TEST_DB === 'postgres')('two server processes on one PostgreSQL database', () => {
  it('keep the ledger sound under concurrent closures, transfers, settlements, card pay-ins, refunds and captures', async () => {
    const started = Date.now();
    const seed = process.env.CONCURRENCY_SEED ? Number(process.env.CONCURRENCY_SEED) : Date.now() % 2 ** 31;
    console.log(`concurrency seed: ${seed} (replay the plan with CONCURRENCY_SEED=${seed})`);
    const random = rng(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

    const storage = await processStorage(path.join(dir, 'data'));
    const env = { ...storage, MANGROVE_CLIENT_ID: CLIENT, MANGROVE_API_KEY: KEY, MANGROVE_RATE_LIMITS: '10000000,10000000,10000000,10000000' };
    const a = await spawnServer(env);
    running.push(a);
    const b = await spawnServer(env);
    running.push(b);
    const apis: Api[] = [
      { url: a.url, token: await token(a.url) },
      { url: b.url, token: await token(b.url) },
    ];

    // Set-up, through process A: many users with several wallets each, funded by settled bank wires,
    // and pending pay-ins left to settle during the storm.
    const USERS = 24;
    const WALLETS = 3;
    const users: User[] = [];
    const settled: Array<{ id: string; author: string }> = [];
    await pool(
      Array.from({ length: USERS }, (_, n) => async () => {
        const kind: 'natural' | 'legal' = n % 3 === 0 ? 'legal' : 'natural';
        const body = kind === 'legal' ? legalOwner() : naturalOwner();
        const u = await ok(apis[0], 'POST', `/sca/users/${kind}`, body);
        const user: User = { id: u.Id, kind, wallets: [], pending: [] };
        for (let w = 0; w < WALLETS; w++) {
          const wallet = await ok(apis[0], 'POST', '/wallets', { Owners: [u.Id], Currency: 'EUR', Description: `w${w}` });
          user.wallets.push(wallet.Id);
          // A third of the users start empty: their closure can succeed, racing incoming money.
          if (n % 3 !== 2) {
            const p = await ok(apis[0], 'POST', '/payins/bankwire/direct', {
              AuthorId: u.Id,
              CreditedWalletId: wallet.Id,
              DeclaredDebitedFunds: money(5_000),
              DeclaredFees: money(0),
            });
            expect((await ok(apis[0], 'POST', `/sandbox/payins/${p.Id}/settle`)).Status).toBe('SUCCEEDED');
            settled.push({ id: p.Id, author: u.Id });
          }
          for (let k = 0; k < 2; k++) {
            const p = await ok(apis[0], 'POST', '/payins/bankwire/direct', {
              AuthorId: u.Id,
              CreditedWalletId: wallet.Id,
              DeclaredDebitedFunds: money(1_000),
              DeclaredFees: money(k === 0 ? 0 : 100),
            });
            user.pending.push(p.Id);
          }
        }
        users[n] = user;
      }),
      8,
    );
    // Users no money ever reaches: their closures (several at once from both processes) must succeed once.
    const quiet: User[] = [];
    for (let n = 0; n < 3; n++) {
      const u = await ok(apis[0], 'POST', '/sca/users/natural', naturalOwner());
      const wallet = await ok(apis[0], 'POST', '/wallets', { Owners: [u.Id], Currency: 'EUR', Description: 'quiet' });
      quiet.push({ id: u.Id, kind: 'natural', wallets: [wallet.Id], pending: [] });
    }
    // A PAYER too: other users' transfers to it fail with 002701.
    const payer = await ok(apis[0], 'POST', '/sca/users/natural', naturalPayer());
    const payerWallet = await ok(apis[0], 'POST', '/wallets', { Owners: [payer.Id], Currency: 'EUR', Description: 'payer' });

    // Card payers (never closed), each with a frictionless card registered through process A; each pays
    // 4000 into the wallet of a user that starts with money, and holds 5000 on its card.
    const viaA = { call: async (method: string, p: string, o: { body?: unknown } = {}) => call(apis[0], method, p, o.body) } as any;
    const cardPayers: Array<{ id: string; card: string; hold: string }> = [];
    const cardPaid: Array<{ id: string; author: string }> = [];
    for (let n = 0; n < 6; n++) {
      const u = await ok(apis[0], 'POST', '/sca/users/natural', naturalPayer());
      const card = (await registerCard(viaA, u.Id, { number: TEST_CARDS.frictionless })).Id;
      const into = users[(3 * n) % USERS].wallets[n % WALLETS];
      const paid = await ok(apis[0], 'POST', '/payins/card/direct', {
        AuthorId: u.Id, CreditedWalletId: into, DebitedFunds: money(4_000), Fees: money(200), CardId: card, ...CARD,
      });
      expect(paid.Status, JSON.stringify(paid)).toBe('SUCCEEDED');
      cardPaid.push({ id: paid.Id, author: u.Id });
      const hold = await ok(apis[0], 'POST', '/preauthorizations/card/direct', { AuthorId: u.Id, DebitedFunds: money(5_000), CardId: card, ...CARD });
      expect(hold.Status, JSON.stringify(hold)).toBe('SUCCEEDED');
      cardPayers.push({ id: u.Id, card, hold: hold.Id });
    }

    // The storm: transfers between random wallets (many draining whole balances), settlements of the
    // pending pay-ins (each from both processes) and closures (each user from both processes, twice).
    type Op = { kind: 'transfer' | 'settle' | 'close' | 'card' | 'refund' | 'capture'; method: string; path: string; body?: unknown; hold?: string };
    const ops: Op[] = [];
    // Card pay-ins into random wallets (closing users' too), now and then refused by the issuer (33305).
    for (let k = 0; k < 240; k++) {
      const p = pick(cardPayers);
      const amount = random() < 0.05 ? 33305 : pick([int(1, 3_000), 1_000, int(1, 200)]);
      const fees = random() < 0.3 ? Math.min(amount - 1, int(0, 100)) : 0;
      ops.push({
        kind: 'card',
        method: 'POST',
        path: '/payins/card/direct',
        body: { AuthorId: p.id, CreditedWalletId: pick(pick(users).wallets), DebitedFunds: money(amount), Fees: money(fees), CardId: p.card, ...CARD },
      });
    }
    // Refunds of the settled bank wires and of the card pay-ins, from both processes: parts, fees back, all that remains.
    for (let k = 0; k < 160; k++) {
      const p = random() < 0.7 ? pick(settled) : pick(cardPaid);
      const part = random() < 0.75;
      const debited = int(1, 2_500);
      const back = random() < 0.3 ? Math.min(int(0, 150), debited - 1) : 0;
      const body = part ? { AuthorId: p.author, DebitedFunds: money(debited), Fees: money(-back) } : { AuthorId: p.author };
      ops.push({ kind: 'refund', method: 'POST', path: `/payins/${p.id}/refunds`, body });
    }
    // Captures of the holds into random wallets, more than they hold in all.
    for (let k = 0; k < 48; k++) {
      const p = pick(cardPayers);
      ops.push({
        kind: 'capture',
        method: 'POST',
        path: '/payins/preauthorized/direct',
        hold: p.hold,
        body: { AuthorId: p.id, PreauthorizationId: p.hold, CreditedWalletId: pick(pick(users).wallets), DebitedFunds: money(int(300, 1_500)), Fees: money(0) },
      });
    }
    for (let k = 0; k < 900; k++) {
      const from = pick(users);
      const to = random() < 0.05 ? null : pick(users);
      const debited = pick(from.wallets);
      const credited = to ? pick(to.wallets) : payerWallet.Id;
      const amount = pick([int(1, 3_000), 1_000, 5_000, int(1, 200)]);
      const fees = random() < 0.3 ? Math.min(amount, int(0, 100)) : 0;
      ops.push({
        kind: 'transfer',
        method: 'POST',
        path: '/transfers',
        body: { AuthorId: from.id, DebitedWalletId: debited, CreditedWalletId: credited, DebitedFunds: money(amount), Fees: money(fees) },
      });
    }
    for (const u of users) {
      for (const p of u.pending) for (let k = 0; k < 2; k++) ops.push({ kind: 'settle', method: 'POST', path: `/sandbox/payins/${p}/settle` });
      // The users that start empty get more attempts: their closures race the money coming in.
      const attempts = users.indexOf(u) % 3 === 2 ? 10 : 3;
      for (let k = 0; k < attempts; k++) ops.push({ kind: 'close', method: 'DELETE', path: `/users/${u.kind}/${u.id}` });
    }
    for (const u of quiet) for (let k = 0; k < 6; k++) ops.push({ kind: 'close', method: 'DELETE', path: `/users/natural/${u.id}` });
    for (let k = ops.length - 1; k > 0; k--) {
      const j = Math.floor(random() * (k + 1));
      [ops[k], ops[j]] = [ops[j], ops[k]];
    }

    const counts: Record<string, number> = {};
    const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
    const problems: string[] = [];
    const transferReplies = new Map<string, string>();
    const replied = new Map<string, string>();
    const captured = new Map<string, number>();
    const stormStart = Date.now();
    await pool(
      ops.map((op, n) => async () => {
        const api = apis[n % 2];
        let r: { status: number; body: any };
        try {
          r = await call(api, op.method, op.path, op.body);
        } catch (e) {
          problems.push(`${op.method} ${op.path}: no answer (${(e as Error).message})`);
          return;
        }
        if (r.status >= 500) problems.push(`${op.method} ${op.path}: ${r.status} ${JSON.stringify(r.body)}`);
        if (op.kind === 'close') count(`close ${r.status}${r.body?.Type ? ` ${r.body.Type}` : ''}`);
        else if (r.status === 200) {
          count(`${op.kind} ${r.body.Status} ${r.body.ResultCode}`);
          if (op.kind === 'transfer') transferReplies.set(r.body.Id, r.body.Status);
          if (op.kind !== 'settle') replied.set(r.body.Id, r.body.Status);
          if (op.kind === 'capture' && r.body.Status === 'SUCCEEDED') captured.set(op.hold!, (captured.get(op.hold!) ?? 0) + r.body.DebitedFunds.Amount);
        } else count(`${op.kind} ${r.status} ${r.body?.Type}`);
      }),
      48,
    );
    const stormMs = Date.now() - stormStart;

    console.log(`concurrency: ${ops.length} requests in ${stormMs} ms across two processes; outcomes:`);
    for (const key of Object.keys(counts).sort()) console.log(`  ${key}: ${counts[key]}`);
    expect(problems).toEqual([]);

    // Every reply is one of the expected outcomes.
    const expected = [
      /^transfer (SUCCEEDED 000000|FAILED (001001|001014|002601|002602|002701|101108))$/,
      /^settle (SUCCEEDED 000000|FAILED 002602|400 invalid_action)$/,
      /^close (204|400 user_closure_not_possible|400 user_closure_failed)$/,
      /^card (SUCCEEDED 000000|FAILED 101101|400 user_closed)$/,
      /^refund (SUCCEEDED 000000|FAILED (001001|001401|005403|005404))$/,
      /^capture (SUCCEEDED 000000|FAILED 001505|400 (param_error|user_closed))$/,
    ];
    for (const key of Object.keys(counts)) expect(expected.some((re) => re.test(key)), key).toBe(true);

    // Direct SQL on the database both processes used.
    const db = await openDb({ databaseUrl: storage.DATABASE_URL, poolSize: 2 });
    try {
      expect(await ledgerInvariants(db, CLIENT)).toEqual([]);
      const closedWithMoney = await db.query<{ id: string }>(
        `SELECT DISTINCT u.id FROM users u JOIN wallets w ON w.owner_id = u.id
         WHERE u.client_id = $1 AND u.status = 'CLOSED' AND w.balance <> 0`,
        [CLIENT],
      );
      expect(closedWithMoney).toEqual([]);
      const [total] = await db.query<{ total: string }>('SELECT coalesce(sum(amount), 0)::text AS total FROM postings WHERE client_id = $1', [
        CLIENT,
      ]);
      expect(total.total).toBe('0');
      // Every transaction either SUCCEEDED with its postings (debit, credit, fees as stored) or moved nothing.
      const rows = await db.query<any>(
        `SELECT t.id, t.type, t.nature, t.payment_type, t.status, t.debited_wallet_id, t.credited_wallet_id,
                t.debited_amount::text AS debited, t.credited_amount::text AS credited, t.fees_amount::text AS fees,
                coalesce(json_agg(json_build_object('account', p.account, 'amount', p.amount::text))
                         FILTER (WHERE p.movement_id IS NOT NULL), '[]') AS postings
         FROM transactions t LEFT JOIN postings p ON p.client_id = t.client_id AND p.movement_id = t.id
         WHERE t.client_id = $1 GROUP BY t.id`,
        [CLIENT],
      );
      const bad: string[] = [];
      for (const t of rows) {
        const legs = new Map<string, bigint>();
        for (const p of t.postings) legs.set(p.account, (legs.get(p.account) ?? 0n) + BigInt(p.amount));
        if (t.status !== 'SUCCEEDED') {
          if (legs.size) bad.push(`${t.type} ${t.id} is ${t.status} but has postings`);
          continue;
        }
        if (t.type === 'TRANSFER') {
          if (legs.get(t.debited_wallet_id) !== -BigInt(t.debited)) bad.push(`transfer ${t.id}: debit leg ${legs.get(t.debited_wallet_id)} ≠ -${t.debited}`);
          if ((legs.get(t.credited_wallet_id) ?? 0n) !== BigInt(t.credited)) bad.push(`transfer ${t.id}: credit leg ≠ ${t.credited}`);
        } else if (t.type === 'PAYIN' && t.nature === 'REGULAR') {
          // Bank wires come from the banks' account, card pay-ins and captures from the card network's.
          const outside = t.payment_type === 'BANK_WIRE' ? 'external:EUR' : 'card-network:EUR';
          if ((legs.get(t.credited_wallet_id) ?? 0n) !== BigInt(t.credited)) bad.push(`pay-in ${t.id}: credit leg ≠ ${t.credited}`);
          if (legs.get(outside) !== -BigInt(t.debited)) bad.push(`pay-in ${t.id}: ${outside} leg ≠ -${t.debited}`);
        } else if (t.type === 'PAYOUT' && t.nature === 'REFUND') {
          // A pay-in's refund: DebitedFunds out of the wallet, CreditedFunds back to where the pay-in came from.
          if (legs.get(t.debited_wallet_id) !== -BigInt(t.debited)) bad.push(`refund ${t.id}: debit leg ≠ -${t.debited}`);
          const out = (legs.get('external:EUR') ?? 0n) + (legs.get('card-network:EUR') ?? 0n);
          if (out !== BigInt(t.credited)) bad.push(`refund ${t.id}: ${out} went out, not ${t.credited}`);
        }
      }
      expect(bad).toEqual([]);
      // Every transfer answered is stored with the status it was answered with.
      const stored = new Map(rows.filter((t) => t.type === 'TRANSFER').map((t) => [t.id, t.status]));
      for (const [id, status] of transferReplies) expect(stored.get(id), id).toBe(status);
      expect(stored.size).toBe(transferReplies.size);
      // So is every card pay-in, refund and capture.
      const statusOf = new Map(rows.map((t) => [t.id, t.status]));
      for (const [id, status] of replied) expect(statusOf.get(id), id).toBe(status);
      // No pay-in refunded beyond what it credited, nor beyond the fees it took.
      const over = await db.query<{ id: string }>(
        `SELECT p.id FROM transactions p JOIN transactions r ON r.client_id = p.client_id AND r.nature = 'REFUND'
           AND r.status = 'SUCCEEDED' AND r.details->>'InitialTransactionId' = p.id
         WHERE p.client_id = $1 AND p.type = 'PAYIN' GROUP BY p.id, p.credited_amount, p.fees_amount
         HAVING sum(r.debited_amount) > p.credited_amount OR sum(greatest(-r.fees_amount, 0)) > p.fees_amount`,
        [CLIENT],
      );
      expect(over).toEqual([]);
      // No hold captured beyond its 5000, and what remains of it is what the captures left.
      for (const p of cardPayers) {
        const hold = await ok(apis[1], 'GET', `/preauthorizations/${p.hold}`);
        const taken = captured.get(p.hold) ?? 0;
        expect(taken, p.hold).toBeLessThanOrEqual(5_000);
        expect(hold.RemainingFunds.Amount, p.hold).toBe(5_000 - taken);
      }
      // Wallets (fee wallets included) = bank wires settled + card pay-ins − payouts − refunds.
      const [m] = await db.query<Record<string, string>>(
        `SELECT (SELECT coalesce(sum(balance), 0) FROM wallets WHERE client_id = $1)::text AS wallets,
           coalesce(sum(debited_amount) FILTER (WHERE type = 'PAYIN' AND nature = 'REGULAR' AND status = 'SUCCEEDED'), 0)::text AS payins,
           coalesce(sum(credited_amount) FILTER (WHERE type = 'PAYOUT' AND status IN ('CREATED', 'SUCCEEDED')), 0)::text AS out
         FROM transactions WHERE client_id = $1`,
        [CLIENT],
      );
      expect(BigInt(m.wallets)).toBe(BigInt(m.payins) - BigInt(m.out));
      const byStatus = await db.query<{ type: string; status: string; n: string }>(
        `SELECT type, status, count(*)::text AS n FROM transactions WHERE client_id = $1 GROUP BY type, status ORDER BY type, status`,
        [CLIENT],
      );
      console.log(`concurrency: stored ${byStatus.map((r) => `${r.type} ${r.status} ${r.n}`).join(', ')}`);
      const closed = await db.query<{ id: string }>(`SELECT id FROM users WHERE client_id = $1 AND status = 'CLOSED'`, [CLIENT]);
      const closedIds = new Set(closed.map((r) => r.id));
      const racedClosed = users.filter((u) => closedIds.has(u.id)).length;
      console.log(`concurrency: ${racedClosed} of ${USERS} users closed while money moved; whole test ${Date.now() - started} ms`);
      // The storm did exercise the races it is about: closures (the quiet users always close, once
      // each: six attempts, one 204) and transfers that moved money.
      for (const u of quiet) expect(closedIds.has(u.id), u.id).toBe(true);
      expect(counts['close 204'] ?? 0).toBe(closedIds.size);
      expect(counts['transfer SUCCEEDED 000000'] ?? 0).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  });
});

// ---- Card money racing in one server, on both databases ------------------------------------------

const { s } = fileServer({ env: { MANGROVE_RATE_LIMITS: '10000000,10000000,10000000,10000000' } });

async function must(method: string, p: string, body?: unknown): Promise<any> {
  const r = await s.call(method, p, body === undefined ? {} : { body });
  expect(r.status, `${method} ${p}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}
const newOwner = async () => {
  const u = await must('POST', '/sca/users/natural', naturalOwner());
  return { user: u, wallet: await must('POST', '/wallets', { Owners: [u.Id], Currency: 'EUR', Description: 'race' }) };
};
const cardPayIn = (author: string, card: string, wallet: string, amount: number, fees: number) =>
  s.call('POST', '/payins/card/direct', {
    body: { AuthorId: author, CreditedWalletId: wallet, DebitedFunds: money(amount), Fees: money(fees), CardId: card, ...CARD },
  });
const transfer = (author: string, from: string, to: string, amount: number, fees = 0) =>
  s.call('POST', '/transfers', { body: { AuthorId: author, DebitedWalletId: from, CreditedWalletId: to, DebitedFunds: money(amount), Fees: money(fees) } });
const balanceOf = async (walletId: string) => (await must('GET', `/wallets/${walletId}`)).Balance.Amount as number;
const outcome = (r: { status: number; body: any }) =>
  r.status === 200 && r.body?.Status ? `${r.body.Status} ${r.body.ResultCode}` : `${r.status}${r.body?.Type ? ` ${r.body.Type}` : ''}`;

/**
 * The money of the client, every way it is counted: what its wallets (fee wallet included) hold, and what
 * came in and went out: bank wires settled + card pay-ins − payouts − pay-in refunds (+ payouts come back).
 */
async function moneyCount(clientId: string): Promise<{ wallets: number; bankWire: number; card: number; payouts: number; refunds: number; cameBack: number }> {
  const [r] = await s.db.query<Record<string, string>>(
    `SELECT (SELECT coalesce(sum(balance), 0) FROM wallets WHERE client_id = $1 AND currency = 'EUR')::text AS wallets,
       coalesce(sum(debited_amount) FILTER (WHERE type = 'PAYIN' AND nature = 'REGULAR' AND payment_type = 'BANK_WIRE' AND status = 'SUCCEEDED'), 0)::text AS bank_wire,
       coalesce(sum(debited_amount) FILTER (WHERE type = 'PAYIN' AND nature = 'REGULAR' AND payment_type IN ('CARD', 'PREAUTHORIZED') AND status = 'SUCCEEDED'), 0)::text AS card,
       coalesce(sum(credited_amount) FILTER (WHERE type = 'PAYOUT' AND nature = 'REGULAR' AND status IN ('CREATED', 'SUCCEEDED')), 0)::text AS payouts,
       coalesce(sum(credited_amount) FILTER (WHERE type = 'PAYOUT' AND nature = 'REFUND' AND status = 'SUCCEEDED'), 0)::text AS refunds,
       coalesce(sum(credited_amount) FILTER (WHERE type = 'PAYIN' AND nature = 'REFUND' AND status = 'SUCCEEDED'), 0)::text AS came_back
     FROM transactions WHERE client_id = $1 AND currency = 'EUR'`,
    [clientId],
  );
  return {
    wallets: Number(r.wallets),
    bankWire: Number(r.bank_wire),
    card: Number(r.card),
    payouts: Number(r.payouts),
    refunds: Number(r.refunds),
    cameBack: Number(r.came_back),
  };
}
async function expectConserved(clientId: string): Promise<void> {
  const c = await moneyCount(clientId);
  expect(c.wallets, JSON.stringify(c)).toBe(c.bankWire + c.card - c.payouts - c.refunds + c.cameBack);
  expect(await ledgerInvariants(s.db, clientId)).toEqual([]);
}

describe(`card money under concurrent requests (${TEST_DB})`, () => {
  it('card pay-ins into one wallet racing transfers out of it and its owner closure: no closed user with money, no negative balance, money conserved', async () => {
    const payers = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const u = await must('POST', '/sca/users/natural', naturalPayer());
        return { id: u.Id as string, card: (await registerCard(s, u.Id, { number: TEST_CARDS.frictionless })).Id as string };
      }),
    );
    const target = await newOwner();
    const seen = new Map<string, number>();
    for (let round = 0; round < 6; round++) {
      const owner = await newOwner();
      const w = owner.wallet.Id;
      // Rounds 0 and 3 start empty (a closure may win before the money comes in); the others hold money first.
      if (round % 3) expect((await cardPayIn(payers[0].id, payers[0].card, w, 3000, 0)).body.Status).toBe('SUCCEEDED');
      const start = await balanceOf(w);
      type Race = { kind: 'payin' | 'transfer' | 'close'; run: () => Promise<{ status: number; body: any }>; amount: number; fees: number };
      const races: Race[] = [];
      payers.forEach((p, k) => {
        for (let n = 0; n < 4; n++) {
          // Now and then an amount the issuer refuses (33305 → 101101), and fees on some.
          const amount = n === 3 && k === round % 4 ? 33305 : 500 + 100 * n + k;
          const fees = n % 2 ? 50 : 0;
          races.push({ kind: 'payin', amount, fees, run: () => cardPayIn(p.id, p.card, w, amount, fees) });
        }
      });
      for (let n = 0; n < 10; n++) {
        const amount = 300 + 150 * n;
        const fees = n % 3 === 0 ? 10 : 0;
        races.push({ kind: 'transfer', amount, fees, run: () => transfer(owner.user.Id, w, target.wallet.Id, amount, fees) });
      }
      for (let n = 0; n < 4; n++) races.push({ kind: 'close', amount: 0, fees: 0, run: () => s.call('DELETE', `/users/natural/${owner.user.Id}`) });
      // Shuffled, so that the closures are sent early in some rounds and late in others.
      for (let k = races.length - 1; k > 0; k--) {
        const j = (k * 7 + round * 13) % (k + 1);
        [races[k], races[j]] = [races[j], races[k]];
      }
      if (round % 3 === 2) {
        // First a transfer of all the wallet holds, then the closures, then the rest: the closures race the pay-ins.
        const closing = races.filter((r) => r.kind === 'close');
        const rest = races.filter((r) => r.kind !== 'close');
        races.length = 0;
        races.push({ kind: 'transfer', amount: start, fees: 0, run: () => transfer(owner.user.Id, w, target.wallet.Id, start) }, ...closing, ...rest);
      }
      const replies = await Promise.all(races.map((r) => r.run()));

      // Every answer one of the expected ones, and the wallet holds exactly what the answers say.
      let expected = start;
      replies.forEach((r, k) => {
        const race = races[k];
        const key = `${race.kind} ${outcome(r)}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        const allowed = {
          payin: /^(SUCCEEDED 000000|FAILED 101101|400 user_closed)$/,
          transfer: /^(SUCCEEDED 000000|FAILED (001001|002601))$/,
          close: /^(204|400 (user_closure_not_possible|user_closure_failed))$/,
        }[race.kind];
        expect(outcome(r), `${race.kind} ${race.amount}: ${JSON.stringify(r.body)}`).toMatch(allowed);
        if (r.body?.Status === 'SUCCEEDED') expected += race.kind === 'payin' ? race.amount - race.fees : -race.amount;
      });
      const closures = replies.filter((r, k) => races[k].kind === 'close' && r.status === 204).length;
      expect(closures).toBeLessThanOrEqual(1);
      const after = await balanceOf(w);
      expect(after).toBe(expected);
      expect(after).toBeGreaterThanOrEqual(0);
      const [{ status }] = await s.db.query<{ status: string }>('SELECT status FROM users WHERE id = $1', [owner.user.Id]);
      expect(status === 'CLOSED').toBe(closures === 1);
      if (closures) expect(after).toBe(0);
    }
    console.log(`card races (${TEST_DB}): ${[...seen].sort().map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    expect(seen.get('payin SUCCEEDED 000000') ?? 0).toBeGreaterThan(0);
    expect(seen.get('transfer SUCCEEDED 000000') ?? 0).toBeGreaterThan(0);
    await expectConserved(s.client.id);
  });

  it('concurrent refunds of one pay-in (card or bank wire) never give back more than its CreditedFunds, nor more fees than it took', async () => {
    const payer = await must('POST', '/sca/users/natural', naturalOwner());
    const w = (await must('POST', '/wallets', { Owners: [payer.Id], Currency: 'EUR', Description: 'refunds' })).Id;
    const card = (await registerCard(s, payer.Id, { number: TEST_CARDS.frictionless })).Id;
    const byCard = (await cardPayIn(payer.Id, card, w, 10_000, 1_000)).body;
    expect(byCard.Status).toBe('SUCCEEDED');
    const declared = await must('POST', '/payins/bankwire/direct', { AuthorId: payer.Id, CreditedWalletId: w, DeclaredDebitedFunds: money(6_000), DeclaredFees: money(600) });
    const wire = await must('POST', `/sandbox/payins/${declared.Id}/settle`);
    expect(wire).toMatchObject({ Status: 'SUCCEEDED', CreditedFunds: money(5_400) });
    for (const p of [byCard, wire]) {
      const credited = p.CreditedFunds.Amount as number;
      const fees = p.Fees.Amount as number;
      // Partial refunds handing back part of the fees, a few full ones, all at once.
      const bodies = [
        ...Array.from({ length: 10 }, (_, k) => ({ AuthorId: payer.Id, DebitedFunds: money(700 + 10 * k), Fees: money(-(100 + k)) })),
        { AuthorId: payer.Id },
        { AuthorId: payer.Id },
        { AuthorId: payer.Id, DebitedFunds: money(credited), Fees: money(0) },
      ];
      const replies = await Promise.all(bodies.map((body) => s.call('POST', `/payins/${p.Id}/refunds`, { body })));
      for (const r of replies) expect(outcome(r), JSON.stringify(r.body)).toMatch(/^(SUCCEEDED 000000|FAILED (001401|005403|005404))$/);
      const won = replies.filter((r) => r.body.Status === 'SUCCEEDED').map((r) => r.body);
      expect(won.length).toBeGreaterThan(0);
      const given = won.reduce((n, r) => n + r.DebitedFunds.Amount, 0);
      const feesBack = won.reduce((n, r) => n + Math.max(0, -r.Fees.Amount), 0);
      expect(given).toBeLessThanOrEqual(credited);
      expect(feesBack).toBeLessThanOrEqual(fees);
      // What the stored refunds say is what the answers said.
      const [stored] = await s.db.query<{ n: number; debited: string }>(
        `SELECT count(*)::int AS n, coalesce(sum(debited_amount), 0)::text AS debited FROM transactions
         WHERE client_id = $1 AND nature = 'REFUND' AND status = 'SUCCEEDED' AND details->>'InitialTransactionId' = $2`,
        [s.client.id, p.Id],
      );
      expect({ n: stored.n, debited: Number(stored.debited) }).toEqual({ n: won.length, debited: given });
      // Whatever remains can still be refunded, once.
      if (given < credited) {
        const rest = await must('POST', `/payins/${p.Id}/refunds`, { AuthorId: payer.Id });
        expect(rest.Status, JSON.stringify(rest)).toBe('SUCCEEDED');
        expect(rest.DebitedFunds.Amount).toBe(credited - given);
      }
      expect((await must('POST', `/payins/${p.Id}/refunds`, { AuthorId: payer.Id })).ResultCode).toBe('001401');
    }
    expect(await balanceOf(w)).toBe(0);
    await expectConserved(s.client.id);
  });

  it('concurrent refunds of one transfer never move back more than it credited; once all is back, 400', async () => {
    const from = await newOwner();
    const to = await newOwner();
    const card = (await registerCard(s, from.user.Id, { number: TEST_CARDS.frictionless })).Id;
    expect((await cardPayIn(from.user.Id, card, from.wallet.Id, 8_000, 0)).body.Status).toBe('SUCCEEDED');
    const moved = (await transfer(from.user.Id, from.wallet.Id, to.wallet.Id, 5_000, 500)).body;
    expect(moved.Status).toBe('SUCCEEDED');
    const bodies = [
      ...Array.from({ length: 10 }, (_, k) => ({ AuthorId: from.user.Id, DebitedFunds: money(600 + 10 * k), Fees: money(-(50 + k)) })),
      { AuthorId: from.user.Id },
      { AuthorId: from.user.Id },
    ];
    const replies = await Promise.all(bodies.map((body) => s.call('POST', `/transfers/${moved.Id}/refunds`, { body })));
    // Once all is back, a transfer's refund is refused outright (400), unlike a pay-in's (FAILED 001401).
    for (const r of replies) expect(outcome(r), JSON.stringify(r.body)).toMatch(/^(SUCCEEDED 000000|FAILED (005403|005404)|400 param_error)$/);
    const won = replies.filter((r) => r.body.Status === 'SUCCEEDED').map((r) => r.body);
    const back = won.reduce((n, r) => n + r.DebitedFunds.Amount, 0);
    const feesBack = won.reduce((n, r) => n + Math.max(0, -r.Fees.Amount), 0);
    expect(back).toBeLessThanOrEqual(4_500);
    expect(feesBack).toBeLessThanOrEqual(500);
    expect(await balanceOf(to.wallet.Id)).toBe(4_500 - back);
    expect(await balanceOf(from.wallet.Id)).toBe(3_000 + back + feesBack);
    if (back < 4_500) expect((await must('POST', `/transfers/${moved.Id}/refunds`, { AuthorId: from.user.Id })).Status).toBe('SUCCEEDED');
    expect((await s.call('POST', `/transfers/${moved.Id}/refunds`, { body: { AuthorId: from.user.Id } })).status).toBe(400);
    expect(await balanceOf(to.wallet.Id)).toBe(0);
    await expectConserved(s.client.id);
  });

  it("a pay-in's refund racing the closure of the wallet's owner: closed only once the refund emptied the wallet", async () => {
    const payer = await must('POST', '/sca/users/natural', naturalPayer());
    const card = (await registerCard(s, payer.Id, { number: TEST_CARDS.frictionless })).Id;
    const seen = new Map<string, number>();
    for (let round = 0; round < 6; round++) {
      const owner = await newOwner();
      const paid = (await cardPayIn(payer.Id, card, owner.wallet.Id, 1_500, 100)).body;
      expect(paid.Status).toBe('SUCCEEDED');
      const refund = () => s.call('POST', `/payins/${paid.Id}/refunds`, { body: { AuthorId: payer.Id } });
      const close = () => s.call('DELETE', `/users/natural/${owner.user.Id}`);
      const calls = round % 2 ? [refund, close, close] : [close, close, refund];
      const replies = await Promise.all(calls.map((f) => f()));
      const refunded = replies.find((_, k) => calls[k] === refund)!;
      expect(outcome(refunded), JSON.stringify(refunded.body)).toBe('SUCCEEDED 000000');
      const closures = replies.filter((_, k) => calls[k] === close).map(outcome);
      for (const c of closures) expect(c).toMatch(/^(204|400 (user_closure_not_possible|user_closure_failed))$/);
      const key = closures.includes('204') ? 'closed in the race' : 'closed after';
      seen.set(key, (seen.get(key) ?? 0) + 1);
      expect(await balanceOf(owner.wallet.Id)).toBe(0);
      if (!closures.includes('204')) expect((await s.call('DELETE', `/users/natural/${owner.user.Id}`)).status).toBe(204);
    }
    console.log(`refunds racing closures (${TEST_DB}): ${[...seen].map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    await expectConserved(s.client.id);
  });

  it('a refund racing a transfer out of the same wallet: the wallet never pays out more than it holds', async () => {
    const payer = await must('POST', '/sca/users/natural', naturalOwner());
    const card = (await registerCard(s, payer.Id, { number: TEST_CARDS.frictionless })).Id;
    const target = await newOwner();
    const seen = new Map<string, number>();
    for (let round = 0; round < 8; round++) {
      const w = (await must('POST', '/wallets', { Owners: [payer.Id], Currency: 'EUR', Description: `round ${round}` })).Id;
      const p = (await cardPayIn(payer.Id, card, w, 1_000, 0)).body;
      expect(p.Status).toBe('SUCCEEDED');
      // Even rounds: a full refund and a transfer of 600 cannot both be paid from 1000; odd: 400 + 600 can.
      const refundBody = round % 2 ? { AuthorId: payer.Id, DebitedFunds: money(400), Fees: money(0) } : { AuthorId: payer.Id };
      const refunding = () => s.call('POST', `/payins/${p.Id}/refunds`, { body: refundBody });
      const moving = () => transfer(payer.Id, w, target.wallet.Id, 600);
      const [refund, moved] = round % 4 < 2 ? await Promise.all([refunding(), moving()]) : (await Promise.all([moving(), refunding()])).reverse();
      const key = `refund ${outcome(refund)} / transfer ${outcome(moved)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      const paid = (refund.body.Status === 'SUCCEEDED' ? refund.body.DebitedFunds.Amount : 0) + (moved.body.Status === 'SUCCEEDED' ? 600 : 0);
      if (round % 2) {
        expect([outcome(refund), outcome(moved)]).toEqual(['SUCCEEDED 000000', 'SUCCEEDED 000000']);
      } else {
        // Exactly one of them, the other finding the wallet short.
        expect([outcome(refund), outcome(moved)].sort()).toEqual(['FAILED 001001', 'SUCCEEDED 000000']);
      }
      expect(await balanceOf(w)).toBe(1_000 - paid);
    }
    console.log(`refund/transfer races (${TEST_DB}): ${[...seen].map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    await expectConserved(s.client.id);
  });
});

describe(`card money with one Idempotency-Key sent many times at once (${TEST_DB})`, () => {
  it('one card pay-in charged, one refund made, one capture taken; the others 409', async () => {
    const payer = await must('POST', '/sca/users/natural', naturalOwner());
    const w = (await must('POST', '/wallets', { Owners: [payer.Id], Currency: 'EUR', Description: 'keys' })).Id;
    const card = (await registerCard(s, payer.Id, { number: TEST_CARDS.frictionless })).Id;
    const keyed = (key: string, method: string, p: string, body: unknown) => s.call(method, p, { body, headers: { 'Idempotency-Key': key } });
    /** Ten requests with one key: one 200 (returned), nine 409, and GET /responses/{key} shows the one. */
    async function once(method: string, p: string, body: unknown): Promise<any> {
      const key = randomUUID();
      const replies = await Promise.all(Array.from({ length: 10 }, () => keyed(key, method, p, body)));
      const ok = replies.filter((r) => r.status === 200);
      expect(ok, JSON.stringify(replies.map((r) => r.status))).toHaveLength(1);
      for (const r of replies.filter((x) => x.status !== 200)) expect(`${r.status} ${r.body?.Type}`).toBe('409 idempotent_creation_conflict');
      expect((await must('GET', `/responses/${key}`)).Resource).toEqual(ok[0].body);
      return ok[0].body;
    }
    const count = async (sql: string, arg: string) => (await s.db.query<{ n: number }>(sql, [s.client.id, arg]))[0].n;

    const paid = await once('POST', '/payins/card/direct', { AuthorId: payer.Id, CreditedWalletId: w, DebitedFunds: money(5_000), Fees: money(0), CardId: card, ...CARD });
    expect(paid.Status).toBe('SUCCEEDED');
    expect(await count('SELECT count(*)::int AS n FROM transactions WHERE client_id = $1 AND credited_wallet_id = $2', w)).toBe(1);
    expect(await balanceOf(w)).toBe(5_000);

    const refund = await once('POST', `/payins/${paid.Id}/refunds`, { AuthorId: payer.Id, DebitedFunds: money(1_000), Fees: money(0) });
    expect(refund.Status).toBe('SUCCEEDED');
    expect(await count(`SELECT count(*)::int AS n FROM transactions WHERE client_id = $1 AND details->>'InitialTransactionId' = $2`, paid.Id)).toBe(1);
    expect(await balanceOf(w)).toBe(4_000);

    const hold = await must('POST', '/preauthorizations/card/direct', { AuthorId: payer.Id, DebitedFunds: money(3_000), CardId: card, ...CARD });
    const capture = await once('POST', '/payins/preauthorized/direct', {
      AuthorId: payer.Id, PreauthorizationId: hold.Id, CreditedWalletId: w, DebitedFunds: money(1_000), Fees: money(0),
    });
    expect(capture.Status).toBe('SUCCEEDED');
    expect((await must('GET', `/preauthorizations/${hold.Id}`)).RemainingFunds).toEqual(money(2_000));
    expect(await balanceOf(w)).toBe(5_000);
    await expectConserved(s.client.id);
  });
});

describe(`card pages under concurrent answers (${TEST_DB})`, () => {
  const formOf = (fields: Record<string, string>) => ({ raw: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' });
  const pathOf = (url: string) => new URL(url).pathname;
  const events = async (id: string) =>
    (await s.db.query<{ event_type: string }>('SELECT event_type FROM events WHERE resource_id = $1 ORDER BY seq', [id])).map((e) => e.event_type);

  it('a payment form posted several times at once charges the card once, with one card kept', async () => {
    for (let round = 0; round < 3; round++) {
      const owner = await newOwner();
      const made = await must('POST', '/payins/card/web', {
        AuthorId: owner.user.Id, CreditedWalletId: owner.wallet.Id, DebitedFunds: money(2_500), Fees: money(100),
        ReturnURL: 'https://shop.example/back', CardType: 'CB_VISA_MASTERCARD', Culture: 'EN',
      });
      const page = pathOf(made.RedirectURL);
      const pay = formOf({ action: 'pay', cardNumber: TEST_CARDS.frictionless, cardExpirationDate: '1229', cardCvx: '123' });
      // Round 2 also sends a cancel among the payments: the pay-in ends one way only.
      const posts = Array.from({ length: 5 }, (_, k) => (round === 2 && k === 2 ? formOf({ action: 'cancel' }) : pay));
      const replies = await Promise.all(posts.map((f) => s.fetch('POST', page, f)));
      for (const r of replies) expect(r.status, String(r.body)).toBeLessThan(500);
      const after = await must('GET', `/payins/${made.Id}`);
      expect(['SUCCEEDED', 'FAILED']).toContain(after.Status);
      if (round < 2) expect(after.Status).toBe('SUCCEEDED');
      expect(await balanceOf(owner.wallet.Id)).toBe(after.Status === 'SUCCEEDED' ? 2_400 : 0);
      expect(await events(made.Id)).toEqual(['PAYIN_NORMAL_CREATED', after.Status === 'SUCCEEDED' ? 'PAYIN_NORMAL_SUCCEEDED' : 'PAYIN_NORMAL_FAILED']);
      const [{ n }] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cards WHERE registration_id = $1', [made.Id]);
      expect(n).toBe(after.Status === 'SUCCEEDED' ? 1 : n);
      expect(n).toBeLessThanOrEqual(1);
    }
    await expectConserved(s.client.id);
  });

  it("3-D Secure approvals of pay-ins into one wallet racing its owner's closure: closed only if none was credited", async () => {
    const payer = await must('POST', '/sca/users/natural', naturalPayer());
    const card = (await registerCard(s, payer.Id, { number: TEST_CARDS.challenge })).Id;
    const seen = new Map<string, number>();
    for (let round = 0; round < 4; round++) {
      const owner = await newOwner();
      const waiting = [];
      for (let k = 0; k < 5; k++) {
        const made = (await cardPayIn(payer.Id, card, owner.wallet.Id, 700 + k, 0)).body;
        expect(made.Status, JSON.stringify(made)).toBe('CREATED');
        waiting.push(made);
      }
      const approvals = waiting.map((p) => () => s.fetch('POST', pathOf(p.SecureModeRedirectURL), formOf({ outcome: 'APPROVED' })));
      const closures = Array.from({ length: 2 }, () => () => s.call('DELETE', `/users/natural/${owner.user.Id}`));
      // The closures sent first in even rounds, last in odd ones.
      const all = round % 2 ? [...approvals, ...closures] : [...closures, ...approvals];
      const replies = await Promise.all(all.map((f) => f()));
      for (const r of replies) expect(r.status, String(r.body)).toBeLessThan(500);
      const closed = replies.filter((r) => r.status === 204).length;
      expect(closed).toBeLessThanOrEqual(1);
      let credited = 0;
      for (const p of waiting) {
        const after = await must('GET', `/payins/${p.Id}`);
        const key = `${after.Status} ${after.ResultCode}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        expect(key).toMatch(/^(SUCCEEDED 000000|FAILED 002602)$/);
        if (after.Status === 'SUCCEEDED') credited += after.CreditedFunds.Amount;
      }
      expect(await balanceOf(owner.wallet.Id)).toBe(credited);
      // A closure succeeds only on an empty wallet, and no approval credits a closed user afterwards.
      expect(closed === 1).toBe(credited === 0);
    }
    console.log(`approvals racing closures (${TEST_DB}): ${[...seen].map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    await expectConserved(s.client.id);
  });

  it('a 3-D Secure approval racing the challenge running out of time on the sandbox clock ends the pay-in one way', async () => {
    const c = await s.newClient();
    const token = await s.tokenFor(c);
    const as = (method: string, p: string, body?: unknown) => s.fetch(method, `/v2.01/${c.id}${p}`, { token, ...(body === undefined ? {} : { body }) });
    const viaC = { call: (method: string, p: string, o: { body?: unknown } = {}) => as(method, p, o.body) } as any;
    const user = (await as('POST', '/sca/users/natural', naturalOwner())).body;
    const w = (await as('POST', '/wallets', { Owners: [user.Id], Currency: 'EUR', Description: 'clock' })).body;
    const card = (await registerCard(viaC, user.Id, { number: TEST_CARDS.challenge })).Id;
    const outcomes: string[] = [];
    let expected = 0;
    for (let round = 0; round < 4; round++) {
      const made = (await as('POST', '/payins/card/direct', { AuthorId: user.Id, CreditedWalletId: w.Id, DebitedFunds: money(900), Fees: money(0), CardId: card, ...CARD })).body;
      expect(made.Status, JSON.stringify(made)).toBe('CREATED');
      const approve = () => s.fetch('POST', pathOf(made.SecureModeRedirectURL), formOf({ outcome: 'APPROVED' }));
      const expire = async () => {
        const moved = await as('POST', '/sandbox/clock/advance', { Seconds: 11 * 60 });
        expect(moved.status, JSON.stringify(moved.body)).toBe(200);
        return as('GET', `/payins/${made.Id}`);
      };
      const replies = round % 2 ? await Promise.all([approve(), expire()]) : await Promise.all([expire(), approve()]);
      for (const r of replies) expect(r.status, String(r.body)).toBeLessThan(500);
      const after = (await as('GET', `/payins/${made.Id}`)).body;
      outcomes.push(`${after.Status} ${after.ResultCode}`);
      expect(`${after.Status} ${after.ResultCode}`).toMatch(/^(SUCCEEDED 000000|FAILED 101304)$/);
      if (after.Status === 'SUCCEEDED') expected += 900;
      expect((await as('GET', `/wallets/${w.Id}`)).body.Balance.Amount).toBe(expected);
      expect((await events(made.Id)).length).toBe(2);
    }
    console.log(`approvals racing the clock (${TEST_DB}): ${outcomes.join(', ')}`);
    await expectConserved(c.id);
  });
});
