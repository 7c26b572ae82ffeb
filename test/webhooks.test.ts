import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EVENT_TYPES } from '../src/modules/hooks/event-types.js';
import { MAX_CONSECUTIVE_FAILURES } from '../src/modules/hooks/model.js';
import type { Db } from '../src/db/index.js';
import { Dispatcher } from '../src/webhooks/dispatcher.js';
import { MAX_ATTEMPTS } from '../src/webhooks/schedule.js';
import { address, legalOwner, naturalOwner, naturalPayer, ubo } from './helpers/fixtures.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { startServer, TEST_DB, type Reply, type TestServer } from './helpers/server.js';

// 10 minutes become 6 ms and 8 hours 288 ms: a delivery's whole schedule runs in about 3 s.
const FAST = { MANGROVE_WEBHOOK_RETRY_SCALE: '0.00001', MANGROVE_WEBHOOK_POLL_MS: '10' };

let s: TestServer;
let rx: Receiver;
beforeAll(async () => {
  s = await startServer({ env: FAST });
});
afterAll(() => s?.close());
afterEach(() => rx?.close());

type Call = (method: string, path: string, body?: unknown) => Promise<Reply>;

/** A client of its own (hooks are per EventType and client) and a receiver of its own. */
async function fresh(): Promise<{ clientId: string; call: Call }> {
  const client = await s.newClient();
  const token = await s.tokenFor(client);
  rx = await startReceiver();
  return { clientId: client.id, call: (method, path, body) => s.fetch(method, `/v2.01/${client.id}${path}`, { body, token }) };
}

async function ok(r: Promise<Reply>, status = 200): Promise<any> {
  const reply = await r;
  expect(reply.status, JSON.stringify(reply.body)).toBe(status);
  return reply.body;
}

const hook = (call: Call, EventType: string, Url = rx.url) => ok(call('POST', '/hooks', { EventType, Url }));
const deliveries = (call: Call, query = ''): Promise<any[]> => ok(call('GET', `/sandbox/webhooks/deliveries?per_page=100${query}`));

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Waits until `check` passes (polling), for state that settles after a call returns. */
const eventually = <T>(check: () => Promise<T>, timeout = 10_000) => vi.waitFor(check, { timeout, interval: 25 });

/**
 * Waits until the client's outbox is quiet: no delivery in flight (claimed) and none due, so no
 * call is under way and none can start before the next due time; what a receiver has got by then
 * is all it gets until then. `settled`: until no delivery is PENDING at all (every one is final).
 * The negative checks ("nothing more arrives") are made at that point rather than after a delay.
 */
