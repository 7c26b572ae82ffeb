import type { Db, Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { nowSeconds } from '../../core/clock.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import { ensureFeeWallet, lockUsers, lockWallets, post, wouldExceedBalanceCap, type Leg, type LockedUser } from '../../ledger/index.js';
import { feesRule, type MoneyIn } from '../../ledger/money.js';
import { newId } from '../../lib/ids.js';
import { recordEvents } from '../events/store.js';
import type { Transaction } from '../transactions/model.js';
import * as transactions from '../transactions/store.js';
import { clientNow, openScaSession, SCA_SESSION_TTL } from '../users/sca-auth.js';
import { completeScaSessionRow, findScaSession, findUser } from '../users/store.js';
import { findUserWallets } from '../wallets/store.js';
import { RESULTS, SCA_EXEMPT_MAX_AMOUNT, type Result, type TransferDetails } from './model.js';
import type { TransferCreate } from './schemas.js';

type Ctx = RequestCtx;

/**
 * Why the transfer fails as a transaction (HTTP 200, Status FAILED), decided on the locked users,
 * or null when it may go on to the balance check. The order is the order of precedence.
 */
function refusal(
  debitedWalletId: string,
  creditedWalletId: string,
  debitedOwner: LockedUser,
  creditedOwner: LockedUser,
  funds: number,
  fees: number,
): Result | null {
  if (debitedWalletId === creditedWalletId) return RESULTS.sameWallet;
  if (debitedOwner.status === 'CLOSED') return RESULTS.debitedUserClosed;
  if (creditedOwner.status === 'CLOSED') return RESULTS.creditedUserClosed;
  // A PAYER may move money between its own wallets, but no other user may credit a PAYER's wallet.
  if (creditedOwner.category === 'PAYER' && creditedOwner.id !== debitedOwner.id) return RESULTS.payerToPayer;
  if (debitedOwner.outflowsBlocked || creditedOwner.inflowsBlocked) return RESULTS.blocked;
  if (fees === funds) return RESULTS.nothingCredited;
  return null;
}

/**
 * Step 3 and 4 of the locking protocol for a transfer whose users are locked (step 1) and that was
 * not refused: locks the wallets, checks the balance, and posts. Returns the outcome.
 */
async function move(q: Queryable, clientId: string, t: Transaction, now: number): Promise<Result> {
  const feeWalletId = t.feesAmount! > 0 ? await ensureFeeWallet(q, clientId, t.currency, now) : null;
  const locked = await lockWallets(q, clientId, [t.debitedWalletId!, t.creditedWalletId!, ...(feeWalletId ? [feeWalletId] : [])]);
  if (locked.get(t.debitedWalletId!)!.balance < t.debitedAmount!) return RESULTS.insufficientBalance;
  const legs: Leg[] = [
    { wallet: t.debitedWalletId!, currency: t.currency, amount: -t.debitedAmount! },
    { wallet: t.creditedWalletId!, currency: t.currency, amount: t.creditedAmount! },
  ];
  if (feeWalletId) legs.push({ wallet: feeWalletId, currency: t.currency, amount: t.feesAmount! });
  if (wouldExceedBalanceCap(locked, legs)) return RESULTS.balanceCap;
  await post(q, clientId, t.id, legs, now);
  return RESULTS.success;
}

function decide(t: Transaction, outcome: Result, now: number): void {
  t.resultCode = outcome.code;
  t.resultMessage = outcome.message;
  t.status = outcome === RESULTS.success ? 'SUCCEEDED' : 'FAILED';
  if (t.status === 'SUCCEEDED') t.executionDate = now;
}

/**
 * Whether this transfer needs the author's SCA (docs: guides/sca/transfers): an OWNER's wallet
 * crediting another OWNER's wallet, above the low-value exemption. Transfers to oneself or to a
 * PAYER are out of Mangopay's scope.
 */
function inScaScope(debitedOwner: LockedUser, creditedOwner: LockedUser, amount: number): boolean {
  return (
    debitedOwner.category === 'OWNER' &&
    creditedOwner.category === 'OWNER' &&
    debitedOwner.id !== creditedOwner.id &&
    amount > SCA_EXEMPT_MAX_AMOUNT
  );
}

/** What the schema cannot say: the fees are in the funds' currency and no more than the funds. */
export function transferRules(input: { DebitedFunds?: MoneyIn; Fees?: MoneyIn }): FieldErrors {
  return feesRule(input.DebitedFunds, input.Fees);
}

export interface CreatedTransfer {
  transfer: Transaction;
  /** Set when the transfer waits for the author's SCA on this link. */
  redirectUrl: string | null;
}

/**
 * `POST /transfers`. Refusals of the request: 400 param_error (fields, author not the debited wallet's
 * owner, CreditedUserId not the credited wallet's owner), 400 currency_incompatibility, 404 for an unknown
 * wallet or author. Business failures (reference notes §4.3, §4.7) are stored and answered as FAILED
 * transfers with their ResultCode; they move nothing. A SUCCEEDED one debits DebitedFunds, credits
 * DebitedFunds − Fees and gives the Fees to the client's fee wallet, in one transaction that follows the
 * locking protocol of src/ledger.
 *
 * With ScaContext USER_PRESENT, a transfer in SCA scope (inScaScope) is stored CREATED with an SCA
 * session of its author and moves nothing: it runs when the session completes (completeTransferSession)
 * and fails with 007102 when the session expires. Funds are not reserved meanwhile: the balance is
 * checked when it runs (001001 then). With USER_NOT_PRESENT, such a transfer needs the author's proxy
 * consent, else 403 sca_proxy_missing.
 */
export async function createTransfer(ctx: Ctx, input: TransferCreate): Promise<CreatedTransfer> {
  const errors = transferRules(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  const { AuthorId: authorId, CreditedUserId: creditedUserId, DebitedWalletId: debitedWalletId, CreditedWalletId: creditedWalletId } = input;
  const funds = { currency: input.DebitedFunds.Currency, amount: input.DebitedFunds.Amount };
  const fees = { currency: input.Fees.Currency, amount: input.Fees.Amount };
  const tag = input.Tag;
  const scaContext = input.ScaContext ?? null;
  const result = await ctx.db.tx(async (q) => {
    // Read without a lock: a wallet's owner and currency never change.
    const found = await findUserWallets(q, ctx.clientId, [debitedWalletId, creditedWalletId]);
    const debited = found.get(debitedWalletId);
    if (!debited) throw ERRORS.notFound('Wallet', debitedWalletId);
    const credited = found.get(creditedWalletId);
    if (!credited) throw ERRORS.notFound('Wallet', creditedWalletId);
    // Step 1: the users, FOR SHARE, in ascending id order.
    const users = await lockUsers(q, ctx.clientId, [authorId, debited.ownerId!, credited.ownerId!]);
    if (!users.has(authorId)) throw ERRORS.notFound('User', authorId);
    if (authorId !== debited.ownerId) throw ERRORS.authorNotDebitedWalletOwner();
    if (creditedUserId && creditedUserId !== credited.ownerId) {
      throw ERRORS.paramError({ CreditedUserId: 'CreditedUserId must be the owner of the credited wallet.' });
    }
    if (debited.currency !== credited.currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The Debited Wallet's currency ${debited.currency} and the Credited Wallet's currency ${credited.currency} must be the same`,
      });
    }
    if (funds.currency !== debited.currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The currency ${funds.currency} of DebitedFunds and the Debited Wallet's currency ${debited.currency} must be the same`,
      });
    }
    const debitedOwner = users.get(debited.ownerId!)!;
    const creditedOwner = users.get(credited.ownerId!)!;
    const scaScope = inScaScope(debitedOwner, creditedOwner, funds.amount);
    if (scaScope && scaContext === 'USER_NOT_PRESENT' && !(await findUser(q, ctx.clientId, authorId))?.consentAt) {
      throw ERRORS.scaProxyMissing();
    }
    const t: Transaction = {
      id: newId('transfer'),
      clientId: ctx.clientId,
      type: 'TRANSFER',
      nature: 'REGULAR',
      paymentType: null,
      executionType: null,
      status: 'CREATED',
      resultCode: null,
      resultMessage: null,
      authorId: authorId,
      creditedUserId: credited.ownerId,
      debitedWalletId: debited.id,
      creditedWalletId: credited.id,
      currency: debited.currency,
      debitedAmount: funds.amount,
      creditedAmount: funds.amount - fees.amount,
      feesAmount: fees.amount,
      details: { scaContext } satisfies TransferDetails,
      tag: tag ?? null,
      creationDate: ctx.now,
      executionDate: null,
    };
    const refused = refusal(debited.id, credited.id, debitedOwner, creditedOwner, funds.amount, fees.amount);
    if (!refused && scaScope && scaContext === 'USER_PRESENT') {
      // Waits for the author's SCA: the row, its CREATED event and the session, nothing moved.
      await transactions.insertTransaction(q, t);
      await recordEvents(q, ctx.clientId, [{ type: 'TRANSFER_NORMAL_CREATED', resourceId: t.id, date: ctx.now }]);
      const redirectUrl = await openScaSession(q, ctx, authorId, 'TRANSFER', ctx.now, t.id);
      return { transfer: t, redirectUrl };
    }
    decide(t, refused ?? (await move(q, ctx.clientId, t, ctx.now)), ctx.now);
    // Created and decided in one transaction: the row is written once, with its outcome, and both events.
    await transactions.insertTransaction(q, t);
    await recordEvents(q, ctx.clientId, [
      { type: 'TRANSFER_NORMAL_CREATED', resourceId: t.id, date: ctx.now },
      { type: t.status === 'SUCCEEDED' ? 'TRANSFER_NORMAL_SUCCEEDED' : 'TRANSFER_NORMAL_FAILED', resourceId: t.id, date: ctx.now },
    ]);
    return { transfer: t, redirectUrl: null };
  });
  return result;
}

