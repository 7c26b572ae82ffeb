/*
 * Webhook delivery across process deaths and across processes: real `mangrove serve` processes,
 * a real receiver. A delivery queued when a server is killed (-9) is sent after the restart; two
 * servers on one PostgreSQL database make each attempt exactly once between them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { naturalPayer } from './helpers/fixtures.js';
import { processStorage, processToken, spawnServer, type ServerProcess } from './helpers/process.js';
import { checkStorages } from './helpers/invariants.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { TEST_DB } from './helpers/server.js';

vi.setConfig({ testTimeout: 120_000 });

const CLIENT = 'webhooks';
const KEY = 'webhooks-secret-key-000001';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-hooks-'));
const running: ServerProcess[] = [];
const receivers: Receiver[] = [];
afterAll(async () => {
  for (const p of running) if (p.proc.exitCode === null) await p.stop('SIGKILL');
  for (const r of receivers) await r.close();
  try {
    await checkStorages();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

async function serve(env: Record<string, string>): Promise<ServerProcess> {
  const p = await spawnServer({ MANGROVE_CLIENT_ID: CLIENT, MANGROVE_API_KEY: KEY, LOG_LEVEL: 'error', ...env });
  running.push(p);
  return p;
}

async function api(url: string) {
  const token = await processToken(url, CLIENT, KEY);
  return async (method: string, p: string, body?: unknown, expected = 200): Promise<any> => {
    const r = await fetch(`${url}/v2.01/${CLIENT}${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    expect(r.status, text).toBe(expected);
    return text ? JSON.parse(text) : null;
  };
}

describe('a server killed with deliveries queued', () => {
  // The time from a restart to the first delivery is measured by npm run bench (webhook drain).
  it('sends them after the restart: the closure and both blocks arrive, once each', async () => {
    const storage = await processStorage(path.join(dir, 'killed'));
    const rx = await startReceiver();
    receivers.push(rx);
    // The first server looks for due deliveries once a minute: the closure's stay queued until it dies.
    const first = await serve({ ...storage, MANGROVE_WEBHOOK_POLL_MS: '60000' });
    const call = await api(first.url);
    for (const EventType of ['USER_ACCOUNT_CLOSED', 'USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']) {
      await call('POST', '/hooks', { EventType, Url: rx.url });
    }
    const u = await call('POST', '/sca/users/natural', naturalPayer());
    await call('DELETE', `/users/natural/${u.Id}`, undefined, 204);
    expect(await first.stop('SIGKILL')).toBeNull();
    expect(rx.received).toEqual([]);

    const second = await serve(storage);
    const got = await rx.waitFor(3, undefined, 10_000);
    expect(got.map((n) => `${n.eventType} ${n.resourceId}`).sort()).toEqual([
      `USER_ACCOUNT_CLOSED ${u.Id}`,
      `USER_INFLOWS_BLOCKED ${u.Id}`,
      `USER_OUTFLOWS_BLOCKED ${u.Id}`,
    ]);
    const rows = await (await api(second.url))('GET', '/sandbox/webhooks/deliveries');
    expect(rows.map((d: any) => [d.Status, d.Attempts])).toEqual([
      ['SUCCEEDED', 1],
      ['SUCCEEDED', 1],
      ['SUCCEEDED', 1],
    ]);
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  it('SIGTERM leaves deliveries not yet due queued, and the next server sends them', async () => {
    const storage = await processStorage(path.join(dir, 'stopped'));
    const rx = await startReceiver();
    receivers.push(rx);
    rx.respond.status = 500;
    const first = await serve({ ...storage, MANGROVE_WEBHOOK_POLL_MS: '20' });
    const call = await api(first.url);
    await call('POST', '/hooks', { EventType: 'USER_ACCOUNT_CLOSED', Url: rx.url });
    const u = await call('POST', '/sca/users/natural', naturalPayer());
    await call('DELETE', `/users/natural/${u.Id}`, undefined, 204);
    await rx.waitFor(1);
    expect(await first.stop('SIGTERM')).toBe(0);
    rx.respond.status = 200;
    // The retry is due in 10 minutes of the client's clock; the next server moves the clock on.
    const second = await serve({ ...storage, MANGROVE_WEBHOOK_POLL_MS: '20' });
    const call2 = await api(second.url);
    const [pending] = await call2('GET', '/sandbox/webhooks/deliveries');
    expect(pending).toMatchObject({ Status: 'PENDING', Attempts: 1, LastStatusCode: 500 });
    await call2('POST', '/sandbox/clock/advance', { Seconds: 600 });
    await rx.waitFor(2, undefined, 3000);
    await expect
      .poll(async () => (await call2('GET', '/sandbox/webhooks/deliveries'))[0].Status, { timeout: 3000 })
      .toBe('SUCCEEDED');
    await second.stop('SIGTERM');
  });
});

describe.skipIf(TEST_DB !== 'postgres')('two servers on one database', () => {
  it('make each attempt exactly once between them, first calls and retries alike', async () => {
    const storage = await processStorage(path.join(dir, 'two'));
    const rx = await startReceiver();
    receivers.push(rx);
    // Every notification fails on its first call and succeeds on its second.
    const seen = new Set<string>();
    const env = { ...storage, MANGROVE_WEBHOOK_POLL_MS: '5', MANGROVE_WEBHOOK_RETRY_SCALE: '0.0001' };
    const [a, b] = [await serve(env), await serve(env)];
    const [callA, callB] = [await api(a.url), await api(b.url)];
    const types = ['USER_ACCOUNT_CLOSED', 'USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED'];
    for (const EventType of types) await callA('POST', '/hooks', { EventType, Url: rx.url });
    rx.respond.statusFor = (n) => {
      const key = `${n.eventType} ${n.resourceId}`;
      const status = seen.has(key) ? 200 : 500;
      seen.add(key);
      return status;
    };
    const USERS = 60;
    const users = await Promise.all(
      Array.from({ length: USERS }, (_, i) => (i % 2 ? callA : callB)('POST', '/sca/users/natural', naturalPayer())),
    );
    await Promise.all(users.map((u, i) => (i % 2 ? callB : callA)('DELETE', `/users/natural/${u.Id}`, undefined, 204)));
    const expected = USERS * types.length;
    await rx.waitFor(2 * expected, undefined, 30_000);
    // Every delivery final (SUCCEEDED, none claimed or due): no call is under way or still to come,
    // so the receiver's count is the whole of it.
    const rows: any[] = [];
    await vi.waitFor(
      async () => {
        rows.length = 0;
        for (let page = 1; ; page++) {
          const chunk = await callA('GET', `/sandbox/webhooks/deliveries?per_page=100&page=${page}`);
          rows.push(...chunk);
          if (chunk.length < 100) break;
        }
        expect(rows.filter((d) => d.Status === 'PENDING')).toEqual([]);
      },
      { timeout: 30_000, interval: 50 },
    );
    const calls = new Map<string, number>();
    for (const n of rx.received) {
      const key = `${n.eventType} ${n.resourceId}`;
      calls.set(key, (calls.get(key) ?? 0) + 1);
    }
    expect(calls.size).toBe(expected);
    expect([...calls.values()].every((c) => c === 2), JSON.stringify([...calls].filter(([, c]) => c !== 2))).toBe(true);
    expect(rows).toHaveLength(expected);
    expect(rows.every((d) => d.Status === 'SUCCEEDED' && d.Attempts === 2)).toBe(true);
    await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);
  });
});
