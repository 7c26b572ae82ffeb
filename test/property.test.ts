/*
 * Property test: random sequences of API operations against the server and a small in-memory
 * reference model of balances, statuses and blocks; every reply's outcome (status code, Status,
 * ResultCode, error Type, balances) must match the model, and the ledger must stay sound.
 *
 * Replay a failure with PROPERTY_SEED=<seed> (and PROPERTY_PATH=<path> from fast-check's report);
 * PROPERTY_RUNS changes the number of runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { legalOwner, legalPayer, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { fileServer, type Reply, TEST_DB } from './helpers/server.js';

const { s } = fileServer({ env: { MANGROVE_RATE_LIMITS: '10000000,10000000,10000000,10000000' } });

// ---- The reference model -------------------------------------------------------------------------

interface MUser {
  id: string;
  kind: 'natural' | 'legal';
  category: 'OWNER' | 'PAYER';
  closed: boolean;
  inflows: boolean; // blocked
  outflows: boolean; // blocked
}
interface MWallet {
  id: string;
  owner: MUser;
  balance: number;
}
interface MPayIn {
  id: string;
  wallet: MWallet;
  amount: number;
  fees: number;
  status: 'CREATED' | 'SUCCEEDED' | 'FAILED';
}
interface Model {
  users: MUser[];
  wallets: MWallet[];
  payins: MPayIn[];
}

/** What the server should answer: an HTTP status and the Status/ResultCode (transactions) or Type (errors). */
type Expect = { http: number; status?: string; code?: string; type?: string };

const money = (Amount: number) => ({ Currency: 'EUR', Amount });

// ---- The operations ------------------------------------------------------------------------------

type Op =
  | { op: 'createUser'; kind: 'natural' | 'legal'; category: 'OWNER' | 'PAYER' }
  | { op: 'createWallet'; user: number }
  | { op: 'createPayIn'; wallet: number; amount: number; fees: number }
  | { op: 'settle'; payin: number }
  | { op: 'failPayIn'; payin: number }
  | { op: 'transfer'; from: number; to: number; amount: number; fees: number }
  | { op: 'block' | 'unblock'; user: number; inflows: boolean; outflows: boolean }
  | { op: 'close'; user: number };

const amountArb = fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom(1, 100, 1_000, 5_000));
/** An amount and fees with fees ≤ amount, sometimes equal, often zero. */
const fundsArb = amountArb.chain((amount) =>
  fc.oneof(fc.constant(0), fc.constant(amount), fc.integer({ min: 0, max: amount })).map((fees) => ({ amount, fees })),
);
const index = fc.nat({ max: 1_000 });
const flowsArb = fc
  .record({ inflows: fc.boolean(), outflows: fc.boolean() })
  .filter((f) => f.inflows || f.outflows);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('createUser' as const), kind: fc.constantFrom('natural' as const, 'legal' as const), category: fc.constantFrom('OWNER' as const, 'OWNER' as const, 'PAYER' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('createWallet' as const), user: index }) },
  { weight: 4, arbitrary: fc.tuple(index, fundsArb).map(([wallet, f]) => ({ op: 'createPayIn' as const, wallet, ...f })) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('settle' as const), payin: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('failPayIn' as const), payin: index }) },
  { weight: 10, arbitrary: fc.tuple(index, index, fundsArb).map(([from, to, f]) => ({ op: 'transfer' as const, from, to, ...f })) },
  { weight: 1, arbitrary: fc.tuple(index, flowsArb).map(([user, f]) => ({ op: 'block' as const, user, ...f })) },
  { weight: 1, arbitrary: fc.tuple(index, flowsArb).map(([user, f]) => ({ op: 'unblock' as const, user, ...f })) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('close' as const), user: index }) },
);

function check(r: Reply, want: Expect, what: string): void {
  const context = `${what}: ${r.status} ${JSON.stringify(r.body)}`;
  expect(r.status, context).toBe(want.http);
  if (want.status !== undefined) expect(r.body.Status, context).toBe(want.status);
  if (want.code !== undefined) expect(r.body.ResultCode, context).toBe(want.code);
  if (want.type !== undefined) expect(r.body.Type, context).toBe(want.type);
}

async function checkBalances(wallets: MWallet[], what: string): Promise<void> {
  for (const w of wallets) {
    const r = await s.call('GET', `/wallets/${w.id}`);
    expect(r.status, `${what}: GET /wallets/${w.id}`).toBe(200);
    expect(r.body.Balance, `${what}: balance of ${w.id}`).toEqual(money(w.balance));
  }
}

