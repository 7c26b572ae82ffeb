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

describe('window resets the SDKs can label', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const MINUTES = [15, 30, 60, 1440];

  /** A new client created `age` seconds ago, with its sandbox clock `offset` seconds ahead. */
  async function clientAged(age: number, offset = 0) {
    const c = await s.newClient();
    await s.db.query('UPDATE clients SET created_at = $2, clock_offset = $3 WHERE id = $1', [c.id, now() - age, offset]);
    return c;
  }

  // 96 clients, each with its scrypt-hashed key and a token: long on a busy machine, so its own time limit.
  it('puts each X-RateLimit-Reset inside its own window, whatever the client age and sandbox clock', { timeout: 180_000 }, async () => {
    const ages = [0, 1, 59, 60, 61, 838, 839, 840, 841, 899, 900, 901, 959, 960, 961, 1679, 1680, 1740, 1799, 1800, 1801,
      3479, 3480, 3599, 3600, 3601, 82739, 82740, 86399, 86400, 86401, 10 * 86400 + 12345];
    for (const offset of [0, 3600, 40 * 86400]) {
      for (const age of ages) {
        const c = await clientAged(age, offset);
        const before = now();
        const r = await s.fetch('GET', `/v2.01/${c.id}/users`, { token: await s.tokenFor(c) });
        const after = now();
        const { reset } = rateLimitHeaders(r);
        reset.forEach((at, i) => {
          const label = `age ${age}, offset ${offset}, window ${MINUTES[i]} min: reset in ${at - before} s`;
          // The server counted between `before` and `after`; the SDK reads the answer at `after` or later.
          expect(at - after, label).toBeLessThanOrEqual(MINUTES[i] * 60);
          expect(at - before, label).toBeGreaterThan(0);
          // More than the previous window's length away, with a margin for the answer's travel time.
          if (i > 0) expect(at - after, label).toBeGreaterThan(MINUTES[i - 1] * 60 + 30);
        });
      }
    }
  });

  it("is labelled [15, 30, 60, 1440] by the official SDK's own parser", async () => {
    for (const age of [0, 899, 901, 1000, 1801, 3601, 50000]) {
      const c = await clientAged(age);
      const sdk = s.sdk(c);
      await sdk.Users.getAll();
      expect(sdk.rateLimits.map((l: any) => l.minutesInterval), `age ${age}`).toEqual(MINUTES);
    }
  });

  it('restarts a window at its own step and keeps counting the others, across processes', async () => {
    const other = await startServer({ db: s.db, keepDb: true });
    try {
      // The 30-minute window restarts every 14 min (840 s): two seconds before it does.
      const c = await clientAged(838);
      const token = await s.tokenFor(c);
      const first = rateLimitHeaders(await s.fetch('GET', `/v2.01/${c.id}/users`, { token }));
      expect(first.made).toEqual([1, 1, 1, 1]);
      // Time passing for the windows is the client's creation moving back.
      await s.db.query('UPDATE clients SET created_at = created_at - 5 WHERE id = $1', [c.id]);
      const second = rateLimitHeaders(await other.fetch('GET', `/v2.01/${c.id}/users`, { token }));
      expect(second.made).toEqual([2, 1, 2, 2]);
      expect(second.reset[1]).toBeGreaterThan(first.reset[1]);
      expect(second.reset[0]).toBe(first.reset[0]);
      const third = rateLimitHeaders(await s.fetch('GET', `/v2.01/${c.id}/users`, { token }));
      expect(third.made).toEqual([3, 2, 3, 3]);
    } finally {
      await other.close();
    }
  });
});