export type TransferSessionOutcome =
  | { ok: true; transfer: Transaction }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' };

/**
 * The author passed the SCA session of a transfer (Mangrove's SCA page, or the sandbox completion):
 * the transfer runs now with the rules of any transfer (closure, blocks, categories, balance) and
 * ends SUCCEEDED or FAILED with its event. The session row, locked first, makes two concurrent
 * completions run it once; the transfer's own row (step 2) guards against the expiry sweep.
 */
export async function completeTransferSession(db: Db, token: string, now: number): Promise<TransferSessionOutcome> {
  return db.tx(async (q) => {
    const s = await findScaSession(q, token, true);
    if (!s || s.kind !== 'TRANSFER' || !s.transferId) return { ok: false, reason: 'unknown' } as const;
    if (s.completedAt !== null) return { ok: false, reason: 'used' } as const;
    const seen = await transactions.findTransaction(q, s.clientId, 'TRANSFER', s.transferId);
    if (!seen) return { ok: false, reason: 'unknown' } as const;
    const wallets = await findUserWallets(q, s.clientId, [seen.debitedWalletId!, seen.creditedWalletId!]);
    const debitedOwnerId = wallets.get(seen.debitedWalletId!)!.ownerId!;
    const creditedOwnerId = wallets.get(seen.creditedWalletId!)!.ownerId!;
    // Step 1, then step 2: the transfer's row.
    const users = await lockUsers(q, s.clientId, [seen.authorId, debitedOwnerId, creditedOwnerId]);
    const t = (await transactions.findTransaction(q, s.clientId, 'TRANSFER', s.transferId, true))!;
    if (t.status !== 'CREATED') return { ok: false, reason: t.resultCode === RESULTS.scaExpired.code ? 'expired' : 'used' } as const;
    if (now > s.expiresAt) {
      decide(t, RESULTS.scaExpired, now);
    } else {
      const refused = refusal(t.debitedWalletId!, t.creditedWalletId!, users.get(debitedOwnerId)!, users.get(creditedOwnerId)!, t.debitedAmount!, t.feesAmount!);
      decide(t, refused ?? (await move(q, s.clientId, t, now)), now);
      await completeScaSessionRow(q, token, now);
    }
    await transactions.saveOutcome(q, t);
    const type = (t as Transaction).status === 'SUCCEEDED' ? 'TRANSFER_NORMAL_SUCCEEDED' : 'TRANSFER_NORMAL_FAILED';
    await recordEvents(q, s.clientId, [{ type, resourceId: t.id, date: now }]);
    if (t.resultCode === RESULTS.scaExpired.code) return { ok: false, reason: 'expired' } as const;
    return { ok: true, transfer: t } as const;
  });
}

