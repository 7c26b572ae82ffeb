import { describe, expect, it } from 'vitest';
import { blockAll, blockState } from '../src/modules/regulatory/service.js';
import { expectApiError } from './helpers/errors.js';
import { legalOwner, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer, startServer } from './helpers/server.js';
import { eventTypesOf } from './helpers/reads.js';

const { s, api } = fileServer();

const newUser = (kind: 'natural' | 'legal', body: Record<string, unknown>) => createUser(s, kind, body);
const natural = (over: Record<string, unknown> = {}) => newUser('natural', naturalOwner(over));

const block = (id: string, body?: unknown) => s.call('POST', `/sandbox/users/${id}/block`, { body });
const unblock = (id: string, body?: unknown) => s.call('POST', `/sandbox/users/${id}/unblock`, { body });
const regulatory = async (id: string) => {
  const r = await s.call('GET', `/users/${id}/regulatory`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
};
const status = (id: string, ActionCode: string, Inflows: boolean, Outflows: boolean) => ({
  ActionCode,
  ScopeBlocked: { Inflows, Outflows },
  Id: id,
});

const eventsOf = async (resourceId: string) =>
  (await eventTypesOf(s.db, resourceId)).filter((t) => /^USER_(IN|OUT)FLOWS_/.test(t));
const closeUser = (id: string) => s.db.query(`UPDATE users SET status = 'CLOSED' WHERE id = $1`, [id]);

describe('reading the regulatory status', () => {
  it('answers the same object on /regulatory and /blockStatus, nothing blocked by default', async () => {
    const user = await natural();
    for (const path of ['regulatory', 'Regulatory', 'blockStatus', 'blockstatus', 'BLOCKSTATUS/']) {
      const r = await s.call('GET', `/users/${user.Id}/${path}`);
      expect(r.status, path).toBe(200);
      expect(r.body, path).toEqual(status(user.Id, '', false, false));
      expect(Object.keys(r.body)).toEqual(['ActionCode', 'ScopeBlocked', 'Id']);
      expect(Object.keys(r.body.ScopeBlocked)).toEqual(['Inflows', 'Outflows']);
    }
  });

  it('is read by the official SDK through getRegulatory and getBlockStatus', async () => {
    const user = await newUser('legal', legalOwner());
    expect(await api.Users.getRegulatory(user.Id)).toEqual(status(user.Id, '', false, false));
    expect((await block(user.Id, { Inflows: true, ActionCode: '008701' })).status).toBe(200);
    expect(await api.Users.getRegulatory(user.Id)).toEqual(status(user.Id, '008701', true, false));
    expect(await api.Users.getBlockStatus(user.Id)).toEqual(status(user.Id, '008701', true, false));
  });

  it('answers 404 for an unknown user and for the user of another client', async () => {
    const user = await natural();
    for (const path of ['regulatory', 'blockStatus']) {
      const r = await s.call('GET', `/users/user_m_nobody/${path}`);
      expectApiError(r, 404, 'ressource_not_found');
      expect(r.body.errors.RessourceNotFound).toContain('user_m_nobody');
    }
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    for (const path of ['regulatory', 'blockStatus']) {
      expectApiError(await s.fetch('GET', `/v2.01/${other.id}/users/${user.Id}/${path}`, { token }), 404, 'ressource_not_found');
    }
    const sdkOther = s.sdk(other);
    await expect(sdkOther.Users.getRegulatory(user.Id)).rejects.toMatchObject({ Type: 'ressource_not_found' });
  });

  it('keeps working for a closed user', async () => {
    const user = await natural();
    await closeUser(user.Id);
    expect(await regulatory(user.Id)).toEqual(status(user.Id, '', false, false));
  });
});

describe('sandbox block and unblock', () => {
  it('blocks inflows, then outflows, then unblocks them one by one, each with its event', async () => {
    const user = await natural();
    let r = await block(user.Id, { Inflows: true, Outflows: false, ActionCode: '008702' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual(status(user.Id, '008702', true, false));
    expect(await eventsOf(user.Id)).toEqual(['USER_INFLOWS_BLOCKED']);

    r = await block(user.Id, { Outflows: true });
    expect(r.body).toEqual(status(user.Id, '008702', true, true));
    expect(await eventsOf(user.Id)).toEqual(['USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']);
    expect(await regulatory(user.Id)).toEqual(r.body);

    r = await unblock(user.Id, { Inflows: true });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual(status(user.Id, '008702', false, true));
    r = await unblock(user.Id, { Outflows: true });
    expect(r.body).toEqual(status(user.Id, '', false, false));
    expect(await eventsOf(user.Id)).toEqual([
      'USER_INFLOWS_BLOCKED',
      'USER_OUTFLOWS_BLOCKED',
      'USER_INFLOWS_UNBLOCKED',
      'USER_OUTFLOWS_UNBLOCKED',
    ]);
    expect(await regulatory(user.Id)).toEqual(status(user.Id, '', false, false));
  });

  it('blocks and unblocks both flows at once, with both events dated now', async () => {
    const user = await natural();
    const before = Math.floor(Date.now() / 1000);
    expect((await block(user.Id, { Inflows: true, Outflows: true, ActionCode: '008710' })).body).toEqual(status(user.Id, '008710', true, true));
    expect((await unblock(user.Id, { Inflows: true, Outflows: true })).body).toEqual(status(user.Id, '', false, false));
    expect(await eventsOf(user.Id)).toEqual([
      'USER_INFLOWS_BLOCKED',
      'USER_OUTFLOWS_BLOCKED',
      'USER_INFLOWS_UNBLOCKED',
      'USER_OUTFLOWS_UNBLOCKED',
    ]);
    const listed = await s.call('GET', '/events?EventType=USER_INFLOWS_BLOCKED&per_page=100');
    const mine = listed.body.filter((e: any) => e.ResourceId === user.Id);
    expect(mine).toHaveLength(1);
    expect(mine[0].Date).toBeGreaterThanOrEqual(before);
  });

  it('records no event when nothing changes', async () => {
    const user = await natural();
    expect((await block(user.Id, { Inflows: true, ActionCode: '008701' })).status).toBe(200);
    // Blocked again: no event, only the code may change.
    let r = await block(user.Id, { Inflows: true, ActionCode: '008705' });
    expect(r.body).toEqual(status(user.Id, '008705', true, false));
    r = await block(user.Id, { Inflows: true });
    expect(r.body).toEqual(status(user.Id, '008705', true, false));
    // Unblocking flows that are not blocked changes nothing either.
    r = await unblock(user.Id, { Outflows: true });
    expect(r.body).toEqual(status(user.Id, '008705', true, false));
    expect(await eventsOf(user.Id)).toEqual(['USER_INFLOWS_BLOCKED']);

    const fresh = await natural();
    expect((await unblock(fresh.Id, { Inflows: true, Outflows: true })).body).toEqual(status(fresh.Id, '', false, false));
    expect(await eventsOf(fresh.Id)).toEqual([]);
  });

  it('gives a block without ActionCode the general-issue code 008703', async () => {
    const user = await natural();
    expect((await block(user.Id, { Outflows: true })).body).toEqual(status(user.Id, '008703', false, true));
    const other = await natural();
    expect((await block(other.Id, { Outflows: true, ActionCode: '' })).body).toEqual(status(other.Id, '008703', false, true));
  });

  it('reads the body leniently: any case of names, booleans as strings', async () => {
    const user = await natural();
    const r = await block(user.Id, { inflows: 'true', OUTFLOWS: false, actioncode: 8701 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual(status(user.Id, '8701', true, false));
  });

  it('refuses a body that names nothing to change, or fields of the wrong type', async () => {
    const user = await natural();
    for (const body of [undefined, {}, { Inflows: false, Outflows: false }, { ActionCode: '008701' }]) {
      const r = await block(user.Id, body);
      expectApiError(r, 400, 'param_error');
      expect(Object.keys(r.body.errors)).toEqual(['Inflows', 'Outflows']);
      expectApiError(await unblock(user.Id, body), 400, 'param_error');
    }
    let r = await block(user.Id, { Inflows: 'yes', Outflows: true });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['Inflows']);
    r = await unblock(user.Id, { Inflows: true, Outflows: 2 });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['Outflows']);
    r = await block(user.Id, { Inflows: true, ActionCode: 'x'.repeat(256) });
    expectApiError(r, 400, 'param_error');
    expect(Object.keys(r.body.errors)).toEqual(['ActionCode']);
    r = await block(user.Id, { Inflows: true, ActionCode: { code: 1 } });
    expectApiError(r, 400, 'param_error');
    expect((await block(user.Id, { Inflows: true, ActionCode: 'x'.repeat(255) })).body.ActionCode).toBe('x'.repeat(255));
    expect(await eventsOf(user.Id)).toEqual(['USER_INFLOWS_BLOCKED']);
  });

  it('answers 404 for an unknown user and for the user of another client, changing nothing', async () => {
    const user = await natural();
    expectApiError(await block('user_m_nobody', { Inflows: true }), 404, 'ressource_not_found');
    expectApiError(await unblock('user_m_nobody', { Inflows: true }), 404, 'ressource_not_found');
    // The user is looked up before the body is judged.
    expectApiError(await block('user_m_nobody', {}), 404, 'ressource_not_found');
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    for (const op of ['block', 'unblock']) {
      const r = await s.fetch('POST', `/v2.01/${other.id}/sandbox/users/${user.Id}/${op}`, { token, body: { Inflows: true, Outflows: true } });
      expectApiError(r, 404, 'ressource_not_found');
    }
    expect(await regulatory(user.Id)).toEqual(status(user.Id, '', false, false));
    expect(await eventsOf(user.Id)).toEqual([]);
  });

  it('refuses to block or unblock a closed user', async () => {
    const user = await natural();
    expect((await block(user.Id, { Inflows: true, Outflows: true, ActionCode: '008702' })).status).toBe(200);
    await closeUser(user.Id);
    expectApiError(await unblock(user.Id, { Inflows: true }), 400, 'user_closed');
    expectApiError(await unblock(user.Id, { Inflows: true, Outflows: true }), 400, 'user_closed');
    expectApiError(await block(user.Id, { Inflows: true }), 400, 'user_closed');
    expect(await regulatory(user.Id)).toEqual(status(user.Id, '008702', true, true));
    expect(await eventsOf(user.Id)).toEqual(['USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']);
  });

  it('blocks PAYERs and legal users alike', async () => {
    for (const user of [await newUser('natural', naturalPayer()), await newUser('legal', legalOwner())]) {
      expect((await block(user.Id, { Inflows: true, Outflows: true })).body).toEqual(status(user.Id, '008703', true, true));
    }
  });

  it('applies concurrent blocks one at a time: one event per flag', async () => {
    const user = await natural();
    const replies = await Promise.all(Array.from({ length: 6 }, (_, n) => block(user.Id, { Inflows: true, Outflows: n % 2 === 0 })));
    for (const r of replies) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(await regulatory(user.Id)).toEqual(status(user.Id, '008703', true, true));
    expect((await eventsOf(user.Id)).sort()).toEqual(['USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']);
  });

  it('is not served when the sandbox is off, while the status stays readable', async () => {
    const off = await startServer({ db: s.db, keepDb: true, env: { MANGROVE_SANDBOX: 'off' } });
    try {
      const user = await natural();
      const token = await s.token();
      for (const op of ['block', 'unblock']) {
        const r = await off.fetch('POST', `/v2.01/${s.client.id}/sandbox/users/${user.Id}/${op}`, { token, body: { Inflows: true } });
        expectApiError(r, 404, 'ressource_not_found');
      }
      const r = await off.fetch('GET', `/v2.01/${s.client.id}/users/${user.Id}/regulatory`, { token });
      expect(r.status).toBe(200);
      expect(r.body).toEqual(status(user.Id, '', false, false));
    } finally {
      await off.app.close();
    }
  });
});

describe('the functions the money paths and closure call', () => {
  it('blockState reads the state inside a transaction, and 404s an unknown or foreign user', async () => {
    const user = await natural();
    expect((await block(user.Id, { Outflows: true, ActionCode: '008711' })).status).toBe(200);
    const state = await s.db.tx((q) => blockState(q, s.client.id, user.Id, true));
    expect(state).toEqual({ inflows: false, outflows: true, actionCode: '008711' });
    await expect(s.db.tx((q) => blockState(q, s.client.id, 'user_m_nobody'))).rejects.toMatchObject({ type: 'ressource_not_found' });
    const other = await s.newClient();
    await expect(s.db.tx((q) => blockState(q, other.id, user.Id))).rejects.toMatchObject({ type: 'ressource_not_found' });
  });

  it('blockAll blocks both flows with their events in the caller transaction', async () => {
    const user = await natural();
    const now = Math.floor(Date.now() / 1000);
    const after = await s.db.tx((q) => blockAll(q, s.client.id, user.Id, now, '008702'));
    expect(after).toEqual({ inflows: true, outflows: true, actionCode: '008702' });
    expect(await regulatory(user.Id)).toEqual(status(user.Id, '008702', true, true));
    expect(await eventsOf(user.Id)).toEqual(['USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']);
    const dates = await s.db.query<{ date: number }>("SELECT date FROM events WHERE resource_id = $1 AND event_type LIKE 'USER\\_%FLOWS\\_%'", [user.Id]);
    expect(dates.map((d) => Number(d.date))).toEqual([now, now]);

    // Already blocked inflows: only the outflows event; and a second call changes nothing.
    const half = await natural();
    expect((await block(half.Id, { Inflows: true, ActionCode: '008701' })).status).toBe(200);
    await s.db.tx((q) => blockAll(q, s.client.id, half.Id, now));
    await s.db.tx((q) => blockAll(q, s.client.id, half.Id, now));
    expect(await regulatory(half.Id)).toEqual(status(half.Id, '008701', true, true));
    expect(await eventsOf(half.Id)).toEqual(['USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']);
  });

  it('blockAll rolls back with the transaction that called it, events included', async () => {
    const user = await natural();
    const boom = new Error('closure failed later');
    await expect(
      s.db.tx(async (q) => {
        await blockAll(q, s.client.id, user.Id, Math.floor(Date.now() / 1000), '008702');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await regulatory(user.Id)).toEqual(status(user.Id, '', false, false));
    expect(await eventsOf(user.Id)).toEqual([]);
  });
});
