// Start-up from the migrated template: a new embedded data directory is a copy of it, and
// migrations newer than the template still apply on top.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { templateIsCurrent, templateStamp } from '../src/db/build-template.js';
import { migrate, migrationFiles, migrationsDir, openDb } from '../src/db/index.js';
import { seedFromTemplate } from '../src/db/template.js';
import { processToken, spawnServer } from './helpers/process.js';
import { openTestDb, TEST_DB } from './helpers/server.js';

vi.setConfig({ testTimeout: 120_000 });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-startup-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function appliedAt(db: { query: (sql: string) => Promise<any[]> }): Promise<Map<string, number>> {
  const rows = await db.query('SELECT name, applied_at FROM mangrove_migrations');
  return new Map(rows.map((r) => [r.name, new Date(r.applied_at).getTime()]));
}

describe.runIf(TEST_DB === 'pglite')('a new data directory starts from the migrated template', () => {
  it('is a copy of the template: every migration is recorded as applied when the template was built', async () => {
    const before = Date.now();
    const dataDir = path.join(dir, 'copy');
    const db = await openDb({ dataDir, template: inject('pgliteTemplateDir'), durable: false });
    try {
      const applied = await appliedAt(db);
      expect([...applied.keys()].sort()).toEqual(migrationFiles());
      for (const [name, at] of applied) expect(at, name).toBeLessThan(before);
      await db.query("INSERT INTO clients (id, name, api_key_hash, created_at) VALUES ('kept', 'kept', 'x', 0)");
    } finally {
      await db.close();
    }
    expect(fs.existsSync(`${dataDir}.seeding`)).toBe(false);
    // Reopened, it is the same cluster, not a new copy.
    const again = await openDb({ dataDir, template: inject('pgliteTemplateDir'), durable: false });
    try {
      expect(await again.query("SELECT id FROM clients WHERE id = 'kept'")).toHaveLength(1);
    } finally {
      await again.close();
    }
  });

  it('applies a migration newer than the template on top of the copy', async () => {
    const migrations = path.join(dir, 'migrations');
    fs.cpSync(migrationsDir(), migrations, { recursive: true });
    fs.writeFileSync(path.join(migrations, '999_probe.sql'), 'CREATE TABLE startup_probe (id int PRIMARY KEY);');
    const before = Date.now();
    const db = await openDb({ dataDir: path.join(dir, 'newer'), template: inject('pgliteTemplateDir'), migrationsDir: migrations, durable: false });
    try {
      const applied = await appliedAt(db);
      expect(applied.get('999_probe.sql')).toBeGreaterThanOrEqual(before - 1000);
      expect(applied.get(migrationFiles()[0])).toBeLessThan(before);
      expect(await db.query('SELECT * FROM startup_probe')).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('leaves a directory that holds something alone', () => {
    const used = path.join(dir, 'used');
    fs.mkdirSync(used);
    fs.writeFileSync(path.join(used, 'notes.txt'), 'mine');
    expect(seedFromTemplate(used, inject('pgliteTemplateDir'))).toBe(false);
    expect(fs.readdirSync(used)).toEqual(['notes.txt']);
    expect(seedFromTemplate(path.join(dir, 'none'), path.join(dir, 'no-template'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'none'))).toBe(false);
  });

  it('the template stamp changes with the migrations', () => {
    const migrations = path.join(dir, 'stamped');
    fs.cpSync(migrationsDir(), migrations, { recursive: true });
    const stamp = templateStamp(migrations);
    expect(templateStamp(migrations)).toBe(stamp);
    fs.writeFileSync(path.join(migrations, '999_more.sql'), 'SELECT 1;');
    expect(templateStamp(migrations)).not.toBe(stamp);
  });

  it('`npm run build` leaves a current template beside the CLI, and `mangrove serve` starts a new data directory from it', async () => {
    expect(templateIsCurrent(path.resolve('dist/db/template'))).toBe(true);
    const before = Date.now();
    const data = path.join(dir, 'served');
    const server = await spawnServer({ DATA_DIR: data, MANGROVE_CLIENT_ID: 'first', MANGROVE_API_KEY: 'first-start-key-01', LOG_LEVEL: 'error' });
    try {
      await processToken(server.url, 'first', 'first-start-key-01');
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const db = await openDb({ dataDir: path.join(data, 'pgdata'), durable: false });
    try {
      const applied = await appliedAt(db);
      expect([...applied.keys()].sort()).toEqual(migrationFiles());
      for (const [name, at] of applied) expect(at, name).toBeLessThan(before);
    } finally {
      await db.close();
    }
  });
});

describe.runIf(TEST_DB === 'postgres')('migrate on a current database', () => {
  it('does not wait for the migration lock when every migration is applied', async () => {
    const db = await openTestDb();
    try {
      await db.tx(async (q) => {
        await q.query("SELECT pg_advisory_xact_lock(hashtext('mangrove_migrations'))");
        // Another connection of the pool: without the read that finds nothing to do, it would wait
        // for the lock this transaction holds until the test times out.
        await migrate(db);
      });
    } finally {
      await db.close();
    }
  });
});
