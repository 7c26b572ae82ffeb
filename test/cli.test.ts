import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { legalPayer } from './helpers/fixtures.js';
import { processStorage, processToken, runCli, spawnServer, type ServerProcess } from './helpers/process.js';
import { TEST_DB } from './helpers/server.js';

// Each start of a fresh embedded database runs initdb: seconds on a loaded machine.
vi.setConfig({ testTimeout: 180_000 });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-cli-'));
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const p of running) if (p.proc.exitCode === null) await p.stop('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
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
    expect(b.out).toMatch(/is in use by process/);
    await a.stop();
  });
});
