/*
 * Pre-authorized pay-ins (reference notes §5.5): captures of a pre-authorization's hold into a wallet.
 * The money comes from the card network; the hold's RemainingFunds shrinks by each capture.
 */
import type { RequestCtx } from '../../core/context.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import { creditPayIn, lockUsers } from '../../ledger/index.js';
import { feesRule, renderMoney, type MoneyIn } from '../../ledger/money.js';
import { newId } from '../../lib/ids.js';
import type { Card } from '../cards/model.js';
import { RESULT, type Result } from '../cards/payment.js';
import { findCard } from '../cards/store.js';
import { recordEvents } from '../events/store.js';
import type { Preauthorization } from '../preauthorizations/model.js';
import { expireHolds } from '../preauthorizations/service.js';
import { findPreauthorization, savePreauthorization } from '../preauthorizations/store.js';
import type { Transaction } from '../transactions/model.js';
import * as transactions from '../transactions/store.js';
import { findUserWallet } from '../wallets/store.js';
import type { PreauthorizedPayInCreate, PreauthorizedPayInReply } from './preauthorized-schemas.js';
import { conclude, endEvent, newCardPayIn } from './model.js';

export const PREAUTHORIZED_RESULTS = {
  overRemaining: { code: '001505', message: "The PayIn DebitedFunds can't be higher than the PreAuthorization remaining amount" },
} as const;

/** What a pre-authorized pay-in keeps besides the common transaction fields. */
export interface PreauthorizedDetails {
  PreauthorizationId: string;
}

/** What the schema cannot say: the fees are in the funds' currency and no more than the funds. */
export function preauthorizedPayInRules(input: { DebitedFunds?: MoneyIn; Fees?: MoneyIn }): FieldErrors {
  return feesRule(input.DebitedFunds, input.Fees);
}

/** Capture rules by card (reference notes §5.2): AMEX one capture (partial allowed), Maestro the full amount only. */
const isAmex = (card: Card) => card.cardType === 'AMEX' || card.cardProvider === 'AMEX';
const isMaestro = (card: Card) => card.cardType === 'MAESTRO' || card.cardProvider === 'MAESTRO';

/**
 * `POST /payins/preauthorized/direct`: captures part or all of a pre-authorization into a wallet.
 * Refusals of the request (400, nothing written): a pre-authorization not SUCCEEDED or no longer
 * WAITING, a currency other than the wallet's or the hold's, a partial capture of a Maestro hold, an
 * AuthorId or CreditedUserId that does not match, a closed author or credited user (user_closed);
 * 404 for an unknown pre-authorization or wallet. Business failures are FAILED pay-ins (HTTP 200):
 * more than RemainingFunds (001505), all in fees (001014), an inflow-blocked credited user (008700),
 * a wallet past its cap (001011).
 *
 * Locking protocol (src/ledger): the users FOR SHARE, then the pre-authorization's row FOR UPDATE (the
 * transaction's own row: two captures of one hold run one after the other, the second seeing what the
 * first left), then the wallets. A capture that empties the hold (or an AMEX hold's single capture)
 * ends it VALIDATED.
 */
