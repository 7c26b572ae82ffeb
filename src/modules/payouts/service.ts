import type { Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import { ensureFeeWallet, lockUsers, lockWallets, post, wouldExceedBalanceCap, type Leg, type LockedUser } from '../../ledger/index.js';
import { feesRule, type MoneyIn } from '../../ledger/money.js';
import { newId } from '../../lib/ids.js';
import type { BankAccount } from '../bankaccounts/model.js';
import { findBankAccountOfClient } from '../bankaccounts/store.js';
import { recordEvent } from '../events/store.js';
import { asBankAccount } from '../recipients/model.js';
import { recipientForPayOut } from '../recipients/service.js';
import type { Transaction } from '../transactions/model.js';
import * as transactions from '../transactions/store.js';
import { lockAuthorsWallet } from '../wallets/service.js';
import { findClientWalletById } from '../wallets/store.js';
import { instantUnreachable, verifyPayee, type Unreachable } from '../bankaccounts/checks.js';
import { RESULTS, type PayOutDetails, type Result } from './model.js';
import type { ClientPayOutCreate, PayOutCreate, ReachabilityCheck, SandboxFailBody } from './schemas.js';

type Ctx = RequestCtx;

/** Merges rule errors, the first message for a path winning. */
function merged(...maps: FieldErrors[]): FieldErrors {
  const out: FieldErrors = {};
  for (const map of maps) for (const [k, v] of Object.entries(map)) if (!(k in out)) out[k] = v;
  return out;
}

function throwIfAny(errors: FieldErrors): void {
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
}

/** PayoutModeRequested (STANDARD when absent): the instant and RTGS modes are known but not enabled here. */
function modeRule(mode: string | undefined): FieldErrors {
  if (!mode || mode === 'STANDARD') return {};
  return { PayoutModeRequested: mode === 'RTGS_PAYMENT' ? 'RtgsPayment is disabled' : 'InstantPayment is disabled' };
}

/** What the schema cannot say about a user's payout: an account (BankAccountId unless RecipientId), STANDARD, fees within the funds. */
export function payOutRules(input: { RecipientId?: string; BankAccountId?: string; PayoutModeRequested?: string; DebitedFunds?: MoneyIn; Fees?: MoneyIn }): FieldErrors {
  const account: FieldErrors = input.RecipientId || input.BankAccountId ? {} : { BankAccountId: 'The BankAccountId field is required.' };
  return merged(account, modeRule(input.PayoutModeRequested), feesRule(input.DebitedFunds, input.Fees));
}

/** A client's payout: STANDARD, and no fees (a fee would go from the client's wallet to the client's fee wallet). */
export function clientPayOutRules(input: { PayoutModeRequested?: string; DebitedFunds?: MoneyIn; Fees?: MoneyIn }): FieldErrors {
  const fees = input.Fees;
  const noFees: FieldErrors =
    fees?.Currency !== undefined && fees.Amount !== undefined && fees.Amount !== 0
      ? { 'Fees.Amount': "The client's own payouts take no fees: send 0 or leave Fees out." }
      : {};
  return merged(modeRule(input.PayoutModeRequested), feesRule(input.DebitedFunds, fees), noFees);
}

/** The reachability check is for instant payouts; Fees, when sent, within the funds. */
export function reachabilityRules(input: { PayoutModeRequested?: string; DebitedFunds?: MoneyIn; Fees?: MoneyIn }): FieldErrors {
  const mode: FieldErrors =
    input.PayoutModeRequested !== undefined && input.PayoutModeRequested !== 'INSTANT_PAYMENT'
      ? { PayoutModeRequested: 'PayoutModeRequested must be INSTANT_PAYMENT: the reachability check is for instant payouts.' }
      : {};
  return merged(mode, feesRule(input.DebitedFunds, input.Fees));
}

/**
 * Why the payout fails as a transaction (HTTP 200, Status FAILED), decided on the locked author, or
 * null when it may go on to the balance check. The order is the order of precedence.
 */
function refusal(author: LockedUser, account: 'active' | 'inactive' | 'not-owner', funds: number, fees: number): Result | null {
  if (author.category !== 'OWNER') return RESULTS.payer;
  if (author.kycLevel !== 'REGULAR') return RESULTS.kyc;
  if (author.outflowsBlocked) return RESULTS.blocked;
  if (account === 'not-owner') return RESULTS.notBankAccountOwner;
  if (account === 'inactive') return RESULTS.bankAccountInactive;
  if (fees === funds) return RESULTS.nothingCredited;
  return null;
}

/**
 * The account, with its state for this payout: the author's ('active'/'inactive'), another user's of
 * the client ('not-owner'); null when the client has no such account.
 */
async function bankAccountState(
  q: Queryable,
  ctx: Ctx,
  authorId: string,
  id: string,
): Promise<{ account: BankAccount; state: 'active' | 'inactive' | 'not-owner' } | null> {
  const account = await findBankAccountOfClient(q, ctx.clientId, id);
  if (!account) return null;
  return { account, state: account.userId !== authorId ? 'not-owner' : account.active ? 'active' : 'inactive' };
}

/**
 * A RecipientId's state for this payout, as bankAccountState's: a recipient that is not ACTIVE
 * (PENDING its SCA, CANCELED, DEACTIVATED) is 'inactive' (121006). A PAYIN-scope recipient is 400
 * invalid_action, and a LocalBankTransfer one takes only its own currency (400 currency_incompatibility).
 * A legacy bank account's id is accepted too, as Mangopay accepts it.
 */
async function recipientState(q: Queryable, ctx: Ctx, authorId: string, id: string, currency: string) {
  const r = await recipientForPayOut(q, ctx.clientId, id, ctx.now);
  if (!r) return bankAccountState(q, ctx, authorId, id);
  if (r.scope === 'PAYIN') throw ERRORS.invalidAction('Payout not allowed for RecipientScope PAYIN');
  if (r.payoutMethodType === 'LocalBankTransfer' && r.currency !== currency) {
    throw ERRORS.currencyIncompatibility({
      currency: `The recipient ${r.id} takes ${r.currency} only (LocalBankTransfer): the Debited Wallet's currency is ${currency}`,
    });
  }
  const state: 'active' | 'inactive' | 'not-owner' = r.userId !== authorId ? 'not-owner' : r.status === 'ACTIVE' ? 'active' : 'inactive';
  return { account: asBankAccount(r), state };
}

/**
 * `POST /payouts/bankwire`. Refusals of the request: 400 param_error (fields, author not the debited
 * wallet's owner, a payout mode other than STANDARD), 400 currency_incompatibility, 400 user_closed
 * (closed author), 404 for an unknown wallet, author or bank account. Business failures (reference
 * notes §4.6, §4.7: not an OWNER, KYC not REGULAR, outflows blocked, bank account inactive or not the
 * author's, nothing to pay, insufficient balance) move nothing and are stored as FAILED payouts, with
 * both events; the answer is still the payout as created (CREATED, no ResultCode), because Mangopay
 * processes payouts after answering and the SDKs expect CREATED even from an empty wallet (SDK notes
 * §4.8): the outcome is read with GET or the PAYOUT_NORMAL_FAILED hook. Otherwise the payout is CREATED
 * and its money leaves the wallet at once, in one transaction that follows the locking protocol of
 * src/ledger: DebitedFunds − Fees to the client's payout clearing account, Fees to the client's fee wallet.
 */
export async function createPayOut(ctx: Ctx, input: PayOutCreate): Promise<Transaction> {
  throwIfAny(payOutRules(input));
  const { AuthorId: authorId, DebitedWalletId: walletId, RecipientId: recipientId, BankAccountId: bankAccountId, BankWireRef: bankWireRef, Tag: tag } = input;
  const funds = { currency: input.DebitedFunds.Currency, amount: input.DebitedFunds.Amount };
  const fees = { currency: input.Fees.Currency, amount: input.Fees.Amount };
  const mode = input.PayoutModeRequested ?? 'STANDARD';
  return ctx.db.tx(async (q) => {
    // Step 1: the users, FOR SHARE, in ascending id order; their status and blocks are read under the lock.
    const { wallet, author } = await lockAuthorsWallet(q, ctx.clientId, authorId, walletId, ERRORS.authorNotDebitedWalletOwner);
    if (funds.currency !== wallet.currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The currency ${funds.currency} of DebitedFunds and the Debited Wallet's currency ${wallet.currency} must be the same`,
      });
    }
    const found = recipientId
      ? await recipientState(q, ctx, authorId, recipientId, wallet.currency)
      : await bankAccountState(q, ctx, authorId, bankAccountId!);
    if (!found) throw recipientId ? ERRORS.notFound('Recipient', recipientId) : ERRORS.notFound('BankAccount', bankAccountId!);
    const details: PayOutDetails = {
      bankAccountId: found.account.id,
      ...(recipientId ? { recipientId: found.account.id } : {}),
      bankWireRef: bankWireRef ?? null,
      modeRequested: mode,
      verificationOfPayee: verifyPayee(found.account, wallet.currency),
    };
    const t = newPayOut(ctx, { authorId: authorId, walletId: wallet.id, currency: wallet.currency, funds: funds.amount, fees: fees.amount, details, tag });
    let outcome = refusal(author, found.state, funds.amount, fees.amount);
    if (!outcome) {
      // Steps 3 and 4: the wallets locked, the postings written.
      const feeWalletId = fees.amount > 0 ? await ensureFeeWallet(q, ctx.clientId, t.currency, ctx.now) : null;
      outcome = await debit(q, ctx, t, feeWalletId);
    }
    return recordPayOut(q, ctx, t, outcome);
  });
}

