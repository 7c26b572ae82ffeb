import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import { creditPayIn, lockUsers } from '../../ledger/index.js';
import { feesRule, type Currency, type Money, type MoneyIn } from '../../ledger/money.js';
import { newId } from '../../lib/ids.js';
import { recordEvent } from '../events/store.js';
import type { Transaction } from '../transactions/model.js';
import { expireDue } from '../transactions/expiry.js';
import * as transactions from '../transactions/store.js';
import { lockAuthorsWallet } from '../wallets/service.js';
import { findClientWalletById } from '../wallets/store.js';
import { PAYIN_EXPIRY_SECONDS, RESULTS, isExpired, type BankWireDetails, type Result } from './model.js';
import type { BankWirePayInCreate, ClientBankWirePayInCreate, SandboxFail, SandboxSettle } from './schemas.js';

type Ctx = RequestCtx;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A 10-character reference the payer puts on the wire (like Mangopay's `MGgq1y8jjb`). */
function wireReference(): string {
  return [...randomBytes(10)].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
}

/** Ends a CREATED pay-in of any kind as FAILED with its event, in the caller's transaction (which holds its row). */
export async function failPayIn(q: Queryable, clientId: string, now: number, t: Transaction, result: Result): Promise<void> {
  t.status = 'FAILED';
  t.resultCode = result.code;
  t.resultMessage = result.message;
  await transactions.saveOutcome(q, t);
  await recordEvent(q, clientId, 'PAYIN_NORMAL_FAILED', t.id, now);
}

/** Records a bank-wire pay-in CREATED, waiting for its wire, with its event; the declared funds must be in the wallet's currency. */
async function openBankWire(
  q: Queryable,
  ctx: Ctx,
  p: {
    authorId: string;
    creditedUserId: string | null;
    wallet: { id: string; currency: string };
    funds: Money;
    feesAmount: number;
    tag: string | null | undefined;
  },
): Promise<Transaction> {
  if (p.funds.currency !== p.wallet.currency) {
    const why = `The currency ${p.funds.currency} of DeclaredDebitedFunds and the Credited Wallet's currency ${p.wallet.currency}`;
    throw ERRORS.currencyIncompatibility({ Currency: `${why} must be the same` });
  }
  const details: BankWireDetails = {
    declaredDebitedAmount: p.funds.amount,
    declaredFeesAmount: p.feesAmount,
    wireReference: wireReference(),
  };
  const t: Transaction = {
    id: newId('payin'),
    clientId: ctx.clientId,
    type: 'PAYIN',
    nature: 'REGULAR',
    paymentType: 'BANK_WIRE',
    executionType: 'DIRECT',
    status: 'CREATED',
    resultCode: null,
    resultMessage: null,
    authorId: p.authorId,
    creditedUserId: p.creditedUserId,
    debitedWalletId: null,
    creditedWalletId: p.wallet.id,
    currency: p.wallet.currency,
    debitedAmount: null,
    creditedAmount: null,
    feesAmount: null,
    details,
    tag: p.tag ?? null,
    creationDate: ctx.now,
    executionDate: null,
  };
  await transactions.insertTransaction(q, t);
  await recordEvent(q, ctx.clientId, 'PAYIN_NORMAL_CREATED', t.id, ctx.now);
  return t;
}

/** What the schema cannot say: the declared fees are in the funds' currency and no more than the funds. */
export function payInRules(input: { DeclaredDebitedFunds?: MoneyIn; DeclaredFees?: MoneyIn }): FieldErrors {
  return feesRule(input.DeclaredDebitedFunds, input.DeclaredFees, { funds: 'DeclaredDebitedFunds', fees: 'DeclaredFees' });
}

const toMoney = (m: { Currency: Currency; Amount: number }): Money => ({ currency: m.Currency, amount: m.Amount });

/**
 * `POST /payins/bankwire/direct`: a pay-in waiting for the user's wire (CREATED). Refusals: 400 for the
 * request (param_error, currency_incompatibility, user_closed), 404 for an unknown wallet or author.
 * A user whose inflows are blocked gets the pay-in FAILED with 008700 (HTTP 200), as Mangopay documents.
 */
export async function createBankWirePayIn(ctx: Ctx, input: BankWirePayInCreate): Promise<Transaction> {
  const errors = payInRules(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  const { AuthorId: authorId, CreditedWalletId: walletId, CreditedUserId: creditedUserId, Tag: tag } = input;
  const funds = toMoney(input.DeclaredDebitedFunds);
  const fees = toMoney(input.DeclaredFees);
  return ctx.db.tx(async (q) => {
    const { wallet, author } = await lockAuthorsWallet(q, ctx.clientId, authorId, walletId, ERRORS.authorNotCreditedWalletOwner);
    if (creditedUserId && creditedUserId !== wallet.ownerId) {
      throw ERRORS.paramError({ CreditedUserId: 'CreditedUserId must be the owner of the credited wallet.' });
    }
    const t = await openBankWire(q, ctx, {
      authorId: authorId,
      creditedUserId: wallet.ownerId,
      wallet,
      funds: funds,
      feesAmount: fees.amount,
      tag,
    });
    if (author.inflowsBlocked) await failPayIn(q, ctx.clientId, ctx.now, t, RESULTS.blocked);
    return t;
  });
}

/**
 * `POST /clients/payins/bankwire/direct`: the platform's own bank wire to one of its CREDIT wallets
 * (`CREDIT_EUR`), CREATED until the sandbox settles it. No user is involved: Mangopay shows the ClientId
 * as its author and credited user. It takes no fees (DeclaredFees is not part of this call).
 */
export async function createClientBankWirePayIn(ctx: Ctx, input: ClientBankWirePayInCreate): Promise<Transaction> {
  const { CreditedWalletId: walletId, Tag: tag } = input;
  const funds = toMoney(input.DeclaredDebitedFunds);
  return ctx.db.tx(async (q) => {
    const wallet = await findClientWalletById(q, ctx.clientId, walletId.toUpperCase());
    if (!wallet || wallet.fundsType !== 'CREDIT') {
      throw ERRORS.paramError({ CreditedWalletId: 'CreditedWalletId must be one of the client\'s CREDIT wallets, like CREDIT_EUR.' });
    }
    return openBankWire(q, ctx, { authorId: ctx.clientId, creditedUserId: ctx.clientId, wallet, funds: funds, feesAmount: 0, tag });
  });
}

/** One of the client's pay-ins of any kind (a payout's refund, also Type PAYIN, is not one), or null. */
export async function findPayIn(ctx: Ctx, id: string): Promise<Transaction | null> {
  const t = await transactions.findTransaction(ctx.db, ctx.clientId, 'PAYIN', id);
  return t && t.nature !== 'REFUND' ? t : null;
}

async function findBankWire(q: Queryable, ctx: Ctx, id: string, lock = false): Promise<Transaction> {
  const t = await transactions.findTransaction(q, ctx.clientId, 'PAYIN', id, lock);
  if (!t || t.paymentType !== 'BANK_WIRE') throw ERRORS.notFound('PayIn', id);
  return t;
}

/** Expires the due pay-ins of every client, each on its own clock (run periodically by each process). */
export async function sweepExpired(db: Db): Promise<void> {
  const serverNow = Math.floor(Date.now() / 1000);
  for (const { clientId, clockOffset } of await transactions.clientsWithCreatedOlderThan(db, 'PAYIN', PAYIN_EXPIRY_SECONDS, serverNow)) {
    await expireDue({ db, clientId, now: serverNow + clockOffset });
  }
}

export async function getPayIn(ctx: Ctx, id: string): Promise<Transaction> {
  const t = await findBankWire(ctx.db, ctx, id);
  if (!isExpired(t, ctx.now)) return t;
  return ctx.db.tx(async (q) => {
    const locked = await findBankWire(q, ctx, id, true);
    if (isExpired(locked, ctx.now)) await failPayIn(q, ctx.clientId, ctx.now, locked, RESULTS.expired);
    return locked;
  });
}

type Decision = { payIn: Transaction; refusal?: Error };

/** Locks a pay-in about to change (locking protocol, src/ledger: its users first, then its row). */
async function lockForChange(q: Queryable, ctx: Ctx, id: string) {
  const seen = await findBankWire(q, ctx, id);
  // The client's own pay-in (to a CREDIT wallet) has no user to lock.
  const users = seen.creditedUserId === ctx.clientId ? new Map() : await lockUsers(q, ctx.clientId, [seen.creditedUserId!]);
  const payIn = await findBankWire(q, ctx, id, true);
  // One that expired earlier (read, listed, swept or a clock jump) is refused as expired.
  if (payIn.status === 'FAILED' && payIn.resultCode === RESULTS.expired.code) throw ERRORS.payInExpired();
  if (payIn.status !== 'CREATED') throw ERRORS.payInNotCreated(payIn.status);
  return { payIn, user: users.get(payIn.creditedUserId!) };
}

/**
 * Sandbox "funds received": credits the wallet with the amount received minus the declared fees and
 * the client's fee wallet with the fees, in one transaction. A closed or inflow-blocked user gets the
 * pay-in FAILED instead (the money is not taken in).
 */
export async function sandboxSettle(ctx: Ctx, id: string, input: SandboxSettle): Promise<Transaction> {
  const received = input.Amount;
  const decision = await ctx.db.tx(async (q): Promise<Decision> => {
    const { payIn: t, user } = await lockForChange(q, ctx, id);
    if (isExpired(t, ctx.now)) {
      await failPayIn(q, ctx.clientId, ctx.now, t, RESULTS.expired);
      return { payIn: t, refusal: ERRORS.payInExpired() };
    }
    const d = t.details as BankWireDetails;
    const amount = received ?? d.declaredDebitedAmount;
    const fees = d.declaredFeesAmount;
    if (amount < fees) throw ERRORS.paramError({ Amount: `The amount received cannot be less than the pay-in's DeclaredFees (${fees}).` });
    const clientOwn = t.creditedUserId === ctx.clientId;
    if (!clientOwn && (!user || user.status === 'CLOSED')) {
      await failPayIn(q, ctx.clientId, ctx.now, t, RESULTS.closed);
      return { payIn: t };
    }
    if (user?.inflowsBlocked) {
      await failPayIn(q, ctx.clientId, ctx.now, t, RESULTS.blocked);
      return { payIn: t };
    }
    const credit = { transactionId: t.id, walletId: t.creditedWalletId!, currency: t.currency, amount, fees };
    if (!(await creditPayIn(q, ctx.clientId, { ...credit, source: 'external', now: ctx.now }))) {
      await failPayIn(q, ctx.clientId, ctx.now, t, RESULTS.balanceCap);
      return { payIn: t };
    }
    t.status = 'SUCCEEDED';
    t.resultCode = RESULTS.success.code;
    t.resultMessage = RESULTS.success.message;
    t.debitedAmount = amount;
    t.feesAmount = fees;
    t.creditedAmount = amount - fees;
    t.executionDate = ctx.now;
    await transactions.saveOutcome(q, t);
    await recordEvent(q, ctx.clientId, 'PAYIN_NORMAL_SUCCEEDED', t.id, ctx.now);
    return { payIn: t };
  });
  if (decision.refusal) throw decision.refusal;
  return decision.payIn;
}

/** Sandbox "the wire failed": FAILED with the given ResultCode and ResultMessage (001999 by default). */
export async function sandboxFail(ctx: Ctx, id: string, input: SandboxFail): Promise<Transaction> {
  const { ResultCode: code, ResultMessage: message } = input;
  const known = Object.values(RESULTS).find((r) => r.code === code);
  const result: Result = {
    code: code || RESULTS.generic.code,
    message: message || (code ? (known?.message ?? 'The bank wire failed') : RESULTS.generic.message),
  };
  const decision = await ctx.db.tx(async (q): Promise<Decision> => {
    const { payIn: t } = await lockForChange(q, ctx, id);
    if (isExpired(t, ctx.now)) {
      await failPayIn(q, ctx.clientId, ctx.now, t, RESULTS.expired);
      return { payIn: t, refusal: ERRORS.payInExpired() };
    }
    await failPayIn(q, ctx.clientId, ctx.now, t, result);
    return { payIn: t };
  });
  if (decision.refusal) throw decision.refusal;
  return decision.payIn;
}
