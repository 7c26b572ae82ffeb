import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { legalPayer } from './helpers/fixtures.js';
import { processStorage, processToken, runCli, spawnServer, type ServerProcess } from './helpers/process.js';
import { checkStorages } from './helpers/invariants.js';
import { TEST_DB } from './helpers/server.js';

// Each start of a fresh embedded database runs initdb: seconds on a loaded machine.
vi.setConfig({ testTimeout: 180_000 });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-cli-'));
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const p of running) if (p.proc.exitCode === null) await p.stop('SIGKILL');
  try {
    await checkStorages();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const token = processToken;

async function call(url: string, tok: string, method: string, p: string, body?: unknown) {
  const res = await fetch(url + p, {
    method,
    headers: { authorization: `Bearer ${tok}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('mangrove serve', () => {
  it('creates and prints a first client once, keeps everything across a restart, and stops cleanly', async () => {
    const storage = await processStorage(path.join(dir, 'data'));
    const first = await spawnServer(storage);
    running.push(first);
    const m = /client id: (\S+)\s+api key:\s+(\S+)/.exec(first.output());
    expect(m).not.toBeNull();
    const [, id, key] = m!;
    if (TEST_DB === 'pglite') expect(first.output()).toContain(`data: ${path.join(dir, 'data')}`);

    let tok = await token(first.url, id, key);
    const created = await call(first.url, tok, 'POST', `/v2.01/${id}/sca/users/legal`, legalPayer());
    expect(created.status).toBe(200);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await spawnServer(storage);
    running.push(second);
    expect(second.output()).not.toContain('api key');
    tok = await token(second.url, id, key);
    const read = await call(second.url, tok, 'GET', `/v2.01/${id}/sca/users/${created.body.Id}`);
    expect(read.status).toBe(200);
    expect(read.body.Name).toBe('Payer Ltd');
    const events = await call(second.url, tok, 'GET', `/v2.01/${id}/users`);
    expect(events.body.map((u: any) => u.Id)).toEqual([created.body.Id]);
    expect(await second.stop('SIGINT')).toBe(0);
  });

  it('ensures MANGROVE_CLIENT_ID / MANGROVE_API_KEY at start, idempotently, the given key winning', async () => {
    const storage = await processStorage(path.join(dir, 'ensure'));
    const env = { ...storage, MANGROVE_CLIENT_ID: 'acme', MANGROVE_API_KEY: 'first-key-0001' };
    const a = await spawnServer(env);
    running.push(a);
    expect(a.output()).toContain('client acme: created');
    await token(a.url, 'acme', 'first-key-0001');
    await a.stop();

    const b = await spawnServer({ ...env, MANGROVE_API_KEY: 'second-key-0002' });
    running.push(b);
    expect(b.output()).toContain('client acme: updated');
    await token(b.url, 'acme', 'second-key-0002');
    const old = await fetch(`${b.url}/v2.01/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('acme:first-key-0001').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(old.status).toBe(401);
    await b.stop();

    const c = await spawnServer({ ...env, MANGROVE_API_KEY: 'second-key-0002' });
    running.push(c);
    expect(c.output()).not.toContain('client acme');
    await c.stop();
  });

  it('adds clients with `mangrove clients create`', async () => {
    const storage = await processStorage(path.join(dir, 'clients'));
    const made = await runCli(['clients', 'create', '--id', 'shop-2', '--key', 'shop-2-secret-key'], storage);
    expect(made.code).toBe(0);
    expect(made.out).toContain('client id: shop-2');
    const server = await spawnServer({ ...storage, MANGROVE_CLIENT_ID: 'shop-2', MANGROVE_API_KEY: 'shop-2-secret-key' });
    running.push(server);
    expect(server.output()).not.toContain('client shop-2');
    const again = await runCli(['clients', 'create', '--id', 'bad id!'], TEST_DB === 'postgres' ? storage : { DATA_DIR: path.join(dir, 'other') });
    expect(again.code).toBe(1);
    await server.stop();
  });

  it('refuses bad configuration with a clear message', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ MANGROVE_TOKEN_TTL: '60' }, /MANGROVE_TOKEN_TTL must be at least 61/],
      [{ MANGROVE_LEGACY_USERS: 'maybe' }, /MANGROVE_LEGACY_USERS must be one of reject, allow/],
      [{ MANGROVE_SANDBOX: 'yes' }, /MANGROVE_SANDBOX must be one of on, off/],
      [{ MANGROVE_CLIENT_ID: 'x' }, /must be set together/],
      [{ PORT: 'eighty' }, /PORT must be a whole number/],
    ];
    for (const [env, message] of cases) {
      const res = await runCli(['serve'], { DATA_DIR: path.join(dir, 'never'), ...env });
      expect(res.code).toBe(1);
      expect(res.out).toMatch(message);
    }
  });

  it.runIf(TEST_DB === 'pglite')('refuses a second process on the same embedded data directory', async () => {
    const storage = { DATA_DIR: path.join(dir, 'shared') };
    const a = await spawnServer(storage);
    running.push(a);
    const b = await runCli(['serve'], storage);
    expect(b.code).toBe(1);
    expect(b.out).toMatch(/is in use by another mangrove process/);
    expectOneLine(b);
    await a.stop();
  });
});

