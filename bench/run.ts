// npm run bench: the real server (node dist/cli.js serve on PostgreSQL) against a bare-Fastify baseline
// on the same database, then webhook delivery under a steady write load, then the start-up time on an
// existing embedded data directory, then what syncing each embedded commit costs.
// BENCH_ONLY=api,webhooks,startup,durability (any of them) runs a part only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ledgerInvariants } from '../src/ledger/index.js';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
type CannonRequest = {
  method?: 'GET' | 'POST';
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: CannonRequest) => CannonRequest;
  onResponse?: (status: number, body: string) => void;
};
type CannonTarget = { url: string; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; requests?: CannonRequest[] };
// autocannon ships no types; this is the part of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (
  opts: CannonTarget & { connections: number; duration: number },
) => Promise<CannonResult>;

const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = 20;
const POOL_SIZE = 10; // the server's pg.Pool size (src/db/index.ts)
const STARTUP_RUNS = 3;
const DURABILITY_RUNS = 3;
const CLIENT_ID = 'bench';
const API_KEY = randomBytes(20).toString('hex');
const ADMIN_URL = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const DB_NAME = `mangrove_bench_${process.pid}`;
const CLI = path.resolve('dist/cli.js');
const LEGAL_PAYER = {
  Name: 'Bench Payer Ltd',
  LegalPersonType: 'BUSINESS',
  UserCategory: 'PAYER',
  TermsAndConditionsAccepted: false,
  Email: 'payer@example.com',
  LegalRepresentative: { FirstName: 'Paul', LastName: 'Payer' },
};

// Transfer scenarios: TRANSFER_USERS OWNER users with one EUR wallet each, funded with FUNDING cents, plus
// one hot wallet funded with HOT_FUNDING cents; transfers of 1..MAX_TRANSFER cents without fees.
const TRANSFER_USERS = 200;
const FUNDING = 100_000;
const HOT_FUNDING = 100_000_000;
const MAX_TRANSFER = 100;
const BODY_CYCLE = 10_000; // distinct bodies per scenario, cycled over

const naturalOwner = (n: number) => ({
  FirstName: 'Bench',
  LastName: `Owner ${n}`,
  // "accept" in the e-mail: the sandbox makes the user ACTIVE without the SCA step.
  Email: `bench.owner.${n}.accept@example.com`,
  Birthday: 631152000,
  Nationality: 'FR',
  CountryOfResidence: 'FR',
  UserCategory: 'OWNER',
  TermsAndConditionsAccepted: true,
  Address: { AddressLine1: '12 rue de la Paix', City: 'Paris', PostalCode: '75002', Country: 'FR' },
  PhoneNumber: '612345678',
  PhoneNumberCountry: 'FR',
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- child processes -------------------------------------------------------------------------

interface Child {
  name: string;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const children = new Set<Child>();

function launch(name: string, args: string[], env: Record<string, string>): Child {
  const base = { ...process.env };
  // Inherited settings must not change which database the child uses or how it is limited.
  for (const k of Object.keys(base)) if (/^(DATABASE_URL|DATA_DIR|PORT|HOST|MANGROVE_)/.test(k)) delete base[k];
  const proc = spawn(process.execPath, args, { env: { ...base, HOST: '127.0.0.1', ...env } });
  let out = '';
  // Keep the tail only: a server logging errors under load can print a lot.
  const keep = (d: Buffer) => (out = (out + d).slice(-20_000));
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const child: Child = {
    name,
    proc,
    output: () => out,
    exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))),
  };
  children.add(child);
  child.exited.then(() => children.delete(child));
  return child;
}

async function stop(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), 10_000);
  await child.exited;
  clearTimeout(timer);
}

function waitListening(child: Child, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${child.name}: no "listening on" line:\n${child.output()}`)), timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(child.output());
      if (m) {
        clearTimeout(timer);
        child.proc.stdout!.off('data', check);
        resolve(m[1]);
      }
    };
    child.proc.stdout!.on('data', check);
    child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${child.name} exited with ${code}:\n${child.output()}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

// ---- HTTP ----------------------------------------------------------------------------------------

async function getToken(url: string, clientId = CLIENT_ID): Promise<Response> {
  return fetch(`${url}/v2.01/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${API_KEY}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
    signal: AbortSignal.timeout(5_000),
  });
}

async function json(res: Response, what: string): Promise<any> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

// ---- load ----------------------------------------------------------------------------------------

interface Row {
  scenario: string;
  target: number;
  server: CannonResult;
  baseline: CannonResult;
}

async function load(target: CannonTarget): Promise<CannonResult> {
  // A short warm-up so that JIT compilation and opening pool connections are not measured.
  await autocannon({ ...target, connections: CONNECTIONS, duration: 1 });
  return autocannon({ ...target, connections: CONNECTIONS, duration: DURATION });
}

function failures(label: string, r: CannonResult): string[] {
  if (r.non2xx === 0 && r.errors === 0 && r.timeouts === 0 && r.requests.total > 0) return [];
  const codes = Object.entries(r.statusCodeStats).map(([code, s]) => `${code}: ${s.count}`).join(', ');
  return [`${label}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.requests.total} (${codes})`];
}

