// The baseline: bare Fastify and pg doing the same database work as the measured routes, nothing more.
// It runs as its own process, as the server under test does. Env: DATABASE_URL, PORT, BASELINE_DOC (JSON),
// BASELINE_POOL (the server's pool size).
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

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
const addr = app.server.address();
console.log(`listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);

process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  process.exit(0);
});
