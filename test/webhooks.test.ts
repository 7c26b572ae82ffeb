import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS } from '../src/webhooks/schedule.js';
import { expectApiError } from './helpers/errors.js';
import { legalOwner, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { createUser, startServer, type TestServer } from './helpers/server.js';

// 10 minutes become 6 ms and 8 hours 288 ms: a delivery's whole schedule runs in about 3 s.
const FAST = { MANGROVE_WEBHOOK_RETRY_SCALE: '0.00001', MANGROVE_WEBHOOK_POLL_MS: '10' };

let s: TestServer;
let rx: Receiver;
beforeAll(async () => {
  s = await startServer({ env: FAST });
});
afterAll(() => s?.close());
beforeEachReceiver();

function beforeEachReceiver() {
  // Each test gets its own client (its own hooks and events) and its own receiver.
  afterEach(async () => {
    await rx?.close();
  });
}

async function freshClient() {
  const client = await s.newClient();
  const token = await s.tokenFor(client);
  rx = await startReceiver();
  const call = (method: string, path: string, body?: unknown) => s.call(method, path, { body, token, ...{} }).then((r) => r);
  return {
    client,
    call: (method: string, path: string, body?: unknown) =>
      s.fetch(method, `/v2.01/${client.id}${path}`, { body, token }),
    unused: call,
  };
}

async function hook(c: { call: Function }, EventType: string, Url = rx.url) {
  const r = await c.call('POST', '/hooks', { EventType, Url });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function deliveries(c: { call: Function }, query = '') {
  const r = await c.call('GET', `/sandbox/webhooks/deliveries?per_page=100${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as any[];
}

describe('closing a user notifies its hooks', () => {
  it('USER_ACCOUNT_CLOSED and both blocking events arrive with the right query within a second', async () => {
    const c = await freshClient();
    for (const t of ['USER_ACCOUNT_CLOSED', 'USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']) await hook(c, t);
    const u = (await c.call('POST', '/sca/users/natural', naturalPayer())).body;
    const closedAt = Date.now();
    expect((await c.call('DELETE', `/users/natural/${u.Id}`)).status).toBe(204);
    const got = await rx.waitFor(3);
    expect(Math.max(...got.map((n) => n.at)) - closedAt).toBeLessThan(1000);
    const events = (await c.call('GET', '/events?per_page=100')).body as any[];
    expect(got.map((n) => n.eventType).sort()).toEqual(['USER_ACCOUNT_CLOSED', 'USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']);
    for (const n of got) {
      expect(n.method).toBe('GET');
      expect(n.url).toMatch(/^\/hook\?EventType=[A-Z_]+&RessourceId=[^&]+&Date=\d+$/);
      expect(n.resourceId).toBe(u.Id);
      const event = events.find((e) => e.EventType === n.eventType);
      expect(n.date).toBe(event.Date);
    }
    const rows = await deliveries(c);
    expect(rows).toHaveLength(3);
    for (const d of rows) {
      expect(d).toMatchObject({ Status: 'SUCCEEDED', Attempts: 1, LastStatusCode: 200, LastError: null, NextAttemptDate: null });
    }
  });
});
