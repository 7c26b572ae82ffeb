/**
 * Runs the official Node SDK's own mocha suite (node_modules/mangopay4-nodejs-sdk/test) against a
 * fresh `mangrove serve`: a temporary PGlite data directory, or with DATABASE_URL a scratch
 * database on that PostgreSQL server, created here and dropped afterwards.
 *
 *   npm run test:sdk [-- [--no-build] [--keep] [--env NAME=VALUE]... [File.js ...]]
 *
 * Files default to the ones issues 10 and 12 name, and the card and bank-wire parts of PayIns.js
 * (PARTIAL); a few tests are excluded by title (EXCLUDED below, each with its reason), such as one
 * that needs a user of Mangopay's own sandbox. Lives in test/ beside the suites it complements; it is a script, not a Vitest file,
 * because it drives a built server process and mocha. Exits non-zero on any failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(ROOT, 'package.json'));
const SDK = path.dirname(require.resolve('mangopay4-nodejs-sdk/package.json'));
const MOCHA = path.join(path.dirname(require.resolve('mocha/package.json')), 'bin', 'mocha');

export const FILES = [
  'Tokens.js',
  'RateLimit.js',
  'Users.js',
  'Wallets.js',
  'Transfers.js',
  'PayOuts.js',
  'KycDocuments.js',
  'UboDeclarations.js',
  'Hooks.js',
  'Events.js',
  'Idempotency.js',
  'BankAccounts.js',
  // Beyond the twelve files issue 10 names: the endpoints it added that the SDK tests too.
  'Clients.js',
  'EMoney.js',
  'Regulatory.js',
  'Recipients.js',
  // Issue #12: card payments.
  'CardRegistrations.js',
  'Cards.js',
  'CardPreAuthorizations.js',
  'Refunds.js',
];

/**
 * Files of which only some parts run: the SDK's PayIns.js tests every payment method Mangopay has,
 * and Mangrove has bank wires and cards. Each entry: the describe titles (under the file's top
 * describe) that run.
 */
export const PARTIAL: Record<string, string[]> = {
  'PayIns.js': ['Card Web', 'Card Direct', 'PreAuthorizedDirect', 'BankWireDirect', 'Get Refunds'],
};

/**
 * Full mocha titles (describe … it) left out, and why.
 * `sandbox`: the test reads a user that exists only on Mangopay's shared sandbox client.
 * `racy`: the test's outcome depends on which of its own requests finishes first.
 */
export const EXCLUDED: Array<[title: string, kind: 'sandbox' | 'racy', reason: string]> = [
  ['Transfers Create Transfer Sca User Present should be created', 'sandbox', 'funds a wallet by card for a user id of Mangopay\'s own sandbox (user_m_01JRFJJN9BR864A4KG7MH1WCZG); no API can create a user with a given id'],
  [
    'Users Create KYC Document Should be created and fetched correctly',
    'racy',
    'calls done() before its GET resolves, and compares the two objects with _.isMatch, which compares the Flags arrays by identity: it passes while the GET is still running and fails whenever the GET wins (a busy machine; Mangopay answers Flags: [] too). Create and GET are compared in test/kyc.test.ts',
  ],
  ['Users Get Sca Status John should be the same', 'sandbox', 'reads user_m_01JKZW095BFB2TRQMCZ8GE7M8D, an enrolled user of Mangopay\'s shared sandbox client; no API can create a user with a given id'],
];

/**
 * The SDK suite runs against a long-lived sandbox client that already holds hooks and fees. On a
 * fresh client, Hooks.js' "Create User Kyc Regular" calls done() twice and reads an undefined hook,
 * "Get All" needs two hooks created in different seconds (CreationDate:DESC, strictly), and
 * Clients.js reads the transactions of the first client wallet listed (FEES_EUR) expecting some.
 * These are made first, through the API: two hooks a second apart, and a settled bank-wire pay-in
 * whose fee lands in FEES_EUR.
 */