async function quiet(db: Db, clientId: string, opts: { settled?: boolean } = {}): Promise<void> {
  await eventually(async () => {
    const [{ n }] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM webhook_deliveries
       WHERE client_id = $1 AND status = 'PENDING' AND ($2 OR claim IS NOT NULL OR due_at <= $3)`,
      [clientId, opts.settled === true, Date.now()],
    );
    expect(n).toBe(0);
  }, 20_000);
}

describe('closing a user notifies its hooks', () => {
  // How soon they arrive is measured by npm run bench (webhook lag), not asserted here.
  it('USER_ACCOUNT_CLOSED and both blocking events arrive with the right query', async () => {
    const { call } = await fresh();
    for (const t of ['USER_ACCOUNT_CLOSED', 'USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']) await hook(call, t);
    const u = await ok(call('POST', '/sca/users/natural', naturalPayer()));
    await ok(call('DELETE', `/users/natural/${u.Id}`), 204);
    const got = await rx.waitFor(3);
    const events: any[] = await ok(call('GET', '/events?per_page=100'));
    expect(got.map((n) => n.eventType).sort()).toEqual(['USER_ACCOUNT_CLOSED', 'USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']);
    for (const n of got) {
      expect(n.method).toBe('GET');
      expect(n.url).toMatch(/^\/hook\?EventType=[A-Z_]+&RessourceId=[^&]+&Date=\d+$/);
      expect(n.resourceId).toBe(u.Id);
      expect(n.date).toBe(events.find((e) => e.EventType === n.eventType).Date);
    }
    const rows = await eventually(async () => {
      const list = await deliveries(call);
      expect(list.map((d) => d.Status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
      return list;
    });
    for (const d of rows) {
      expect(d).toMatchObject({ Attempts: 1, LastStatusCode: 200, LastError: null, NextAttemptDate: null, RessourceId: u.Id, Url: rx.url });
    }
  });
});

describe('the event types of users, KYC and money reach their hooks', () => {
  it('with a hook for every EventType, sends exactly one notification per recorded event, with its resource and date', async () => {
    const { call, clientId } = await fresh();
    for (const t of EVENT_TYPES) await hook(call, t);
    // A user enrolled through the SCA page stays pending until the sandbox completes it; "accept" activates at once.
    const pending = await ok(call('POST', '/sca/users/legal', legalOwner()));
    await ok(call('POST', `/sandbox/users/${pending.Id}/sca/complete`));
    const owner = await ok(call('POST', '/sca/users/natural', naturalOwner({ Email: 'accept@example.com' })));
    const payer = await ok(call('POST', '/sca/users/natural', naturalPayer()));
    await ok(call('PUT', `/sca/users/natural/${payer.Id}/category`, { ...naturalOwner({ Email: 'accept.me@example.com' }), UserCategory: 'OWNER' }));
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(40_000, 7)]).toString('base64');
    for (const Tag of ['accept', 'refuse_unreadable']) {
      const doc = await ok(call('POST', `/users/${owner.Id}/kyc/documents`, { Type: 'IDENTITY_PROOF', Tag }));
      await ok(call('POST', `/users/${owner.Id}/kyc/documents/${doc.Id}/pages`, { File: png }), 204);
      await ok(call('PUT', `/users/${owner.Id}/kyc/documents/${doc.Id}`, { Status: 'VALIDATION_ASKED' }));
    }
    const decl = await ok(call('POST', `/users/${pending.Id}/kyc/ubodeclarations`));
    await ok(call('POST', `/users/${pending.Id}/kyc/ubodeclarations/${decl.Id}/ubos`, ubo({ FirstName: 'AcceptUBO' })));
    await ok(call('PUT', `/users/${pending.Id}/kyc/ubodeclarations/${decl.Id}`, { Status: 'VALIDATION_ASKED' }));
    const w1 = await ok(call('POST', '/wallets', { Owners: [owner.Id], Currency: 'EUR', Description: 'a' }));
    const w2 = await ok(call('POST', '/wallets', { Owners: [payer.Id], Currency: 'EUR', Description: 'b' }));
    const payIn = (Amount: number) =>
      ok(
        call('POST', '/payins/bankwire/direct', {
          AuthorId: owner.Id,
          CreditedWalletId: w1.Id,
          DeclaredDebitedFunds: { Currency: 'EUR', Amount },
          DeclaredFees: { Currency: 'EUR', Amount: 0 },
        }),
      );
    await ok(call('POST', `/sandbox/payins/${(await payIn(5000)).Id}/settle`));
    await ok(call('POST', `/sandbox/payins/${(await payIn(100)).Id}/fail`));
    const transfer = (Amount: number) =>
      ok(
        call('POST', '/transfers', {
          AuthorId: owner.Id,
          DebitedFunds: { Currency: 'EUR', Amount },
          Fees: { Currency: 'EUR', Amount: 0 },
          DebitedWalletId: w1.Id,
          CreditedWalletId: w2.Id,
        }),
      );
    expect((await transfer(1000)).Status).toBe('SUCCEEDED');
    expect((await transfer(999_999)).Status).toBe('FAILED');
    // Payouts need KYC REGULAR: granted directly, the KYC path has its own tests.
    await s.db.query("UPDATE users SET kyc_level = 'REGULAR' WHERE id = $1", [owner.Id]);
    const account = await ok(
      call('POST', `/users/${owner.Id}/bankaccounts/iban`, {
        OwnerName: 'Alice Durand',
        OwnerAddress: address(),
        IBAN: 'FR7630004000031234567890143',
        BIC: 'BNPAFRPP',
      }),
    );
    const payOut = () =>
      ok(
        call('POST', '/payouts/bankwire', {
          AuthorId: owner.Id,
          DebitedWalletId: w1.Id,
          DebitedFunds: { Currency: 'EUR', Amount: 500 },
          Fees: { Currency: 'EUR', Amount: 0 },
          BankAccountId: account.Id,
        }),
      );
    await ok(call('POST', `/sandbox/payouts/${(await payOut()).Id}/settle`));
    await ok(call('POST', `/sandbox/payouts/${(await payOut()).Id}/fail`));
    await ok(call('POST', `/sandbox/users/${payer.Id}/block`, { Inflows: true, Outflows: true, ActionCode: '008701' }));
    await ok(call('POST', `/sandbox/users/${payer.Id}/unblock`, { Inflows: true, Outflows: true }));

    const events: any[] = [];
    for (let page = 1; ; page++) {
      const chunk: any[] = await ok(call('GET', `/events?per_page=100&page=${page}`));
      events.push(...chunk);
      if (chunk.length < 100) break;
    }
    const seen = new Set(events.map((e) => e.EventType));
    for (const t of [
      'USER_ACCOUNT_VALIDATION_ASKED',
      'LEGAL_COMPANY_NUMBER_VALIDATION_SUCCEEDED',
      'SCA_ENROLLMENT_SUCCEEDED',
      'USER_ACCOUNT_ACTIVATED',
      'USER_CATEGORY_UPDATED_TO_OWNER',
      'KYC_CREATED',
      'KYC_VALIDATION_ASKED',
      'KYC_SUCCEEDED',
      'KYC_FAILED',
      'UBO_DECLARATION_CREATED',
      'UBO_DECLARATION_VALIDATION_ASKED',
      'UBO_DECLARATION_VALIDATED',
      'PAYIN_NORMAL_CREATED',
      'PAYIN_NORMAL_SUCCEEDED',
      'PAYIN_NORMAL_FAILED',
      'TRANSFER_NORMAL_CREATED',
      'TRANSFER_NORMAL_SUCCEEDED',
      'TRANSFER_NORMAL_FAILED',
      'PAYOUT_NORMAL_CREATED',
      'PAYOUT_NORMAL_SUCCEEDED',
      'PAYOUT_NORMAL_FAILED',
      'USER_INFLOWS_BLOCKED',
      'USER_OUTFLOWS_BLOCKED',
      'USER_INFLOWS_UNBLOCKED',
      'USER_OUTFLOWS_UNBLOCKED',
    ]) {
      expect(seen, t).toContain(t);
    }
    const got = await rx.waitFor(events.length, undefined, 20_000);
    const key = (x: { eventType?: string | null; EventType?: string; resourceId?: string | null; ResourceId?: string; date?: number | null; Date?: number }) =>
      `${x.eventType ?? x.EventType} ${x.resourceId ?? x.ResourceId} ${x.date ?? x.Date}`;
    expect(got.map(key).sort()).toEqual(events.map(key).sort());
    // Nothing more arrives: no event is notified twice.
    await quiet(s.db, clientId, { settled: true });
    expect(rx.received).toHaveLength(events.length);
  });

  it('sends nothing for an EventType without a hook, nor to a hook registered after the event', async () => {
    const { call } = await fresh();
    const u = await ok(call('POST', '/sca/users/natural', naturalPayer()));
    await hook(call, 'USER_ACCOUNT_CLOSED');
    await ok(call('POST', `/sandbox/users/${u.Id}/block`, { Inflows: true, Outflows: true, ActionCode: '008701' }));
    expect(await deliveries(call)).toEqual([]);
    await ok(call('DELETE', `/users/natural/${u.Id}`), 204);
    const got = await rx.waitFor(1);
    expect(got[0].eventType).toBe('USER_ACCOUNT_CLOSED');
    expect(await deliveries(call)).toHaveLength(1);
  });

  it('queues nothing for a DISABLED hook, and sends again once it is ENABLED', async () => {
    const { call } = await fresh();
    const h = await hook(call, 'USER_OUTFLOWS_BLOCKED');
    await ok(call('PUT', `/hooks/${h.Id}`, { Status: 'DISABLED' }));
    const u = await ok(call('POST', '/sca/users/natural', naturalPayer()));
    await ok(call('POST', `/sandbox/users/${u.Id}/block`, { Inflows: false, Outflows: true, ActionCode: '008701' }));
    expect(await deliveries(call)).toEqual([]);
    await ok(call('PUT', `/hooks/${h.Id}`, { Status: 'ENABLED' }));
    await ok(call('POST', `/sandbox/users/${u.Id}/unblock`, { Inflows: false, Outflows: true }));
    await ok(call('POST', `/sandbox/users/${u.Id}/block`, { Inflows: false, Outflows: true, ActionCode: '008701' }));
    expect((await rx.waitFor(1))[0]).toMatchObject({ eventType: 'USER_OUTFLOWS_BLOCKED', resourceId: u.Id });
  });

  it('calls the URL the hook has when the attempt is made, keeping its own query', async () => {
    const { call } = await fresh();
    const h = await hook(call, 'USER_ACCOUNT_CLOSED', `http://127.0.0.1:${await closedPort()}/nowhere`);
    await ok(call('PUT', `/hooks/${h.Id}`, { Url: `${rx.url}?source=mangrove` }));
    const u = await ok(call('POST', '/sca/users/natural', naturalPayer()));
    await ok(call('DELETE', `/users/natural/${u.Id}`), 204);
    const [n] = await rx.waitFor(1);
    expect(n.url).toMatch(new RegExp(`^/hook\\?source=mangrove&EventType=USER_ACCOUNT_CLOSED&RessourceId=${u.Id}&Date=\\d+$`));
  });
});