/** A payout row as created: CREATED, no result yet, the debited funds and fees known. */
function newPayOut(
  ctx: Ctx,
  p: { authorId: string; walletId: string; currency: string; funds: number; fees: number; details: PayOutDetails; tag: string | null | undefined },
): Transaction {
  return {
    id: newId('payout'),
    clientId: ctx.clientId,
    type: 'PAYOUT',
    nature: 'REGULAR',
    paymentType: 'BANK_WIRE',
    executionType: null,
    status: 'CREATED',
    resultCode: null,
    resultMessage: null,
    authorId: p.authorId,
    creditedUserId: null,
    debitedWalletId: p.walletId,
    creditedWalletId: null,
    currency: p.currency,
    debitedAmount: p.funds,
    creditedAmount: p.funds - p.fees,
    feesAmount: p.fees,
    details: p.details,
    tag: p.tag ?? null,
    creationDate: ctx.now,
    executionDate: null,
  };
}

/**
 * Takes the funds out of the debited wallet, locked with the fee wallet (ascending ids), towards the
 * bank (the clearing account) and the fees to the fee wallet; or the insufficient-balance result.
 */
async function debit(q: Queryable, ctx: Ctx, t: Transaction, feeWalletId: string | null): Promise<Result | null> {
  const funds = t.debitedAmount!;
  const fees = t.feesAmount!;
  const locked = await lockWallets(q, ctx.clientId, [t.debitedWalletId!, ...(feeWalletId ? [feeWalletId] : [])]);
  if (locked.get(t.debitedWalletId!)!.balance < funds) return RESULTS.insufficientBalance;
  const legs: Leg[] = [
    { wallet: t.debitedWalletId!, currency: t.currency, amount: -funds },
    { clearing: true, currency: t.currency, amount: funds - fees },
  ];
  if (feeWalletId) legs.push({ wallet: feeWalletId, currency: t.currency, amount: fees });
  if (wouldExceedBalanceCap(locked, legs)) return RESULTS.balanceCap;
  await post(q, ctx.clientId, t.id, legs, ctx.now);
  return null;
}

