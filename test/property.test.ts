/*
 * Property test: random sequences of API operations against the server and a small in-memory
 * reference model of balances, statuses and blocks; every reply's outcome (status code, Status,
 * ResultCode, error Type, balances) must match the model, and the ledger must stay sound.
 * The operations: users, wallets, bank-wire pay-ins settled or failed, direct card pay-ins (each
 * user's card registered through the real flow when it first pays; now and then another user's card or
 * a deactivated one), web card pay-ins paid on their payment page (a form post, as a browser sends
 * it), pre-authorizations with their captures, cancels and validations, transfers,
 * blocks, closures, and refunds of pay-ins (captures included) and transfers, full or partial, fees
 * given back or charged.
 *
 * Replay a failure with PROPERTY_SEED=<seed> (and PROPERTY_PATH=<path> from fast-check's report);
 * PROPERTY_RUNS changes the number of runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ledgerInvariants } from '../src/ledger/index.js';
import { AMOUNT_TRIGGERS } from '../src/modules/cards/payment.js';
import { BROWSER_INFO, IP_ADDRESS, registerCard, TEST_CARDS } from './helpers/cards.js';
import { legalOwner, legalPayer, naturalOwner, naturalPayer } from './helpers/fixtures.js';
import { feeBalance } from './helpers/reads.js';
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
  /** Its frictionless test card, registered the first time it pays by card. */
  card?: string;
  /** The card it had before deactivating it. */
  oldCard?: string;
}
interface MWallet {
  id: string;
  owner: MUser;
  balance: number;
}
/** What a refundable transaction keeps: its author and credited funds, and what its SUCCEEDED refunds gave back. */
interface Refundable {
  id: string;
  author: MUser;
  amount: number;
  fees: number;
  status: 'CREATED' | 'SUCCEEDED' | 'FAILED';
  refunded: number; // DebitedFunds of its refunds
  feesBack: number; // fees its refunds handed back
}
interface MPayIn extends Refundable {
  kind: 'bankwire' | 'card' | 'web';
  wallet: MWallet;
  /** A web pay-in's payment page. */
  page?: string;
}
interface MTransfer extends Refundable {
  from: MWallet;
  to: MWallet;
}
/** A pre-authorization: a hold on its author's card, captured into wallets until it ends. */
interface MHold {
  id: string;
  author: MUser;
  status: 'SUCCEEDED' | 'FAILED';
  paymentStatus: 'WAITING' | 'VALIDATED' | 'CANCELED';
  remaining: number;
  captured: boolean;
}
interface Model {
  users: MUser[];
  holds: MHold[];
  wallets: MWallet[];
  payins: MPayIn[];
  transfers: MTransfer[];
  /** The client's EUR fee wallet. */
  fees: number;
  /** The last pay-in and transfer a refund was asked of. */
  lastRefunded: { payin?: MPayIn; transfer?: MTransfer };
}

/** What the server should answer: an HTTP status and the Status/ResultCode (transactions) or Type (errors). */
type Expect = { http: number; status?: string; code?: string; type?: string };

// `+ 0` turns the model's -0 (no fees handed back) into the 0 the server answers.
const money = (Amount: number) => ({ Currency: 'EUR', Amount: Amount + 0 });
/** The parts of a direct card pay-in or pre-authorization besides the money and the card. */
const CARD = { SecureModeReturnURL: 'https://shop.example/back', BrowserInfo: BROWSER_INFO, IpAddress: IP_ADDRESS };

// ---- The operations ------------------------------------------------------------------------------

/** How a refund is asked: all that remains, a part (with fees handed back or charged), or a request refused with a 400. */
type RefundHow =
  | { how: 'full' }
  | { how: 'part'; share: number; fees: 'none' | 'back' | 'backAll' | 'overBack' | 'charge'; feeShare: number }
  | { how: 'badAuthor' | 'overInitial' | 'feesTooHigh' };

