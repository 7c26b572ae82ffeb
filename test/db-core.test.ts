/*
 * The database core under both databases: int8 values read exactly or not at all, transactions
 * joined by a unit, a connection that broke mid-transaction discarded by the pool, and (PGlite in a
 * data directory) commits that reach the disk unless MANGROVE_UNSAFE_NO_FSYNC says otherwise.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDb, releaseAfterFailure, type Db } from '../src/db/index.js';
import { adminUrl } from './helpers/global-setup.js';
import { openTestDb, TEST_DB } from './helpers/server.js';

let db: Db;
beforeAll(async () => {
  db = await openTestDb();
  await db.query('CREATE TABLE core_t (id int PRIMARY KEY, note text)');
});
afterAll(() => db?.close());

describe('int8 values', () => {
  it('are read exactly up to ±(2^53−1)', async () => {
    const [row] = await db.query<{ hi: number; lo: number; n: number }>(
      'SELECT 9007199254740991::int8 AS hi, (-9007199254740991)::int8 AS lo, 42::int8 AS n',
    );
    expect(row).toEqual({ hi: Number.MAX_SAFE_INTEGER, lo: Number.MIN_SAFE_INTEGER, n: 42 });
  });

  it('fail to be read beyond, instead of rounding', async () => {
    for (const v of ['9007199254740993', '9007199254740992', '-9007199254740993', '9223372036854775807']) {
      await expect(db.query(`SELECT ${v}::int8 AS v`)).rejects.toThrow(`int8 value ${v} is beyond`);
      await expect(db.tx((q) => q.query(`SELECT ${v}::int8 AS v`))).rejects.toThrow(RangeError);
    }
    // The connection is still good afterwards.
    expect(await db.query('SELECT 1::int8 AS one')).toEqual([{ one: 1 }]);
  });
});

describe('units', () => {
  it('join every query and tx made inside run, and commit or roll back as one', async () => {
    const unit = await db.begin();
    await unit.q.query("INSERT INTO core_t VALUES (1, 'unit')");
    await unit.run(async () => {
      // A tx inside the unit that fails is undone alone: the unit's own row stays.
      await expect(
        db.tx(async (q) => {
          await q.query("INSERT INTO core_t VALUES (2, 'failed tx')");
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await db.tx((q) => q.query("INSERT INTO core_t VALUES (3, 'tx')"));
      expect((await db.query<{ id: number }>('SELECT id FROM core_t ORDER BY id')).map((r) => r.id)).toEqual([1, 3]);
    });
    await unit.rollback();
    expect(await db.query('SELECT id FROM core_t')).toEqual([]);

    const kept = await db.begin();
    await kept.run(() => db.tx((q) => q.query("INSERT INTO core_t VALUES (4, 'kept')")));
    await kept.commit();
    expect(await db.query('SELECT id FROM core_t')).toEqual([{ id: 4 }]);
    await db.query('DELETE FROM core_t');
  });

  it('re-run a tx that hit a deadlock from its savepoint', async () => {
    const unit = await db.begin();
    let runs = 0;
    await unit.run(() =>
      db.tx(async (q) => {
        runs++;
        await q.query('INSERT INTO core_t VALUES (5, $1)', [`run ${runs}`]);
        if (runs === 1) await q.query("DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = '40P01'; END $$");
      }),
    );
    await unit.commit();
    expect(runs).toBe(2);
    expect(await db.query('SELECT note FROM core_t WHERE id = 5')).toEqual([{ note: 'run 2' }]);
    await db.query('DELETE FROM core_t');
  });
});

describe('a failed transaction', () => {
  it('gives its client back as broken when even ROLLBACK fails, and as good otherwise', async () => {
    const released: unknown[] = [];
    const client = (rollback: () => Promise<unknown>) =>
      ({ query: rollback, off: () => {}, release: (err?: unknown) => void released.push(err) }) as unknown as pg.PoolClient;
    const cause = new Error('Connection terminated unexpectedly');
    await releaseAfterFailure(client(() => Promise.reject(new Error('not queryable'))), cause);
    await releaseAfterFailure(client(() => Promise.resolve({ rows: [] })), new Error('a refusal'));
    expect(released).toEqual([cause, undefined]);
  });

  it.runIf(TEST_DB === 'postgres')('whose backend was terminated leaves the pool working, without the dead client', async () => {
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      let dead = 0;
      const failed = db.tx(async (q) => {
        const [{ pid }] = await q.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        dead = pid;
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await q.query('SELECT 1');
      });
      await expect(failed).rejects.toThrow();
      expect(dead).toBeGreaterThan(0);
      // Every connection the pool hands out afterwards is a live one, and none is the dead one.
      const pids = await Promise.all(
        Array.from({ length: 8 }, () => db.tx(async (q) => (await q.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0].pid)),
      );
      expect(pids).not.toContain(dead);
      expect(await db.tx((q) => q.query('SELECT 1 AS ok'))).toEqual([{ ok: 1 }]);
    } finally {
      await admin.end();
    }
  });
});

describe.runIf(TEST_DB === 'pglite')('PGlite in a data directory', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-core-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function commitsSynced(durable: boolean | undefined, name: string) {
    const opened = await openDb({ dataDir: path.join(dir, name), durable, template: null } as Parameters<typeof openDb>[0]);
    try {
      const [settings] = await opened.query("SELECT current_setting('fsync') AS fsync, current_setting('wal_sync_method') AS method");
      await opened.query('CREATE TABLE synced (n int)');
      const spy = vi.spyOn(fs, 'fsyncSync');
      try {
        for (let n = 0; n < 3; n++) await opened.tx((q) => q.query('INSERT INTO synced VALUES ($1)', [n]));
        return { settings, syncs: spy.mock.calls.length };
      } finally {
        spy.mockRestore();
      }
    } finally {
      await opened.close();
    }
  }

  it('syncs every commit to the disk by default', async () => {
    const { settings, syncs } = await commitsSynced(undefined, 'durable');
    expect(settings).toEqual({ fsync: 'on', method: 'fsync' });
    expect(syncs).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('does not when told it may lose commits', async () => {
    const { settings, syncs } = await commitsSynced(false, 'unsafe');
    expect(settings.fsync).toBe('off');
    expect(syncs).toBe(0);
  }, 120_000);
});
