import type { Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import { ensureFeeWallet, lockUsers, lockWallets, post, wouldExceedBalanceCap, type Leg, type LockedUser } from '../../ledger/index.js';
import type { MoneyIn } from '../../ledger/money.js';
import { newId } from '../../lib/ids.js';
import { recordEvents } from '../events/store.js';
import type { Transaction } from '../transactions/model.js';
import { filterRules, listFilters } from '../transactions/service.js';
import * as transactions from '../transactions/store.js';
import { findUserWallets } from '../wallets/store.js';
import { RESULTS, type RefundDetails, type Result } from './model.js';
import type { RefundCreate, RefundListQuery, SandboxPayOutRefund } from './schemas.js';
import { refundedSoFar, refundType } from './store.js';

type Ctx = RequestCtx;
type Initial = 'PAYIN' | 'TRANSFER' | 'PAYOUT';

const ENTITY = { PAYIN: 'PayIn', TRANSFER: 'Transfer', PAYOUT: 'PayOut' } as const;
const EVENTS = { PAYIN: 'PAYIN_REFUND', TRANSFER: 'TRANSFER_REFUND', PAYOUT: 'PAYOUT_REFUND' } as const;
/** Pay-ins whose money came from a card network; the others came by bank. */
const CARD_PAYMENT_TYPES = new Set(['CARD', 'PREAUTHORIZED']);

/** What the schema cannot say: DebitedFunds and Fees both or neither, in one currency, and the refund credits something. */
export function refundRules(input: { DebitedFunds?: MoneyIn; Fees?: MoneyIn }): FieldErrors {
  const funds = input.DebitedFunds;
  const fees = input.Fees;
  if (funds && !fees) return { Fees: 'if DebitedFunds are defined, Fees must be defined' };
  if (fees && !funds) return { Fees: 'if Fees are defined, DebitedFunds must be defined' };
  if (funds?.Currency === undefined || funds.Amount === undefined || fees?.Currency === undefined || fees.Amount === undefined) return {};
  if (fees.Currency !== funds.Currency) return { 'Fees.Currency': `The currency of Fees must be the currency of DebitedFunds (${funds.Currency}).` };
  if (fees.Amount >= funds.Amount) return { 'Fees.Amount': 'Fees must be less than DebitedFunds: CreditedFunds (DebitedFunds − Fees) must be more than 0.' };
  return {};
}

/** One of the client's transactions of this type that is not itself a refund, or null. */
async function findInitial(q: Queryable, ctx: Ctx, type: Initial, id: string, lock = false): Promise<Transaction | null> {
  const t = await transactions.findTransaction(q, ctx.clientId, type, id, lock);
  return t && t.nature !== 'REFUND' ? t : null;
}

function newRefund(ctx: Ctx, initial: Transaction, over: Partial<Transaction> & { details: RefundDetails }): Transaction {
  return {
    id: newId('refund'),
    clientId: ctx.clientId,
    type: 'PAYOUT',
    nature: 'REFUND',
    paymentType: null,
    executionType: null,
    status: 'CREATED',
    resultCode: null,
    resultMessage: null,
    authorId: initial.authorId,
    creditedUserId: null,
    debitedWalletId: null,
    creditedWalletId: null,
    currency: initial.currency,
    debitedAmount: 0,
    creditedAmount: 0,
    feesAmount: 0,
    tag: null,
    creationDate: ctx.now,
    executionDate: null,
    ...over,
  };
}

/** Writes the refund with its outcome and its two events (…_REFUND_CREATED, then …_SUCCEEDED or …_FAILED). */
async function record(q: Queryable, ctx: Ctx, t: Transaction, initial: Initial, outcome: Result): Promise<Transaction> {
  t.resultCode = outcome.code;
  t.resultMessage = outcome.message;
  t.status = outcome === RESULTS.success ? 'SUCCEEDED' : 'FAILED';
  t.executionDate = t.status === 'SUCCEEDED' ? ctx.now : null;
  await transactions.insertTransaction(q, t);
  await recordEvents(q, ctx.clientId, [
    { type: `${EVENTS[initial]}_CREATED`, resourceId: t.id, date: ctx.now },
    { type: `${EVENTS[initial]}_${t.status}`, resourceId: t.id, date: ctx.now },
  ]);
  return t;
}

/**
 * Step 3 and 4 of the locking protocol for a refund decided so far: locks the wallets (the one debited,
 * the one credited if any, the fee wallet when fees move), checks the balances, posts. `outside` is the
 * leg for money leaving to (or, negative, coming from) the card network or the banks.
 */
async function move(q: Queryable, ctx: Ctx, t: Transaction, outside: Leg | null): Promise<Result> {
  const fees = t.feesAmount!;
  const feeWalletId = fees !== 0 ? await ensureFeeWallet(q, ctx.clientId, t.currency, ctx.now) : null;
  const ids = [t.debitedWalletId, t.creditedWalletId, feeWalletId].filter((id): id is string => id !== null);
  const locked = await lockWallets(q, ctx.clientId, ids);
  if (t.debitedWalletId && locked.get(t.debitedWalletId)!.balance < t.debitedAmount!) return RESULTS.insufficientBalance;
  if (feeWalletId && fees < 0 && locked.get(feeWalletId)!.balance < -fees) return RESULTS.feeWalletShort;
  const legs: Leg[] = [];
  if (t.debitedWalletId) legs.push({ wallet: t.debitedWalletId, currency: t.currency, amount: -t.debitedAmount! });
  if (t.creditedWalletId) legs.push({ wallet: t.creditedWalletId, currency: t.currency, amount: t.creditedAmount! });
  if (feeWalletId) legs.push({ wallet: feeWalletId, currency: t.currency, amount: fees });
  if (outside) legs.push(outside);
  if (wouldExceedBalanceCap(locked, legs)) return RESULTS.balanceCap;
  await post(q, ctx.clientId, t.id, legs, ctx.now);
  return RESULTS.success;
}

/**
 * The amounts of a pay-in or transfer refund against what remains of the initial transaction (its
 * CreditedFunds, and its fees for negative Fees), or the FAILED outcome. Omitted amounts refund all
 * that remains: the payer gets back the rest of the initial DebitedFunds.
 */
function amounts(initial: Transaction, done: { debited: number; feesBack: number }, input: RefundCreate): { debited: number; fees: number } | Result {
  const remaining = initial.creditedAmount! - done.debited;
  const feesRemaining = initial.feesAmount! - done.feesBack;
  if (!input.DebitedFunds || !input.Fees) return { debited: remaining, fees: -feesRemaining };
  const debited = input.DebitedFunds.Amount;
  const fees = input.Fees.Amount;
  if (debited > remaining) return RESULTS.aboveAmount;
  if (-fees > feesRemaining) return RESULTS.aboveFees;
  return { debited, fees };
}

/** The request checks every pay-in and transfer refund shares, before anything is locked. */
function checkRequest(initial: Transaction, input: RefundCreate, kind: 'payin' | 'transfer'): void {
  const errors = refundRules(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  if (input.AuthorId !== initial.authorId) throw ERRORS.refundAuthor(kind);
  if (initial.status !== 'SUCCEEDED') throw ERRORS.originalNotSucceeded();
  if (input.DebitedFunds && input.DebitedFunds.Currency !== initial.currency) {
    throw ERRORS.currencyIncompatibility({
      currency: `The currency ${input.DebitedFunds.Currency} of DebitedFunds and the initial ${kind}'s currency ${initial.currency} must be the same`,
    });
  }
  if (input.DebitedFunds && input.DebitedFunds.Amount > initial.creditedAmount!) throw ERRORS.refundAboveInitial(kind);
}

/** The owners of these user wallets (a client wallet has none). */
async function ownersOf(q: Queryable, ctx: Ctx, walletIds: string[]): Promise<Map<string, string | null>> {
  const found = await findUserWallets(q, ctx.clientId, walletIds);
  return new Map(walletIds.map((id) => [id, found.get(id)?.ownerId ?? null]));
}

/** Step 1 of the locking protocol: the users involved (the client itself, author of its own transactions, is none). */
function lockParties(q: Queryable, ctx: Ctx, ids: Array<string | null>): Promise<Map<string, LockedUser>> {
  return lockUsers(q, ctx.clientId, ids.filter((id): id is string => id !== null && id !== ctx.clientId));
}

/**
 * `POST /payins/{Id}/refunds`: gives a SUCCEEDED pay-in back to its payer, in full or in part (reference
 * notes §6). Refusals of the request (400): the rules above, an author other than the pay-in's, a pay-in
 * not SUCCEEDED, another currency, more than the pay-in credited; 404 for an unknown pay-in. Business
 * failures are FAILED refunds (HTTP 200): 001401 once all is refunded, 005403/005404 beyond what remains,
 * 001001 when the wallet no longer holds it, 005405 when the fee wallet cannot give the fees back.
 * A SUCCEEDED refund takes DebitedFunds from the wallet the pay-in credited, gives Fees (signed) to the
 * client's fee wallet, and sends CreditedFunds out: to the card network for card pay-ins, to the banks
 * otherwise. It is a PAYOUT transaction of Nature REFUND.
 */
export async function refundPayIn(ctx: Ctx, payInId: string, input: RefundCreate): Promise<Transaction> {
  const seen = await findInitial(ctx.db, ctx, 'PAYIN', payInId);
  if (!seen) throw ERRORS.notFound('PayIn', payInId);
  checkRequest(seen, input, 'payin');
  return ctx.db.tx(async (q) => {
    const owners = await ownersOf(q, ctx, [seen.creditedWalletId!]);
    await lockParties(q, ctx, [seen.authorId, owners.get(seen.creditedWalletId!)!]);
    // Step 2: the pay-in's row, so that concurrent refunds of it are decided one after the other.
    const payIn = (await findInitial(q, ctx, 'PAYIN', payInId, true))!;
    const done = await refundedSoFar(q, ctx.clientId, payIn.id);
    const details: RefundDetails = {
      InitialTransactionId: payIn.id,
      InitialTransactionType: 'PAYIN',
      InitialTransactionNature: payIn.nature,
      RefundReason: { RefundReasonType: 'INITIALIZED_BY_CLIENT', RefundReasonMessage: null },
    };
    const t = newRefund(ctx, payIn, { type: 'PAYOUT', debitedWalletId: payIn.creditedWalletId, details, tag: input.Tag ?? null });
    if (done.debited >= payIn.creditedAmount!) {
      // What the refund would have been, shown on the FAILED refund as asked.
      fill(t, input.DebitedFunds?.Amount ?? 0, input.Fees?.Amount ?? 0);
      return record(q, ctx, t, 'PAYIN', RESULTS.alreadyRefunded);
    }
    const sums = amounts(payIn, done, input);
    if ('code' in sums) {
      fill(t, input.DebitedFunds!.Amount, input.Fees!.Amount);
      return record(q, ctx, t, 'PAYIN', sums);
    }
    fill(t, sums.debited, sums.fees);
    const outside: Leg = CARD_PAYMENT_TYPES.has(payIn.paymentType ?? '')
      ? { card: true, currency: t.currency, amount: t.creditedAmount! }
      : { external: true, currency: t.currency, amount: t.creditedAmount! };
    return record(q, ctx, t, 'PAYIN', await move(q, ctx, t, outside));
  });
}

function fill(t: Transaction, debited: number, fees: number): void {
  t.debitedAmount = debited;
  t.feesAmount = fees;
  t.creditedAmount = Math.max(0, debited - fees);
}

/**
 * `POST /transfers/{Id}/refunds`: moves a SUCCEEDED transfer back, in full or in part: DebitedFunds from
 * the wallet it credited, Fees (signed) to the client's fee wallet, CreditedFunds to the wallet it
 * debited. As for pay-ins, but once all is refunded the request is refused (400 errors.TransferId), and
 * a refund that would credit a closed user's wallet is FAILED (002602).
 */
export async function refundTransfer(ctx: Ctx, transferId: string, input: RefundCreate): Promise<Transaction> {
  const seen = await findInitial(ctx.db, ctx, 'TRANSFER', transferId);
  if (!seen) throw ERRORS.notFound('Transfer', transferId);
  checkRequest(seen, input, 'transfer');
  const result = await ctx.db.tx(async (q) => {
    const owners = await ownersOf(q, ctx, [seen.debitedWalletId!, seen.creditedWalletId!]);
    const users = await lockParties(q, ctx, [seen.authorId, ...owners.values()]);
    const transfer = (await findInitial(q, ctx, 'TRANSFER', transferId, true))!;
    const done = await refundedSoFar(q, ctx.clientId, transfer.id);
    if (done.debited >= transfer.creditedAmount!) return ERRORS.transferAlreadyRefunded();
    const details: RefundDetails = {
      InitialTransactionId: transfer.id,
      InitialTransactionType: 'TRANSFER',
      InitialTransactionNature: transfer.nature,
      RefundReason: { RefundReasonType: 'OTHER', RefundReasonMessage: null },
    };
    const t = newRefund(ctx, transfer, {
      type: 'TRANSFER',
      debitedWalletId: transfer.creditedWalletId,
      creditedWalletId: transfer.debitedWalletId,
      details,
      tag: input.Tag ?? null,
    });
    const sums = amounts(transfer, done, input);
    if ('code' in sums) {
      fill(t, input.DebitedFunds!.Amount, input.Fees!.Amount);
      return record(q, ctx, t, 'TRANSFER', sums);
    }
    fill(t, sums.debited, sums.fees);
    const credited = users.get(owners.get(transfer.debitedWalletId!) ?? '');
    if (credited?.status === 'CLOSED') return record(q, ctx, t, 'TRANSFER', RESULTS.creditedUserClosed);
    return record(q, ctx, t, 'TRANSFER', await move(q, ctx, t, null));
  });
  if (result instanceof Error) throw result;
  return result;
}

/**
 * Sandbox "the payout came back": the bank returns a SUCCEEDED payout's CreditedFunds to the wallet it
 * left (the fees stay with the client). A PAYIN transaction of Nature REFUND with the bank's reason; a
 * closed owner gets it FAILED (002602), the money staying outside. A payout comes back once: 400 after
 * a SUCCEEDED refund, 400 original_transaction_must_be_succeeded before the payout succeeded.
 */
export async function sandboxRefundPayOut(ctx: Ctx, payOutId: string, input: SandboxPayOutRefund): Promise<Transaction> {
  const seen = await findInitial(ctx.db, ctx, 'PAYOUT', payOutId);
  if (!seen) throw ERRORS.notFound('PayOut', payOutId);
  const result = await ctx.db.tx(async (q) => {
    const owners = await ownersOf(q, ctx, [seen.debitedWalletId!]);
    const owner = owners.get(seen.debitedWalletId!) ?? null;
    const users = await lockParties(q, ctx, [seen.authorId, owner]);
    const payOut = (await findInitial(q, ctx, 'PAYOUT', payOutId, true))!;
    if (payOut.status !== 'SUCCEEDED') return ERRORS.originalNotSucceeded();
    if ((await refundedSoFar(q, ctx.clientId, payOut.id)).count > 0) return ERRORS.payOutAlreadyRefunded();
    const details: RefundDetails = {
      InitialTransactionId: payOut.id,
      InitialTransactionType: 'PAYOUT',
      InitialTransactionNature: payOut.nature,
      RefundReason: { RefundReasonType: input.RefundReasonType ?? 'OTHER', RefundReasonMessage: input.RefundReasonMessage ?? null },
    };
    const t = newRefund(ctx, payOut, {
      type: 'PAYIN',
      creditedUserId: owner ?? ctx.clientId,
      creditedWalletId: payOut.debitedWalletId,
      details,
      tag: input.Tag ?? null,
    });
    fill(t, payOut.creditedAmount!, 0);
    if (owner && users.get(owner)?.status === 'CLOSED') return record(q, ctx, t, 'PAYOUT', RESULTS.creditedUserClosed);
    return record(q, ctx, t, 'PAYOUT', await move(q, ctx, t, { external: true, currency: t.currency, amount: -t.creditedAmount! }));
  });
  if (result instanceof Error) throw result;
  return result;
}

/** `GET /refunds/{Id}`: one of the client's refunds, of any kind. */
export async function getRefund(ctx: Ctx, id: string): Promise<Transaction> {
  const type = await refundType(ctx.db, ctx.clientId, id);
  const t = type && (await transactions.findTransaction(ctx.db, ctx.clientId, type, id));
  if (!t) throw ERRORS.notFound('Refund', id);
  return t;
}

const filterQuery = (q: RefundListQuery) => ({ Status: q.Status, 'Status[]': q['Status[]'], ResultCode: q.ResultCode, 'ResultCode[]': q['ResultCode[]'] });

/** What the list schema cannot say about the filters (Status, ResultCode): their values. */
export function refundListRules(_body: unknown, q: RefundListQuery): FieldErrors {
  return filterRules(undefined, filterQuery(q));
}

/** The refunds of one of the client's pay-ins, transfers or payouts, paged and filtered; 404 when it has no such transaction. */
export async function listRefunds(ctx: Ctx, type: Initial, id: string, q: RefundListQuery, p: Paging) {
  const filters = listFilters(filterQuery(q));
  if (!(await findInitial(ctx.db, ctx, type, id))) throw ERRORS.notFound(ENTITY[type], id);
  return transactions.listTransactions(ctx.db, ctx.clientId, { ...filters, types: null, natures: null, refundOf: id }, p);
}