function printTable(rows: Row[]): void {
  const head = ['scenario', 'req/s', 'p99 ms', 'baseline req/s', 'baseline p99 ms', 'ratio', 'target'];
  const body = rows.map((r) => {
    const ratio = r.server.requests.average / r.baseline.requests.average;
    return [
      r.scenario,
      r.server.requests.average.toFixed(0),
      r.server.latency.p99.toFixed(1),
      r.baseline.requests.average.toFixed(0),
      r.baseline.latency.p99.toFixed(1),
      ratio.toFixed(2),
      `>= ${r.target.toFixed(2)} ${ratio >= r.target ? 'PASS' : 'MISS'}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
}

async function throughput(dbUrl: string): Promise<{ problems: string[]; postRate: number }> {
  const server = launch('mangrove', [CLI, 'serve'], {
    DATABASE_URL: dbUrl,
    PORT: String(await freePort()),
    MANGROVE_CLIENT_ID: CLIENT_ID,
    MANGROVE_API_KEY: API_KEY,
    MANGROVE_RATE_LIMITS: '100000000,100000000,100000000,100000000',
    MANGROVE_TOKEN_BUDGET: '100000000',
  });
  const serverUrl = await waitListening(server);
  const { access_token: token } = await json(await getToken(serverUrl), 'token');
  const auth = { authorization: `Bearer ${token}` };
  const userJson = { ...auth, 'content-type': 'application/json' };
  const usersUrl = `${serverUrl}/v2.01/${CLIENT_ID}/sca/users/legal`;
  const user = await json(
    await fetch(usersUrl, { method: 'POST', headers: userJson, body: JSON.stringify(LEGAL_PAYER) }),
    'create user',
  );

  // The baseline reads and writes the document the server stores for this user: jsonb of the same size.
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const { rows } = await db.query('SELECT data::text AS doc FROM users WHERE id = $1', [user.Id]);
  await db.end();
  const baseline = launch('baseline', ['--import', 'tsx', 'bench/baseline.ts'], {
    DATABASE_URL: dbUrl,
    PORT: String(await freePort()),
    BASELINE_DOC: rows[0].doc,
    BASELINE_POOL: String(POOL_SIZE),
    BASELINE_WALLETS: JSON.stringify(baselineWallets()),
  });
  const baselineUrl = await waitListening(baseline);
  console.log(`server ${serverUrl} (pid ${server.proc.pid}), baseline ${baselineUrl} (pid ${baseline.proc.pid})`);
  console.log(`POST bodies: server ${JSON.stringify(LEGAL_PAYER).length} bytes; baseline ${rows[0].doc.length} bytes, the document the server stores\n`);

  const results: Row[] = [];
  const run = async (scenario: string, target: number, s: CannonTarget, b: CannonTarget) => {
    process.stdout.write(`${scenario}: server...`);
    const server = await load(s);
    process.stdout.write(' baseline...');
    const baseline = await load(b);
    console.log(' done');
    results.push({ scenario, target, server, baseline });
  };
  await run('GET /sca/users/legal/{Id}', 0.7, { url: `${usersUrl}/${user.Id}`, headers: auth }, { url: `${baselineUrl}/items/item_1` });
  await run(
    'POST /sca/users/legal',
    0.5,
    { url: usersUrl, method: 'POST', headers: userJson, body: JSON.stringify(LEGAL_PAYER) },
    { url: `${baselineUrl}/items`, method: 'POST', headers: { 'content-type': 'application/json' }, body: rows[0].doc },
  );

  console.log();
  printTable(results);
  const problems = results.flatMap((r) => [...failures(`${r.scenario} server`, r.server), ...failures(`${r.scenario} baseline`, r.baseline)]);
  problems.push(...(await transferScenarios(serverUrl, baselineUrl, userJson, dbUrl)).problems);
  console.log(`\nnon-2xx / errors / money checks: ${problems.length ? 'FAIL' : 'none'}`);
  for (const p of problems) console.log(`  FAIL ${p}`);
  if (problems.length) console.log(`\nlast server output:\n${server.output().slice(-4000)}`);
  await Promise.all([stop(server), stop(baseline)]);
  return { problems, postRate: results.find((r) => r.scenario.startsWith('POST'))!.server.requests.average };
}

// ---- transfers -----------------------------------------------------------------------------------

interface Holder {
  userId: string;
  walletId: string;
  baselineId: string;
}

interface TransferRow {
  scenario: string;
  server: CannonResult;
  baseline: CannonResult;
  serverFailed: Map<string, number>;
  baselineFailed: Map<string, number>;
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pooled<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/** Creates an ACTIVE natural OWNER with a EUR wallet credited with `amount` by a settled bank-wire pay-in. */
async function makeHolder(api: (method: string, p: string, body?: unknown) => Promise<any>, n: number, amount: number): Promise<Holder> {
  const user = await api('POST', '/sca/users/natural', naturalOwner(n));
  const wallet = await api('POST', '/wallets', { Owners: [user.Id], Currency: 'EUR', Description: `bench ${n}` });
  const payIn = await api('POST', '/payins/bankwire/direct', {
    AuthorId: user.Id,
    CreditedWalletId: wallet.Id,
    DeclaredDebitedFunds: { Currency: 'EUR', Amount: amount },
    DeclaredFees: { Currency: 'EUR', Amount: 0 },
  });
  const settled = await api('POST', `/sandbox/payins/${payIn.Id}/settle`);
  if (settled.Status !== 'SUCCEEDED') throw new Error(`settle ${payIn.Id}: ${JSON.stringify(settled)}`);
  return { userId: user.Id, walletId: wallet.Id, baselineId: `bw_${String(n).padStart(4, '0')}` };
}

/** The transfer baseline's wallets: the same count and funding as the server's, known before it starts. */
function baselineWallets(): [string, number][] {
  return Array.from({ length: TRANSFER_USERS + 1 }, (_, n) => [`bw_${String(n).padStart(4, '0')}`, n === TRANSFER_USERS ? HOT_FUNDING : FUNDING]);
}

/** Random (debited, credited) index pairs, distinct; `from` fixed for the hot-wallet scenario. */
function pairs(count: number, from?: number): [number, number][] {
  const rnd = (k: number) => Math.floor(Math.random() * k);
  return Array.from({ length: BODY_CYCLE }, () => {
    const a = from ?? rnd(count);
    let b = rnd(count);
    while (b === a) b = rnd(count);
    return [a, b];
  });
}

/**
 * A cannon target cycling over `bodies`, counting FAILED answers by ResultCode into `failed` and every
 * 200 answer, warm-ups included, into `answered.ok`.
 */
function cycling(
  url: string,
  headers: Record<string, string>,
  bodies: string[],
  failed: Map<string, number>,
  answered: { ok: number },
): CannonTarget {
  let k = 0;
  return {
    url,
    requests: [
      {
        method: 'POST',
        headers,
        setupRequest: (req) => ({ ...req, body: bodies[k++ % bodies.length] }),
        onResponse: (status, body) => {
          if (status === 200) answered.ok++;
          if (status !== 200 || !body.includes('"FAILED"')) return;
          const code = String(JSON.parse(body).ResultCode);
          failed.set(code, (failed.get(code) ?? 0) + 1);
        },
      },
    ],
  };
}

async function transferLoad(target: CannonTarget, failed: Map<string, number>): Promise<CannonResult> {
  await autocannon({ ...target, connections: CONNECTIONS, duration: 1 });
  failed.clear(); // count the measured run only
  return autocannon({ ...target, connections: CONNECTIONS, duration: DURATION });
}

const BENCH_BROWSER = {
  AcceptHeader: 'text/html',
  JavaEnabled: false,
  Language: 'FR-FR',
  ColorDepth: 24,
  ScreenHeight: 1080,
  ScreenWidth: 1920,
  JavascriptEnabled: true,
  TimeZoneOffset: '+60',
  UserAgent: 'mangrove-bench',
};

/** Registers the frictionless test card for a user through the real flow (registration, tokenizer, update). */
async function registerBenchCard(api: (method: string, p: string, body?: unknown) => Promise<any>, userId: string): Promise<string> {
  const reg = await api('POST', '/cardregistrations', { UserId: userId, Currency: 'EUR' });
  const form = new URLSearchParams({
    data: reg.PreregistrationData,
    accessKeyRef: reg.AccessKey,
    cardNumber: '4970107111111119',
    cardExpirationDate: '1239',
    cardCvx: '123',
  });
  const res = await fetch(reg.CardRegistrationURL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const data = await res.text();
  const done = await api('PUT', `/cardregistrations/${reg.Id}`, { RegistrationData: data });
  if (done.Status !== 'VALIDATED') throw new Error(`card registration: ${JSON.stringify(done)}`);
  return done.CardId;
}

async function transferScenarios(
  serverUrl: string,
  baselineUrl: string,
  headers: Record<string, string>,
  dbUrl: string,
): Promise<{ problems: string[]; ledger: string[] }> {
  const api = async (method: string, p: string, body?: unknown) =>
    json(
      await fetch(`${serverUrl}/v2.01/${CLIENT_ID}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
      `${method} ${p}`,
    );
  const t0 = performance.now();
  const holders = await pooled(
    Array.from({ length: TRANSFER_USERS + 1 }, (_, n) => n),
    CONNECTIONS,
    (n) => makeHolder(api, n, n === TRANSFER_USERS ? HOT_FUNDING : FUNDING),
  );
  const paidIn = BigInt(TRANSFER_USERS) * BigInt(FUNDING) + BigInt(HOT_FUNDING);
  const hot = TRANSFER_USERS;
  console.log(
    `\ntransfers: ${TRANSFER_USERS} OWNER users with a EUR wallet of ${FUNDING} cents, one hot wallet of ${HOT_FUNDING} cents, ` +
      `made and funded through the API in ${((performance.now() - t0) / 1000).toFixed(1)} s; transfers of 1..${MAX_TRANSFER} cents, no fees`,
  );

  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const deadlocks = async () =>
    Number((await db.query('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()')).rows[0].deadlocks);
  const deadlocksBefore = await deadlocks();

  const amount = () => 1 + Math.floor(Math.random() * MAX_TRANSFER);
  const answered = { ok: 0 }; // the server's 200 answers over every transfer run
  const cardAnswered = { ok: 0 }; // and over the card pay-in run
  const baselineAnswered = { ok: 0 };
  const results: TransferRow[] = [];
  const run = async (scenario: string, ps: [number, number][]) => {
    const amounts = ps.map(amount);
    const serverBodies = ps.map(([a, b], i) =>
      JSON.stringify({
        AuthorId: holders[a].userId,
        DebitedFunds: { Currency: 'EUR', Amount: amounts[i] },
        Fees: { Currency: 'EUR', Amount: 0 },
        DebitedWalletId: holders[a].walletId,
        CreditedWalletId: holders[b].walletId,
      }),
    );
    const baselineBodies = ps.map(([a, b], i) =>
      JSON.stringify({ DebitedWalletId: holders[a].baselineId, CreditedWalletId: holders[b].baselineId, Amount: amounts[i] }),
    );
    const serverFailed = new Map<string, number>();
    const baselineFailed = new Map<string, number>();
    process.stdout.write(`${scenario}: server...`);
    const server = await transferLoad(cycling(`${serverUrl}/v2.01/${CLIENT_ID}/transfers`, headers, serverBodies, serverFailed, answered), serverFailed);
    process.stdout.write(' baseline...');
    const baseline = await transferLoad(
      cycling(`${baselineUrl}/transfers`, { 'content-type': 'application/json' }, baselineBodies, baselineFailed, baselineAnswered),
      baselineFailed,
    );
    console.log(' done');
    results.push({ scenario, server, baseline, serverFailed, baselineFailed });
  };
  await run(`POST /transfers, random pairs of ${TRANSFER_USERS} wallets`, pairs(TRANSFER_USERS));
  await run(`POST /transfers, one hot wallet to ${TRANSFER_USERS} others`, pairs(TRANSFER_USERS, hot));

  // Direct card pay-ins next to the transfers: one payer's frictionless test card (registered and
  // tokenized through the API) paying into random holders' wallets; the baseline does the same rows.
  const payerId = holders[0].userId;
  const cardId = await registerBenchCard(api, payerId);
  {
    const targets = Array.from({ length: BODY_CYCLE }, () => Math.floor(Math.random() * TRANSFER_USERS));
    const amounts = targets.map(() => 1 + Math.floor(Math.random() * MAX_TRANSFER));
    const serverBodies = targets.map((b, i) =>
      JSON.stringify({
        AuthorId: payerId,
        CreditedWalletId: holders[b].walletId,
        DebitedFunds: { Currency: 'EUR', Amount: amounts[i] },
        Fees: { Currency: 'EUR', Amount: 0 },
        CardId: cardId,
        SecureModeReturnURL: 'https://example.com/return',
        IpAddress: '2001:0620:0000:0000:0211:24FF:FE80:C12C',
        BrowserInfo: BENCH_BROWSER,
      }),
    );
    const baselineBodies = targets.map((b, i) => JSON.stringify({ CreditedWalletId: holders[b].baselineId, Amount: amounts[i] }));
    const serverFailed = new Map<string, number>();
    const baselineFailed = new Map<string, number>();
    const scenario = `POST /payins/card/direct, frictionless card into ${TRANSFER_USERS} wallets`;
    process.stdout.write(`${scenario}: server...`);
    const server = await transferLoad(
      cycling(`${serverUrl}/v2.01/${CLIENT_ID}/payins/card/direct`, headers, serverBodies, serverFailed, cardAnswered),
      serverFailed,
    );
    process.stdout.write(' baseline...');
    const baseline = await transferLoad(
      cycling(`${baselineUrl}/payins`, { 'content-type': 'application/json' }, baselineBodies, baselineFailed, { ok: 0 }),
      baselineFailed,
    );
    console.log(' done');
    results.push({ scenario, server, baseline, serverFailed, baselineFailed });
  }

  console.log();
  const fmtFailed = (m: Map<string, number>) => {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    return total ? `${total} (${[...m].map(([c, n]) => `${c}: ${n}`).join(', ')})` : '0';
  };
  const head = ['scenario', 'req/s', 'p99 ms', 'non-2xx', 'FAILED', 'baseline req/s', 'baseline p99 ms', 'baseline FAILED', 'ratio'];
  const body = results.map((r) => [
    r.scenario,
    r.server.requests.average.toFixed(0),
    r.server.latency.p99.toFixed(1),
    String(r.server.non2xx + r.server.errors + r.server.timeouts),
    fmtFailed(r.serverFailed),
    r.baseline.requests.average.toFixed(0),
    r.baseline.latency.p99.toFixed(1),
    fmtFailed(r.baselineFailed),
    (r.server.requests.average / r.baseline.requests.average).toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));

  // Nothing created or lost: every wallet balance sums to what the pay-ins brought in.
  const clientId = (await db.query('SELECT client_id FROM users WHERE id = $1', [holders[0].userId])).rows[0].client_id;
  const one = async (sql: string, params: unknown[] = []) => BigInt((await db.query(sql, params)).rows[0].v ?? 0);
  const balances = await one('SELECT coalesce(sum(balance), 0)::text AS v FROM wallets WHERE client_id = $1', [clientId]);
  const external = await one(
    "SELECT (-coalesce(sum(amount), 0))::text AS v FROM postings WHERE client_id = $1 AND account LIKE 'external:%'",
    [clientId],
  );
  const byCard = await one(
    "SELECT (-coalesce(sum(amount), 0))::text AS v FROM postings WHERE client_id = $1 AND account LIKE 'card-network:%'",
    [clientId],
  );
  const cardPaidIn = await one(
    `SELECT coalesce(sum(debited_amount), 0)::text AS v FROM transactions
     WHERE client_id = $1 AND type = 'PAYIN' AND payment_type = 'CARD' AND status = 'SUCCEEDED'`,
    [clientId],
  );
  const cardStored = Number(await one(`SELECT count(*)::text AS v FROM transactions WHERE client_id = $1 AND payment_type = 'CARD'`, [clientId]));
  const baselineTotal = await one('SELECT coalesce(sum(balance), 0)::text AS v FROM baseline_wallets');
  const baselineCardIn = await one("SELECT coalesce(sum(amount), 0)::text AS v FROM baseline_payins WHERE status = 'SUCCEEDED'");
  const baselineSeeded = baselineWallets().reduce((a, [, b]) => a + BigInt(b), 0n) + baselineCardIn;
  const byStatus = (
    await db.query(
      `SELECT status, coalesce(result_code, '-') AS code, count(*)::int AS n FROM transactions
       WHERE client_id = $1 AND type = 'TRANSFER' GROUP BY 1, 2 ORDER BY 1, 2`,
      [clientId],
    )
  ).rows;
  const stored = byStatus.reduce((a: number, r: any) => a + r.n, 0);
  const ledger = await ledgerInvariants({ query: async (sql, params) => (await db.query(sql, params as any[])).rows }, clientId);
  const deadlocksAfter = await deadlocks();
  await db.end();

  const ok = balances === paidIn + byCard && external === paidIn && byCard === cardPaidIn;
  console.log(
    `\nmoney check (server): sum of wallet balances ${balances}, paid in by bank wire ${paidIn} (external postings ${external}) ` +
      `+ by card ${cardPaidIn} (card-network postings ${byCard}): ${ok ? 'PASS' : 'FAIL'}`,
  );
  console.log(`card pay-ins answered 200 (warm-up included): ${cardAnswered.ok}, stored: ${cardStored}`);
  console.log(`ledger invariants (src/ledger ledgerInvariants): ${ledger.length ? `FAIL, ${ledger.length} problem(s)` : 'PASS'}`);
  for (const p of ledger.slice(0, 10)) console.log(`  ${p}`);
  console.log(`transfers stored by the server: ${byStatus.map((r) => `${r.status} ${r.code}: ${r.n}`).join(', ') || 'none'}`);
  // Requests still in flight when autocannon stops are finished by the server but not counted as answered.
  const inFlight = stored - answered.ok;
  console.log(
    `transfers answered 200 (warm-ups included): ${answered.ok}, stored: ${stored}, ` +
      `stored but unanswered (in flight when a run stopped, at most ${CONNECTIONS} per run): ${inFlight}`,
  );
  console.log(`money check (baseline): sum of balances ${baselineTotal}, seeded ${baselineSeeded}: ${baselineTotal === baselineSeeded ? 'PASS' : 'FAIL'}`);
  console.log(`PostgreSQL deadlocks in the scratch database during the transfer runs: ${deadlocksAfter - deadlocksBefore}`);

  const problems = results.flatMap((r) => [...failures(`${r.scenario} server`, r.server), ...failures(`${r.scenario} baseline`, r.baseline)]);
  if (inFlight < 0) problems.push(`${answered.ok} transfers answered 200 but only ${stored} stored`);
  if (cardStored < cardAnswered.ok) problems.push(`${cardAnswered.ok} card pay-ins answered 200 but only ${cardStored} stored`);
  if (!ok) problems.push(`money check: balances ${balances}, external ${external}, paid in ${paidIn}, card ${byCard} vs ${cardPaidIn}`);
  if (baselineTotal !== baselineSeeded) problems.push(`baseline money check: ${baselineTotal} != ${baselineSeeded}`);
  problems.push(...ledger.map((p) => `ledger: ${p}`));
  return { problems, ledger };
}

// ---- webhooks ------------------------------------------------------------------------------------

// Webhook delivery: natural OWNER users created at a fixed rate, well below saturation, each recording
// WEBHOOK_EVENT (no "accept" in the e-mail, so no SCA bypass) for a hook pointing at a receiver in
// this process; run once per poll interval (MANGROVE_WEBHOOK_POLL_MS, the default first).
const WEBHOOK_EVENT = 'USER_ACCOUNT_VALIDATION_ASKED';
const WEBHOOK_RATE = Number(process.env.BENCH_WEBHOOK_RATE || 200);
const WEBHOOK_POLLS = [100, 10];
const DELIVERY_TIMEOUT_MS = 30_000;

const pendingOwner = (n: number) => ({ ...naturalOwner(n), Email: `bench.owner.${n}@example.com` });

interface Receiver {
  url: string;
  /** Arrival times (performance.now()) by RessourceId. */
  arrivals: Map<string, number[]>;
  /** Calls for another event type, or without a RessourceId. */
  unexpected: number;
  close: () => Promise<void>;
}

/** A webhook endpoint answering 200 at once, timing arrivals on the clock that times the POST responses. */
async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', arrivals: new Map(), unexpected: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    const t = performance.now();
    const q = new URL(req.url ?? '/', 'http://receiver').searchParams;
    const id = q.get('RessourceId');
    if (!id || q.get('EventType') !== WEBHOOK_EVENT) receiver.unexpected++;
    else if (receiver.arrivals.has(id)) receiver.arrivals.get(id)!.push(t);
    else receiver.arrivals.set(id, [t]);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`;
  receiver.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return receiver;
}

interface WebhookRow {
  pollMs: number;
  /** POST latency, ms. */
  postP99: number;
  /** From the first request to the last response. */
  postSeconds: number;
  events: number;
  received: number;
  duplicates: number;
  missing: number;
  /** From the load's start to the last notification. */
  deliverySeconds: number;
  lags: number[];
  outbox: string;
}

interface PacedRun {
  /** The created user's Id -> when its response arrived. */
  answered: Map<string, number>;
  /** Request to response, ms, sorted. */
  latencies: number[];
  /** Answers other than 200, and requests without an answer, by status or error. */
  failed: Map<string, number>;
  start: number;
  /** The last response. */
  end: number;
}

/**
 * POSTs `count` bodies at `rate` per second, one every 1000 / rate ms whatever the
 * answers (an open loop, over at most CONNECTIONS connections). Not autocannon: its overallRate lets
 * each connection send its quota for the second back to back, a burst at the start of every second.
 */
async function paced(
  url: string,
  headers: Record<string, string>,
  body: () => string,
  count: number,
  rate = WEBHOOK_RATE,
): Promise<PacedRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const start = performance.now();
  const run: PacedRun = { answered: new Map(), latencies: [], failed: new Map(), start, end: start };
  const fail = (why: string) => run.failed.set(why, (run.failed.get(why) ?? 0) + 1);
  const sent: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait >= 1) await sleep(wait);
    const text = body();
    sent.push(
      new Promise((resolve) => {
        const sentAt = performance.now();
        const options = { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(text)) } };
        const req = http.request(url, options, (res) => {
          let answer = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (answer += d));
          res.on('end', () => {
            const at = performance.now();
            run.latencies.push(at - sentAt);
            run.end = Math.max(run.end, at);
            if (res.statusCode === 200) run.answered.set(JSON.parse(answer).Id, at);
            else fail(String(res.statusCode));
            resolve();
          });
        });
        req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
        req.on('error', (err) => {
          fail(err.message);
          resolve();
        });
        req.end(text);
      }),
    );
  }
  await Promise.all(sent);
  agent.destroy();
  run.latencies.sort((a, b) => a - b);
  return run;
}

const percentile = (sorted: number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;

async function webhookRun(dbUrl: string, pollMs: number): Promise<{ row: WebhookRow; problems: string[] }> {
  // A client per run: its hook, events and outbox rows are this run's only.
  const clientId = `bench_webhooks_${pollMs}`;
  const server = launch(`mangrove (poll ${pollMs} ms)`, [CLI, 'serve'], {
    DATABASE_URL: dbUrl,
    PORT: String(await freePort()),
    MANGROVE_CLIENT_ID: clientId,
    MANGROVE_API_KEY: API_KEY,
    MANGROVE_RATE_LIMITS: '100000000,100000000,100000000,100000000',
    MANGROVE_TOKEN_BUDGET: '100000000',
    MANGROVE_WEBHOOK_POLL_MS: String(pollMs),
  });
  const receiver = await startReceiver();
  const db = new pg.Client({ connectionString: dbUrl });
  try {
    const serverUrl = await waitListening(server);
    const { access_token: token } = await json(await getToken(serverUrl, clientId), 'token');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await json(
      await fetch(`${serverUrl}/v2.01/${clientId}/hooks`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ EventType: WEBHOOK_EVENT, Url: receiver.url }),
      }),
      'create hook',
    );

    let n = 0;
    const usersUrl = `${serverUrl}/v2.01/${clientId}/sca/users/natural`;
    const post = (seconds: number) => paced(usersUrl, headers, () => JSON.stringify(pendingOwner(n++)), Math.round(WEBHOOK_RATE * seconds));
    const delivered = async (ids: Iterable<string>) => {
      const waiting = new Set(ids);
      const deadline = performance.now() + DELIVERY_TIMEOUT_MS;
      while (waiting.size && performance.now() < deadline) {
        for (const id of waiting) if (receiver.arrivals.has(id)) waiting.delete(id);
        await sleep(5);
      }
    };

    // The warm-up's notifications are delivered (and its cold calls made) before the measured run.
    process.stdout.write(`poll ${pollMs} ms: warm-up...`);
    const warm = await post(1);
    await delivered(warm.answered.keys());
    process.stdout.write(` ${WEBHOOK_RATE * DURATION} users at ${WEBHOOK_RATE}/s...`);
    const run = await post(DURATION);
    await delivered(run.answered.keys());
    // Outcomes are written after the call returns; a late duplicate would be a second claim of a sent row.
    await db.connect();
    const deadline = performance.now() + DELIVERY_TIMEOUT_MS;
    const pending = async () =>
      (await db.query("SELECT count(*)::int AS n FROM webhook_deliveries WHERE client_id = $1 AND status = 'PENDING'", [clientId]))
        .rows[0].n;
    while ((await pending()) > 0 && performance.now() < deadline) await sleep(50);
    await sleep(Math.max(500, 5 * pollMs));
    console.log(' done');

    const { rows: outbox } = await db.query(
      `SELECT status, attempts, count(*)::int AS n FROM webhook_deliveries WHERE client_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [clientId],
    );
    const { rows: events } = await db.query('SELECT count(*)::int AS n FROM events WHERE client_id = $1 AND event_type = $2', [
      clientId,
      WEBHOOK_EVENT,
    ]);

    const known = new Set([...warm.answered.keys(), ...run.answered.keys()]);
    const lags: number[] = [];
    let lastArrival = run.start;
    for (const [id, answeredAt] of run.answered) {
      const arrived = receiver.arrivals.get(id)?.[0];
      if (arrived === undefined) continue;
      lags.push(arrived - answeredAt);
      lastArrival = Math.max(lastArrival, arrived);
    }
    lags.sort((a, b) => a - b);
    const duplicates = [...receiver.arrivals.values()].filter((t) => t.length > 1).length;
    const strangers = [...receiver.arrivals.keys()].filter((id) => !known.has(id)).length;
    const rows = outbox.reduce((a: number, r: any) => a + r.n, 0);
    const clean = outbox.length === 1 && outbox[0].status === 'SUCCEEDED' && outbox[0].attempts === 1;
    const row: WebhookRow = {
      pollMs,
      postP99: percentile(run.latencies, 0.99),
      postSeconds: (run.end - run.start) / 1000,
      events: run.answered.size,
      received: lags.length,
      duplicates,
      missing: run.answered.size - lags.length,
      deliverySeconds: (lastArrival - run.start) / 1000,
      lags,
      outbox: outbox.map((r: any) => `${r.status} x${r.attempts}: ${r.n}`).join(', '),
    };

    const label = `webhooks (poll ${pollMs} ms)`;
    const problems: string[] = [];
    const failed = [...warm.failed, ...run.failed].map(([why, k]) => `${why}: ${k}`);
    if (failed.length) problems.push(`${label}: POST /sca/users/natural not answered 200: ${failed.join(', ')}`);
    if (row.missing) problems.push(`${label}: ${row.missing} of ${row.events} notifications missing after ${DELIVERY_TIMEOUT_MS / 1000} s`);
    if (duplicates) problems.push(`${label}: ${duplicates} RessourceId(s) notified more than once`);
    if (strangers || receiver.unexpected) problems.push(`${label}: ${strangers + receiver.unexpected} unexpected notification(s)`);
    if (events[0].n !== known.size) problems.push(`${label}: ${events[0].n} ${WEBHOOK_EVENT} events stored, ${known.size} users answered`);
    if (!clean || rows !== known.size) problems.push(`${label}: outbox rows ${row.outbox || 'none'}, expected SUCCEEDED x1: ${known.size}`);
    if (problems.length) console.log(`last server output:\n${server.output().slice(-4000)}`);
    return { row, problems };
  } finally {
    await db.end().catch(() => {});
    await receiver.close();
    await stop(server);
  }
}

