import type { RequestCtx } from '../../http/context.js';
import { ERRORS } from '../../http/errors.js';
import { Input } from '../../http/input.js';
import { ensureFeeWallet, lockUsers, lockWallets, post, type Leg, type LockedUser } from '../../ledger/index.js';
import { parseMoney, checkFees } from '../../ledger/money.js';
import { newId } from '../../lib/ids.js';
import { recordEvents } from '../events/store.js';
import type { Transaction } from '../transactions/model.js';
import * as transactions from '../transactions/store.js';
import { findUserWallets } from '../wallets/store.js';
import { RESULTS, SCA_CONTEXTS, type Result, type TransferDetails } from './model.js';

type Ctx = RequestCtx;
const MAX_TEXT = 255;

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
 * `POST /transfers`. Refusals of the request: 400 param_error (fields, author not the debited wallet's
 * owner, CreditedUserId not the credited wallet's owner), 400 currency_incompatibility, 404 for an unknown
 * wallet or author. Business failures (reference notes §4.3, §4.7) are stored and answered as FAILED
 * transfers with their ResultCode; they move nothing. A SUCCEEDED one debits DebitedFunds, credits
 * DebitedFunds − Fees and gives the Fees to the client's fee wallet, in one transaction that follows the
 * locking protocol of src/ledger.
 */
export async function createTransfer(ctx: Ctx, body: unknown): Promise<Transaction> {
  const i = new Input(body);
  const authorId = i.str('AuthorId', { required: true, max: MAX_TEXT });
  const creditedUserId = i.str('CreditedUserId', { max: MAX_TEXT });
  const funds = parseMoney(i, 'DebitedFunds', 1);
  const fees = parseMoney(i, 'Fees', 0);
  const debitedWalletId = i.str('DebitedWalletId', { required: true, max: MAX_TEXT });
  const creditedWalletId = i.str('CreditedWalletId', { required: true, max: MAX_TEXT });
  const tag = i.str('Tag', { max: MAX_TEXT });
  const scaContext = i.str('ScaContext');
  if (scaContext && !(SCA_CONTEXTS as readonly string[]).includes(scaContext)) {
    i.fail('ScaContext', `ScaContext must be one of: ${SCA_CONTEXTS.join(', ')}.`);
  }
  checkFees(i, funds, fees);
  if (!i.ok) throw ERRORS.paramError(i.errors);
  const result = await ctx.db.tx(async (q) => {
    // Read without a lock: a wallet's owner and currency never change.
    const found = await findUserWallets(q, ctx.clientId, [debitedWalletId!, creditedWalletId!]);
    const debited = found.get(debitedWalletId!);
    if (!debited) throw ERRORS.notFound('Wallet', debitedWalletId!);
    const credited = found.get(creditedWalletId!);
    if (!credited) throw ERRORS.notFound('Wallet', creditedWalletId!);
    // Step 1: the users, FOR SHARE, in ascending id order.
    const users = await lockUsers(q, ctx.clientId, [authorId!, debited.ownerId!, credited.ownerId!]);
    if (!users.has(authorId!)) throw ERRORS.notFound('User', authorId!);
    if (authorId !== debited.ownerId) throw ERRORS.authorNotDebitedWalletOwner();
    if (creditedUserId && creditedUserId !== credited.ownerId) {
      throw ERRORS.paramError({ CreditedUserId: 'CreditedUserId must be the owner of the credited wallet.' });
    }
    if (debited.currency !== credited.currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The Debited Wallet's currency ${debited.currency} and the Credited Wallet's currency ${credited.currency} must be the same`,
      });
    }
    if (funds!.currency !== debited.currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The currency ${funds!.currency} of DebitedFunds and the Debited Wallet's currency ${debited.currency} must be the same`,
      });
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
      authorId: authorId!,
      creditedUserId: credited.ownerId,
      debitedWalletId: debited.id,
      creditedWalletId: credited.id,
      currency: debited.currency,
      debitedAmount: funds!.amount,
      creditedAmount: funds!.amount - fees!.amount,
      feesAmount: fees!.amount,
      details: { scaContext: scaContext ?? null } satisfies TransferDetails,
      tag: tag ?? null,
      creationDate: ctx.now,
      executionDate: null,
    };
    let outcome = refusal(debited.id, credited.id, users.get(debited.ownerId!)!, users.get(credited.ownerId!)!, funds!.amount, fees!.amount);
    if (!outcome) {
      // Step 3: the wallets, FOR UPDATE, in ascending id order, the fee wallet included.
      const feeWalletId = fees!.amount > 0 ? await ensureFeeWallet(q, ctx.clientId, t.currency, ctx.now) : null;
      const locked = await lockWallets(q, ctx.clientId, [debited.id, credited.id, ...(feeWalletId ? [feeWalletId] : [])]);
      if (locked.get(debited.id)!.balance < funds!.amount) {
        outcome = RESULTS.insufficientBalance;
      } else {
        // Step 4: the postings and balances.
        const legs: Leg[] = [
          { wallet: debited.id, currency: t.currency, amount: -funds!.amount },
          { wallet: credited.id, currency: t.currency, amount: funds!.amount - fees!.amount },
        ];
        if (feeWalletId) legs.push({ wallet: feeWalletId, currency: t.currency, amount: fees!.amount });
        await post(q, ctx.clientId, t.id, legs, ctx.now);
        outcome = RESULTS.success;
      }
    }
    // Created and decided in one transaction: the row is written once, with its outcome, and both events.
    t.resultCode = outcome.code;
    t.resultMessage = outcome.message;
    const succeeded = outcome === RESULTS.success;
    t.status = succeeded ? 'SUCCEEDED' : 'FAILED';
    if (succeeded) t.executionDate = ctx.now;
    await transactions.insertTransaction(q, t);
    await recordEvents(q, ctx.clientId, [
      { type: 'TRANSFER_NORMAL_CREATED', resourceId: t.id, date: ctx.now },
      { type: succeeded ? 'TRANSFER_NORMAL_SUCCEEDED' : 'TRANSFER_NORMAL_FAILED', resourceId: t.id, date: ctx.now },
    ]);
    return t;
  });
  return result;
}

export async function getTransfer(ctx: Ctx, id: string): Promise<Transaction> {
  const t = await transactions.findTransaction(ctx.db, ctx.clientId, 'TRANSFER', id);
  if (!t) throw ERRORS.notFound('Transfer', id);
  return t;
}