/** Which transaction a refund is of: any, a SUCCEEDED one, or the last one refunded (to reach its caps). */
type Pick = 'any' | 'succeeded' | 'again';

type Op =
  | { op: 'createUser'; kind: 'natural' | 'legal'; category: 'OWNER' | 'PAYER' }
  | { op: 'createWallet'; user: number }
  | { op: 'createPayIn'; wallet: number; amount: number; fees: number }
  | { op: 'settle'; payin: number }
  | { op: 'failPayIn'; payin: number }
  | { op: 'cardPayIn'; payer: number; wallet: number; amount: number; fees: number; use: 'own' | 'other' | 'old' }
  | { op: 'deactivateCard'; user: number }
  | { op: 'webPayIn'; wallet: number; amount: number; fees: number }
  | { op: 'payWeb'; payin: number }
  | { op: 'preauthorize'; user: number; amount: number; use: 'own' | 'other' | 'old' }
  | { op: 'capture'; hold: number; live: boolean; wallet: number; share: number; fees: 'none' | 'some' | 'all' }
  | { op: 'endHold'; hold: number; live: boolean; how: 'CANCELED' | 'VALIDATED' }
  | { op: 'transfer'; from: number; to: number; amount: number; fees: number }
  | { op: 'refundPayIn'; payin: number; pick: Pick; refund: RefundHow }
  | { op: 'refundTransfer'; transfer: number; pick: Pick; refund: RefundHow }
  | { op: 'block' | 'unblock'; user: number; inflows: boolean; outflows: boolean }
  | { op: 'close'; user: number };

const amountArb = fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom(1, 100, 1_000, 5_000));
/** An amount and fees with fees ≤ amount, sometimes equal, often zero. */
const withFees = (amounts: fc.Arbitrary<number>) =>
  amounts.chain((amount) => fc.oneof(fc.constant(0), fc.constant(amount), fc.integer({ min: 0, max: amount })).map((fees) => ({ amount, fees })));
const fundsArb = withFees(amountArb);
/** Card amounts: now and then one the sandbox issuer refuses (33305 → 101101, …). */
const TRIGGERS = Object.keys(AMOUNT_TRIGGERS).map(Number);
const cardFundsArb = withFees(fc.oneof({ weight: 5, arbitrary: amountArb }, { weight: 1, arbitrary: fc.constantFrom(...TRIGGERS) }));
const index = fc.nat({ max: 1_000 });
const flowsArb = fc
  .record({ inflows: fc.boolean(), outflows: fc.boolean() })
  .filter((f) => f.inflows || f.outflows);