// Delivery capacity and recovery: DRAIN_EVENTS deliveries queued by a server that sends none
// (MANGROVE_WEBHOOKS=off) and is then killed, drained by a fresh server process; throughput =
// deliveries / (listening -> last arrival).
const DRAIN_EVENTS = 3000;

async function webhookDrain(dbUrl: string): Promise<{ line: string; problems: string[] }> {
  const clientId = 'bench_webhooks_drain';
  const env = {
    DATABASE_URL: dbUrl,
    MANGROVE_CLIENT_ID: clientId,
    MANGROVE_API_KEY: API_KEY,
    MANGROVE_RATE_LIMITS: '100000000,100000000,100000000,100000000',
    MANGROVE_TOKEN_BUDGET: '100000000',
  };
  const receiver = await startReceiver();
  const problems: string[] = [];
  try {
    const queuing = launch('mangrove (queuing only)', [CLI, 'serve'], { ...env, PORT: String(await freePort()), MANGROVE_WEBHOOKS: 'off' });
    let answered: Set<string>;
    try {
      const url = await waitListening(queuing);
      const { access_token: token } = await json(await getToken(url, clientId), 'token');
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      await json(
        await fetch(`${url}/v2.01/${clientId}/hooks`, { method: 'POST', headers, body: JSON.stringify({ EventType: WEBHOOK_EVENT, Url: receiver.url }) }),
        'create hook',
      );
      let n = 0;
      process.stdout.write(`drain: queuing ${DRAIN_EVENTS} deliveries...`);
      const run = await paced(`${url}/v2.01/${clientId}/sca/users/natural`, headers, () => JSON.stringify(pendingOwner(n++)), DRAIN_EVENTS, 400);
      answered = new Set(run.answered.keys());
      if (run.failed.size) problems.push(`drain: ${[...run.failed].map(([w, k]) => `${w}: ${k}`).join(', ')}`);
    } finally {
      // Killed, not stopped: the queue must survive a crash.
      queuing.proc.kill('SIGKILL');
      await queuing.exited;
    }
    if (receiver.arrivals.size) problems.push(`drain: ${receiver.arrivals.size} notification(s) sent by the queuing server`);
    process.stdout.write(' draining...');
    const port = String(await freePort());
    const spawned = performance.now();
    const draining = launch('mangrove (draining)', [CLI, 'serve'], { ...env, PORT: port });
    try {
      await waitListening(draining);
      const t0 = performance.now();
      const deadline = t0 + DELIVERY_TIMEOUT_MS * 2;
      while (receiver.arrivals.size < answered.size && performance.now() < deadline) await sleep(5);
      const firsts = [...receiver.arrivals.values()].map((t) => t[0]);
      const last = Math.max(...firsts);
      const seconds = (last - t0) / 1000;
      const firstMs = Math.min(...firsts) - spawned;
      console.log(' done');
      const duplicates = [...receiver.arrivals.values()].filter((t) => t.length > 1).length;
      if (receiver.arrivals.size < answered.size) problems.push(`drain: ${answered.size - receiver.arrivals.size} notification(s) missing`);
      if (duplicates) problems.push(`drain: ${duplicates} notification(s) sent twice`);
      return {
        line:
          `drain: ${receiver.arrivals.size} deliveries queued by a server killed with SIGKILL, sent by the next one in ` +
          `${seconds.toFixed(2)} s (${(receiver.arrivals.size / seconds).toFixed(0)} deliveries/s; the first ${firstMs.toFixed(0)} ms ` +
          `after it was spawned), ${duplicates} duplicates`,
        problems,
      };
    } finally {
      await stop(draining);
    }
  } finally {
    await receiver.close();
  }
}