/** Runs one operation on the server and the model; returns a line for the log. */
async function step(m: Model, op: Op): Promise<string | null> {
  const at = <T>(xs: T[], n: number): T | undefined => (xs.length ? xs[n % xs.length] : undefined);
  switch (op.op) {
    case 'createUser': {
      const body =
        op.kind === 'natural'
          ? op.category === 'OWNER' ? naturalOwner() : naturalPayer()
          : op.category === 'OWNER' ? legalOwner() : legalPayer();
      const r = await s.call('POST', `/sca/users/${op.kind}`, { body });
      check(r, { http: 200 }, 'create user');
      expect(r.body.UserCategory).toBe(op.category);
      m.users.push({ id: r.body.Id, kind: op.kind, category: op.category, closed: false, inflows: false, outflows: false });
      return `create ${op.kind} ${op.category} → ${r.body.Id}`;
    }
    case 'createWallet': {
      const u = at(m.users, op.user);
      if (!u) return null;
      const r = await s.call('POST', '/wallets', { body: { Owners: [u.id], Currency: 'EUR', Description: 'prop' } });
      if (u.closed) {
        check(r, { http: 400, type: 'user_closed' }, 'create wallet of a closed user');
        return `wallet for closed ${u.id} → 400`;
      }
      check(r, { http: 200 }, 'create wallet');
      expect(r.body.Balance).toEqual(money(0));
      m.wallets.push({ id: r.body.Id, owner: u, balance: 0 });
      return `wallet for ${u.id} → ${r.body.Id}`;
    }
    case 'createPayIn': {
      const w = at(m.wallets, op.wallet);
      if (!w) return null;
      const r = await s.call('POST', '/payins/bankwire/direct', {
        body: { AuthorId: w.owner.id, CreditedWalletId: w.id, DeclaredDebitedFunds: money(op.amount), DeclaredFees: money(op.fees) },
      });
      let want: Expect;
      if (w.owner.closed) want = { http: 400, type: 'user_closed' };
      else if (w.owner.inflows) want = { http: 200, status: 'FAILED', code: '008700' };
      else want = { http: 200, status: 'CREATED' };
      check(r, want, `pay-in ${op.amount}/${op.fees} to ${w.id}`);
      if (r.status === 200) m.payins.push({ id: r.body.Id, wallet: w, amount: op.amount, fees: op.fees, status: r.body.Status });
      return `pay-in ${op.amount}/${op.fees} → ${w.id}: ${want.http} ${want.status ?? want.type} ${want.code ?? ''}`;
    }
    case 'settle':
    case 'failPayIn': {
      const p = at(m.payins, op.payin);
      if (!p) return null;
      const settle = op.op === 'settle';
      const r = await s.call('POST', `/sandbox/payins/${p.id}/${settle ? 'settle' : 'fail'}`);
      const u = p.wallet.owner;
      let want: Expect;
      if (p.status !== 'CREATED') want = { http: 400, type: 'invalid_action' };
      else if (!settle) want = { http: 200, status: 'FAILED', code: '001999' };
      else if (u.closed) want = { http: 200, status: 'FAILED', code: '002602' };
      else if (u.inflows) want = { http: 200, status: 'FAILED', code: '008700' };
      else want = { http: 200, status: 'SUCCEEDED', code: '000000' };
      check(r, want, `${op.op} ${p.id}`);
      if (want.status) p.status = want.status as MPayIn['status'];
      if (want.status === 'SUCCEEDED') {
        p.wallet.balance += p.amount - p.fees;
        expect(r.body.CreditedFunds).toEqual(money(p.amount - p.fees));
      }
      await checkBalances([p.wallet], `${op.op} ${p.id}`);
      return `${op.op} ${p.id}: ${want.http} ${want.status ?? want.type} ${want.code ?? ''}`;
    }
    case 'transfer': {
      const from = at(m.wallets, op.from);
      const to = at(m.wallets, op.to);
      if (!from || !to) return null;
      const r = await s.call('POST', '/transfers', {
        body: {
          AuthorId: from.owner.id,
          DebitedWalletId: from.id,
          CreditedWalletId: to.id,
          DebitedFunds: money(op.amount),
          Fees: money(op.fees),
        },
      });
      let code: string;
      if (from === to) code = '101108';
      else if (from.owner.closed) code = '002601';
      else if (to.owner.closed) code = '002602';
      else if (to.owner.category === 'PAYER' && to.owner !== from.owner) code = '002701';
      else if (from.owner.outflows || to.owner.inflows) code = '008700';
      else if (op.fees === op.amount) code = '001014';
      else if (from.balance < op.amount) code = '001001';
      else code = '000000';
      const status = code === '000000' ? 'SUCCEEDED' : 'FAILED';
      check(r, { http: 200, status, code }, `transfer ${op.amount}/${op.fees} ${from.id} → ${to.id}`);
      if (status === 'SUCCEEDED') {
        from.balance -= op.amount;
        to.balance += op.amount - op.fees;
      }
      await checkBalances(from === to ? [from] : [from, to], `transfer ${r.body.Id}`);
      return `transfer ${op.amount}/${op.fees} ${from.id} → ${to.id}: ${status} ${code}`;
    }
    case 'block':
    case 'unblock': {
      const u = at(m.users, op.user);
      if (!u) return null;
      const r = await s.call('POST', `/sandbox/users/${u.id}/${op.op}`, { body: { Inflows: op.inflows, Outflows: op.outflows } });
      if (u.closed) {
        check(r, { http: 400, type: 'user_closed' }, `${op.op} closed ${u.id}`);
        return `${op.op} closed ${u.id} → 400`;
      }
      check(r, { http: 200 }, `${op.op} ${u.id}`);
      const value = op.op === 'block';
      if (op.inflows) u.inflows = value;
      if (op.outflows) u.outflows = value;
      const reg = await s.call('GET', `/users/${u.id}/regulatory`);
      expect(reg.status).toBe(200);
      expect(reg.body.ScopeBlocked, `regulatory of ${u.id}`).toEqual({ Inflows: u.inflows, Outflows: u.outflows });
      return `${op.op} ${u.id} in=${op.inflows} out=${op.outflows}`;
    }
    case 'close': {
      const u = at(m.users, op.user);
      if (!u) return null;
      const r = await s.call('DELETE', `/users/${u.kind}/${u.id}`);
      const mine = m.wallets.filter((w) => w.owner === u);
      let want: Expect;
      if (u.closed) want = { http: 400, type: 'user_closure_failed' };
      else if (mine.some((w) => w.balance !== 0)) want = { http: 400, type: 'user_closure_not_possible' };
      else want = { http: 204 };
      check(r, want, `close ${u.id}`);
      if (want.http === 204) {
        u.closed = true;
        u.inflows = true;
        u.outflows = true;
      }
      return `close ${u.id}: ${want.http} ${want.type ?? ''}`;
    }
  }
}