/**
 * Stores the payout with its outcome and events. A refusal is stored FAILED yet answered as created,
 * as Mangopay answers (the Node SDK's suite pays out of an empty wallet and expects CREATED): GET and
 * the PAYOUT_NORMAL_FAILED webhook give the outcome.
 */
async function recordPayOut(q: Queryable, ctx: Ctx, t: Transaction, outcome: Result | null): Promise<Transaction> {
  const created = { ...t };
  if (outcome) {
    t.status = 'FAILED';
    t.resultCode = outcome.code;
    t.resultMessage = outcome.message;
  }
  await transactions.insertTransaction(q, t);
  await recordEvent(q, ctx.clientId, 'PAYOUT_NORMAL_CREATED', t.id, ctx.now);
  if (outcome) await recordEvent(q, ctx.clientId, 'PAYOUT_NORMAL_FAILED', t.id, ctx.now);
  return created;
}

/**
 * `POST /clients/payouts`: the platform's bank wire from one of its own wallets (`FEES_EUR`,
 * `CREDIT_EUR`) to its own bank account (POST /clients/bankaccounts/iban). No user is involved: the
 * ClientId is the author on the wire (NULL in the database), and it takes no fees (Fees may be sent,
 * as 0). Otherwise it is a user payout: 400 param_error for fields and for a DebitedWalletId that is
 * not a client wallet, 400 currency_incompatibility, 404 for an unknown bank account; the funds leave
 * the wallet at creation (to the payout clearing account), and a refusal — a user's bank account
 * (121007) or a balance too low (121003) — moves nothing and is stored FAILED with both events while
 * the answer is the payout as created, as user payouts answer (see createPayOut).
 */
