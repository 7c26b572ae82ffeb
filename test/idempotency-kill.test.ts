/*
 * Idempotency across a process death: a real `mangrove serve` killed (-9) after a request's
 * writes and before their answer was stored. The retry with the key must run afresh or get the
 * stored answer, never a 409 with nothing behind it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { naturalPayer } from './helpers/fixtures.js';
import { processStorage, processToken, spawnServer, type ServerProcess } from './helpers/process.js';

vi.setConfig({ testTimeout: 180_000 });

const CLIENT = 'idempotency-kill';
const KEY = 'idempotency-kill-secret-01';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-idem-'));
const running: ServerProcess[] = [];
afterAll(async () => {
  for (const p of running) if (p.proc.exitCode === null) await p.stop('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

async function serve(env: Record<string, string>): Promise<ServerProcess> {
  const p = await spawnServer({ MANGROVE_CLIENT_ID: CLIENT, MANGROVE_API_KEY: KEY, LOG_LEVEL: 'error', ...env });
  running.push(p);
  return p;
}

async function call(url: string, method: string, p: string, opts: { body?: unknown; key?: string } = {}) {
  const token = await processToken(url, CLIENT, KEY);
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.key) headers['idempotency-key'] = opts.key;
  const r = await fetch(`${url}/v2.01/${CLIENT}${p}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null, text };
}

describe('a server killed between a request’s writes and their answer', () => {
  it('leaves its key free: the retry runs afresh, once, and is the answer stored', async () => {
    const storage = await processStorage(path.join(dir, 'killed'));
    const key = randomUUID();
    const body = naturalPayer({ FirstName: 'Retried' });

    const first = await serve({ ...storage, MANGROVE_TEST_STALL_BEFORE_ANSWER: '1' });
    const token = await processToken(first.url, CLIENT, KEY);
    const pending = fetch(`${first.url}/v2.01/${CLIENT}/sca/users/natural`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    }).then(
      (r) => `answered ${r.status}`,
      () => 'dropped',
    );
    // The user is written; the process waits before storing the answer and committing.
    await vi.waitFor(() => expect(first.output()).toContain('idempotency: stalled before storing the answer'), { timeout: 60_000, interval: 20 });
    await first.stop('SIGKILL');
    expect(await pending).toBe('dropped');

    const second = await serve(storage);
    // Nothing of the killed request is left: no answer under the key, no user.
    const before = await call(second.url, 'GET', `/responses/${key}`);
    expect(before.status, before.text).toBe(400);
    expect(before.body.Type).toBe('correlationid_not_found');
    expect((await call(second.url, 'GET', '/users')).body).toEqual([]);

    const retry = await call(second.url, 'POST', '/sca/users/natural', { body, key });
    expect(retry.status, retry.text).toBe(200);
    expect(retry.body.FirstName).toBe('Retried');
    const users = await call(second.url, 'GET', '/users');
    expect(users.body.map((u: any) => u.Id)).toEqual([retry.body.Id]);
    const stored = await call(second.url, 'GET', `/responses/${key}`);
    expect(stored.status, stored.text).toBe(200);
    expect(stored.body.Resource).toEqual(retry.body);
    // And from now on the key is used, with its answer behind it.
    const replay = await call(second.url, 'POST', '/sca/users/natural', { body, key });
    expect(replay.status, replay.text).toBe(409);
    await second.stop();
  });
});
