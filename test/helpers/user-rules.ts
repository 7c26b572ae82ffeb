// Helpers shared by the user-rule suites: bodies varied one field at a time, and the
// expectations every refusal or acceptance is checked against.
import { expect } from 'vitest';
import type { Reply, TestServer } from './server.js';

export type Body = Record<string, any>;

export const PARAM_MESSAGE =
  'One or several required parameters are missing or incorrect. An incorrect resource ID also raises this kind of error.';
export const EMAIL_MESSAGE =
  "The field Email must match the regular expression '([a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*)@(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\\.)+[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?'.";
export const ISO_MESSAGE = 'The requested value is not an ISO 3166-1 alpha-2 code which is expected.';
export const TC_MESSAGE = 'User must accept the terms and conditions before account creation or modification.';

/** A copy of body with the dotted path set to value (undefined removes the property). */
export function withField(body: Body, path: string, value: unknown): Body {
  const out = structuredClone(body);
  const keys = path.split('.');
  let o = out;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  if (value === undefined) delete o[keys.at(-1)!];
  else o[keys.at(-1)!] = value;
  return out;
}

export function field(obj: any, path: string): unknown {
  return path.split('.').reduce((o, k) => o?.[k], obj);
}

export function ok(res: Reply): any {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export function refused(res: Reply, keys: string[]): Record<string, string> {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.Type).toBe('param_error');
  expect(res.body.Message).toBe(PARAM_MESSAGE);
  expect(Object.keys(res.body.errors).sort()).toEqual([...keys].sort());
  return res.body.errors;
}

export function failed(res: Reply, status: number, type: string, message?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.Type).toBe(type);
  if (message) expect(res.body.Message).toBe(message);
}

/** How many events of this type the server recorded for this resource. */
export async function events(srv: TestServer, type: string, id: string): Promise<number> {
  const res = await srv.call('GET', `/events?EventType=${type}&per_page=100&Sort=Date:DESC`);
  expect(res.status).toBe(200);
  return res.body.filter((e: any) => e.ResourceId === id && e.EventType === type).length;
}

export async function totals(srv: TestServer): Promise<{ users: string | null; events: string | null }> {
  const users = await srv.call('GET', '/users?per_page=1');
  const evts = await srv.call('GET', '/events?per_page=1');
  return { users: users.headers.get('x-number-of-items'), events: evts.headers.get('x-number-of-items') };
}

/** A value of exactly n characters that is otherwise valid for the field. */
export function text(path: string, n: number): string {
  if (path.endsWith('Email')) return `${'a'.repeat(n - '@example.com'.length)}@example.com`;
  return (path.endsWith('PostalCode') ? '7' : 'x').repeat(n);
}
