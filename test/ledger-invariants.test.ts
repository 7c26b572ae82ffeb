/*
 * The check every test file gets once it is done with its databases (helpers/invariants.ts): it
 * passes a sound database, reports each kind of breakage, and really fails the file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb, type Queryable } from '../src/db/index.js';
import { createClient } from '../src/modules/auth/service.js';
import { recordEvent } from '../src/modules/events/store.js';
import { checkStorages, dbInvariants, watchStorage } from './helpers/invariants.js';
import { processStorage } from './helpers/process.js';
import { openTestDb, TEST_DB } from './helpers/server.js';

const hook = (q: Queryable, id: string, clientId: string, eventType: string) =>
  q.query(
    `INSERT INTO hooks (id, client_id, event_type, url, status, validity, creation_date) VALUES ($1, $2, $3, 'http://127.0.0.1:9/h', 'ENABLED', 'VALID', 1)`,
    [id, clientId, eventType],
  );
const deliveries = async (q: Queryable, hookId: string) =>
  (await q.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_deliveries WHERE hook_id = $1', [hookId]))[0].n;

describe('the invariants checked after every test file', () => {
  it('pass a sound database whose hooks were enabled, disabled and made invalid along the way', async () => {
    const db = await openTestDb();
    const c = await createClient(db);
    await hook(db, 'hk_sound', c.id, 'USER_KYC_REGULAR');
    await recordEvent(db, c.id, 'USER_KYC_REGULAR', 'u1', 10);
    await db.query(`UPDATE hooks SET status = 'DISABLED' WHERE id = 'hk_sound'`);
    await recordEvent(db, c.id, 'USER_KYC_REGULAR', 'u2', 11);
    await db.query(`UPDATE hooks SET status = 'ENABLED' WHERE id = 'hk_sound'`);
    await recordEvent(db, c.id, 'USER_KYC_REGULAR', 'u3', 12);
    await db.query(`UPDATE hooks SET validity = 'INVALID' WHERE id = 'hk_sound'`);
    await recordEvent(db, c.id, 'USER_KYC_REGULAR', 'u4', 13);
    expect(await deliveries(db, 'hk_sound')).toBe(2);
    expect(await dbInvariants(db)).toEqual([]);
    await db.close();
  });

  it('report every kind of breakage, for every client, and make the teardown fail', async () => {
    const db = await openTestDb();
    const a = await createClient(db);
    const b = await createClient(db);
    // A movement that does not balance, written past the trigger that would refuse it.
    await db.script(`
      ALTER TABLE postings DISABLE TRIGGER postings_movement_balances;
      INSERT INTO postings (client_id, movement_id, transaction_id, account, currency, amount, date)
        VALUES ('${a.id}', 'mv_lost', 'mv_lost', 'external:EUR', 'EUR', -5, 1);
      ALTER TABLE postings ENABLE TRIGGER postings_movement_balances;
    `);
    // A balance its postings do not explain, and a closed user holding money (client b).
    await db.query(`UPDATE wallets SET balance = 7 WHERE client_id = $1 AND id = 'FEES_EUR'`, [a.id]);
    await db.query(
      `INSERT INTO users (id, client_id, person_type, category, status, email, creation_date, tc_accepted, data)
       VALUES ('usr_closed', $1, 'NATURAL', 'OWNER', 'CLOSED', 'c@example.com', 1, true, '{}')`,
      [b.id],
    );
    await db.query(
      `INSERT INTO wallets (id, client_id, owner_id, funds_type, currency, description, balance, creation_date)
       VALUES ('wlt_closed', $1, 'usr_closed', 'DEFAULT', 'EUR', 'w', 3, 1)`,
      [b.id],
    );
    // An event written without its outbox row, one sent to a hook of another type, and one sent twice.
    await hook(db, 'hk_a', a.id, 'PAYIN_NORMAL_SUCCEEDED');
    await hook(db, 'hk_other', a.id, 'PAYOUT_NORMAL_SUCCEEDED');
    await db.query(`INSERT INTO events (client_id, event_type, resource_id, date) VALUES ($1, 'PAYIN_NORMAL_SUCCEEDED', 'no_outbox', 1)`, [a.id]);
    await recordEvent(db, a.id, 'PAYIN_NORMAL_SUCCEEDED', 'twice', 2);
    await db.query(
      `INSERT INTO webhook_deliveries (client_id, hook_id, event_seq, status, due_at, creation_date)
       SELECT client_id, hook_id, event_seq, 'PENDING', 0, 2 FROM webhook_deliveries WHERE hook_id = 'hk_a'
       UNION ALL
       SELECT client_id, 'hk_other', event_seq, 'PENDING', 0, 2 FROM webhook_deliveries WHERE hook_id = 'hk_a'`,
    );
    const problems = (await dbInvariants(db)).join('\n');
    for (const expected of [
      `client ${a.id}: movement mv_lost sums to -5 EUR`,
      `client ${a.id}: wallet FEES_EUR has balance 7 but its postings sum to 0`,
      `client ${b.id}: closed user usr_closed holds money`,
      `client ${b.id}: wallet wlt_closed has balance 3`,
      `(PAYIN_NORMAL_SUCCEEDED no_outbox) has no outbox row for hook hk_a`,
      'went to hook hk_other (PAYOUT_NORMAL_SUCCEEDED',
      'outbox rows for hook hk_a',
    ]) {
      expect(problems).toContain(expected);
    }
    await expect(db.close()).rejects.toThrow(/the test database breaks the invariants after this test file:[\s\S]*mv_lost/);
  });

  it("check a server process's storage, and fail when it is broken", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-invariants-'));
    try {
      const env = await processStorage(path.join(dir, 'data'));
      const db = await openDb(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, poolSize: 1 } : { dataDir: env.DATA_DIR });
      const c = await createClient(db);
      await db.query(`UPDATE wallets SET balance = 9 WHERE client_id = $1 AND id = 'CREDIT_EUR'`, [c.id]);
      await db.close();
      watchStorage(env);
      await expect(checkStorages()).rejects.toThrow(/of a server process: client \S+: wallet CREDIT_EUR has balance 9/);
      // Checked once: a later check (the setup file's) does not report it again.
      await checkStorages();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  it('fail a test file whose tests pass but which leaves its database broken', () => {
    const run = spawnSync(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', 'test/fixtures/broken-ledger.test.ts', '--project', TEST_DB],
      { env: { ...process.env, MANGROVE_BROKEN_FIXTURE: '1', CI: '1' }, encoding: 'utf8', timeout: 280_000 },
    );
    const out = run.stdout + run.stderr;
    expect(run.status, out).toBe(1);
    expect(out).toContain('1 passed');
    expect(out).toMatch(/breaks the invariants after this test file:[\s\S]*wallet FEES_EUR has balance 1/);
  }, 300_000);
});
