// The baseline: bare Fastify and pg doing the same database work as the measured routes, nothing more.
// It runs as its own process, as the server under test does. Env: DATABASE_URL, PORT, BASELINE_DOC (JSON),
// BASELINE_POOL (the server's pool size), BASELINE_WALLETS (JSON array of [id, balance] for the transfer
// baseline's wallets).
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.BASELINE_POOL || 10) });
const doc = process.env.BASELINE_DOC ?? '{}';

await pool.query('CREATE TABLE IF NOT EXISTS baseline_items (id text PRIMARY KEY, data jsonb NOT NULL)');
await pool.query(
  `INSERT INTO baseline_items (id, data) SELECT 'item_' || g, $1::jsonb FROM generate_series(1, 100) g
   ON CONFLICT DO NOTHING`,
  [doc],
);

// The transfer baseline: the database work of one transfer in one transaction, as the server's ledger does it
// (src/ledger): lock both wallets FOR UPDATE in id order, check the debited balance, update both balances,
// insert two postings.
await pool.query(
  'CREATE TABLE IF NOT EXISTS baseline_wallets (id text PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0))',
);
await pool.query(
  `CREATE TABLE IF NOT EXISTS baseline_postings (seq bigserial PRIMARY KEY, movement_id text NOT NULL,
   account text NOT NULL, amount bigint NOT NULL CHECK (amount <> 0), date bigint NOT NULL)`,
);
await pool.query('CREATE INDEX IF NOT EXISTS baseline_postings_by_account ON baseline_postings (account)');
const wallets = JSON.parse(process.env.BASELINE_WALLETS ?? '[]') as [string, number][];
if (wallets.length) {
  await pool.query(
    `INSERT INTO baseline_wallets (id, balance) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING`,
    [wallets.map((w) => w[0]), wallets.map((w) => w[1])],
  );
}

const app = Fastify();
app.get<{ Params: { id: string } }>('/items/:id', async (req, reply) => {
  const { rows } = await pool.query('SELECT id, data FROM baseline_items WHERE id = $1', [req.params.id]);
  if (!rows.length) return reply.code(404).send({ message: 'not found' });
  return rows[0];
});
app.post('/items', async (req) => {
  const id = randomUUID();
  await pool.query('INSERT INTO baseline_items (id, data) VALUES ($1, $2)', [id, JSON.stringify(req.body)]);
  return { id };
});

/**
 * Runs `work` in one transaction on its own connection: committed when it returns a reply, rolled back
 * when it returns null (the 404s) or throws.
 */
async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T | null>): Promise<T | null> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const out = await work(client);
    await client.query(out === null ? 'ROLLBACK' : 'COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

async function posting(client: pg.PoolClient, movementId: string, account: string, amount: number, date: number): Promise<void> {
  await client.query('INSERT INTO baseline_postings (movement_id, account, amount, date) VALUES ($1, $2, $3, $4)', [movementId, account, amount, date]);
}

app.post<{ Body: { DebitedWalletId: string; CreditedWalletId: string; Amount: number } }>('/transfers', async (req, reply) => {
  const { DebitedWalletId: from, CreditedWalletId: to, Amount: amount } = req.body;
  let missing = '';
  const out = await inTransaction(async (client) => {
    const balances = new Map<string, number>();
    for (const id of [from, to].sort()) {
      const { rows } = await client.query('SELECT id, balance FROM baseline_wallets WHERE id = $1 FOR UPDATE', [id]);
      if (!rows.length) {
        missing = id;
        return null;
      }
      balances.set(id, Number(rows[0].balance));
    }
    const id = randomUUID();
    if (balances.get(from)! < amount) return { Id: id, Status: 'FAILED', ResultCode: '001001' };
    const now = Date.now();
    for (const [account, delta] of [[from, -amount], [to, amount]] as const) {
      await posting(client, id, account, delta, now);
      await client.query('UPDATE baseline_wallets SET balance = balance + $2 WHERE id = $1', [account, delta]);
    }
    return { Id: id, Status: 'SUCCEEDED', ResultCode: '000000' };
  });
  return out ?? reply.code(404).send({ message: `no wallet ${missing}` });
});

// The card pay-in baseline: the database work of one frictionless direct card pay-in in one transaction,
// as the server does it: lock the credited wallet FOR UPDATE, insert the pay-in row, post the card-network
// and wallet legs, update the balance.
await pool.query(
  `CREATE TABLE IF NOT EXISTS baseline_payins (id text PRIMARY KEY, wallet_id text NOT NULL, amount bigint NOT NULL,
   status text NOT NULL, date bigint NOT NULL)`,
);
app.post<{ Body: { CreditedWalletId: string; Amount: number } }>('/payins', async (req, reply) => {
  const { CreditedWalletId: to, Amount: amount } = req.body;
  const out = await inTransaction(async (client) => {
    const { rows } = await client.query('SELECT id FROM baseline_wallets WHERE id = $1 FOR UPDATE', [to]);
    if (!rows.length) return null;
    const id = randomUUID();
    const now = Date.now();
    await client.query('INSERT INTO baseline_payins (id, wallet_id, amount, status, date) VALUES ($1, $2, $3, $4, $5)', [id, to, amount, 'SUCCEEDED', now]);
    await posting(client, id, 'card-network:EUR', -amount, now);
    await posting(client, id, to, amount, now);
    await client.query('UPDATE baseline_wallets SET balance = balance + $2 WHERE id = $1', [to, amount]);
    return { Id: id, Status: 'SUCCEEDED', ResultCode: '000000' };
  });
  return out ?? reply.code(404).send({ message: `no wallet ${to}` });
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
const addr = app.server.address();
console.log(`listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);

process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