export async function createClientPayOut(ctx: Ctx, input: ClientPayOutCreate): Promise<Transaction> {
  throwIfAny(clientPayOutRules(input));
  const { DebitedWalletId: walletId, BankAccountId: bankAccountId, BankWireRef: bankWireRef, Tag: tag } = input;
  const funds = { currency: input.DebitedFunds.Currency, amount: input.DebitedFunds.Amount };
  const mode = input.PayoutModeRequested ?? 'STANDARD';
  return ctx.db.tx(async (q) => {
    // No user to lock (step 1); a client wallet's currency never changes, so it is read without a lock.
    const wallet = await findClientWalletById(q, ctx.clientId, walletId.toUpperCase());
    if (!wallet) {
      throw ERRORS.paramError({ DebitedWalletId: "DebitedWalletId must be one of the client's wallets, like FEES_EUR or CREDIT_EUR." });
    }
    if (funds.currency !== wallet.currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The currency ${funds.currency} of DebitedFunds and the Debited Wallet's currency ${wallet.currency} must be the same`,
      });
    }
    const account = await findBankAccountOfClient(q, ctx.clientId, bankAccountId);
    if (!account) throw ERRORS.notFound('BankAccount', bankAccountId);
    const details: PayOutDetails = {
      bankAccountId: bankAccountId,
      bankWireRef: bankWireRef ?? null,
      modeRequested: mode,
      verificationOfPayee: verifyPayee(account, wallet.currency),
    };
    const t = newPayOut(ctx, { authorId: ctx.clientId, walletId: wallet.id, currency: wallet.currency, funds: funds.amount, fees: 0, details, tag });
    // Step 3: the one wallet locked (a client's payout has no fee wallet), then the postings.
    const outcome = account.userId !== null ? RESULTS.notBankAccountOwner : await debit(q, ctx, t, null);
    return recordPayOut(q, ctx, t, outcome);
  });
}

async function findPayOut(q: Queryable, ctx: Ctx, id: string, lock = false): Promise<Transaction> {
  const t = await transactions.findTransaction(q, ctx.clientId, 'PAYOUT', id, lock);
  // A pay-in's refund is a PAYOUT transaction too, but not a payout (GET /refunds/{Id} shows it).
  if (!t || t.nature === 'REFUND') throw ERRORS.notFound('PayOut', id);
  return t;
}

export async function getPayOut(ctx: Ctx, id: string): Promise<Transaction> {
  return findPayOut(ctx.db, ctx, id);
}

/** Locks a payout about to change (locking protocol, src/ledger: its author first, then its row). */
async function lockForChange(q: Queryable, ctx: Ctx, id: string) {
  const seen = await findPayOut(q, ctx, id);
  // The client's own payout (from a client wallet) has no user to lock.
  const users = seen.authorId === ctx.clientId ? new Map<string, LockedUser>() : await lockUsers(q, ctx.clientId, [seen.authorId]);
  const payOut = await findPayOut(q, ctx, id, true);
  if (payOut.status !== 'CREATED') throw ERRORS.payOutNotCreated(payOut.status);
  return { payOut, author: users.get(payOut.authorId) };
}