/**
 * Transfers whose SCA session expired become FAILED (007102) with their event: when read, when the
 * client's sandbox clock moves, and at the latest at the next sweep (sweepScaTransfers). Only
 * transfers waiting for SCA are ever CREATED, and their session expires SCA_SESSION_TTL after creation.
 */
export async function expireScaTransfers(ctx: { db: Db; clientId: string; now: number }): Promise<void> {
  await ctx.db.tx(async (q) => {
    const ids = await transactions.failCreatedBefore(q, ctx.clientId, 'TRANSFER', ctx.now - SCA_SESSION_TTL - 1, RESULTS.scaExpired);
    if (ids.length) await recordEvents(q, ctx.clientId, ids.map((id) => ({ type: 'TRANSFER_NORMAL_FAILED', resourceId: id, date: ctx.now })));
  });
}

/** Expires the SCA-pending transfers of every client, each on its own clock (run periodically by each process). */
export async function sweepScaTransfers(db: Db): Promise<void> {
  const serverNow = nowSeconds();
  for (const { clientId, clockOffset } of await transactions.clientsWithCreatedOlderThan(db, 'TRANSFER', SCA_SESSION_TTL + 1, serverNow)) {
    await expireScaTransfers({ db, clientId, now: serverNow + clockOffset });
  }
}

export async function getTransfer(ctx: Ctx, id: string): Promise<Transaction> {
  const t = await transactions.findTransaction(ctx.db, ctx.clientId, 'TRANSFER', id);
  // A transfer's refund (also Type TRANSFER) is read at GET /refunds/{Id}, not here.
  if (!t || t.nature === 'REFUND') throw ERRORS.notFound('Transfer', id);
  if (t.status !== 'CREATED') return t;
  // The read is clock-free; a transfer still waiting for SCA reads the client's clock to expire on time.
  const now = await clientNow(ctx.db, ctx.clientId);
  if (now <= t.creationDate + SCA_SESSION_TTL) return t;
  await expireScaTransfers({ db: ctx.db, clientId: ctx.clientId, now });
  return (await transactions.findTransaction(ctx.db, ctx.clientId, 'TRANSFER', id))!;
}