/** A CLI failure: one `mangrove: …` line on stderr, and no stack trace anywhere. */
function expectOneLine({ out, err }: { out: string; err: string }, message?: RegExp): void {
  const lines = err.trim().split('\n');
  expect(lines, out).toHaveLength(1);
  expect(lines[0]).toMatch(/^mangrove: /);
  expect(out).not.toMatch(/\n\s+at |node:internal|\.js:\d+/);
  if (message) expect(lines[0]).toMatch(message);
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const proc = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => proc.on('exit', resolve));
  return proc.pid!;
}

describe.runIf(TEST_DB === 'pglite')('the data directory lock', () => {
  it('ignores a pid file, whether its process is dead or an unrelated live one; a stale socket does not block either', async () => {
    const data = path.join(dir, 'locks');
    const start = async () => {
      const server = await spawnServer({ DATA_DIR: data });
      running.push(server);
      expect(await server.stop()).toBe(0);
    };
    await start();
    // A pid file left by an older version, naming a process that is gone.
    fs.writeFileSync(path.join(data, 'mangrove.pid'), String(await deadPid()));
    await start();
    // ... or naming a live process that has nothing to do with Mangrove (containers reuse pids).
    fs.writeFileSync(path.join(data, 'mangrove.pid'), String(process.pid));
    await start();
    // A holder killed outright leaves its socket file behind: nobody answers on it, so it is stale.
    const lockFile = path.join(data, 'mangrove.lock');
    const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(lockFile)}, () => console.log('held'))`]);
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('exit', resolve));
    expect(fs.existsSync(lockFile)).toBe(true);
    await start();
  });

  it('refuses a second live server on the socket file alone (another network namespace), and frees the directory after a failed listen', async () => {
    const data = path.join(dir, 'locks2');
    fs.mkdirSync(data, { recursive: true });
    const lockFile = path.join(data, 'mangrove.lock');
    // A live holder of the socket file only, as a process in another container sharing the directory would be.
    const holder = spawn(process.execPath, ['-e', `require('net').createServer((c) => c.destroy()).listen(${JSON.stringify(lockFile)}, () => console.log('held'))`]);
    try {
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      const refused = await runCli(['serve'], { DATA_DIR: data, PORT: '0' });
      expect(refused.code).toBe(1);
      expectOneLine(refused, /is in use by another mangrove process/);
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((resolve) => holder.on('exit', resolve));

    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const busy = await runCli(['serve'], { DATA_DIR: data, PORT: String(port) });
      expect(busy.code).toBe(1);
      expectOneLine(busy, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use`));
    } finally {
      taken.close();
    }
    const server = await spawnServer({ DATA_DIR: data });
    running.push(server);
    expect(await server.stop()).toBe(0);
  });
});

describe('CLI failures', () => {
  it('print one `mangrove: …` line and exit non-zero: duplicate or bad client id, port in use, bad PORT, bad LOG_LEVEL', async () => {
    const storage = await processStorage(path.join(dir, 'failures'));
    expect((await runCli(['clients', 'create', '--id', 'twice'], storage)).code).toBe(0);
    const twice = await runCli(['clients', 'create', '--id', 'twice'], storage);
    expect(twice.code).toBe(1);
    expectOneLine(twice, /a client with id "twice" already exists/);
    for (const id of ['bad id!', 'x'.repeat(65), '']) {
      const bad = await runCli(['clients', 'create', '--id', id], storage);
      expect(bad.code, id).toBe(1);
      expectOneLine(bad, /invalid client id/);
    }
    const reserved = await runCli(['clients', 'create', '--id', 'countries'], storage);
    expect(reserved.code).toBe(1);
    expectOneLine(reserved, /invalid client id/);

    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const busy = await runCli(['serve'], { ...storage, PORT: String(port) });
      expect(busy.code).toBe(1);
      expectOneLine(busy, /the port is already in use/);
    } finally {
      taken.close();
    }
    for (const [env, message] of [
      [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
      [{ PORT: 'eighty' }, /PORT must be a whole number/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    ] as const) {
      const res = await runCli(['serve'], { ...storage, ...env });
      expect(res.code, JSON.stringify(env)).toBe(1);
      expectOneLine(res, message);
    }
    const unknown = await runCli(['serve', '--nope'], storage);
    expect(unknown.code).toBe(1);
    expectOneLine(unknown);
  });
});