/** Sandbox "the bank executed the payout": the money leaves the clearing account for the bank (SUCCEEDED). */
export async function sandboxSettle(ctx: Ctx, id: string): Promise<Transaction> {
  return ctx.db.tx(async (q) => {
    const { payOut: t } = await lockForChange(q, ctx, id);
    await post(
      q,
      ctx.clientId,
      t.id,
      [
        { clearing: true, currency: t.currency, amount: -t.creditedAmount! },
        { external: true, currency: t.currency, amount: t.creditedAmount! },
      ],
      ctx.now,
      'settle',
    );
    t.status = 'SUCCEEDED';
    t.resultCode = RESULTS.success.code;
    t.resultMessage = RESULTS.success.message;
    t.executionDate = ctx.now;
    await transactions.saveOutcome(q, t);
    await recordEvent(q, ctx.clientId, 'PAYOUT_NORMAL_SUCCEEDED', t.id, ctx.now);
    return t;
  });
}

/**
 * Sandbox "the bank rejected the payout": FAILED with the given ResultCode and ResultMessage (001999 by
 * default); the funds go back to the wallet and the fees back from the client's fee wallet. A closed
 * author's payout cannot fail (its wallet may hold no money): 400 user_closed, it stays CREATED.
 */
export async function sandboxFail(ctx: Ctx, id: string, input: SandboxFailBody): Promise<Transaction> {
  const code = input.ResultCode;
  const known = Object.values(RESULTS).find((r) => r.code === code);
  const result: Result = {
    code: code || RESULTS.generic.code,
    message: input.ResultMessage || (code ? (known?.message ?? 'The bank wire was rejected') : RESULTS.generic.message),
  };
  return ctx.db.tx(async (q) => {
    const { payOut: t, author } = await lockForChange(q, ctx, id);
    if (author?.status === 'CLOSED') throw ERRORS.userClosed();
    const fees = t.feesAmount!;
    const feeWalletId = fees > 0 ? await ensureFeeWallet(q, ctx.clientId, t.currency, ctx.now) : null;
    await lockWallets(q, ctx.clientId, [t.debitedWalletId!, ...(feeWalletId ? [feeWalletId] : [])]);
    const legs: Leg[] = [
      { clearing: true, currency: t.currency, amount: -t.creditedAmount! },
      { wallet: t.debitedWalletId!, currency: t.currency, amount: t.debitedAmount! },
    ];
    if (feeWalletId) legs.push({ wallet: feeWalletId, currency: t.currency, amount: -fees });
    await post(q, ctx.clientId, t.id, legs, ctx.now, 'fail');
    t.status = 'FAILED';
    t.resultCode = result.code;
    t.resultMessage = result.message;
    await transactions.saveOutcome(q, t);
    await recordEvent(q, ctx.clientId, 'PAYOUT_NORMAL_FAILED', t.id, ctx.now);
    return t;
  });
}

/**
 * `POST /payouts/reachability`: whether an instant payout with this body could reach its bank
 * (null when it could). The body is checked as a payout's is (fields, author owning the wallet,
 * currency, the client's bank account; Fees optional as in the SDKs), with PayoutModeRequested
 * INSTANT_PAYMENT as Mangopay requires there. Nothing is stored and no money moves.
 */
export async function checkReachability(ctx: Ctx, input: ReachabilityCheck): Promise<Unreachable | null> {
  throwIfAny(reachabilityRules(input));
  const { AuthorId: authorId, DebitedWalletId: walletId, BankAccountId: bankAccountId, BankWireRef: bankWireRef } = input;
  const funds = { currency: input.DebitedFunds.Currency, amount: input.DebitedFunds.Amount };
  return ctx.db.tx(async (q) => {
    const { wallet } = await lockAuthorsWallet(q, ctx.clientId, authorId, walletId, ERRORS.authorNotDebitedWalletOwner);
    if (funds.currency !== wallet.currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The currency ${funds.currency} of DebitedFunds and the Debited Wallet's currency ${wallet.currency} must be the same`,
      });
    }
    const account = await findBankAccountOfClient(q, ctx.clientId, bankAccountId);
    if (!account) throw ERRORS.notFound('BankAccount', bankAccountId);
    return instantUnreachable(account, wallet.currency, bankWireRef ?? null);
  });
}
