import { describe, expect, it } from 'vitest';
import { expectApiError, rateLimitHeaders } from './helpers/errors.js';
import { legalPayer } from './helpers/fixtures.js';
import { fileServer, startServer } from './helpers/server.js';

const { s } = fileServer({ env: { MANGROVE_RATE_LIMITS: '3,100,100,100' } });

async function storedCount(clientId: string): Promise<number> {
  const rows = await s.db.query<{ w0_count: number }>('SELECT w0_count FROM rate_limits WHERE client_id = $1', [clientId]);
  return rows[0]?.w0_count ?? 0;
}

describe('counting calls in shared batches', () => {
  it('counts every one of many simultaneous calls exactly once, in the database', async () => {
    const big = await startServer({ db: s.db, keepDb: true });
    try {
      const c = await big.newClient();
      const token = await big.tokenFor(c);
      const replies = await Promise.all(
        Array.from({ length: 40 }, () => big.fetch('GET', `/v2.01/${c.id}/users`, { token })),
      );
      const made = replies.map((r) => rateLimitHeaders(r).made[0]);
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(Math.max(...made)).toBe(40);
      expect(Math.min(...made)).toBeGreaterThanOrEqual(1);
      expect(await storedCount(c.id)).toBe(40);
    } finally {
      await big.close();
    }
  });

  it('refuses a write past the limit before it runs: nothing is created', async () => {
    const c = await s.newClient();
    const token = await s.tokenFor(c);
    for (let i = 0; i < 3; i++) expect((await s.fetch('GET', `/v2.01/${c.id}/users`, { token })).status).toBe(200);
    const r = await s.fetch('POST', `/v2.01/${c.id}/sca/users/legal`, { token, body: legalPayer() });
    expectApiError(r, 429, 'rate_limit');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    const [{ n }] = await s.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE client_id = $1', [c.id]);
    expect(n).toBe(0);
  });

  it('replaces a read past the limit by the 429, with the headers and Retry-After', async () => {
    const c = await s.newClient();
    const token = await s.tokenFor(c);
    for (let i = 0; i < 3; i++) await s.fetch('GET', `/v2.01/${c.id}/users`, { token });
    const r = await s.fetch('GET', `/v2.01/${c.id}/users`, { token });
    expectApiError(r, 429, 'rate_limit');
    expect(rateLimitHeaders(r).made[0]).toBe(4);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(r.headers.get('retry-after'))).toBeLessThanOrEqual(900);
  });
});

describe('scripts', () => {
  it('leaves no aborted transaction behind when a script fails', async () => {
    await expect(s.db.script('BEGIN; SELECT 1 / 0; COMMIT;')).rejects.toThrow(/division by zero/);
    for (let i = 0; i < 12; i++) expect(await s.db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
