// npm run bench: the real server (node dist/cli.js serve on PostgreSQL) against a bare-Fastify baseline
// on the same database, then the start-up time on an existing embedded data directory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
type CannonTarget = { url: string; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string };
// autocannon ships no types; this is the part of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as (
  opts: CannonTarget & { connections: number; duration: number },
) => Promise<CannonResult>;

const DURATION = Number(process.env.BENCH_DURATION || 10);
const CONNECTIONS = 20;
const POOL_SIZE = 10; // the server's pg.Pool size (src/db/index.ts)
const STARTUP_RUNS = 3;
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

async function getToken(url: string): Promise<Response> {
  return fetch(`${url}/v2.01/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${API_KEY}`).toString('base64')}`,
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

async function throughput(dbUrl: string): Promise<string[]> {
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
  await run('GET /sca/users/legal/{Id}', 0.5, { url: `${usersUrl}/${user.Id}`, headers: auth }, { url: `${baselineUrl}/items/item_1` });
  await run(
    'POST /sca/users/legal',
    0.4,
    { url: usersUrl, method: 'POST', headers: userJson, body: JSON.stringify(LEGAL_PAYER) },
    { url: `${baselineUrl}/items`, method: 'POST', headers: { 'content-type': 'application/json' }, body: rows[0].doc },
  );

  console.log();
  printTable(results);
  const problems = results.flatMap((r) => [...failures(`${r.scenario} server`, r.server), ...failures(`${r.scenario} baseline`, r.baseline)]);
  console.log(`\nnon-2xx / errors: ${problems.length ? 'FAIL' : 'none'}`);
  for (const p of problems) console.log(`  FAIL ${p}`);
  if (problems.length) console.log(`\nlast server output:\n${server.output().slice(-4000)}`);
  await Promise.all([stop(server), stop(baseline)]);
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
    console.log(`first start (creates the data directory): ${first.toFixed(0)} ms`);
    const times: number[] = [];
    for (let i = 0; i < STARTUP_RUNS; i++) times.push(await startOnce());
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)];
    console.log(`restarts, spawn to first token: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    console.log(`median ${median.toFixed(0)} ms, target < 1500 ms: ${median < 1500 ? 'PASS' : 'MISS'}`);
  } finally {
    await cleanup();
  }
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

async function main(): Promise<void> {
  if (!(DURATION > 0)) throw new Error(`BENCH_DURATION must be a positive number of seconds, got "${process.env.BENCH_DURATION}"`);
  console.log(`Mangrove bench: ${CONNECTIONS} connections, ${DURATION} s per run (after a 1 s warm-up), server pool ${POOL_SIZE}`);
  console.log(
    `note: ${os.cpus().length} cores shared by the load generator (autocannon, this process), the server and PostgreSQL;` +
      ' absolute numbers are low, compare the ratios\n',
  );
  const t = performance.now();
  const build = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  console.log(`built dist/ in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/${DB_NAME}`;
  await admin(`CREATE DATABASE ${DB_NAME}`);
  scratch = true;
  console.log(`scratch database ${DB_NAME} on ${dbUrl.host}`);
  let problems: string[];
  try {
    problems = await throughput(dbUrl.toString());
  } finally {
    await cleanup();
  }

  console.log('\nstart-up on an existing embedded data directory (PGlite):');
  await startupTime();
  if (problems.length) throw new Error(`${problems.length} scenario(s) had non-2xx answers or errors (see above)`);
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
