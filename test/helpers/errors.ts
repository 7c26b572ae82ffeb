import { expect } from 'vitest';
import type { Reply } from './server.js';

/** Mangopay's error body: {Message, Type, Id, Date, errors} in that order, JSON, no stack trace. */
export function expectApiError(r: Reply, status: number, type: string): void {
  const context = `${r.status} ${typeof r.body === 'string' ? r.body : JSON.stringify(r.body)}`;
  expect(r.status, context).toBe(status);
  expect(r.headers.get('content-type'), context).toMatch(/^application\/json/);
  expect(Object.keys(r.body).slice(0, 5), context).toEqual(['Message', 'Type', 'Id', 'Date', 'errors']);
  expect(r.body.Type, context).toBe(type);
  expect(r.body.Message, context).toEqual(expect.any(String));
  expect(r.body.Message.length).toBeGreaterThan(0);
  expect(r.body.Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}#\d+$/);
  expect(Number.isInteger(r.body.Date)).toBe(true);
  expect(Math.abs(r.body.Date - Date.now() / 1000)).toBeLessThan(120);
  const errors = r.body.errors;
  expect(errors === null || (typeof errors === 'object' && !Array.isArray(errors)), context).toBe(true);
  if (errors) for (const v of Object.values(errors)) expect(v).toEqual(expect.any(String));
  expect(JSON.stringify(r.body)).not.toMatch(/\bat .+:\d+:\d+|node_modules|\.ts:\d/);
}

/** The three rate-limit headers, each four comma-separated whole numbers (15 min, 30 min, 60 min, 24 h). */
export function rateLimitHeaders(r: Reply): { made: number[]; remaining: number[]; reset: number[] } {
  const read = (name: string) => {
    const raw = r.headers.get(name);
    expect(raw, `${name} on a ${r.status} reply`).toMatch(/^\s*\d+\s*(,\s*\d+\s*){3}$/);
    return raw!.split(',').map((v) => Number(v.trim()));
  };
  return { made: read('X-RateLimit'), remaining: read('X-RateLimit-Remaining'), reset: read('X-RateLimit-Reset') };
}