const refundArb: fc.Arbitrary<RefundHow> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ how: 'full' as const }) },
  {
    weight: 6,
    arbitrary: fc.record({
      how: fc.constant('part' as const),
      share: fc.integer({ min: 1, max: 1_500 }),
      fees: fc.constantFrom('none' as const, 'back' as const, 'backAll' as const, 'overBack' as const, 'charge' as const),
      feeShare: fc.integer({ min: 0, max: 1_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom('badAuthor' as const, 'overInitial' as const, 'feesTooHigh' as const).map((how) => ({ how })) },
);

const pickArb = fc.constantFrom<Pick>('any', 'succeeded', 'succeeded', 'again', 'again');
/** Whether a capture or the end of a hold picks among the holds still WAITING (most of the time) or among all. */
const liveArb = fc.constantFrom(true, true, true, false);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('createUser' as const), kind: fc.constantFrom('natural' as const, 'legal' as const), category: fc.constantFrom('OWNER' as const, 'OWNER' as const, 'PAYER' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('createWallet' as const), user: index }) },
  { weight: 3, arbitrary: fc.tuple(index, fundsArb).map(([wallet, f]) => ({ op: 'createPayIn' as const, wallet, ...f })) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('settle' as const), payin: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('failPayIn' as const), payin: index }) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(index, index, cardFundsArb, fc.constantFrom('own' as const, 'own' as const, 'own' as const, 'own' as const, 'own' as const, 'own' as const, 'other' as const, 'old' as const))
      .map(([payer, wallet, f, use]) => ({ op: 'cardPayIn' as const, payer, wallet, ...f, use })),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deactivateCard' as const), user: index }) },
  { weight: 2, arbitrary: fc.tuple(index, cardFundsArb).map(([wallet, f]) => ({ op: 'webPayIn' as const, wallet, ...f })) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('payWeb' as const), payin: index }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('preauthorize' as const),
      user: index,
      amount: fc.oneof({ weight: 5, arbitrary: amountArb }, { weight: 1, arbitrary: fc.constantFrom(...TRIGGERS) }),
      use: fc.constantFrom('own' as const, 'own' as const, 'own' as const, 'own' as const, 'other' as const, 'old' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('capture' as const),
      hold: index,
      live: liveArb,
      wallet: index,
      share: fc.oneof(fc.integer({ min: 1, max: 1_300 }), fc.constant(1_000)),
      fees: fc.constantFrom('none' as const, 'none' as const, 'some' as const, 'all' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('endHold' as const), hold: index, live: liveArb, how: fc.constantFrom('CANCELED' as const, 'VALIDATED' as const) }) },
  { weight: 9, arbitrary: fc.tuple(index, index, fundsArb).map(([from, to, f]) => ({ op: 'transfer' as const, from, to, ...f })) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('refundPayIn' as const), payin: index, pick: pickArb, refund: refundArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('refundTransfer' as const), transfer: index, pick: pickArb, refund: refundArb }) },
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

async function checkBalances(m: Model, wallets: MWallet[], what: string): Promise<void> {
  for (const w of wallets) {
    const r = await s.call('GET', `/wallets/${w.id}`);
    expect(r.status, `${what}: GET /wallets/${w.id}`).toBe(200);
    expect(r.body.Balance, `${what}: balance of ${w.id}`).toEqual(money(w.balance));
  }
  expect(await feeBalance(s.db, s.client.id), `${what}: the fee wallet`).toBe(m.fees);
}

const line = (want: Expect) => `${want.http} ${want.status ?? want.type ?? ''} ${want.code ?? ''}`.trim();

/**
 * A refund as the server should decide it, for a pay-in or a transfer (the transfer's money going back
 * to `back`, the wallet it debited): the request's body, what it answers, and on success the amounts.
 * The refusals of the request come first, in the service's order; then, with the initial transaction
 * locked, what remains of it; then the balances.
 */
function planRefund(
  m: Model,
  t: Refundable,
  how: RefundHow,
  kind: 'payin' | 'transfer',
  from: MWallet,
  back: MWallet | null,
): { body: Record<string, unknown>; want: Expect; debited?: number; fees?: number } {
  const credited = t.amount - t.fees;
  const remaining = credited - t.refunded;
  const feesRemaining = t.fees - t.feesBack;
  let author = t.author;
  let d: number | undefined;
  let f: number | undefined;
  switch (how.how) {
    case 'badAuthor':
      author = m.users.find((u) => u !== t.author)!;
      break;
    case 'overInitial':
      d = credited + 1;
      f = 0;
      break;
    case 'feesTooHigh':
      d = Math.max(1, remaining);
      f = d;
      break;
    case 'part': {
      d = Math.max(1, Math.ceil((remaining * how.share) / 1_000));
      f = {
        none: 0,
        back: -Math.floor((feesRemaining * how.feeShare) / 1_000),
        backAll: -feesRemaining,
        overBack: -(feesRemaining + 1),
        charge: Math.floor(((d - 1) * how.feeShare) / 1_000),
      }[how.fees];
      break;
    }
  }
  const body: Record<string, unknown> = { AuthorId: author.id };
  if (d !== undefined) Object.assign(body, { DebitedFunds: money(d), Fees: money(f!) });
  const failed = (code: string): Expect => ({ http: 200, status: 'FAILED', code });
  let want: Expect | null = null;
  if (d !== undefined && f! >= d) want = { http: 400, type: 'param_error' };
  else if (author !== t.author) want = { http: 400, type: 'param_error' };
  else if (t.status !== 'SUCCEEDED') want = { http: 400, type: 'original_transaction_must_be_succeeded' };
  else if (d !== undefined && d > credited) want = { http: 400, type: 'param_error' };
  else if (t.refunded >= credited) want = kind === 'payin' ? failed('001401') : { http: 400, type: 'param_error' };
  if (want) return { body, want };
  if (d === undefined) {
    d = remaining;
    f = -feesRemaining;
  } else if (d > remaining) return { body, want: failed('005403') };
  else if (-f! > feesRemaining) return { body, want: failed('005404') };
  if (back?.owner.closed) return { body, want: failed('002602') };
  if (from.balance < d) return { body, want: failed('001001') };
  if (f! < 0 && m.fees < -f!) return { body, want: failed('005405') };
  return { body, want: { http: 200, status: 'SUCCEEDED', code: '000000' }, debited: d, fees: f };
}

