/*
 * What must hold in every test database once a test file is done with it, for every client:
 * the ledger invariants (src/ledger ledgerInvariants) and "every event has its outbox rows".
 *
 * An event has its outbox rows when it has exactly one webhook delivery for each hook of its client
 * and type that was active (ENABLED and VALID) when it was recorded, and none for any other hook.
 * "Active when it was recorded" is read from hook_active_periods (migration 014), which numbers a
 * hook's periods by event: an event numbered above a period's from_event (and up to its to_event)
 * came after the hook became active, so recordEvents saw it. On PGlite transactions run one at a
 * time and this is exact; on PostgreSQL an event whose statement started while a hook's activation
 * was committing could be flagged, so tests do not change hooks while events are being recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { Db, Queryable } from '../../src/db/index.js';
import { openDb } from '../../src/db/index.js';
import { ledgerInvariants } from '../../src/ledger/index.js';

export async function outboxInvariants(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ problem: string }>(
    `SELECT format('client %s: event %s (%s %s) has no outbox row for hook %s, active at the time', e.client_id, e.seq, e.event_type, e.resource_id, h.id) AS problem
     FROM events e
     JOIN hooks h ON h.client_id = e.client_id AND h.event_type = e.event_type
     WHERE EXISTS (SELECT 1 FROM hook_active_periods p
                   WHERE p.hook_id = h.id AND e.seq > p.from_event AND (p.to_event IS NULL OR e.seq <= p.to_event))
       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = e.seq AND d.hook_id = h.id)
     UNION ALL
     SELECT format('client %s: delivery %s of event %s (%s) went to hook %s (%s of client %s), which %s', d.client_id, d.id, e.seq, e.event_type, h.id, h.event_type, h.client_id,
              CASE WHEN h.client_id <> e.client_id OR h.event_type <> e.event_type OR d.client_id <> e.client_id
                   THEN 'does not take it' ELSE 'was not active when it was recorded' END)
     FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq JOIN hooks h ON h.id = d.hook_id
     WHERE h.client_id <> e.client_id OR h.event_type <> e.event_type OR d.client_id <> e.client_id
        OR NOT EXISTS (SELECT 1 FROM hook_active_periods p WHERE p.hook_id = h.id AND e.seq > p.from_event)
     UNION ALL
     SELECT format('event %s has %s outbox rows for hook %s', event_seq, count(*), hook_id)
     FROM webhook_deliveries GROUP BY event_seq, hook_id HAVING count(*) > 1`,
  );
  return rows.map((r) => r.problem);
}

/** Every problem of the database, for every client; [] when it is sound. */
export async function dbInvariants(q: Queryable): Promise<string[]> {
  return [...(await ledgerInvariants(q)), ...(await outboxInvariants(q))];
}

export async function assertDbInvariants(q: Queryable, what: string): Promise<void> {
  const problems = await dbInvariants(q);
  if (problems.length) {
    throw new Error(`${what} breaks the invariants after this test file:\n  ${problems.slice(0, 50).join('\n  ')}`);
  }
}

/**
 * A test database that checks the invariants when it is closed (before it closes), so that the
 * file's teardown fails when they are broken. `closeUnchecked` is for tests that break them on purpose.
 */
export function checkedOnClose(db: Db, what: string): Db & { closeUnchecked(): Promise<void> } {
  const close = db.close.bind(db);
  open.add(db);
  return Object.assign(db, {
    async close() {
      open.delete(db);
      let problems: string[];
      try {
        problems = await dbInvariants(db);
      } finally {
        await close();
      }
      if (problems.length) throw new Error(`${what} breaks the invariants after this test file:\n  ${problems.slice(0, 50).join('\n  ')}`);
    },
    async closeUnchecked() {
      open.delete(db);
      await close();
    },
  });
}

// Databases of this file not closed yet, and storages of server processes not checked yet.
const open = new Set<Db>();
const storages = new Map<string, Record<string, string>>();

/** Storage (DATA_DIR or DATABASE_URL) a server process or the CLI used, to check once the file is done with it. */
export function watchStorage(env: Record<string, string | undefined>): void {
  if (env.DATABASE_URL) storages.set(env.DATABASE_URL, { DATABASE_URL: env.DATABASE_URL });
  else if (env.DATA_DIR) storages.set(path.resolve(env.DATA_DIR), { DATA_DIR: path.resolve(env.DATA_DIR) });
}

/**
 * Checks the storages of server processes, which must all be stopped: a file calls it in its
 * afterAll before deleting its data directories (the setup file's afterAll checks what is left).
 * A data directory no server got as far as creating is skipped.
 */
export async function checkStorages(): Promise<void> {
  const problems: string[] = [];
  for (const [key, env] of [...storages]) {
    storages.delete(key);
    if (env.DATA_DIR && !fs.existsSync(path.join(env.DATA_DIR, 'PG_VERSION'))) continue;
    const db = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir: env.DATA_DIR });
    try {
      problems.push(...(await dbInvariants(db)).map((p) => `${env.DATABASE_URL ? 'database' : 'data directory'} of a server process: ${p}`));
    } finally {
      await db.close();
    }
  }
  if (problems.length) throw new Error(`the invariants are broken after this test file:\n  ${problems.slice(0, 50).join('\n  ')}`);
}

/**
 * For the setup file: after the file's own afterAll hooks (vitest runs after-hooks in reverse order,
 * and the setup file registers first), checks the test databases left open and the storages of
 * server processes the file did not check itself.
 */
export function checkAtFileEnd(): void {
  afterAll(async () => {
    const problems: string[] = [];
    for (const db of open) problems.push(...(await dbInvariants(db)).map((p) => `test database left open: ${p}`));
    if (problems.length) throw new Error(`the invariants are broken after this test file:\n  ${problems.slice(0, 50).join('\n  ')}`);
    await checkStorages();
  }, 120_000);
}
