import type { Queryable } from '../../src/db/index.js';
import type { TestServer } from './server.js';

/** The types of the events recorded about a resource, in the order they were recorded. */
export async function eventTypesOf(db: Queryable, resourceId: string): Promise<string[]> {
  const rows = await db.query<{ event_type: string }>('SELECT event_type FROM events WHERE resource_id = $1 ORDER BY seq', [resourceId]);
  return rows.map((r) => r.event_type);
}

/** The balance of the client's fee wallet in a currency (0 before the first fee). */
export async function feeBalance(db: Queryable, clientId: string, currency = 'EUR'): Promise<number> {
  const rows = await db.query<{ balance: number }>(
    "SELECT balance FROM wallets WHERE client_id = $1 AND currency = $2 AND funds_type = 'FEES'",
    [clientId, currency],
  );
  return rows.length ? Number(rows[0].balance) : 0;
}

/** A wallet's balance as the API shows it to the main client. */
export async function walletBalance(s: TestServer, walletId: string): Promise<number> {
  return (await s.call('GET', `/wallets/${walletId}`)).body.Balance.Amount;
}

/** The net of one of the client's outside accounts (`external:EUR`, `card-network:EUR`): the sum of its postings. */
export async function accountNet(db: Queryable, clientId: string, account: string): Promise<number> {
  const [r] = await db.query<{ n: string }>('SELECT coalesce(sum(amount), 0)::text AS n FROM postings WHERE client_id = $1 AND account = $2', [
    clientId,
    account,
  ]);
  return Number(r.n);
}