export async function capturePreauthorization(ctx: RequestCtx, input: PreauthorizedPayInCreate): Promise<Transaction> {
  const errors = preauthorizedPayInRules(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  const preauthorizationId = input.PreauthorizationId;
  const amount = input.DebitedFunds.Amount;
  const fees = input.Fees.Amount;
  const seen = await findPreauthorization(ctx.db, ctx.clientId, preauthorizationId);
  if (!seen) throw ERRORS.notFound('PreAuthorization', preauthorizationId);
  // A hold past its ExpirationDate on the client's clock ends first (and is then refused below).
  await expireHolds(ctx);
  return ctx.db.tx(async (q) => {
    // Read without a lock: a wallet's owner and currency never change.
    const wallet = await findUserWallet(q, ctx.clientId, input.CreditedWalletId);
    if (!wallet) throw ERRORS.notFound('Wallet', input.CreditedWalletId);
    if (input.AuthorId && input.AuthorId !== seen.authorId) {
      throw ERRORS.paramError({ AuthorId: 'AuthorId must be the author of the pre-authorization.' });
    }
    if (input.CreditedUserId && input.CreditedUserId !== wallet.ownerId) {
      throw ERRORS.paramError({ CreditedUserId: 'CreditedUserId must be the owner of the credited wallet.' });
    }
    // Step 1: the users; step 2: the pre-authorization's row.
    const users = await lockUsers(q, ctx.clientId, [seen.authorId, wallet.ownerId!]);
    // As for direct card pay-ins: a closed author or credited user is refused outright.
    if (users.get(seen.authorId)?.status === 'CLOSED' || users.get(wallet.ownerId!)?.status === 'CLOSED') throw ERRORS.userClosed();
    const p = (await findPreauthorization(q, ctx.clientId, preauthorizationId, true))!;
    if (p.status !== 'SUCCEEDED') throw ERRORS.paramError({ Status: 'The PreAuthorization Status value has to be up to SUCCEEDED' });
    if (p.paymentStatus !== 'WAITING') throw ERRORS.paramError({ PaymentStatus: 'The PreAuthorization PaymentStatus value has to be WAITING' });
    const currency = input.DebitedFunds.Currency;
    if (currency !== wallet.currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The Wallet's currency ${wallet.currency} and the DebitedFunds's currency ${currency} must be the same`,
      });
    }
    if (currency !== p.currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The PreAuthorization's currency ${p.currency} and the DebitedFunds's currency ${currency} must be the same`,
      });
    }
    const card = (await findCard(q, ctx.clientId, p.cardId))!;
    if (isMaestro(card) && amount < p.remainingAmount) {
      throw ERRORS.paramError({
        'DebitedFunds.Amount': `A Maestro pre-authorization can only be captured in full: DebitedFunds must be ${p.remainingAmount}.`,
      });
    }
    const t = newCardPayIn({
      id: newId('payin'), clientId: ctx.clientId, paymentType: 'PREAUTHORIZED', executionType: 'DIRECT', authorId: p.authorId, wallet,
      amount, fees, details: { PreauthorizationId: p.id } satisfies PreauthorizedDetails, tag: input.Tag, now: ctx.now, cardId: p.cardId,
    });
    const credited = users.get(wallet.ownerId!)!;
    let outcome: Result | null = null;
    if (amount > p.remainingAmount) outcome = PREAUTHORIZED_RESULTS.overRemaining;
    else if (fees === amount) outcome = RESULT.nothingCredited;
    else if (credited.inflowsBlocked) outcome = RESULT.blocked;
    else {
      // Step 3: the wallets; step 4: the postings.
      const credited = await creditPayIn(q, ctx.clientId, { transactionId: t.id, walletId: wallet.id, currency, amount, fees, source: 'card', now: ctx.now });
      outcome = credited ? RESULT.success : RESULT.balanceCap;
    }
    conclude(t, outcome, ctx.now);
    await transactions.insertTransaction(q, t);
    const events = [
      { type: 'PAYIN_NORMAL_CREATED', resourceId: t.id, date: ctx.now },
      { type: endEvent(t), resourceId: t.id, date: ctx.now },
    ];
    if (t.status === 'SUCCEEDED') {
      p.remainingAmount -= amount;
      p.payInId ??= t.id;
      if (p.remainingAmount === 0 || isAmex(card)) {
        p.paymentStatus = 'VALIDATED';
        p.remainingAmount = 0;
        events.push({ type: 'PREAUTHORIZATION_PAYMENT_VALIDATED', resourceId: p.id, date: ctx.now });
      }
      await savePreauthorization(q, p satisfies Preauthorization);
    }
    await recordEvents(q, ctx.clientId, events);
    return t;
  });
}

/** Whether a pay-in is a capture of a pre-authorization. */
export function isPreauthorizedPayIn(t: Transaction): boolean {
  return t.paymentType === 'PREAUTHORIZED' && t.executionType === 'DIRECT' && typeof t.details?.PreauthorizationId === 'string';
}

/** The PayIn object of a pre-authorized pay-in (reference notes §5.5). */
export function renderPreauthorizedPayIn(t: Transaction): PreauthorizedPayInReply {
  const money = (n: number | null) => renderMoney(t.currency, n ?? 0);
  return {
    Id: t.id,
    Tag: t.tag,
    CreationDate: t.creationDate,
    ResultCode: t.resultCode,
    ResultMessage: t.resultMessage,
    AuthorId: t.authorId,
    CreditedUserId: t.creditedUserId,
    DebitedFunds: money(t.debitedAmount),
    CreditedFunds: money(t.creditedAmount),
    Fees: money(t.feesAmount),
    Status: t.status,
    ExecutionDate: t.executionDate,
    Type: t.type,
    Nature: t.nature,
    CreditedWalletId: t.creditedWalletId,
    DebitedWalletId: t.debitedWalletId,
    PaymentType: 'PREAUTHORIZED',
    ExecutionType: 'DIRECT',
    PreauthorizationId: (t.details as PreauthorizedDetails).PreauthorizationId,
  };
}