async function webhookScenarios(dbUrl: string, postRate: number | null): Promise<string[]> {
  console.log(
    `\nwebhook delivery: POST /sca/users/natural paced at ${WEBHOOK_RATE} req/s for ${DURATION} s (after a 1 s warm-up), ` +
      `at most ${CONNECTIONS} connections, each recording ${WEBHOOK_EVENT} for a hook on a receiver in this process; ` +
      `lag = the notification's arrival - the user's POST response`,
  );
  const rows: WebhookRow[] = [];
  const problems: string[] = [];
  for (const pollMs of WEBHOOK_POLLS) {
    const r = await webhookRun(dbUrl, pollMs);
    rows.push(r.row);
    problems.push(...r.problems);
  }

  console.log();
  const ms = (v: number) => v.toFixed(1);
  const head = ['poll ms', 'POST req/s', 'POST p99 ms', 'events', 'received', 'dup', 'missing', 'deliveries/s'];
  head.push('lag p50', 'p95', 'p99', 'max ms', 'outbox (status x attempts)');
  const body = rows.map((r) => [
    String(r.pollMs),
    (r.events / r.postSeconds).toFixed(0),
    ms(r.postP99),
    String(r.events),
    String(r.received),
    String(r.duplicates),
    String(r.missing),
    (r.received / r.deliverySeconds).toFixed(0),
    ms(percentile(r.lags, 0.5)),
    ms(percentile(r.lags, 0.95)),
    ms(percentile(r.lags, 0.99)),
    ms(r.lags[r.lags.length - 1] ?? NaN),
    r.outbox,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === head.length - 1 ? c : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
  if (postRate !== null) console.log(`for comparison, POST /sca/users/legal at full load above: ${postRate.toFixed(0)} req/s`);
  if (rows.some((r) => r.events / r.postSeconds < 0.95 * WEBHOOK_RATE)) {
    console.log(`note: the server did not keep up with ${WEBHOOK_RATE} req/s: the load saturated it (lower BENCH_WEBHOOK_RATE)`);
  }
  console.log();
  const drain = await webhookDrain(dbUrl);
  console.log(drain.line);
  problems.push(...drain.problems);
  const verdict = problems.length ? 'FAIL' : 'PASS';
  console.log(`\nwebhook checks (each notification exactly once, every outbox row SUCCEEDED at the first attempt): ${verdict}`);
  for (const p of problems) console.log(`  FAIL ${p}`);
  return problems;
}

// ---- start-up --------------------------------------------------------------------------------------

async function startupTime(): Promise<void> {
  const dataDir = (tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-bench-')));
  try {
    const startOnce = async (): Promise<number> => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const t0 = performance.now();
      const child = launch('mangrove (embedded)', [CLI, 'serve'], {
        DATA_DIR: dataDir,
        PORT: String(port),
        MANGROVE_CLIENT_ID: CLIENT_ID,
        MANGROVE_API_KEY: API_KEY,
        MANGROVE_TOKEN_BUDGET: '100000000',
      });
      try {
        for (;;) {
          if (child.proc.exitCode !== null || child.proc.signalCode !== null) throw new Error(`exited early:\n${child.output()}`);
          if (performance.now() - t0 > 60_000) throw new Error(`no answer in 60 s:\n${child.output()}`);
          const res = await getToken(url).catch(() => null);
          const elapsed = performance.now() - t0;
          const text = await res?.text();
          if (res?.ok) return elapsed;
          if (res) throw new Error(`token: HTTP ${res.status} ${text}`);
          await sleep(10);
        }
      } finally {
        await stop(child);
      }
    };
    const first = await startOnce();
    console.log(`first start (creates the data directory): ${first.toFixed(0)} ms, target < 3000 ms: ${first < 3000 ? 'PASS' : 'MISS'}`);
    const times: number[] = [];
    for (let i = 0; i < STARTUP_RUNS; i++) times.push(await startOnce());
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
    console.log(`restarts, spawn to first token: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    console.log(`median ${median.toFixed(0)} ms, target < 1000 ms: ${median < 1000 ? 'PASS' : 'MISS'}`);
  } finally {
    await cleanup();
  }
}

// ---- durability ------------------------------------------------------------------------------------

/**
 * What syncing each commit costs the embedded database: POST /sca/users/legal on PGlite in a data
 * directory, as shipped (every commit synced) and with MANGROVE_UNSAFE_NO_FSYNC=1, alternated over
 * DURABILITY_RUNS pairs; the ratio of the medians is the price of durability on this disk.
 */
async function durabilityCost(): Promise<string[]> {
  const rates: Record<'synced' | 'unsafe', number[]> = { synced: [], unsafe: [] };
  const problems: string[] = [];
  for (let i = 0; i < DURABILITY_RUNS; i++) {
    for (const mode of ['synced', 'unsafe'] as const) {
      const dataDir = (tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-bench-')));
      try {
        const server = launch(`mangrove (embedded, ${mode})`, [CLI, 'serve'], {
          DATA_DIR: dataDir,
          PORT: String(await freePort()),
          MANGROVE_CLIENT_ID: CLIENT_ID,
          MANGROVE_API_KEY: API_KEY,
          MANGROVE_RATE_LIMITS: '100000000,100000000,100000000,100000000',
          MANGROVE_TOKEN_BUDGET: '100000000',
          ...(mode === 'unsafe' ? { MANGROVE_UNSAFE_NO_FSYNC: '1' } : {}),
        });
        const url = await waitListening(server);
        const { access_token: token } = await json(await getToken(url), 'token');
        const r = await load({
          url: `${url}/v2.01/${CLIENT_ID}/sca/users/legal`,
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(LEGAL_PAYER),
        });
        const failed = failures(`durability ${mode}`, r);
        problems.push(...failed);
        rates[mode].push(r.requests.average);
        console.log(`  ${mode.padEnd(6)} POST /sca/users/legal: ${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms`);
        for (const f of failed) console.log(`    ${f}`);
      } finally {
        await cleanup();
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const synced = median(rates.synced);
  const unsafe = median(rates.unsafe);
  console.log(`medians: synced ${synced.toFixed(0)} req/s, unsafe ${unsafe.toFixed(0)} req/s, synced/unsafe ${(synced / unsafe).toFixed(2)}`);
  return problems;
}

// ---- clean-up ------------------------------------------------------------------------------------

let scratch = false;
let tempDir: string | undefined;
let dropped: Promise<void> | undefined;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Stops every child, drops the scratch database, removes the data directory; safe to call again, even while it runs (a second Ctrl-C). */
async function cleanup(): Promise<void> {
  await Promise.all([...children].map(stop));
  if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
  if (scratch) dropped ??= admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`).then(() => console.log(`dropped ${DB_NAME}`));
  await dropped;
}

// ---- main ------------------------------------------------------------------------------------------

const PARTS = ['api', 'webhooks', 'startup', 'durability'] as const;

async function main(): Promise<void> {
  if (!(DURATION > 0)) throw new Error(`BENCH_DURATION must be a positive number of seconds, got "${process.env.BENCH_DURATION}"`);
  if (!(WEBHOOK_RATE > 0)) throw new Error(`BENCH_WEBHOOK_RATE must be a positive number of requests/s, got "${process.env.BENCH_WEBHOOK_RATE}"`);
  const only = (process.env.BENCH_ONLY || PARTS.join(',')).split(',').map((p) => p.trim());
  const unknown = only.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown part(s) ${unknown.join(', ')}; known: ${PARTS.join(', ')}`);
  const runs = (part: (typeof PARTS)[number]) => only.includes(part);

  console.log(`Mangrove bench: ${CONNECTIONS} connections, ${DURATION} s per run (after a 1 s warm-up), server pool ${POOL_SIZE}`);
  console.log(
    `note: ${os.cpus().length} cores shared by the load generator (autocannon, this process), the server and PostgreSQL;` +
      ' absolute numbers are low, compare the ratios\n',
  );
  const t = performance.now();
  const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  console.log(`built dist/ in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const problems: string[] = [];
  if (runs('api') || runs('webhooks')) {
    const dbUrl = new URL(ADMIN_URL);
    dbUrl.pathname = `/${DB_NAME}`;
    await admin(`CREATE DATABASE ${DB_NAME}`);
    scratch = true;
    console.log(`scratch database ${DB_NAME} on ${dbUrl.host}`);
    try {
      let postRate: number | null = null;
      if (runs('api')) {
        const api = await throughput(dbUrl.toString());
        problems.push(...api.problems);
        postRate = api.postRate;
      }
      if (runs('webhooks')) problems.push(...(await webhookScenarios(dbUrl.toString(), postRate)));
    } finally {
      await cleanup();
    }
  }

  if (runs('startup')) {
    console.log('\nstart-up on an existing embedded data directory (PGlite):');
    await startupTime();
  }
  if (runs('durability')) {
    console.log('\nthe cost of syncing each commit (PGlite in a data directory):');
    problems.push(...(await durabilityCost()));
  }
  if (problems.length) throw new Error(`${problems.length} problem(s): non-2xx answers, errors or failed checks (see above)`);
}

// Ctrl-C: finally blocks do not run on a signal.
process.on('SIGINT', () => {
  cleanup().finally(() => process.exit(130));
});

main().catch(async (err) => {
  console.error(`\nBENCH FAILED: ${err instanceof Error ? err.message : err}`);
  await cleanup().catch((e) => console.error(`cleanup: ${e}`));
  process.exitCode = 1;
});
