/*
 * The ledger rules the database enforces by itself (migration 014): each movement balances per
 * currency at commit, postings name their transaction by a column, and no amount or balance can pass
 * 2^53 − 1; and the API's answer when a credit would take a wallet beyond it.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BALANCE } from '../src/ledger/index.js';
import { naturalOwner } from './helpers/fixtures.js';
import { createUser, fileServer, TEST_DB } from './helpers/server.js';
import { walletBalance } from './helpers/reads.js';

const { s } = fileServer();

const posting = (movement: string, account: string, amount: number | string, currency = 'EUR') =>
  s.db.query(
    `INSERT INTO postings (client_id, movement_id, transaction_id, account, currency, amount, date) VALUES ($1, $2, $2, $3, $4, $5, 1)`,
    [s.client.id, movement, account, currency, amount],
  );
const postingsOf = (movement: string) =>
  s.db.query<{ account: string }>('SELECT account FROM postings WHERE client_id = $1 AND movement_id = $2', [s.client.id, movement]);

async function ownerWithWallet(): Promise<{ user: any; wallet: any }> {
  const user = await createUser(s, 'natural', naturalOwner());
  const r = await s.call('POST', '/wallets', { body: { Owners: [user.Id], Currency: 'EUR', Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { user, wallet: r.body };
}

async function payIn(user: any, wallet: any, amount: number): Promise<any> {
  const r = await s.call('POST', '/payins/bankwire/direct', {
    body: {
      AuthorId: user.Id,
      CreditedWalletId: wallet.Id,
      DeclaredDebitedFunds: { Currency: 'EUR', Amount: amount },
      DeclaredFees: { Currency: 'EUR', Amount: 0 },
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

/**
 * A wallet holding `balance`, with the ledger agreeing: a settled pay-in of 1 whose amounts, postings
 * and wallet balance are then raised together (no API call can move more than MAX_AMOUNT at once).
 */
async function walletHolding(balance: number): Promise<{ user: any; wallet: any }> {
  const { user, wallet } = await ownerWithWallet();
  const p = await payIn(user, wallet, 1);
  expect((await s.call('POST', `/sandbox/payins/${p.Id}/settle`)).body.Status).toBe('SUCCEEDED');
  await s.db.tx(async (q) => {
    await q.query('UPDATE transactions SET debited_amount = $2, credited_amount = $2 WHERE id = $1', [p.Id, balance]);
    await q.query('UPDATE postings SET amount = sign(amount) * $2::bigint WHERE transaction_id = $1', [p.Id, balance]);
    await q.query('UPDATE wallets SET balance = $2 WHERE id = $1', [wallet.Id, balance]);
  });
  expect(await walletBalance(s, wallet.Id)).toBe(balance);
  return { user, wallet };
}

