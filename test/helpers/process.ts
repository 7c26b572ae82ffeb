import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { expect, inject } from 'vitest';
import { openDb } from '../../src/db/index.js';
import { seedFromTemplate } from '../../src/db/template.js';
import { adminUrl } from './global-setup.js';
import { watchStorage } from './invariants.js';
import { TEST_DB } from './server.js';

const CLI = path.resolve('dist/cli.js');

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  output: () => string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `mangrove <args>` to completion: `out` is everything it printed, `err` its stderr alone. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  watchStorage(env);
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.stderr.on('data', (d) => {
      out += d;
      err += d;
    });
    proc.on('exit', (code) => resolve({ code, out, err }));
  });
}

/**
 * Starts `mangrove serve` as users do and waits for its `listening on` line. Its storage is checked
 * for the invariants once the file is done (helpers/invariants.ts checkStorages).
 */
export function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  watchStorage(env);
  const proc = spawn(process.execPath, [CLI, 'serve'], { env: { ...process.env, PORT: '0', ...env } });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running behind the failed test.
      proc.kill('SIGKILL');
      reject(new Error(`no "listening on" line:\n${out}`));
    }, 60_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          proc,
          url: m[1],
          output: () => out,
          async stop(signal = 'SIGTERM') {
            proc.kill(signal);
            return exited;
          },
        });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d) => (out += d));
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${out}`));
    });
  });
}

/**
 * Storage for a server process: a data directory holding a copy of the migrated template (PGlite),
 * or a fresh PostgreSQL database copied from the migrated one.
 */
export async function processStorage(dir: string): Promise<Record<string, string>> {
  if (TEST_DB !== 'postgres') {
    if (!seedFromTemplate(path.join(dir, 'pgdata'), inject('pgliteTemplateDir'))) throw new Error(`${dir}: not seeded from the template`);
    return { DATA_DIR: dir };
  }
  const template = inject('postgresTemplate');
  const name = `${template.replace('mangrove_tmpl_', 'mangrove_t_')}_${randomBytes(5).toString('hex')}`;
  const admin = await openDb({ databaseUrl: adminUrl(), poolSize: 1 });
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.close();
  return { DATABASE_URL: adminUrl(name) };
}

/** A bearer token from a server process, for the client `id` with API key `key`. */
export async function processToken(url: string, id: string, key: string): Promise<string> {
  const res = await fetch(`${url}/v2.01/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${key}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as any).access_token;
}