describe('failed calls', () => {
  it(`are retried on the schedule until ${MAX_ATTEMPTS} attempts, then the delivery FAILED`, async () => {
    const { call, clientId } = await fresh();
    rx.respond.status = 500;
    await hook(call, 'USER_ACCOUNT_CLOSED');
    const u = await ok(call('POST', '/sca/users/natural', naturalPayer()));
    await ok(call('DELETE', `/users/natural/${u.Id}`), 204);
    const got = await rx.waitFor(MAX_ATTEMPTS);
    // The first hour's retries come 10 minutes apart, the later ones 8 hours apart (scaled by 1e-5).
    const gaps = got.slice(1).map((n, i) => n.at - got[i].at);
    for (const g of gaps.slice(0, 6)) expect(g).toBeGreaterThanOrEqual(5);
    for (const g of gaps.slice(6)) expect(g).toBeGreaterThanOrEqual(280);
    const [d] = await eventually(async () => {
      const list = await deliveries(call);
      expect(list[0].Status).toBe('FAILED');
      return list;
    });
    expect(d).toMatchObject({ Attempts: MAX_ATTEMPTS, LastStatusCode: 500, LastError: 'HTTP 500', NextAttemptDate: null });
    await quiet(s.db, clientId, { settled: true });
    expect(rx.received).toHaveLength(MAX_ATTEMPTS);
  });

  it('count a redirect, a refused connection and an answer later than 2 s as failures', async () => {
    const { call } = await fresh();
    rx.respond.status = 302;
    await hook(call, 'USER_INFLOWS_BLOCKED');
    const h2 = await hook(call, 'USER_OUTFLOWS_BLOCKED', `http://127.0.0.1:${await closedPort()}/refused`);
    const u = await ok(call('POST', '/sca/users/natural', naturalPayer()));
    await ok(call('POST', `/sandbox/users/${u.Id}/block`, { Inflows: true, Outflows: true, ActionCode: '008701' }));
    await rx.waitFor(1);
    const list = await eventually(async () => {
      const rows = await deliveries(call);
      expect(rows.every((d) => d.Attempts >= 1)).toBe(true);
      return rows;
    });
    const redirect = list.find((d) => d.EventType === 'USER_INFLOWS_BLOCKED');
    expect(redirect).toMatchObject({ LastStatusCode: 302, LastError: 'HTTP 302' });
    const refused = list.find((d) => d.HookId === h2.Id);
    expect(refused.LastStatusCode).toBeNull();
    expect(refused.LastError).toMatch(/ECONNREFUSED/);

    rx.respond.status = 200;
    rx.respond.delayMs = 2500;
    await ok(call('PUT', `/hooks/${h2.Id}`, { Status: 'DISABLED' }));
    const h3 = await hook(call, 'USER_ACCOUNT_CLOSED');
    await ok(call('POST', `/sandbox/users/${u.Id}/unblock`, { Inflows: true, Outflows: true }));
    await ok(call('DELETE', `/users/natural/${u.Id}`), 204);
    const slow = await eventually(async () => {
      const [row] = await deliveries(call, `&HookId=${h3.Id}`);
      expect(row.Attempts).toBeGreaterThanOrEqual(1);
      return row;
    }, 15_000);
    expect(slow.LastError).toBe('No answer within 2000 ms');
    expect(slow.Status).toBe('PENDING');
  });

  it(`make a hook INVALID after ${MAX_CONSECUTIVE_FAILURES} in a row; it gets nothing more until made VALID again`, async () => {
    const { call, clientId } = await fresh();
    rx.respond.status = 503;
    const h = await hook(call, 'USER_INFLOWS_BLOCKED');
    const u = await ok(call('POST', '/sca/users/natural', naturalPayer()));
    // Seven events of 16 attempts each: more than enough failures.
    for (let i = 0; i < 7; i++) {
      await ok(call('POST', `/sandbox/users/${u.Id}/block`, { Inflows: true, Outflows: false, ActionCode: '008701' }));
      await ok(call('POST', `/sandbox/users/${u.Id}/unblock`, { Inflows: true, Outflows: false }));
    }
    await eventually(async () => expect((await ok(call('GET', `/hooks/${h.Id}`))).Validity).toBe('INVALID'), 20_000);
    // A failing hook is never given more calls in flight than it has failures left: exactly 100,
    // counted once every delivery is final (the rest cancelled without a call).
    await quiet(s.db, clientId, { settled: true });
    expect(rx.received).toHaveLength(MAX_CONSECUTIVE_FAILURES);
    const rows = await deliveries(call);
    expect(rows.filter((d) => d.Status === 'PENDING')).toEqual([]);
    expect(rows.some((d) => d.Status === 'CANCELLED' && d.LastError === 'The hook is INVALID')).toBe(true);
    // No new delivery is queued for an INVALID hook.
    await ok(call('POST', `/sandbox/users/${u.Id}/block`, { Inflows: true, Outflows: false, ActionCode: '008701' }));
    expect(await deliveries(call)).toHaveLength(rows.length);

    rx.respond.status = 200;
    const revived = await ok(call('PUT', `/hooks/${h.Id}`, { Validity: 'VALID' }));
    expect(revived.Validity).toBe('VALID');
    await ok(call('POST', `/sandbox/users/${u.Id}/unblock`, { Inflows: true, Outflows: false }));
    await ok(call('POST', `/sandbox/users/${u.Id}/block`, { Inflows: true, Outflows: false, ActionCode: '008701' }));
    await rx.waitFor(MAX_CONSECUTIVE_FAILURES + 1, (n) => n.eventType === 'USER_INFLOWS_BLOCKED');
  });

  it('a success resets the run of failures', async () => {
    const { call } = await fresh();
    rx.respond.status = 500;
    const h = await hook(call, 'USER_INFLOWS_BLOCKED');
    const u = await ok(call('POST', '/sca/users/natural', naturalPayer()));
    await ok(call('POST', `/sandbox/users/${u.Id}/block`, { Inflows: true, Outflows: false, ActionCode: '008701' }));
    await rx.waitFor(3);
    rx.respond.status = 200;
    await eventually(async () => expect((await deliveries(call))[0].Status).toBe('SUCCEEDED'));
    const [row] = await s.db.query<{ consecutive_failures: number }>('SELECT consecutive_failures FROM hooks WHERE id = $1', [h.Id]);
    expect(row.consecutive_failures).toBe(0);
  });
});