describe('a movement balances per currency, checked by the database at commit', () => {
  it('refuses at COMMIT, not before, a transaction whose postings do not sum to zero', async () => {
    let inserted = false;
    await expect(
      s.db.tx(async (q) => {
        await q.query(
          `INSERT INTO postings (client_id, movement_id, transaction_id, account, currency, amount, date)
           VALUES ($1, 'mv_unbalanced', 'mv_unbalanced', 'external:EUR', 'EUR', -100, 1), ($1, 'mv_unbalanced', 'mv_unbalanced', 'elsewhere:EUR', 'EUR', 99, 1)`,
          [s.client.id],
        );
        inserted = true;
      }),
    ).rejects.toThrow(/movement mv_unbalanced does not balance in EUR \(-1\)/);
    expect(inserted).toBe(true);
    expect(await postingsOf('mv_unbalanced')).toEqual([]);
  });

  it('commits one that balances, written over several statements', async () => {
    await s.db.tx(async (q) => {
      for (const [account, amount] of [['external:EUR', -100], ['elsewhere:EUR', 60], ['elsewhere2:EUR', 40]] as const) {
        await q.query(
          `INSERT INTO postings (client_id, movement_id, transaction_id, account, currency, amount, date) VALUES ($1, 'mv_ok', 'mv_ok', $2, 'EUR', $3, 1)`,
          [s.client.id, account, amount],
        );
      }
    });
    expect(await postingsOf('mv_ok')).toHaveLength(3);
  });

  it('checks each currency on its own', async () => {
    await expect(
      s.db.tx(async (q) => {
        await q.query(
          `INSERT INTO postings (client_id, movement_id, transaction_id, account, currency, amount, date)
           VALUES ($1, 'mv_two', 'mv_two', 'a:EUR', 'EUR', 100, 1), ($1, 'mv_two', 'mv_two', 'a:USD', 'USD', -100, 1)`,
          [s.client.id],
        );
      }),
    ).rejects.toThrow(/does not balance/);
  });

  it('refuses an update or a delete that unbalances a committed movement, and one statement outside a transaction', async () => {
    await expect(
      s.db.tx((q) => q.query(`UPDATE postings SET amount = -101 WHERE movement_id = 'mv_ok' AND account = 'external:EUR'`)),
    ).rejects.toThrow(/mv_ok does not balance/);
    await expect(s.db.tx((q) => q.query(`DELETE FROM postings WHERE movement_id = 'mv_ok' AND account = 'elsewhere:EUR'`))).rejects.toThrow(
      /mv_ok does not balance/,
    );
    await expect(posting('mv_single', 'elsewhere:EUR', 5)).rejects.toThrow(/mv_single does not balance/);
    expect(await postingsOf('mv_ok')).toHaveLength(3);
    // Moving a whole movement away balances both ends.
    await s.db.query(`DELETE FROM postings WHERE movement_id = 'mv_ok'`);
    expect(await postingsOf('mv_ok')).toEqual([]);
  });
});

describe('postings name their transaction by a column', () => {
  it('writes the transaction id of a transfer, and of a payout step that has a movement of its own', async () => {
    const a = await walletHolding(10_000);
    const b = await ownerWithWallet();
    const t = await s.call('POST', '/transfers', {
      body: {
        AuthorId: a.user.Id,
        DebitedWalletId: a.wallet.Id,
        CreditedWalletId: b.wallet.Id,
        DebitedFunds: { Currency: 'EUR', Amount: 500 },
        Fees: { Currency: 'EUR', Amount: 0 },
      },
    });
    expect(t.body.Status, JSON.stringify(t.body)).toBe('SUCCEEDED');
    const rows = await s.db.query<{ movement_id: string; transaction_id: string }>(
      'SELECT DISTINCT movement_id, transaction_id FROM postings WHERE transaction_id = $1',
      [t.body.Id],
    );
    expect(rows).toEqual([{ movement_id: t.body.Id, transaction_id: t.body.Id }]);
  });

  it.runIf(TEST_DB === 'pglite')('is filled in from the movement ids of an existing database by migration 014', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { PGlite } = await import('@electric-sql/pglite');
    const { migrationsDir } = await import('../src/db/index.js');
    const files = fs.readdirSync(migrationsDir()).filter((f) => /^\d+_.*\.sql$/.test(f)).sort();
    const db = await PGlite.create();
    try {
      for (const f of files.filter((x) => x < '014')) await db.exec(fs.readFileSync(path.join(migrationsDir(), f), 'utf8'));
      await db.exec(`
        INSERT INTO clients (id, name, api_key_hash, created_at) VALUES ('c1', 'c1', 'x', 5);
        INSERT INTO postings (client_id, movement_id, account, currency, amount, date) VALUES
          ('c1', 'po1', 'FEES_EUR', 'EUR', -10, 6), ('c1', 'po1', 'payout-clearing:EUR', 'EUR', 10, 6),
          ('c1', 'po1:fail', 'payout-clearing:EUR', 'EUR', -10, 7), ('c1', 'po1:fail', 'FEES_EUR', 'EUR', 10, 7);
      `);
      for (const f of files.filter((x) => x >= '014')) await db.exec(fs.readFileSync(path.join(migrationsDir(), f), 'utf8'));
      const rows = await db.query<{ movement_id: string; transaction_id: string }>(
        'SELECT DISTINCT movement_id, transaction_id FROM postings ORDER BY movement_id',
      );
      expect(rows.rows).toEqual([
        { movement_id: 'po1', transaction_id: 'po1' },
        { movement_id: 'po1:fail', transaction_id: 'po1' },
      ]);
    } finally {
      await db.close();
    }
  }, 180_000);
});