async function seed(url: string, clientId: string, apiKey: string): Promise<void> {
  const auth = await fetch(`${url}/v2.01/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${apiKey}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  if (auth.status !== 200) throw new Error(`seed: token answered ${auth.status} ${await auth.text()}`);
  const { access_token: token } = (await auth.json()) as { access_token: string };
  for (const [i, EventType] of ['PAYIN_NORMAL_CREATED', 'USER_KYC_REGULAR'].entries()) {
    if (i) await new Promise((r) => setTimeout(r, 1100));
    const res = await fetch(`${url}/v2.01/${clientId}/hooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ EventType, Url: 'http://test.com' }),
    });
    if (res.status !== 200) throw new Error(`seed: POST /hooks ${EventType} answered ${res.status} ${await res.text()}`);
  }
  const call = async (pathname: string, body: unknown) => {
    const res = await fetch(`${url}/v2.01/${clientId}${pathname}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`seed: POST ${pathname} answered ${res.status} ${await res.text()}`);
    return (await res.json()) as { Id: string; Status?: string };
  };
  const payer = await call('/sca/users/natural', {
    FirstName: 'Seed',
    LastName: 'Payer',
    Email: 'seed.payer@example.com',
    UserCategory: 'PAYER',
    TermsAndConditionsAccepted: true,
  });
  const wallet = await call('/wallets', { Owners: [payer.Id], Currency: 'EUR', Description: 'seed' });
  const payIn = await call('/payins/bankwire/direct', {
    AuthorId: payer.Id,
    CreditedWalletId: wallet.Id,
    DeclaredDebitedFunds: { Currency: 'EUR', Amount: 1000 },
    DeclaredFees: { Currency: 'EUR', Amount: 100 },
  });
  const settled = await call(`/sandbox/payins/${payIn.Id}/settle`, {});
  if (settled.Status !== 'SUCCEEDED') throw new Error(`seed: the pay-in was not settled: ${JSON.stringify(settled)}`);
}

interface Options {
  build: boolean;
  keep: boolean;
  env: Record<string, string>;
  files: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { build: true, keep: false, env: {}, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-build') o.build = false;
    else if (a === '--keep') o.keep = true;
    else if (a === '--env') {
      const [k, ...v] = (argv[++i] ?? '').split('=');
      if (!k || !v.length) throw new Error('--env takes NAME=VALUE');
      o.env[k] = v.join('=');
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else o.files.push(a.endsWith('.js') ? a : `${a}.js`);
  }
  if (!o.files.length) o.files = [...FILES, ...Object.keys(PARTIAL)];
  return o;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/, so the run never tests stale code unknowingly. */
function ensureBuilt(): void {
  const cli = path.join(ROOT, 'dist', 'cli.js');
  if (fs.existsSync(cli) && fs.statSync(cli).mtimeMs >= newestMtime(path.join(ROOT, 'src'))) return;
  console.log('sdk-suite: building (dist/ is missing or older than src/)');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/** The SDK's test client and key, read from its main.js so the two never drift apart. */
function sdkCredentials(mainJs: string): { clientId: string; apiKey: string } {
  const id = /clientId:\s*'([^']+)'/.exec(mainJs)?.[1];
  const key = /clientApiKey:\s*'([^']+)'/.exec(mainJs)?.[1];
  if (!id || !key) throw new Error("cannot find clientId/clientApiKey in the SDK's test/main.js");
  return { clientId: id, apiKey: key };
}

interface Storage {
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function storage(tmp: string): Promise<Storage> {
  const url = process.env.DATABASE_URL;
  if (!url) return { env: { DATA_DIR: path.join(tmp, 'data') }, drop: async () => {} };
  const name = `mangrove_sdk_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: scratch.toString() },
    async drop() {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

function startServer(env: Record<string, string>): Promise<{ proc: ChildProcess; url: string; output: () => string }> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'serve'], {
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`the server printed no "listening on" line in 60 s:\n${out}`));
    }, 60_000);
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1], output: () => out });
      }
    });
    proc.stderr!.on('data', (d) => (out += d));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${out}`));
    });
  });
}

function stopServer(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/**
 * A copy of the SDK's test/ next to symlinks of its index.js, lib/ and package.json, so the tests'
 * relative requires (`../index`, `../../lib/models/…`) load the installed SDK itself (Node follows
 * the symlinks, so the models are the very modules the SDK uses); node_modules/ links the packages
 * the tests require by name.
 */
function layOutSuite(dir: string, url: string): string {
  for (const name of ['index.js', 'lib', 'package.json']) fs.symlinkSync(path.join(SDK, name), path.join(dir, name));
  fs.cpSync(path.join(SDK, 'test'), path.join(dir, 'test'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const pkg of ['chai', 'sinon', 'promise', 'underscore', 'mocha']) {
    const from = path.dirname(createRequire(path.join(SDK, 'index.js')).resolve(`${pkg}/package.json`, { paths: [SDK, ROOT] }));
    fs.symlinkSync(from, path.join(dir, 'node_modules', pkg));
  }
  const mainPath = path.join(dir, 'test', 'main.js');
  const main = fs.readFileSync(mainPath, 'utf8');
  const rewritten = main.replace(/new mangopay\(\{/, `new mangopay({\n    baseUrl: ${JSON.stringify(url)},`);
  if (rewritten === main) throw new Error("cannot find `new mangopay({` in the SDK's test/main.js");
  fs.writeFileSync(mainPath, rewritten);
  // The SDK copies each instance's baseUrl into axios' global defaults, so an instance a test builds
  // without one (Tokens.js' wrong-credentials client) would send every later call to Mangopay's real
  // sandbox. Its default config is pointed at this server before any test file loads.
  fs.writeFileSync(
    path.join(dir, 'test', 'mangrove-setup.js'),
    `require('../lib/config').baseUrl = ${JSON.stringify(url)};\n`,
  );
  fs.writeFileSync(path.join(dir, 'test', 'mangrove-reporter.js'), REPORTER);
  return main;
}

/** Mocha's spec reporter, plus a per-file tally written as JSON for the summary. */
const REPORTER = `
const Mocha = require('mocha');
const fs = require('fs');
const path = require('path');
const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
class Reporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const tally = {};
    const count = (t, k) => {
      const f = path.basename(t.file || (t.parent && t.parent.file) || '?');
      tally[f] = tally[f] || { passed: 0, failed: 0, pending: 0, failures: [] };
      tally[f][k]++;
      return tally[f];
    };
    runner.on(EVENT_TEST_PASS, (t) => count(t, 'passed'));
    runner.on(EVENT_TEST_PENDING, (t) => count(t, 'pending'));
    runner.on(EVENT_TEST_FAIL, (t, err) => count(t, 'failed').failures.push(t.fullTitle() + ': ' + String(err && err.message).split('\\n')[0]));
    runner.once('end', () => fs.writeFileSync(process.env.MANGROVE_SDK_TALLY, JSON.stringify(tally)));
  }
}
module.exports = Reporter;
`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function run(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  const started = Date.now();
  if (o.build) ensureBuilt();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-sdk-suite-'));
  const { clientId, apiKey } = sdkCredentials(fs.readFileSync(path.join(SDK, 'test', 'main.js'), 'utf8'));
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let store: Storage | undefined;
  try {
    store = await storage(tmp);
    server = await startServer({
      ...store.env,
      PORT: '0',
      HOST: '127.0.0.1',
      MANGROVE_CLIENT_ID: clientId,
      MANGROVE_API_KEY: apiKey,
      MANGROVE_LEGACY_USERS: 'uncategorized',
      MANGROVE_SANDBOX: 'on',
      LOG_LEVEL: 'warn',
      ...o.env,
    });
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`sdk-suite: server ${server.url} (${store.env.DATABASE_URL ? 'PostgreSQL scratch database' : 'PGlite'}), up after ${elapsed} s`);
    await seed(server.url, clientId, apiKey);
    const suite = path.join(tmp, 'sdk');
    fs.mkdirSync(suite);
    layOutSuite(suite, server.url);
    const missing = o.files.filter((f) => !fs.existsSync(path.join(suite, 'test', 'services', f)));
    if (missing.length) throw new Error(`no such test file in the SDK: ${missing.join(', ')}`);
    const tallyFile = path.join(tmp, 'tally.json');
    const mocha = (files: string[], grep: string[], tally: string) =>
      new Promise<number>((resolve) => {
        const args = [
          MOCHA,
          '--timeout', '30000',
          '--ui', 'bdd',
          '--require', 'test/mangrove-setup.js',
          '--reporter', path.join(suite, 'test', 'mangrove-reporter.js'),
          ...grep,
          ...files.map((f) => path.join('test', 'services', f)),
        ];
        const child = spawn(process.execPath, args, { cwd: suite, stdio: 'inherit', env: { ...process.env, MANGROVE_SDK_TALLY: tally } });
        child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0)));
      });
    // Whole files in one run, the excluded titles left out; then each partial file with only its parts.
    const whole = o.files.filter((f) => !PARTIAL[f]);
    const tallies: string[] = [];
    let code = 0;
    if (whole.length) {
      tallies.push(path.join(tmp, 'tally-whole.json'));
      const exclude = EXCLUDED.length ? ['--grep', `^(${EXCLUDED.map(([t]) => escapeRegExp(t)).join('|')})$`, '--invert'] : [];
      code |= await mocha(whole, exclude, tallies[tallies.length - 1]);
    }
    for (const f of o.files.filter((f) => PARTIAL[f])) {
      const top = f.replace(/\.js$/, '');
      tallies.push(path.join(tmp, `tally-${top}.json`));
      code |= await mocha([f], ['--grep', `^${escapeRegExp(top)} (${PARTIAL[f].map(escapeRegExp).join('|')}) `], tallies[tallies.length - 1]);
    }
    const merged: Record<string, unknown> = {};
    for (const t of tallies) if (fs.existsSync(t)) Object.assign(merged, JSON.parse(fs.readFileSync(t, 'utf8')));
    fs.writeFileSync(tallyFile, JSON.stringify(merged));
    const serverLog = server.output().split('\n').filter((l) => l && !/^(client |data: |database: |listening on )/.test(l));
    if (serverLog.length) console.log(`sdk-suite: server output:\n${serverLog.join('\n')}`);
    summarise(tallyFile, o.files, started);
    return code === 0 ? 0 : 1;
  } finally {
    if (server) await stopServer(server.proc);
    if (store) await store.drop().catch((err) => console.error(`sdk-suite: could not drop the scratch database: ${err}`));
    if (o.keep) console.log(`sdk-suite: kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function summarise(tallyFile: string, files: string[], started: number): void {
  if (!fs.existsSync(tallyFile)) return;
  const tally: Record<string, { passed: number; failed: number; pending: number }> = JSON.parse(fs.readFileSync(tallyFile, 'utf8'));
  console.log('sdk-suite: per file (passed / failed / pending)');
  for (const f of files) {
    const t = tally[f] ?? { passed: 0, failed: 0, pending: 0 };
    console.log(`  ${f.padEnd(22)} ${String(t.passed).padStart(4)} ${String(t.failed).padStart(4)} ${String(t.pending).padStart(4)}`);
  }
  // A title starts with its file's top describe ("UBO Declarations" is UboDeclarations.js).
  const root = (t: string) => t.split(' ')[0].toLowerCase();
  const chosen = new Set(files.map((f) => f.replace(/\.js$/, '').toLowerCase()));
  for (const [t, kind, why] of EXCLUDED) {
    if (chosen.has(root(t))) console.log(`  excluded (${kind}): "${t}" — ${why}`);
  }
  console.log(`sdk-suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`sdk-suite: ${err instanceof Error ? err.message : err}`);
      process.exit(1);
    },
  );
}
