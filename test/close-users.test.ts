import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCloseUsers } from '../src/client/close-users-command.js';
import { parseIdFile } from '../src/client/close-users.js';
import { legalPayer, naturalPayer } from './helpers/fixtures.js';
import { fileServer, startServer, type TestServer } from './helpers/server.js';

// `mangrove close-users` run as users run it (node dist/cli.js), against a real Mangrove in this process.
vi.setConfig({ testTimeout: 120_000 });

const { s } = fileServer();
const extra: TestServer[] = [];
const procs: Run[] = [];
const proxies: http.Server[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-close-users-'));
afterAll(async () => {
  for (const p of procs) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
  for (const p of proxies) await new Promise((r) => p.close(r));
  for (const x of extra) await x.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const CLI = path.resolve('dist/cli.js');

interface Run {
  proc: ReturnType<typeof spawn>;
  output: () => string;
  stdout: () => string;
  exited: Promise<number | null>;
  /** Resolves once the output matches. */
  waitFor: (re: RegExp) => Promise<void>;
}

function start(args: string[], env: Record<string, string>): Run {
  const proc = spawn(process.execPath, [CLI, 'close-users', ...args], { env: { ...process.env, MANGOPAY_API_KEY: '', ...env } });
  let out = '';
  let stdout = '';
  const watchers: Array<{ re: RegExp; resolve: () => void }> = [];
  const onData = (d: Buffer) => {
    out += d;
    for (const w of watchers.splice(0)) (w.re.test(out) ? w.resolve() : watchers.push(w));
  };
  proc.stdout.on('data', (d) => ((stdout += d), onData(d)));
  proc.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const run: Run = {
    proc,
    output: () => out,
    stdout: () => stdout,
    exited,
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        if (re.test(out)) return resolve();
        watchers.push({ re, resolve });
        exited.then(() => reject(new Error(`exited before ${re}:\n${out}`)));
      }),
  };
  procs.push(run);
  return run;
}

async function run(args: string[], env: Record<string, string>) {
  const r = start(args, env);
  const code = await r.exited;
  return { code, out: r.output(), stdout: r.stdout() };
}

type Client = Awaited<ReturnType<TestServer['newClient']>>;
const keyOf = (c: Client) => ({ MANGOPAY_API_KEY: c.apiKey });
const flags = (server: TestServer, c: Client) => ['--base-url', server.url, '--client-id', c.id];

async function call(c: Client, method: string, p: string, body?: unknown) {
  const r = await s.fetch(method, `/v2.01/${c.id}${p}`, { token: await s.tokenFor(c), body });
  expect(r.status, `${method} ${p}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

async function users(c: Client, n: number, kind: 'natural' | 'legal' = 'natural'): Promise<string[]> {
  await s.tokenFor(c);
  const ids: string[] = [];
  for (let i = 0; i < n; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, () => call(c, 'POST', `/sca/users/${kind}`, kind === 'legal' ? legalPayer() : naturalPayer())),
    );
    ids.push(...batch.map((u) => u.Id));
  }
  return ids;
}

/** A wallet of `owner` holding `amount` cents (a settled bank wire), or empty. */
async function wallet(c: Client, owner: string, amount = 0, Currency = 'EUR'): Promise<string> {
  const w = await call(c, 'POST', '/wallets', { Owners: [owner], Currency, Description: 'w' });
  if (amount) {
    const p = await call(c, 'POST', '/payins/bankwire/direct', {
      AuthorId: owner,
      CreditedWalletId: w.Id,
      DeclaredDebitedFunds: { Currency, Amount: amount },
      DeclaredFees: { Currency, Amount: 0 },
    });
    expect((await call(c, 'POST', `/sandbox/payins/${p.Id}/settle`)).Status).toBe('SUCCEEDED');
  }
  return w.Id;
}

async function statuses(c: Client, ids: string[]): Promise<Record<string, string>> {
  const rows = await s.db.query<{ id: string; status: string }>('SELECT id, status FROM users WHERE client_id = $1 AND id = ANY($2)', [c.id, ids]);
  return Object.fromEntries(rows.map((r) => [r.id, r.status]));
}

async function closureEvents(c: Client): Promise<string[]> {
  const rows = await s.db.query<{ resource_id: string }>(
    "SELECT resource_id FROM events WHERE client_id = $1 AND event_type = 'USER_ACCOUNT_CLOSED'",
    [c.id],
  );
  return rows.map((r) => r.resource_id);
}

async function tokens(c: Client): Promise<number> {
  const [{ n }] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_tokens WHERE client_id = $1', [c.id]);
  return n;
}

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

const json = (p: string) => JSON.parse(fs.readFileSync(p, 'utf8'));

interface Held {
  method: string;
  path: string;
  at: number;
}

/**
 * A proxy to `target`: `hold` decides which requests wait until `release()` before being forwarded;
 * `answer` may answer instead of the server. Logs every request as it arrives.
 */
async function proxy(target: string, opts: { hold?: (method: string, path: string) => boolean; answer?: (method: string, path: string) => { status: number; body: unknown } | null } = {}) {
  const seen: Held[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const held: Held[] = [];
  const heldWatchers: Array<() => void> = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const entry = { method: req.method!, path: req.url!, at: Date.now() };
    seen.push(entry);
    const answer = opts.answer?.(entry.method, entry.path);
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    if (opts.hold?.(entry.method, entry.path)) {
      held.push(entry);
      for (const w of heldWatchers.splice(0)) w();
      await released;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
    const r = await fetch(target + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const out: Record<string, string> = {};
    r.headers.forEach((v, k) => {
      if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
    });
    res.writeHead(r.status, out);
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxies.push(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    held,
    release,
    /** Resolves once `n` requests are held. */
    async holding(n: number): Promise<void> {
      while (held.length < n) await new Promise<void>((r) => heldWatchers.push(r));
    },
  };
}

describe('mangrove close-users', () => {
  it('closes 500 users with one token request', async () => {
    const c = await s.newClient();
    const ids = await users(c, 500);
    expect(await tokens(c)).toBe(1);
    const list = file('many.txt', ids.join('\n') + '\n');
    const report = path.join(dir, 'many.json');
    const r = await run([list, ...flags(s, c), '--concurrency', '8', '--report', report], keyOf(c));
    expect(r.code, r.out).toBe(0);
    const rep = json(report);
    expect(rep.Summary).toMatchObject({ closed: 500, not_possible: 0, error: 0, pending: 0 });
    expect(rep.Users.map((u: any) => u.Id)).toEqual(ids);
    expect(rep.TokenRequests).toBe(1);
    expect(rep.Requests).toBe(1000);
    // The server's own count: the test's token and the command's.
    expect(await tokens(c)).toBe(2);
    expect(Object.values(await statuses(c, ids)).filter((x) => x === 'CLOSED')).toHaveLength(500);
    expect(r.stdout).toMatch(/closed 500 \(token requests 1, calls 1000\)/);
    // Plain progress lines when not on a terminal.
    expect(r.out).toMatch(/^25\/500 users: closed 25$/m);
    expect(r.out).toMatch(/^500\/500 users: closed 500$/m);
  });

  it('reports each outcome of a CSV list in a CSV report, balances of the refused, and exits non-zero', async () => {
    const c = await s.newClient();
    const [empty, rich, closed] = await users(c, 3);
    const [legal] = await users(c, 1, 'legal');
    await wallet(c, empty);
    const full = await wallet(c, rich, 1234);
    await wallet(c, rich);
    const gbp = await wallet(c, rich, 500, 'GBP');
    await call(c, 'DELETE', `/users/natural/${closed}`);
    const list = file('mixed.csv', `Name;UserId\n"Empty; one";${empty}\nRich;${rich}\nClosed;${closed}\nGone;user_m_nobody\nLegal;${legal}\nEmpty again;${empty}\n`);
    const report = path.join(dir, 'mixed-report.csv');
    const r = await run([list, ...flags(s, c), '--report', report], keyOf(c));
    expect(r.code, r.out).toBe(1);
    const lines = fs.readFileSync(report, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('Id,Outcome,Message,Balances,At');
    const rows = Object.fromEntries(lines.slice(1).map((l) => [l.split(',')[0], l.split(',')]));
    expect(Object.keys(rows)).toEqual([empty, rich, closed, 'user_m_nobody', legal]);
    expect(rows[empty][1]).toBe('closed');
    expect(rows[legal][1]).toBe('closed');
    expect(rows[closed][1]).toBe('already_closed');
    expect(rows['user_m_nobody'][1]).toBe('not_found');
    expect(rows[rich][1]).toBe('not_possible');
    expect(rows[rich][2]).toMatch(/wallets are not empty/);
    expect(rows[rich][3].split(' ').sort()).toEqual([`${full}:EUR:1234`, `${gbp}:GBP:500`].sort());
    expect(await statuses(c, [empty, rich, legal])).toEqual({ [empty]: 'CLOSED', [rich]: 'ACTIVE', [legal]: 'CLOSED' });

    // Resumed from the CSV report: only the user not done is tried again (a read, the DELETE, its wallets).
    const again = await run([list, ...flags(s, c), '--report', report, '--resume'], keyOf(c));
    expect(again.code, again.out).toBe(1);
    expect(again.out).toContain('resuming: 4 users already done');
    expect(again.stdout).toMatch(/calls 3\)/);
    const relines = fs.readFileSync(report, 'utf8').trim().split('\n');
    expect(relines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(
      [`${empty},closed`, `${rich},not_possible`, `${closed},already_closed`, 'user_m_nobody,not_found', `${legal},closed`],
    );
    expect(relines[1]).toBe(lines[1]);
  });

  it('changes nothing in a dry run, reporting who would be refused (JSON next to the list by default)', async () => {
    const c = await s.newClient();
    const [a, b] = await users(c, 2);
    const w = await wallet(c, b, 700);
    const list = file('dry.txt', `Id\n${a}\n${b}\n`);
    const r = await run([list, ...flags(s, c), '--dry-run'], keyOf(c));
    expect(r.code, r.out).toBe(1);
    const rep = json(path.join(dir, 'dry.dry-run.report.json'));
    expect(rep.DryRun).toBe(true);
    expect(rep.Users.map((u: any) => [u.Id, u.Outcome, u.Balances])).toEqual([
      [a, 'would_close', undefined],
      [b, 'not_possible', [{ WalletId: w, Currency: 'EUR', Amount: 700 }]],
    ]);
    expect(await statuses(c, [a, b])).toEqual({ [a]: 'ACTIVE', [b]: 'ACTIVE' });
    expect(await closureEvents(c)).toEqual([]);
    // A dry run where everyone could be closed exits 0.
    const ok = await run([file('dry-ok.txt', `${a}\n`), ...flags(s, c), '--dry-run'], keyOf(c));
    expect(ok.code, ok.out).toBe(0);
  });

  it('waits before the rate limit instead of getting a 429, stops cleanly on Ctrl-C, and a resumed run finishes the rest without redoing', async () => {
    const c = await s.newClient();
    const ids = await users(c, 30);
    // The limit: what the creations used, and 24 calls more (12 users: a read and a DELETE each).
    const probe = await s.fetch('GET', `/v2.01/${c.id}/users`, { token: await s.tokenFor(c) });
    const made = Number(probe.headers.get('x-ratelimit')!.split(',')[0]);
    const windowEnd = Number(probe.headers.get('x-ratelimit-reset')!.split(',')[0]);
    const limit = made + 24;
    const limited = await startServer({ db: s.db, keepDb: true, env: { MANGROVE_RATE_LIMITS: `${limit},1000,1000,1000` } });
    extra.push(limited);
    const list = file('limited.txt', ids.join('\n'));
    const report = path.join(dir, 'limited.json');
    const first = start([list, ...flags(limited, c), '--report', report], keyOf(c));
    await first.waitFor(/waiting \d+ s: 0 of \d+ calls left in a rate-limit window/);
    first.proc.kill('SIGINT');
    expect(await first.exited, first.output()).toBe(130);
    expect(first.output()).toMatch(/stopping: no new users/);
    const stopped = json(report);
    const done = stopped.Users.map((u: any) => u.Id);
    expect(stopped.Interrupted).toBe(true);
    expect(stopped.Users.every((u: any) => u.Outcome === 'closed')).toBe(true);
    // Calls in flight count as spent until answered: the window may keep a few unused. (Unless the
    // 15-minute window turned meanwhile, rarely: then the creations no longer count in it.)
    const sameWindow = Date.now() / 1000 < windowEnd;
    if (sameWindow) expect(done.length).toBeGreaterThanOrEqual(9);
    if (sameWindow) expect(done.length).toBeLessThanOrEqual(12);
    expect(stopped.Summary.pending).toBe(30 - done.length);
    const [{ n: after }] = await s.db.query<{ n: number }>('SELECT w0_count AS n FROM rate_limits WHERE client_id = $1', [c.id]);
    // No call over the limit: the server answered no 429.
    expect(after).toBeLessThanOrEqual(limit);
    if (sameWindow) expect(after).toBeGreaterThanOrEqual(limit - 6);
    expect(Object.values(await statuses(c, ids)).filter((x) => x === 'CLOSED')).toHaveLength(done.length);

    // The next window (a server with room): the rest, and nothing of what was done.
    const resumed = await run([list, ...flags(s, c), '--report', report, '--resume'], keyOf(c));
    expect(resumed.code, resumed.out).toBe(0);
    expect(resumed.out).toContain(`resuming: ${done.length} users already done`);
    const rep = json(report);
    expect(rep.Interrupted).toBe(false);
    expect(rep.Users.map((u: any) => u.Id)).toEqual(ids);
    expect(rep.Users.every((u: any) => u.Outcome === 'closed')).toBe(true);
    expect(rep.Requests).toBe(2 * (30 - done.length));
    expect((await closureEvents(c)).sort()).toEqual([...ids].sort());
  });

  it('takes the key from MANGOPAY_API_KEY only, and never prints it', async () => {
    const c = await s.newClient();
    const [a] = await users(c, 1);
    const list = file('key.txt', `${a}\n`);
    const flag = await run([list, ...flags(s, c), `--api-key=${c.apiKey}`], {});
    expect(flag.code).toBe(2);
    expect(flag.out).toContain('MANGOPAY_API_KEY');
    expect(flag.out).not.toContain(c.apiKey);
    const over = await run([list, ...flags(s, c), '--report', list], keyOf(c));
    expect(over.code).toBe(2);
    expect(over.out).toMatch(/would overwrite FILE/);
    expect(fs.readFileSync(list, 'utf8')).toBe(`${a}\n`);
    const none = await run([list, ...flags(s, c)], {});
    expect(none.code).toBe(2);
    expect(none.out).toMatch(/set MANGOPAY_API_KEY/);
    const wrong = await run([list, ...flags(s, c), '--report', path.join(dir, 'wrong.json')], { MANGOPAY_API_KEY: 'wrong-key-424242' });
    expect(wrong.code).toBe(2);
    expect(wrong.out).toMatch(/stopped: .*401/);
    expect(wrong.out).not.toContain('wrong-key-424242');
    expect(fs.readFileSync(path.join(dir, 'wrong.json'), 'utf8')).not.toContain('wrong-key-424242');
    const ok = await run([list, ...flags(s, c), '--report', path.join(dir, 'ok.json')], keyOf(c));
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).not.toContain(c.apiKey);
    expect(fs.readFileSync(path.join(dir, 'ok.json'), 'utf8')).not.toContain(c.apiKey);
  });

  it('on Ctrl-C starts no new user and lets the calls under way finish: their outcomes are in the report', async () => {
    const c = await s.newClient();
    const ids = await users(c, 20);
    const p = await proxy(s.url, { hold: (m) => m === 'DELETE' });
    const report = path.join(dir, 'held.json');
    const r = start([file('held.txt', ids.join('\n')), '--base-url', p.url, '--client-id', c.id, '--report', report], keyOf(c));
    await p.holding(4);
    r.proc.kill('SIGINT');
    await r.waitFor(/stopping: no new users/);
    p.release();
    expect(await r.exited, r.output()).toBe(130);
    const rep = json(report);
    const closed = p.held.map((h) => decodeURIComponent(h.path.split('/').pop()!));
    expect(rep.Users.map((u: any) => [u.Id, u.Outcome]).sort()).toEqual(closed.map((id) => [id, 'closed']).sort());
    expect(rep.Summary.pending).toBe(16);
    expect(rep.Interrupted).toBe(true);
    // Nothing but the reads and DELETEs of the 4 users under way: no user started after Ctrl-C.
    const calls = p.seen.filter((x) => !x.path.includes('/oauth/'));
    const touched = calls.map((x) => decodeURIComponent(x.path.split('/').pop()!));
    expect(calls, r.output()).toHaveLength(8);
    expect([...new Set(touched)].sort()).toEqual([...closed].sort());
    expect(rep.Requests).toBe(8);
    expect(Object.entries(await statuses(c, ids)).filter(([, st]) => st === 'CLOSED').map(([id]) => id).sort()).toEqual([...closed].sort());
  });

  it('reports an answer it cannot act on as an error with its message, and goes on with the others', async () => {
    const c = await s.newClient();
    const [a, b] = await users(c, 2);
    const p = await proxy(s.url, {
      answer: (m, u) => (m === 'GET' && u.endsWith(`/users/${a}`) ? { status: 400, body: { Message: 'Something odd', Type: 'odd_error', Id: 'x#1', Date: 1, errors: { Why: 'because' } } } : null),
    });
    const report = path.join(dir, 'odd.json');
    const r = await run([file('odd.txt', `${a}\n${b}\n`), '--base-url', p.url, '--client-id', c.id, '--report', report], keyOf(c));
    expect(r.code, r.out).toBe(1);
    const rep = json(report);
    expect(rep.Users.map((u: any) => [u.Id, u.Outcome])).toEqual([[a, 'error'], [b, 'closed']]);
    expect(rep.Users[0].Message).toMatch(/400 odd_error: Something odd \(because\)/);
  });

  it('draws a progress bar on a terminal', async () => {
    if (spawnSync('script', ['--version']).status !== 0) {
      console.warn('SKIPPED: no `script` command to give close-users a terminal');
      return;
    }
    const c = await s.newClient();
    const ids = await users(c, 6);
    const list = file('tty.txt', ids.join('\n'));
    const cmd = [process.execPath, CLI, 'close-users', list, '--base-url', s.url, '--client-id', c.id, '--report', path.join(dir, 'tty.json')]
      .map((a) => `'${a}'`)
      .join(' ');
    // Not spawnSync: the server answering it runs in this process.
    const proc = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...keyOf(c) } });
    let stdout = '';
    proc.stdout.on('data', (d) => (stdout += d));
    const status = await new Promise((resolve) => proc.on('exit', resolve));
    const r = { status, stdout };
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('\r\x1b[2K[##########....................] 2/6 users: closed 2');
    expect(r.stdout).toContain('[##############################] 6/6 users: closed 6');
    expect(r.stdout).not.toMatch(/^2\/6 users/m);
  });
});

// The same command in this process (as the CLI's dispatch calls it), where coverage sees it.
describe('runCloseUsers in process', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  function quiet(): () => string {
    let printed = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((d: any) => ((printed += String(d)), true));
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void (printed += a.join(' ') + '\n'));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void (printed += a.join(' ') + '\n'));
    return () => printed;
  }

  it('closes, refuses with balances, dry-runs and resumes, as the spawned command does', async () => {
    const c = await s.newClient();
    const [a, b, d] = await users(c, 3);
    const w = await wallet(c, b, 250);
    const list = file('inproc.csv', `id,name\n${a},A\n${b},B\n${d},D\nuser_m_ghost,G\n`);
    vi.stubEnv('MANGOPAY_API_KEY', c.apiKey);
    const printed = quiet();

    expect(await runCloseUsers([list, ...flags(s, c), '--dry-run'])).toBe(1);
    const dry = json(path.join(dir, 'inproc.dry-run.report.json'));
    expect(dry.Users.map((u: any) => u.Outcome)).toEqual(['would_close', 'not_possible', 'would_close', 'not_found']);
    expect(await statuses(c, [a, b, d])).toEqual({ [a]: 'ACTIVE', [b]: 'ACTIVE', [d]: 'ACTIVE' });

    const report = path.join(dir, 'inproc-report.csv');
    expect(await runCloseUsers([list, ...flags(s, c), '--report', report, '--concurrency', '2'])).toBe(1);
    expect(await runCloseUsers([list, ...flags(s, c), '--report', report, '--resume'])).toBe(1);
    const rows = fs.readFileSync(report, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      [a, 'closed'],
      [b, 'not_possible'],
      [d, 'closed'],
      ['user_m_ghost', 'not_found'],
    ]);
    expect(rows[1][3]).toBe(`${w}:EUR:250`);
    expect(printed()).toContain('resuming: 3 users already done');
    expect(printed()).not.toContain(c.apiKey);
  });

  it('refuses bad arguments with the usage, and answers --help', async () => {
    const printed = quiet();
    vi.stubEnv('MANGOPAY_API_KEY', 'k');
    const list = file('args.txt', 'user_1\n');
    expect(await runCloseUsers(['--help'])).toBe(0);
    expect(printed()).toMatch(/usage: mangrove close-users FILE/);
    expect(await runCloseUsers([])).toBe(2);
    expect(await runCloseUsers([list, '--base-url', 'ftp://x', '--client-id', 'c'])).toBe(2);
    expect(printed()).toMatch(/--base-url must be an http\(s\) URL/);
    expect(await runCloseUsers([list, '--base-url', 'not a url', '--client-id', 'c'])).toBe(2);
    expect(await runCloseUsers([list, ...flags(s, s.client), '--concurrency', '0'])).toBe(2);
    expect(printed()).toMatch(/--concurrency must be a whole number from 1 to 64/);
    expect(await runCloseUsers([list, ...flags(s, s.client), '--bogus'])).toBe(2);
    expect(await runCloseUsers([file('nocol.csv', 'Name,Email\nA,a@b.c\n'), ...flags(s, s.client)])).toBe(2);
    expect(printed()).toMatch(/no id column/);
    expect(await runCloseUsers([path.join(dir, 'missing.txt'), ...flags(s, s.client)])).toBe(2);
    expect(await runCloseUsers([list, ...flags(s, s.client), '--resume', '--report', file('notreport.json', '{"x":1}')])).toBe(2);
    expect(printed()).toMatch(/not a close-users report/);
  });

  it('reads ids one a line or from a CSV id column (quotes, other separators, duplicates once)', () => {
    expect(parseIdFile('\uFEFFuser_1\r\n\n# a comment\nuser_2\nuser_1\n')).toEqual(['user_1', 'user_2']);
    expect(parseIdFile('UserId\nuser_1\n"user_2"\n')).toEqual(['user_1', 'user_2']);
    expect(parseIdFile('Name\tUser_Id\n"Doe, J"\tuser_1\nX\tuser_2\n')).toEqual(['user_1', 'user_2']);
    expect(parseIdFile('Name,Id\n"Say ""hi"", Bob",user_1\n')).toEqual(['user_1']);
    expect(parseIdFile('')).toEqual([]);
    expect(() => parseIdFile('Name,Id\nA,\n')).toThrow(/no id/);
  });
});