/** Checks a SUCCEEDED refund's amounts and applies it to the model. */
function applyRefund(m: Model, t: Refundable, r: Reply, debited: number, fees: number, from: MWallet, back: MWallet | null): void {
  expect(r.body.DebitedFunds, JSON.stringify(r.body)).toEqual(money(debited));
  expect(r.body.Fees, JSON.stringify(r.body)).toEqual(money(fees));
  expect(r.body.CreditedFunds, JSON.stringify(r.body)).toEqual(money(debited - fees));
  from.balance -= debited;
  if (back) back.balance += debited - fees;
  m.fees += fees;
  t.refunded += debited;
  t.feesBack += Math.max(0, -fees);
}

const waiting = (h: MHold) => h.status === 'SUCCEEDED' && h.paymentStatus === 'WAITING';

/** The transaction a refund is of. */
function choose<T extends Refundable>(xs: T[], n: number, pick: Pick, last: T | undefined): T | undefined {
  if (pick === 'again' && last) return last;
  const pool = pick === 'succeeded' ? xs.filter((x) => x.status === 'SUCCEEDED') : xs;
  return pool.length ? pool[n % pool.length] : undefined;
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
      if (r.status === 200) {
        m.payins.push({ id: r.body.Id, kind: 'bankwire', author: w.owner, wallet: w, amount: op.amount, fees: op.fees, status: r.body.Status, refunded: 0, feesBack: 0 });
      }
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
      // A card pay-in is no bank wire the sandbox could settle: it was decided when it was made or paid.
      if (p.kind !== 'bankwire') want = { http: 404, type: 'ressource_not_found' };
      else if (p.status !== 'CREATED') want = { http: 400, type: 'invalid_action' };
      else if (!settle) want = { http: 200, status: 'FAILED', code: '001999' };
      else if (u.closed) want = { http: 200, status: 'FAILED', code: '002602' };
      else if (u.inflows) want = { http: 200, status: 'FAILED', code: '008700' };
      else want = { http: 200, status: 'SUCCEEDED', code: '000000' };
      check(r, want, `${op.op} ${p.id}`);
      if (want.status) p.status = want.status as MPayIn['status'];
      if (want.status === 'SUCCEEDED') {
        p.wallet.balance += p.amount - p.fees;
        m.fees += p.fees;
        expect(r.body.CreditedFunds).toEqual(money(p.amount - p.fees));
      }
      await checkBalances(m, [p.wallet], `${op.op} ${p.id}`);
      return `${op.op} ${p.kind} ${p.id}: ${want.http} ${want.status ?? want.type} ${want.code ?? ''}`;
    }
    case 'cardPayIn': {
      const u = at(m.users, op.payer);
      const w = at(m.wallets, op.wallet);
      if (!u || !w) return null;
      // Its own card; now and then another user's (001023) or its own deactivated one (101410).
      const other = op.use === 'other' ? m.users.find((v) => v !== u && v.card) : undefined;
      const old = op.use === 'old' ? u.oldCard : undefined;
      if (!other && !old && !u.card) {
        // A closed user cannot register a card any more; one registered before its closure is still tried below.
        if (u.closed) return null;
        u.card = (await registerCard(s, u.id, { number: TEST_CARDS.frictionless })).Id as string;
      }
      const cardId = other?.card ?? old ?? u.card;
      const r = await s.call('POST', '/payins/card/direct', {
        body: {
          AuthorId: u.id,
          CreditedWalletId: w.id,
          DebitedFunds: money(op.amount),
          Fees: money(op.fees),
          CardId: cardId,
          ...CARD,
        },
      });
      const failed = (code: string): Expect => ({ http: 200, status: 'FAILED', code });
      let want: Expect;
      if (u.closed || w.owner.closed) want = { http: 400, type: 'user_closed' };
      else if (op.fees === op.amount) want = failed('001014');
      else if (other) want = failed('001023');
      else if (old) want = failed('101410');
      else if (w.owner.inflows) want = failed('008700');
      else if (AMOUNT_TRIGGERS[op.amount]) want = failed(AMOUNT_TRIGGERS[op.amount].code);
      else want = { http: 200, status: 'SUCCEEDED', code: '000000' };
      check(r, want, `card pay-in ${op.amount}/${op.fees} by ${u.id} to ${w.id}`);
      if (r.status === 200) {
        m.payins.push({ id: r.body.Id, kind: 'card', author: u, wallet: w, amount: op.amount, fees: op.fees, status: r.body.Status, refunded: 0, feesBack: 0 });
      }
      if (want.status === 'SUCCEEDED') {
        expect(r.body.CreditedFunds).toEqual(money(op.amount - op.fees));
        w.balance += op.amount - op.fees;
        m.fees += op.fees;
      }
      await checkBalances(m, [w], `card pay-in ${r.body.Id}`);
      return `card pay-in ${other ? "another's card " : old ? 'deactivated card ' : ''}${op.amount}/${op.fees} → ${w.id}: ${line(want)}`;
    }
    case 'preauthorize': {
      const u = at(m.users, op.user);
      if (!u) return null;
      const other = op.use === 'other' ? m.users.find((v) => v !== u && v.card) : undefined;
      const old = op.use === 'old' ? u.oldCard : undefined;
      if (!other && !old && !u.card) {
        if (u.closed) return null;
        u.card = (await registerCard(s, u.id, { number: TEST_CARDS.frictionless })).Id as string;
      }
      const r = await s.call('POST', '/preauthorizations/card/direct', {
        body: { AuthorId: u.id, DebitedFunds: money(op.amount), CardId: other?.card ?? old ?? u.card, ...CARD },
      });
      const failed = (code: string): Expect => ({ http: 200, status: 'FAILED', code });
      let want: Expect;
      if (u.closed) want = { http: 400, type: 'user_closed' };
      else if (other) want = failed('001023');
      else if (old) want = failed('101410');
      else if (AMOUNT_TRIGGERS[op.amount]) want = failed(AMOUNT_TRIGGERS[op.amount].code);
      else want = { http: 200, status: 'SUCCEEDED', code: '000000' };
      check(r, want, `pre-authorize ${op.amount} by ${u.id}`);
      if (r.status === 200) {
        const ok = want.status === 'SUCCEEDED';
        // A refused hold is over at once: CANCELED, nothing to capture.
        const paymentStatus = ok ? 'WAITING' : 'CANCELED';
        expect(r.body, JSON.stringify(r.body)).toMatchObject({ RemainingFunds: money(ok ? op.amount : 0), PaymentStatus: paymentStatus });
        m.holds.push({ id: r.body.Id, author: u, status: ok ? 'SUCCEEDED' : 'FAILED', paymentStatus, remaining: ok ? op.amount : 0, captured: false });
      }
      return `pre-authorize ${other ? "another's card " : old ? 'deactivated card ' : ''}${op.amount}/0: ${line(want)}`;
    }
    case 'capture': {
      const h = at(op.live ? m.holds.filter(waiting) : m.holds, op.hold);
      const w = at(m.wallets, op.wallet);
      if (!h || !w) return null;
      const amount = Math.max(1, Math.ceil((h.remaining * op.share) / 1_000));
      const fees = { none: 0, some: Math.floor(amount / 10), all: amount }[op.fees];
      const r = await s.call('POST', '/payins/preauthorized/direct', {
        body: { AuthorId: h.author.id, PreauthorizationId: h.id, CreditedWalletId: w.id, DebitedFunds: money(amount), Fees: money(fees) },
      });
      const failed = (code: string): Expect => ({ http: 200, status: 'FAILED', code });
      let want: Expect;
      if (h.author.closed || w.owner.closed) want = { http: 400, type: 'user_closed' };
      else if (h.status !== 'SUCCEEDED' || h.paymentStatus !== 'WAITING') want = { http: 400, type: 'param_error' };
      else if (amount > h.remaining) want = failed('001505');
      else if (fees === amount) want = failed('001014');
      else if (w.owner.inflows) want = failed('008700');
      else want = { http: 200, status: 'SUCCEEDED', code: '000000' };
      check(r, want, `capture ${amount}/${fees} of ${h.id} (${h.status} ${h.paymentStatus} ${h.remaining}) into ${w.id}`);
      if (r.status === 200) {
        m.payins.push({ id: r.body.Id, kind: 'card', author: h.author, wallet: w, amount, fees, status: r.body.Status, refunded: 0, feesBack: 0 });
      }
      if (want.status === 'SUCCEEDED') {
        w.balance += amount - fees;
        m.fees += fees;
        h.remaining -= amount;
        h.captured = true;
        if (h.remaining === 0) h.paymentStatus = 'VALIDATED';
      }
      const got = await s.call('GET', `/preauthorizations/${h.id}`);
      expect(got.body, `hold ${h.id} after a capture`).toMatchObject({ RemainingFunds: money(h.remaining), PaymentStatus: h.paymentStatus });
      await checkBalances(m, [w], `capture ${r.body.Id}`);
      return `capture ${op.share >= 1_000 ? 'all or more' : 'part'} fees ${op.fees}: ${line(want)}`;
    }
    case 'endHold': {
      const h = at(op.live ? m.holds.filter(waiting) : m.holds, op.hold);
      if (!h) return null;
      const r = await s.call('PUT', `/preauthorizations/${h.id}`, { body: { PaymentStatus: op.how } });
      const notEditable: Expect = { http: 400, type: 'preauthorization_payment_status_can_not_be_canceled' };
      let want: Expect;
      if (op.how === 'CANCELED') want = h.status !== 'SUCCEEDED' || h.paymentStatus !== 'WAITING' || h.captured ? notEditable : { http: 200 };
      else want = !h.captured ? { http: 400, type: 'invalid_action' } : h.paymentStatus !== 'WAITING' ? notEditable : { http: 200 };
      check(r, want, `${op.how} ${h.id} (${h.status} ${h.paymentStatus} captured=${h.captured})`);
      if (want.http === 200) {
        h.paymentStatus = op.how;
        h.remaining = 0;
        expect(r.body).toMatchObject({ PaymentStatus: op.how, RemainingFunds: money(0) });
      }
      return `hold ${op.how}: ${line(want)}`;
    }
    case 'webPayIn': {
      const w = at(m.wallets, op.wallet);
      if (!w) return null;
      const r = await s.call('POST', '/payins/card/web', {
        body: {
          AuthorId: w.owner.id,
          CreditedWalletId: w.id,
          DebitedFunds: money(op.amount),
          Fees: money(op.fees),
          ReturnURL: 'https://shop.example/back',
          CardType: 'CB_VISA_MASTERCARD',
          Culture: 'EN',
        },
      });
      const failed = (code: string): Expect => ({ http: 200, status: 'FAILED', code });
      let want: Expect;
      if (w.owner.closed) want = { http: 400, type: 'user_closed' };
      else if (w.owner.inflows) want = failed('008700');
      else if (op.fees === op.amount) want = failed('001014');
      else want = { http: 200, status: 'CREATED' };
      check(r, want, `web pay-in ${op.amount}/${op.fees} to ${w.id}`);
      if (r.status === 200) {
        m.payins.push({
          id: r.body.Id, kind: 'web', author: w.owner, wallet: w, amount: op.amount, fees: op.fees, status: r.body.Status, refunded: 0, feesBack: 0,
          page: r.body.RedirectURL ? new URL(r.body.RedirectURL).pathname : undefined,
        });
      }
      return `web pay-in ${op.amount}/${op.fees} → ${w.id}: ${line(want)}`;
    }
    case 'payWeb': {
      const webs = m.payins.filter((p) => p.kind === 'web' && p.page);
      const p = at(webs.filter((x) => x.status === 'CREATED').length ? webs.filter((x) => x.status === 'CREATED') : webs, op.payin);
      if (!p) return null;
      // The payer types the frictionless card on the page (a form post, as a browser sends it).
      const form = new URLSearchParams({ action: 'pay', cardNumber: TEST_CARDS.frictionless, cardExpirationDate: '1229', cardCvx: '123' });
      const r = await s.fetch('POST', p.page!, { raw: form.toString(), contentType: 'application/x-www-form-urlencoded' });
      expect(r.status, `pay ${p.id} on its page: ${String(r.body).slice(0, 200)}`).toBeLessThan(500);
      const u = p.wallet.owner;
      const failed = (code: string): Expect => ({ http: 200, status: 'FAILED', code });
      let want: Expect;
      // Paid once: a page already answered changes nothing.
      if (p.status !== 'CREATED') want = { http: 200, status: p.status };
      else if (u.closed) want = failed('002602');
      else if (u.inflows) want = failed('008700');
      else if (AMOUNT_TRIGGERS[p.amount]) want = failed(AMOUNT_TRIGGERS[p.amount].code);
      else want = { http: 200, status: 'SUCCEEDED', code: '000000' };
      if (p.status === 'CREATED') expect(r.status, String(r.body).slice(0, 200)).toBe(303);
      check(await s.call('GET', `/payins/${p.id}`), want, `web pay-in ${p.id} (${p.amount}/${p.fees}) after its page was paid`);
      if (p.status === 'CREATED' && want.status === 'SUCCEEDED') {
        p.wallet.balance += p.amount - p.fees;
        m.fees += p.fees;
      }
      const was = p.status;
      p.status = want.status as MPayIn['status'];
      await checkBalances(m, [p.wallet], `web pay-in ${p.id} paid`);
      return `pay web pay-in ${was}: ${line(want)}`;
    }
    case 'deactivateCard': {
      const u = at(m.users, op.user);
      if (!u?.card) return null;
      const r = await s.call('PUT', `/cards/${u.card}`, { body: { Active: false } });
      check(r, { http: 200 }, `deactivate ${u.card}`);
      expect(r.body.Active).toBe(false);
      u.oldCard = u.card;
      u.card = undefined;
      return `deactivate card of ${u.id}`;
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
      m.transfers.push({ id: r.body.Id, author: from.owner, from, to, amount: op.amount, fees: op.fees, status, refunded: 0, feesBack: 0 });
      if (status === 'SUCCEEDED') {
        from.balance -= op.amount;
        to.balance += op.amount - op.fees;
        m.fees += op.fees;
      }
      await checkBalances(m, from === to ? [from] : [from, to], `transfer ${r.body.Id}`);
      return `transfer ${op.amount}/${op.fees} ${from.id} → ${to.id}: ${status} ${code}`;
    }
    case 'refundPayIn': {
      const p = choose(m.payins, op.payin, op.pick, m.lastRefunded.payin);
      if (!p) return null;
      m.lastRefunded.payin = p;
      const plan = planRefund(m, p, op.refund, 'payin', p.wallet, null);
      const r = await s.call('POST', `/payins/${p.id}/refunds`, { body: plan.body });
      check(r, plan.want, `refund ${op.refund.how} ${JSON.stringify(plan.body)} of ${p.kind} pay-in ${p.id} (${p.status} ${p.amount}/${p.fees}, refunded ${p.refunded}/${p.feesBack})`);
      if (plan.debited !== undefined) applyRefund(m, p, r, plan.debited, plan.fees!, p.wallet, null);
      await checkBalances(m, [p.wallet], `refund of ${p.id}`);
      return `refund ${p.kind} pay-in ${op.refund.how} ${'fees' in op.refund ? op.refund.fees : ''}: ${line(plan.want)}`;
    }
    case 'refundTransfer': {
      const t = choose(m.transfers, op.transfer, op.pick, m.lastRefunded.transfer);
      if (!t) return null;
      m.lastRefunded.transfer = t;
      // A refund of a transfer to its own wallet would take from and give to one wallet: leave those out.
      if (t.from === t.to) return null;
      const plan = planRefund(m, t, op.refund, 'transfer', t.to, t.from);
      const r = await s.call('POST', `/transfers/${t.id}/refunds`, { body: plan.body });
      check(r, plan.want, `refund ${op.refund.how} ${JSON.stringify(plan.body)} of transfer ${t.id} (${t.status} ${t.amount}/${t.fees}, refunded ${t.refunded}/${t.feesBack})`);
      if (plan.debited !== undefined) applyRefund(m, t, r, plan.debited, plan.fees!, t.to, t.from);
      await checkBalances(m, [t.from, t.to], `refund of ${t.id}`);
      return `refund transfer ${op.refund.how} ${'fees' in op.refund ? op.refund.fees : ''}: ${line(plan.want)}`;
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
          // The fee wallet is the client's: earlier runs left their fees in it.
          const m: Model = { users: [], holds: [], wallets: [], payins: [], transfers: [], fees: await feeBalance(s.db, s.client.id), lastRefunded: {} };
          const seeded: Op[] = [
            { op: 'createUser', kind: 'natural', category: 'OWNER' },
            { op: 'createUser', kind: 'legal', category: 'OWNER' },
            { op: 'createUser', kind: 'natural', category: 'PAYER' },
            { op: 'createUser', kind: 'legal', category: 'OWNER' },
            { op: 'createWallet', user: 3 },
            ...[0, 1, 2, 0].map((user): Op => ({ op: 'createWallet', user })),
            ...[1, 2, 3, 4].map((wallet): Op => ({ op: 'createPayIn', wallet, amount: 10_000, fees: 0 })),
            ...[0, 1, 2, 3].map((payin): Op => ({ op: 'settle', payin })),
            { op: 'cardPayIn', payer: 2, wallet: 1, amount: 4_000, fees: 400, use: 'own' },
          ];
          // A few users and funded wallets first (two OWNERs, a PAYER, and an OWNER with an empty wallet),
          // and a card pay-in by the PAYER, so that most sequences move money and have something to refund.
          const log: string[] = [];
          for (const op of [...seeded, ...ops]) {
            const line = await step(m, op);
            if (line) {
              requests++;
              log.push(line);
              // The outcome without ids and amounts, to show which rules the runs reached.
              const key = line.replace(/\b[a-z]+_m_\w+\b/g, '').replace(/\b\d+\/\d+\b/g, '').replace(/\s+/g, ' ').trim();
              tally.set(key, (tally.get(key) ?? 0) + 1);
            }
          }
          // At the end: every wallet's balance, and the ledger's invariants.
          await checkBalances(m, m.wallets, 'end of run');
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
