import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// int8 columns hold money in minor units and Unix seconds: both fit in a double.
pg.types.setTypeParser(20, (v: string) => Number(v));

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
  /** Runs fn in one transaction; retried on serialization failures and deadlocks. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const RETRYABLE = new Set(['40001', '40P01']);

class PoolDb implements Db {
  constructor(
    readonly kind: 'pglite' | 'postgres',
    private readonly pool: pg.Pool,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    const res = await this.pool.query(sql, params);
    return res.rows as T[];
  }

  async script(sql: string): Promise<Record<string, any>[][]> {
    const client = await this.pool.connect();
    try {
      const res: any = await client.query(sql);
      return (Array.isArray(res) ? res : [res]).map((r: pg.QueryResult) => r.rows ?? []);
    } catch (err) {
      // A script that opened a transaction and failed must not hand an aborted one to the pool.
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      const q: Queryable = {
        query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
      };
      try {
        await client.query('BEGIN');
        const result = await fn(q);
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (err: any) {
        await client.query('ROLLBACK').catch(() => {});
        client.release();
        if (attempt < 5 && RETRYABLE.has(err?.code)) continue;
        throw err;
      }
    }
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
  poolSize?: number;
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
    const pglite = await PGlite.create({
      dataDir: opts.loadDataDir ? undefined : opts.dataDir,
      loadDataDir: opts.loadDataDir,
      // PostgreSQL's default 128 MB of shared buffers costs about 0.4 s of every start (the memory is
      // set up inside WebAssembly); 16 MB holds a development database's hot pages.
      startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
    });
    const pool = new pg.Pool(createPgConfig(pglite) as unknown as pg.PoolConfig);
    db = new PoolDb('pglite', pool, () => pglite.close());
  }
  await migrate(db);
  return db;
}

export function migrationsDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
}

/** Applies the numbered .sql files not yet applied; safe when several processes start at once. */
export async function migrate(db: Db): Promise<void> {
  const files = fs.readdirSync(migrationsDir()).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
  await db.tx(async (q) => {
    await q.query("SELECT pg_advisory_xact_lock(hashtext('mangrove_migrations'))");
    await q.query('CREATE TABLE IF NOT EXISTS mangrove_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await q.query<{ name: string }>('SELECT name FROM mangrove_migrations')).map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      await q.query(fs.readFileSync(path.join(migrationsDir(), file), 'utf8'));
      await q.query('INSERT INTO mangrove_migrations (name) VALUES ($1)', [file]);
    }
  });
}
