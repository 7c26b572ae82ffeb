import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { fixedClock } from '../src/core/clock.js';
import { ApiError, ERRORS } from '../src/core/errors.js';
import { errorBody } from '../src/http/errors.js';
import { buildServer } from '../src/server.js';
import { openTestDb } from './helpers/server.js';

type Factory = (...args: unknown[]) => ApiError;

function instances(): [string, ApiError][] {
  return Object.entries(ERRORS).map(([name, f]) => {
    const factory = f as Factory;
    return [name, factory(...Array.from({ length: factory.length }, () => 'x'))];
  });
}

describe('error registry', () => {
  it('gives every factory its own stable dotted code', () => {
    const seen = new Map<string, string>();
    for (const [name, err] of instances()) {
      expect(err, name).toBeInstanceOf(ApiError);
      expect(err.code, name).toMatch(/^[a-z_]+(\.[a-z_]+)*$/);
      expect(seen.get(err.code), `${name} reuses the code of ${seen.get(err.code)}`).toBeUndefined();
      seen.set(err.code, name);
    }
    expect(seen.size).toBe(Object.keys(ERRORS).length);
  });

  it('keeps the code off the wire', () => {
    for (const [name, err] of instances()) {
      const body = errorBody(err, 0);
      expect(Object.keys(body), name).not.toContain('code');
    }
  });

  describe('the error handler', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    let close: () => Promise<void> = async () => {};
    afterAll(() => close());

    it('logs the code of a refusal and dates it by the injected clock', async () => {
      const db = await openTestDb();
      const clock = fixedClock(1_700_000_000_500);
      const app = await buildServer({ db, config: loadConfig({ PORT: '0' }), logger: { level: 'info', stream }, clock });
      close = async () => {
        await app.close();
        await db.close();
      };
      const r = await app.inject({ method: 'GET', url: '/v2.01/nobody/users' });
      expect(r.statusCode).toBe(401);
      expect(Object.keys(r.json())).not.toContain('code');
      expect(r.json().Date).toBe(1_700_000_000);
      clock.advance(60_000);
      const later = await app.inject({ method: 'GET', url: '/nothing-here' });
      expect(later.statusCode).toBe(404);
      expect(later.json().Date).toBe(1_700_000_060);
      expect(later.json().Id).toMatch(/#1700000060$/);
      const logged = lines.map((l) => JSON.parse(l)).filter((l) => l.code);
      expect(logged.map((l) => [l.code, l.status])).toContainEqual(['invalid_credentials', 401]);
    });
  });
});