describe('calls waiting on a slow receiver', () => {
  it('hold up no API request, read or write', async () => {
    const { call } = await fresh();
    rx.respond.delayMs = 1500;
    await hook(call, 'USER_INFLOWS_BLOCKED');
    await hook(call, 'USER_OUTFLOWS_BLOCKED');
    const u = await ok(call('POST', '/sca/users/natural', naturalPayer()));
    await ok(call('POST', `/sandbox/users/${u.Id}/block`, { Inflows: true, Outflows: true, ActionCode: '008701' }));
    await rx.waitFor(2);
    // Both calls are now waiting for their answer; the API serves meanwhile.
    await ok(call('GET', `/users/${u.Id}`));
    await ok(call('POST', '/sca/users/natural', naturalPayer()));
    const rows = await deliveries(call);
    expect(rows.map((d) => d.Attempts)).toEqual([0, 0]);
    await eventually(async () => expect((await deliveries(call)).map((d) => d.Status)).toEqual(['SUCCEEDED', 'SUCCEEDED']));
  });
});

describe('the sandbox clock and pay-in expiry', () => {
  it('a clock moved past a month fails the CREATED pay-ins at once, and their webhook goes out unread', async () => {
    const { call } = await fresh();
    await hook(call, 'PAYIN_NORMAL_FAILED');
    const owner = await ok(call('POST', '/sca/users/natural', naturalOwner({ Email: 'accept@example.com' })));
    const w = await ok(call('POST', '/wallets', { Owners: [owner.Id], Currency: 'EUR', Description: 'w' }));
    const p = await ok(
      call('POST', '/payins/bankwire/direct', {
        AuthorId: owner.Id,
        CreditedWalletId: w.Id,
        DeclaredDebitedFunds: { Currency: 'EUR', Amount: 1000 },
        DeclaredFees: { Currency: 'EUR', Amount: 0 },
      }),
    );
    await ok(call('POST', '/sandbox/clock/advance', { Seconds: 30 * 86400 + 1 }));
    const [n] = await rx.waitFor(1);
    expect(n).toMatchObject({ eventType: 'PAYIN_NORMAL_FAILED', resourceId: p.Id });
    expect(n.date).toBeGreaterThanOrEqual(p.CreationDate + 30 * 86400);
  });
});