const RUNS = Number(process.env.PROPERTY_RUNS ?? 20);

describe(`random API sequences against a reference model (${TEST_DB})`, () => {
  it('answer as the model says, keep balances and the ledger sound', async () => {
    const started = Date.now();
    const seed = process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : Date.now() % 2 ** 31;
    console.log(`property seed: ${seed} (replay with PROPERTY_SEED=${seed})`);
    let requests = 0;
    const tally = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
                fc.array(opArb, { minLength: 10, maxLength: 30 }),
        async (ops) => {
          const m: Model = { users: [], wallets: [], payins: [] };
          const seeded: Op[] = [
            { op: 'createUser', kind: 'natural', category: 'OWNER' },
            { op: 'createUser', kind: 'legal', category: 'OWNER' },
            { op: 'createUser', kind: 'natural', category: 'PAYER' },
            { op: 'createUser', kind: 'legal', category: 'OWNER' },
            { op: 'createWallet', user: 3 },
            ...[0, 1, 2, 0].map((user): Op => ({ op: 'createWallet', user })),
            ...[1, 2, 3, 4].map((wallet): Op => ({ op: 'createPayIn', wallet, amount: 10_000, fees: 0 })),
            ...[0, 1, 2, 3].map((payin): Op => ({ op: 'settle', payin })),
          ];
          // A few users and funded wallets first (two OWNERs, a PAYER, and an OWNER with an empty wallet), so that most sequences move money.
          const log: string[] = [];
          for (const op of [...seeded, ...ops]) {
            const line = await step(m, op);
            if (line) {
              requests++;
              log.push(line);
              // The outcome without ids and amounts, to show which rules the runs reached.
              const key = line.replace(/\b\w+_\w+\b/g, '').replace(/\b\d+\/\d+\b/g, '').replace(/\s+/g, ' ').trim();
              tally.set(key, (tally.get(key) ?? 0) + 1);
            }
          }
          // At the end: every wallet's balance, and the ledger's invariants.
          await checkBalances(m.wallets, 'end of run');
          expect(await ledgerInvariants(s.db, s.client.id), log.join('\n')).toEqual([]);
        },
      ),
      {
        seed,
        numRuns: RUNS,
        path: process.env.PROPERTY_PATH,
        endOnFailure: process.env.PROPERTY_SHRINK !== 'on',
      },
    );
    console.log(`property (${TEST_DB}): ${RUNS} runs, ${requests} operations in ${Date.now() - started} ms; outcomes:`);
    for (const key of [...tally.keys()].sort()) console.log(`  ${key}: ${tally.get(key)}`);
  }, 120_000);
});
