import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DurableNodeFS, durableStartParams } from './durable-fs.js';
import { defaultTemplateDir, seedFromTemplate, syncSeeded } from './template.js';

/**
 * int8 columns hold money in minor units and Unix seconds, read as numbers: exact up to 2^53−1.
 * Beyond that a double would round silently, so reading such a value fails instead. PGlite's
 * node-postgres adapter hands its rows to pg's parsers, so this holds on both databases.
 */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} is beyond ±(2^53−1) and cannot be read as an exact number`);
  return n;
}
pg.types.setTypeParser(20, parseInt8);

export interface Queryable {
  query<T = Record<string, any>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs several statements (no parameters) in one round trip and returns each one's rows.
   * Only for SQL built from values checked beforehand.
   */
  script(sql: string): Promise<Record<string, any>[][]>;
  /**
   * Runs fn in one transaction. On a serialization failure or a deadlock the transaction is rolled
   * back and fn runs again from the start, up to 5 times: fn must be re-runnable, so it reads what
   * it decides on through q inside the transaction and changes nothing outside it (no assignment
   * to outer variables, no mutation of objects read before the call) except through its result.
   * Inside a unit (see begin) it runs as a savepoint of the unit's transaction.
   */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Opens a transaction that outlives a call: every query and tx on this Db made inside
   * unit.run(...) (in its async context) joins it, until commit or rollback. The idempotency
   * plugin runs a request in one, so the answer is stored in the transaction of its writes.
   */
  begin(): Promise<Unit>;
  close(): Promise<void>;
}

export interface Unit {
  /** The unit's transaction, for statements made outside run. */
  readonly q: Queryable;
  run<T>(fn: () => T): T;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

const RETRYABLE = new Set(['40001', '40P01']);

interface Joined {
  owner: PoolDb;
  client: pg.PoolClient;
  open: boolean;
  savepoints: number;
}
const joined = new AsyncLocalStorage<Joined>();

const rowsOf =
  (client: pg.PoolClient): Queryable['query'] =>
  async <R>(sql: string, params?: unknown[]) =>
    (await client.query(sql, params)).rows as R[];

// A connection that dies while checked out emits 'error' on its client, which pg-pool only
// listens to while the client is idle: unheard, it would crash the process.
const heard = () => {};

async function checkout(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  client.on('error', heard);
  return client;
}

function release(client: pg.PoolClient, err?: Error): void {
  client.off('error', heard);
  client.release(err);
}

/**
 * Ends a transaction that failed and gives the client back: if even ROLLBACK fails the connection
 * is broken (terminated, reset) and the pool must discard it rather than hand it out again.
 */
export async function releaseAfterFailure(client: pg.PoolClient, err: unknown): Promise<void> {
  try {
    await client.query('ROLLBACK');
  } catch {
    release(client, err instanceof Error ? err : new Error(String(err)));
    return;
  }
  release(client);
}

class PoolDb implements Db {
  constructor(
    readonly kind: 'pglite' | 'postgres',
    private readonly pool: pg.Pool,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  /** The unit this call joins, when made inside one of this Db's units that is still open. */
  private unit(): Joined | null {
    const j = joined.getStore();
    return j && j.owner === this && j.open ? j : null;
  }

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    const res = await (this.unit()?.client ?? this.pool).query(sql, params);
    return res.rows as T[];
  }

  // Never joins a unit: a script may hold its own BEGIN and COMMIT.
  async script(sql: string): Promise<Record<string, any>[][]> {
    const client = await checkout(this.pool);
    let res: any;
    try {
      res = await client.query(sql);
    } catch (err) {
      // A script that opened a transaction and failed must not hand an aborted one to the pool.
      await releaseAfterFailure(client, err);
      throw err;
    }
    release(client);
    return (Array.isArray(res) ? res : [res]).map((r: pg.QueryResult) => r.rows ?? []);
  }

  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const unit = this.unit();
    if (unit) return this.savepoint(unit, fn);
    for (let attempt = 1; ; attempt++) {
      const client = await checkout(this.pool);
      const q: Queryable = { query: rowsOf(client) };
      try {
        await client.query('BEGIN');
        const result = await fn(q);
        await client.query('COMMIT');
        release(client);
        return result;
      } catch (err: any) {
        await releaseAfterFailure(client, err);
        if (attempt < 5 && RETRYABLE.has(err?.code)) continue;
        throw err;
      }
    }
  }

  private async savepoint<T>(unit: Joined, fn: (q: Queryable) => Promise<T>): Promise<T> {
    const name = `tx_${++unit.savepoints}`;
    const q: Queryable = { query: rowsOf(unit.client) };
    for (let attempt = 1; ; attempt++) {
      await unit.client.query(`SAVEPOINT ${name}`);
      try {
        const result = await fn(q);
        await unit.client.query(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (err: any) {
        // Undoes fn's writes and frees its locks; the unit's own statements stay.
        await unit.client.query(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
        if (attempt < 5 && RETRYABLE.has(err?.code)) continue;
        throw err;
      }
    }
  }

  async begin(): Promise<Unit> {
    if (this.unit()) throw new Error('a unit is already open in this context');
    const client = await checkout(this.pool);
    try {
      await client.query('BEGIN');
    } catch (err) {
      await releaseAfterFailure(client, err);
      throw err;
    }
    const j: Joined = { owner: this, client, open: true, savepoints: 0 };
    const end = async (sql: 'COMMIT' | 'ROLLBACK') => {
      if (!j.open) return;
      j.open = false;
      try {
        await client.query(sql);
      } catch (err) {
        await releaseAfterFailure(client, err);
        throw err;
      }
      release(client);
    };
    return {
      q: { query: rowsOf(client) },
      run: (fn) => joined.run(j, fn),
      commit: () => end('COMMIT'),
      rollback: () => end('ROLLBACK'),
    };
  }

  async close(): Promise<void> {
    await this.pool.end();
    await this.onClose();
  }
}

export interface OpenOptions {
  databaseUrl?: string | null;
  dataDir?: string;
  /** A PGlite data-dir dump (tests load a migrated template from it). */
  loadDataDir?: Blob;
  /**
   * A migrated data directory copied into a new `dataDir` instead of creating a cluster there
   * (default: the one `npm run build` leaves in dist/db/template; null: always create one).
   */
  template?: string | null;
  /** Where the numbered .sql migrations are (default: beside this module). */
  migrationsDir?: string;
  poolSize?: number;
  /**
   * PGlite in a dataDir: whether a commit waits for its WAL to reach the disk (default true).
   * False is MANGROVE_UNSAFE_NO_FSYNC=1: faster, and an OS crash or power loss may lose commits.
   */
  durable?: boolean;
}

export async function openDb(opts: OpenOptions): Promise<Db> {
  let db: Db;
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // A dropped idle connection must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    db = new PoolDb('postgres', pool);
  } else {
    const { PGlite } = await import('@electric-sql/pglite');
    const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
    const dataDir = opts.loadDataDir ? undefined : opts.dataDir;
    const durable = dataDir !== undefined && opts.durable !== false;
    const seeded = dataDir !== undefined && opts.template !== null && seedFromTemplate(dataDir, opts.template ?? defaultTemplateDir());
    // The copy reaches the disk while PostgreSQL starts (the thread pool syncs, the main thread boots).
    const synced = seeded && durable ? syncSeeded(dataDir) : undefined;
    synced?.catch(() => {});
    const pglite = await PGlite.create({
      dataDir,
      fs: durable ? new DurableNodeFS(dataDir) : undefined,
      loadDataDir: opts.loadDataDir,
      // PostgreSQL's default 128 MB of shared buffers costs about 0.4 s of every start (the memory is
      // set up inside WebAssembly); 16 MB holds a development database's hot pages.
      startParams: [
        ...(durable ? durableStartParams(PGlite.defaultStartParams) : PGlite.defaultStartParams),
        '-c',
        'shared_buffers=16MB',
      ],
    });
    await synced?.catch(async (err) => {
      await pglite.close();
      throw err;
    });
    const pool = new pg.Pool(createPgConfig(pglite) as unknown as pg.PoolConfig);
    db = new PoolDb('pglite', pool, () => pglite.close());
  }
  await migrate(db, opts.migrationsDir);
  return db;
}

export function migrationsDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
}

export function migrationFiles(dir = migrationsDir()): string[] {
  return fs.readdirSync(dir).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
}

/** Applies the numbered .sql files not yet applied; safe when several processes start at once. */
export async function migrate(db: Db, dir = migrationsDir()): Promise<void> {
  const files = migrationFiles(dir);
  // The usual start: everything is applied already, and one read says so without taking the lock.
  const applied = await db
    .query<{ names: string[] | null }>('SELECT array_agg(name ORDER BY name) AS names FROM mangrove_migrations')
    .then(([row]) => row.names ?? [], () => null);
  if (applied && files.every((f) => applied.includes(f))) return;
  await db.tx(async (q) => {
    await q.query("SELECT pg_advisory_xact_lock(hashtext('mangrove_migrations'))");
    await q.query('CREATE TABLE IF NOT EXISTS mangrove_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await q.query<{ name: string }>('SELECT name FROM mangrove_migrations')).map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      await q.query(fs.readFileSync(path.join(dir, file), 'utf8'));
      await q.query('INSERT INTO mangrove_migrations (name) VALUES ($1)', [file]);
    }
  });
}