describe('the sandbox clock drives the retry schedule', () => {
  it('a retry due in 10 minutes is made as soon as the clock moves 10 minutes on', async () => {
    const server = await startServer({ env: { MANGROVE_WEBHOOK_POLL_MS: '10' } });
    try {
      const token = await server.token();
      const call: Call = (method, path, body) => server.call(method, path, { body, token });
      rx = await startReceiver();
      rx.respond.status = 500;
      await hook(call, 'USER_ACCOUNT_CLOSED');
      const u = await ok(call('POST', '/sca/users/natural', naturalPayer()));
      await ok(call('DELETE', `/users/natural/${u.Id}`), 204);
      await rx.waitFor(1);
      const [first] = await eventually(async () => {
        const rows = await deliveries(call);
        expect(rows[0].Attempts).toBe(1);
        return rows;
      });
      expect(first.Status).toBe('PENDING');
      expect(first.NextAttemptDate - first.LastAttemptDate).toBeGreaterThanOrEqual(599);
      expect(first.NextAttemptDate - first.LastAttemptDate).toBeLessThanOrEqual(601);
      // Nothing in flight and nothing due: the retry waits for its time.
      await quiet(server.db, server.client.id);
      expect(rx.received).toHaveLength(1);
      rx.respond.status = 200;
      await ok(call('POST', '/sandbox/clock/advance', { Seconds: 600 }));
      await rx.waitFor(2, undefined, 2000);
      await eventually(async () => expect((await deliveries(call))[0]).toMatchObject({ Status: 'SUCCEEDED', Attempts: 2 }));
    } finally {
      await server.close();
    }
  });
});