describe('amounts and balances stay below 2^53', () => {
  it('is refused by the database for a balance or a posting beyond 2^53 − 1', async () => {
    const { wallet } = await ownerWithWallet();
    // In transactions: on PGlite, a statement failing outside one breaks the connection (seen with pg's pool).
    await expect(s.db.tx((q) => q.query('UPDATE wallets SET balance = $2 WHERE id = $1', [wallet.Id, '9007199254740992']))).rejects.toThrow(
      /wallets_balance_exact/,
    );
    await expect(
      s.db.tx((q) => q.query(
        `INSERT INTO postings (client_id, movement_id, transaction_id, account, currency, amount, date)
         VALUES ($1, 'mv_big', 'mv_big', 'a:EUR', 'EUR', 9007199254740992, 1), ($1, 'mv_big', 'mv_big', 'b:EUR', 'EUR', -9007199254740992, 1)`,
        [s.client.id],
      )),
    ).rejects.toThrow(/postings_amount_exact/);
    expect(await walletBalance(s, wallet.Id)).toBe(0);
  });

  it('fails a transfer that would credit a wallet beyond MAX_BALANCE with 001011, moving nothing', async () => {
    const full = await walletHolding(MAX_BALANCE - 5);
    const payer = await walletHolding(1_000);
    const transfer = (amount: number) =>
      s.call('POST', '/transfers', {
        body: {
          AuthorId: payer.user.Id,
          DebitedWalletId: payer.wallet.Id,
          CreditedWalletId: full.wallet.Id,
          DebitedFunds: { Currency: 'EUR', Amount: amount },
          Fees: { Currency: 'EUR', Amount: 0 },
        },
      });
    const refused = await transfer(6);
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      Status: 'FAILED',
      ResultCode: '001011',
      ResultMessage: 'Transaction amount is higher than maximum permitted amount',
    });
    expect(await walletBalance(s, payer.wallet.Id)).toBe(1_000);
    expect(await walletBalance(s, full.wallet.Id)).toBe(MAX_BALANCE - 5);
    expect((await s.call('GET', `/transfers/${refused.body.Id}`)).body.ResultCode).toBe('001011');
    // Up to the cap exactly is fine.
    expect((await transfer(5)).body.Status).toBe('SUCCEEDED');
    expect(await walletBalance(s, full.wallet.Id)).toBe(MAX_BALANCE);
  });

  it('fails a pay-in whose funds would take the wallet beyond MAX_BALANCE with 001011 and its event', async () => {
    const full = await walletHolding(MAX_BALANCE - 5);
    const p = await payIn(full.user, full.wallet, 6);
    const settled = await s.call('POST', `/sandbox/payins/${p.Id}/settle`);
    expect(settled.status).toBe(200);
    expect(settled.body).toMatchObject({ Status: 'FAILED', ResultCode: '001011' });
    expect(await walletBalance(s, full.wallet.Id)).toBe(MAX_BALANCE - 5);
    const events = await s.db.query<{ event_type: string }>('SELECT event_type FROM events WHERE resource_id = $1 ORDER BY seq', [p.Id]);
    expect(events.map((e) => e.event_type)).toEqual(['PAYIN_NORMAL_CREATED', 'PAYIN_NORMAL_FAILED']);
  });
});
