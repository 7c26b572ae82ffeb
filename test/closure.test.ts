import { afterEach, describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { CLOSURE_ACTION_CODE } from '../src/modules/closure/service.js';
import { expectApiError } from './helpers/errors.js';
import { address, legalOwner, legalPayer, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { createUser, fileServer, startServer, TEST_DB, type TestServer } from './helpers/server.js';

const { s, api } = fileServer();
afterEach(async () => {
  if (s) expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
});

type Kind = 'legal' | 'natural';
const BODIES = {
  'legal OWNER': ['legal', legalOwner],
  'legal PAYER': ['legal', legalPayer],
  'natural OWNER': ['natural', naturalOwner],
  'natural PAYER': ['natural', naturalPayer],
} as const;

const close = (kind: Kind, id: string) => s.call('DELETE', `/users/${kind}/${id}`);
async function wallet(ownerId: string, Currency = 'EUR'): Promise<any> {
  const r = await s.call('POST', '/wallets', { body: { Owners: [ownerId], Currency, Description: 'w' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const payInBody = (userId: string, walletId: string, amount = 1_000) => ({
  AuthorId: userId,
  CreditedWalletId: walletId,
  DeclaredDebitedFunds: { Currency: 'EUR', Amount: amount },
  DeclaredFees: { Currency: 'EUR', Amount: 0 },
});
async function payIn(userId: string, walletId: string, amount = 1_000): Promise<any> {
  const r = await s.call('POST', '/payins/bankwire/direct', { body: payInBody(userId, walletId, amount) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}
const settle = (id: string) => s.call('POST', `/sandbox/payins/${id}/settle`);
async function fund(userId: string, walletId: string, amount = 1_000): Promise<void> {
  const r = await settle((await payIn(userId, walletId, amount)).Id);
  expect(r.body.Status, JSON.stringify(r.body)).toBe('SUCCEEDED');
}
async function eventsOf(resourceId: string): Promise<{ type: string; date: number }[]> {
  const rows = await s.db.query<{ event_type: string; date: number }>(
    'SELECT event_type, date FROM events WHERE resource_id = $1 ORDER BY seq',
    [resourceId],
  );
  return rows.map((r) => ({ type: r.event_type, date: Number(r.date) }));
}
const statusOf = async (id: string) => (await s.call('GET', `/users/${id}`)).body.UserStatus;
const regulatory = async (id: string) => (await s.call('GET', `/users/${id}/regulatory`)).body;

describe('the official SDK closes users', () => {
  it.each(Object.entries(BODIES))('Users.close closes a %s (DELETE, 204, empty body)', async (_name, [kind, body]) => {
    const user = await createUser(s, kind, body());
    const closed = await api.Users.close({ ...user, PersonType: kind === 'legal' ? 'LEGAL' : 'NATURAL' });
    expect(closed).toBe('');
    expect(await statusOf(user.Id)).toBe('CLOSED');
    const sca = await s.call('GET', `/sca/users/${kind}/${user.Id}`);
    expect(sca.status).toBe(200);
    expect(sca.body.UserStatus).toBe('CLOSED');
  });

  it('answers 204 with no body and no JSON content type', async () => {
    const user = await createUser(s, 'legal', legalOwner());
    const r = await close('legal', user.Id);
    expect(r.status).toBe(204);
    expect(r.body).toBe('');
    expect(r.headers.get('content-length') ?? '0').toBe('0');
  });
});

describe('the rules of closure', () => {
  it.each(['BUSINESS', 'PARTNERSHIP', 'ORGANIZATION', 'SOLETRADER'].flatMap((t) => [[t, 'OWNER'], [t, 'PAYER']]))(
    'closes a legal %s %s',
    async (type, category) => {
      const body = category === 'OWNER' ? legalOwner({ LegalPersonType: type }) : legalPayer({ LegalPersonType: type });
      const user = await createUser(s, 'legal', body);
      expect((await close('legal', user.Id)).status).toBe(204);
      expect(await statusOf(user.Id)).toBe('CLOSED');
    },
  );

  it('closes a user whose wallets are all empty, several currencies included', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    await wallet(user.Id, 'EUR');
    await wallet(user.Id, 'GBP');
    expect((await close('natural', user.Id)).status).toBe(204);
  });

  it('refuses while one wallet holds money (user_closure_not_possible), and changes nothing', async () => {
    const user = await createUser(s, 'legal', legalOwner());
    await wallet(user.Id, 'GBP');
    const w = await wallet(user.Id, 'EUR');
    await fund(user.Id, w.Id, 1);
    const before = await eventsOf(user.Id);
    const r = await close('legal', user.Id);
    expectApiError(r, 400, 'user_closure_not_possible');
    expect(r.body.Message).toBe('The user cannot be closed as one or several wallets are not empty');
    expect(r.body.errors).toBeNull();
    expect(await statusOf(user.Id)).not.toBe('CLOSED');
    expect(await regulatory(user.Id)).toMatchObject({ ActionCode: '', ScopeBlocked: { Inflows: false, Outflows: false } });
    expect(await eventsOf(user.Id)).toEqual(before);
    // The sandbox closure follows the same rule.
    expectApiError(await s.call('POST', `/sandbox/users/${user.Id}/close`), 400, 'user_closure_not_possible');
  });

  it('refuses to close a closed user (user_closure_failed)', async () => {
    const user = await createUser(s, 'natural', naturalPayer());
    expect((await close('natural', user.Id)).status).toBe(204);
    const before = await eventsOf(user.Id);
    const r = await close('natural', user.Id);
    expectApiError(r, 400, 'user_closure_failed');
    expect(r.body.Message).toBe('An error occurred while closing the user');
    expect(r.body.errors).toBeNull();
    expectApiError(await s.call('POST', `/sandbox/users/${user.Id}/close`), 400, 'user_closure_failed');
    expect(await eventsOf(user.Id)).toEqual(before);
  });

  it('answers 404 for a legal id on the natural path, a natural id on the legal path and an unknown id', async () => {
    const legal = await createUser(s, 'legal', legalOwner());
    const natural = await createUser(s, 'natural', naturalOwner());
    expectApiError(await close('natural', legal.Id), 404, 'ressource_not_found');
    expectApiError(await close('legal', natural.Id), 404, 'ressource_not_found');
    expectApiError(await close('legal', 'user_m_01JUNKNOWN000000000000000'), 404, 'ressource_not_found');
    expectApiError(await s.call('POST', '/sandbox/users/user_m_01JUNKNOWN000000000000000/close'), 404, 'ressource_not_found');
    expect(await statusOf(legal.Id)).not.toBe('CLOSED');
    expect(await statusOf(natural.Id)).not.toBe('CLOSED');
  });

  it("answers 404 for another client's user and leaves it open", async () => {
    const other = await s.newClient();
    const token = await s.tokenFor(other);
    const mine = await createUser(s, 'legal', legalOwner());
    const r = await s.fetch('DELETE', `/v2.01/${other.id}/users/legal/${mine.Id}`, { token });
    expectApiError(r, 404, 'ressource_not_found');
    expect(await statusOf(mine.Id)).not.toBe('CLOSED');
  });
});

describe('the effects of closure', () => {
  it('records USER_ACCOUNT_CLOSED, USER_INFLOWS_BLOCKED and USER_OUTFLOWS_BLOCKED together with the status', async () => {
    const user = await createUser(s, 'legal', legalOwner());
    const before = (await eventsOf(user.Id)).length;
    expect((await close('legal', user.Id)).status).toBe(204);
    const added = (await eventsOf(user.Id)).slice(before);
    expect(added.map((e) => e.type)).toEqual(['USER_ACCOUNT_CLOSED', 'USER_INFLOWS_BLOCKED', 'USER_OUTFLOWS_BLOCKED']);
    expect(new Set(added.map((e) => e.date)).size).toBe(1);
    const listed = await s.call('GET', '/events?EventType=USER_ACCOUNT_CLOSED&per_page=100');
    expect(listed.body.map((e: any) => e.ResourceId)).toContain(user.Id);
  });

  it('blocks inflows and outflows (regulatory status and blockStatus)', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    expect((await close('natural', user.Id)).status).toBe(204);
    const expected = { ActionCode: CLOSURE_ACTION_CODE, ScopeBlocked: { Inflows: true, Outflows: true }, Id: user.Id };
    expect(await regulatory(user.Id)).toEqual(expected);
    expect((await s.call('GET', `/users/${user.Id}/blockStatus`)).body).toEqual(expected);
    expect(await api.Users.getRegulatory(user.Id)).toMatchObject({ ScopeBlocked: { Inflows: true, Outflows: true } });
  });

  it('keeps the user, its wallets and its history readable', async () => {
    const user = await createUser(s, 'legal', legalOwner());
    const w = await wallet(user.Id);
    const p = await payIn(user.Id, w.Id);
    expect((await close('legal', user.Id)).status).toBe(204);
    for (const path of [
      `/users/${user.Id}`,
      `/users/legal/${user.Id}`,
      `/sca/users/${user.Id}`,
      `/sca/users/legal/${user.Id}`,
      `/users/${user.Id}/wallets`,
      `/wallets/${w.Id}`,
      `/wallets/${w.Id}/transactions`,
      `/users/${user.Id}/transactions`,
      `/payins/${p.Id}`,
      `/users/${user.Id}/kyc/documents`,
      `/users/${user.Id}/bankaccounts`,
    ]) {
      const r = await s.call('GET', path);
      expect(r.status, `${path} ${JSON.stringify(r.body)}`).toBe(200);
    }
    expect((await s.call('GET', `/users/${user.Id}/wallets`)).body.map((x: any) => x.Id)).toEqual([w.Id]);
    expect((await s.call('GET', '/users?per_page=100')).body.map((u: any) => u.Id)).toContain(user.Id);
    expect((await api.Users.get(user.Id)).UserStatus).toBe('CLOSED');
  });

  it('fails a pay-in created before closure when its funds arrive afterwards', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const w = await wallet(user.Id);
    const p = await payIn(user.Id, w.Id);
    expect((await close('natural', user.Id)).status).toBe(204);
    const r = await settle(p.Id);
    expect(r.body.Status).toBe('FAILED');
    expect((await s.call('GET', `/wallets/${w.Id}`)).body.Balance.Amount).toBe(0);
  });
});

describe('every later write on a closed user answers user_closed', () => {
  async function closedUsers() {
    const legalO = await createUser(s, 'legal', legalOwner());
    const legalP = await createUser(s, 'legal', legalPayer());
    const naturalP = await createUser(s, 'natural', naturalPayer());
    const w = await wallet(legalO.Id);
    for (const [kind, u] of [['legal', legalO], ['legal', legalP], ['natural', naturalP]] as const) {
      expect((await close(kind, u.Id)).status).toBe(204);
    }
    return { legalO, legalP, naturalP, w };
  }

  it('refuses each write with 400 user_closed and no change', async () => {
    const { legalO, legalP, naturalP, w } = await closedUsers();
    const writes: [string, string, unknown][] = [
      ['PUT', `/sca/users/legal/${legalO.Id}`, { Name: 'Renamed', TermsAndConditionsAccepted: true }],
      ['PUT', `/sca/users/natural/${naturalP.Id}`, { FirstName: 'Renamed', TermsAndConditionsAccepted: false }],
      ['PUT', `/sca/users/legal/${legalP.Id}/category`, { ...legalOwner(), UserCategory: 'OWNER' }],
      ['PUT', `/sca/users/natural/${naturalP.Id}/category`, { ...naturalOwner(), UserCategory: 'OWNER' }],
      ['POST', `/sca/users/${legalO.Id}/enrollment`, undefined],
      ['POST', `/sca/users/${legalO.Id}/consent`, undefined],
      ['POST', `/sandbox/users/${legalO.Id}/sca/complete`, undefined],
      ['POST', '/wallets', { Owners: [legalO.Id], Currency: 'EUR', Description: 'new' }],
      ['PUT', `/wallets/${w.Id}`, { Description: 'renamed' }],
      ['POST', `/users/${legalO.Id}/kyc/documents`, { Type: 'REGISTRATION_PROOF' }],
      ['POST', `/users/${legalO.Id}/kyc/ubodeclarations`, undefined],
      [
        'POST',
        `/users/${legalO.Id}/bankaccounts/iban`,
        { OwnerName: 'Owner', OwnerAddress: address(), IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
      ],
      ['POST', '/payins/bankwire/direct', payInBody(legalO.Id, w.Id)],
      ['POST', `/sandbox/users/${legalO.Id}/block`, { Inflows: true, Outflows: true }],
      ['POST', `/sandbox/users/${legalO.Id}/unblock`, { Inflows: true, Outflows: true }],
    ];
    const before = await eventsOf(legalO.Id);
    for (const [method, path, body] of writes) {
      const r = await s.call(method, path, { body });
      expectApiError(r, 400, 'user_closed');
      expect(r.body.Message, `${method} ${path}`).toBe('User closed: No action can be performed');
    }
    expect(await eventsOf(legalO.Id)).toEqual(before);
    expect(await statusOf(legalO.Id)).toBe('CLOSED');
    expect((await s.call('GET', `/users/${legalO.Id}/wallets`)).body).toHaveLength(1);
    expect((await s.call('GET', `/wallets/${w.Id}`)).body.Description).toBe('w');
    expect(await regulatory(legalO.Id)).toMatchObject({ ScopeBlocked: { Inflows: true, Outflows: true } });
  });

  it('refuses a write on a KYC document created before closure', async () => {
    const user = await createUser(s, 'legal', legalOwner());
    const doc = await s.call('POST', `/users/${user.Id}/kyc/documents`, { body: { Type: 'REGISTRATION_PROOF' } });
    expect(doc.status).toBe(200);
    expect((await close('legal', user.Id)).status).toBe(204);
    const page = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2048, 7)]).toString('base64');
    expectApiError(await s.call('POST', `/users/${user.Id}/kyc/documents/${doc.body.Id}/pages`, { body: { File: page } }), 400, 'user_closed');
    expectApiError(
      await s.call('PUT', `/users/${user.Id}/kyc/documents/${doc.body.Id}`, { body: { Status: 'VALIDATION_ASKED' } }),
      400,
      'user_closed',
    );
  });

  it('refuses to deactivate a bank account of a closed user', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const account = await s.call('POST', `/users/${user.Id}/bankaccounts/iban`, {
      body: { OwnerName: 'Owner', OwnerAddress: address(), IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
    });
    expect(account.status).toBe(200);
    expect((await close('natural', user.Id)).status).toBe(204);
    const r = await s.call('PUT', `/users/${user.Id}/bankaccounts/${account.body.Id}`, { body: { Active: false } });
    expectApiError(r, 400, 'user_closed');
  });

  it('has no API to reopen: PUT with UserStatus ACTIVE is refused too', async () => {
    const user = await createUser(s, 'natural', naturalPayer());
    expect((await close('natural', user.Id)).status).toBe(204);
    const r = await s.call('PUT', `/sca/users/natural/${user.Id}`, { body: { UserStatus: 'ACTIVE', TermsAndConditionsAccepted: false } });
    expectApiError(r, 400, 'user_closed');
    expect(await statusOf(user.Id)).toBe('CLOSED');
  });
});

describe('the sandbox closes a user "by Mangopay"', () => {
  it.each(Object.entries(BODIES))('closes a %s with the same effects (204)', async (_name, [kind, body]) => {
    const user = await createUser(s, kind, body());
    await wallet(user.Id);
    const before = (await eventsOf(user.Id)).length;
    const r = await s.call('POST', `/sandbox/users/${user.Id}/close`);
    expect(r.status, JSON.stringify(r.body)).toBe(204);
    expect(r.body).toBe('');
    expect(await statusOf(user.Id)).toBe('CLOSED');
    expect(await regulatory(user.Id)).toMatchObject({ ActionCode: CLOSURE_ACTION_CODE, ScopeBlocked: { Inflows: true, Outflows: true } });
    expect((await eventsOf(user.Id)).slice(before).map((e) => e.type)).toEqual([
      'USER_ACCOUNT_CLOSED',
      'USER_INFLOWS_BLOCKED',
      'USER_OUTFLOWS_BLOCKED',
    ]);
    expectApiError(await close(kind, user.Id), 400, 'user_closure_failed');
  });

  it('blocks both flows with the closure code, whatever was blocked before', async () => {
    const user = await createUser(s, 'natural', naturalOwner());
    const blocked = await s.call('POST', `/sandbox/users/${user.Id}/block`, { body: { Inflows: true, ActionCode: '008701' } });
    expect(blocked.status).toBe(200);
    const before = (await eventsOf(user.Id)).length;
    expect((await close('natural', user.Id)).status).toBe(204);
    expect((await eventsOf(user.Id)).slice(before).map((e) => e.type)).toEqual(['USER_ACCOUNT_CLOSED', 'USER_OUTFLOWS_BLOCKED']);
    expect(await regulatory(user.Id)).toMatchObject({ ActionCode: CLOSURE_ACTION_CODE, ScopeBlocked: { Inflows: true, Outflows: true } });
  });

  it('is not served when the sandbox is off', async () => {
    const off = await startServer({ env: { MANGROVE_SANDBOX: 'off' } });
    try {
      const user = await createUser(off, 'natural', naturalPayer());
      expectApiError(await off.call('POST', `/sandbox/users/${user.Id}/close`), 404, 'ressource_not_found');
      expect((await off.call('DELETE', `/users/natural/${user.Id}`)).status).toBe(204);
    } finally {
      await off.close();
    }
  });
});

/**
 * Closure against a settlement into one of the user's wallets, fired at once: either the closure is
 * refused (user_closure_not_possible: the money arrived first) or the settlement fails (the closure
 * came first); never a CLOSED user with money.
 */
async function race(closer: TestServer, settler: TestServer, rounds: number): Promise<{ closed: number; refused: number }> {
  let closed = 0;
  let refused = 0;
  for (let round = 0; round < rounds; round++) {
    const user = await createUser(s, 'natural', naturalOwner());
    const w = await wallet(user.Id);
    const p = await payIn(user.Id, w.Id, 100 + round);
    const sandboxClose = round % 2 === 1;
    const [c, st] = await Promise.all([
      sandboxClose ? closer.call('POST', `/sandbox/users/${user.Id}/close`) : closer.call('DELETE', `/users/natural/${user.Id}`),
      settler.call('POST', `/sandbox/payins/${p.Id}/settle`),
    ]);
    const balance = (await s.call('GET', `/wallets/${w.Id}`)).body.Balance.Amount;
    const status = await statusOf(user.Id);
    if (c.status === 204) {
      closed++;
      expect(status).toBe('CLOSED');
      expect(st.body.Status, JSON.stringify(st.body)).toBe('FAILED');
      expect(balance).toBe(0);
    } else {
      refused++;
      expectApiError(c, 400, 'user_closure_not_possible');
      expect(status).not.toBe('CLOSED');
      expect(st.body.Status, JSON.stringify(st.body)).toBe('SUCCEEDED');
      expect(balance).toBe(100 + round);
    }
    expect(await ledgerInvariants(s.db, s.client.id)).toEqual([]);
  }
  return { closed, refused };
}

describe('closure racing a pay-in settlement', () => {
  it('never leaves a closed user holding money (one server)', async () => {
    const { closed, refused } = await race(s, s, 20);
    expect(closed + refused).toBe(20);
  }, 120_000);

  it.runIf(TEST_DB === 'postgres')('never leaves a closed user holding money (two servers, one database)', async () => {
    const second = await startServer({ db: s.db, keepDb: true });
    try {
      // The second server acts on the first client's data, with a token it issued itself.
      const token = await second.tokenFor(s.client);
      const secondAsFirst = {
        ...second,
        call: (m: string, p: string, o = {}) => second.fetch(m, `/v2.01/${s.client.id}${p}`, { ...o, token }),
      } as TestServer;
      const a = await race(s, secondAsFirst, 20);
      const b = await race(secondAsFirst, s, 20);
      expect(a.closed + a.refused + b.closed + b.refused).toBe(40);
    } finally {
      await second.close();
    }
  }, 240_000);
});