describe('the dispatcher and the database', () => {
  it('writes at most four outcomes at once, however many calls end together', async () => {
    // A server of its own that only queues (MANGROVE_WEBHOOKS=off), then a dispatcher watched at work.
    const quiet = await startServer({ env: { MANGROVE_WEBHOOKS: 'off' } });
    const receiver = await startReceiver();
    let writing = 0;
    let most = 0;
    const watched: Db = {
      ...quiet.db,
      query: async (sql: string, params?: unknown[]) => {
        const outcome = /UPDATE webhook_deliveries SET\s+attempts/.test(sql);
        if (outcome) most = Math.max(most, ++writing);
        try {
          return await quiet.db.query(sql, params);
        } finally {
          if (outcome) writing--;
        }
      },
    } as Db;
    const dispatcher = new Dispatcher(watched, { retryScale: 1, pollMs: 10 });
    try {
      const token = await quiet.token();
      const q: Call = (method, path, body) => quiet.call(method, path, { body, token });
      await ok(q('POST', '/hooks', { EventType: 'USER_INFLOWS_BLOCKED', Url: receiver.url }));
      const u = await ok(q('POST', '/sca/users/natural', naturalPayer()));
      for (let i = 0; i < 20; i++) {
        await ok(q('POST', `/sandbox/users/${u.Id}/block`, { Inflows: true, Outflows: false, ActionCode: '008701' }));
        await ok(q('POST', `/sandbox/users/${u.Id}/unblock`, { Inflows: true, Outflows: false }));
      }
      // Every call waits, then all answer at once.
      receiver.respond.delayMs = 300;
      dispatcher.start();
      await receiver.waitFor(20);
      await eventually(async () => {
        const rows = await q('GET', '/sandbox/webhooks/deliveries?per_page=100&Status=SUCCEEDED');
        expect(rows.body).toHaveLength(20);
      });
      // PGlite runs each statement to its end on the calling thread, so writes never overlap there;
      // on PostgreSQL twenty answers at once would make twenty writes without the limit.
      if (TEST_DB === 'postgres') expect(most).toBeGreaterThan(1);
      expect(most).toBeLessThanOrEqual(4);
    } finally {
      await dispatcher.stop();
      await receiver.close();
      await quiet.close();
    }
  });
});
