/*
 * Direct card pay-ins (reference notes §3): the card is charged at once, or after the payer's 3-D
 * Secure challenge on Mangrove's page. The money comes from the card network's account (`{card:true}`
 * legs of the ledger) into the credited wallet, the fees into the client's fee wallet.
 */
import type { Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import { creditPayIn, lockUsers, type LockedUser } from '../../ledger/index.js';
import { feesRule, type MoneyIn } from '../../ledger/money.js';
import { newId } from '../../lib/ids.js';
import {
  addressRules,
  authorizationResult,
  avsResult,
  cardRefusal,
  CHALLENGE_TIMEOUT_SECONDS,
  needsChallenge,
  resolveParties,
  RESULT,
  withIdParam,
  type BillingField,
  type Result,
  type ShippingField,
} from '../cards/payment.js';
import { findCard, judgeCard } from '../cards/store.js';
import { recordEvent, recordEvents } from '../events/store.js';
import { expireDueSessions, openSecureSession, sessionUrl, type OutcomeCtx, type SecureOutcome, type SecureSession } from '../secure-mode/service.js';
import type { Transaction } from '../transactions/model.js';
import * as transactions from '../transactions/store.js';
import { findUser } from '../users/store.js';
import { findUserWallet } from '../wallets/store.js';
import { isCardDirect, type CardDirectDetails } from './card-direct-model.js';
import { conclude, endEvent, newCardPayIn } from './model.js';
import type { CardDirectPayInCreate } from './card-direct-schemas.js';

type Ctx = RequestCtx;
type Judgement = 'VALID' | 'INVALID' | null;

/** What the schema cannot say: fees in the funds' currency and no more than them; Region for US, CA and MX addresses. */
export function cardDirectRules(input: { DebitedFunds?: MoneyIn; Fees?: MoneyIn; Billing?: BillingField; Shipping?: ShippingField }): FieldErrors {
  return { ...feesRule(input.DebitedFunds, input.Fees), ...addressRules(input) };
}

/**
 * The authorization and the money, for a pay-in whose credited user is locked (step 1 of the locking
 * protocol; its own row too, step 2, when it already exists): a closed or inflow-blocked credited user
 * fails it before the card is charged; the issuer's answer (the amount triggers) next; then the wallets
 * (step 3) and the postings (step 4), unless a balance would pass the cap. Returns the result and how
 * the card is judged: VALID when charged, INVALID when the issuer refused it, null otherwise.
 */
async function charge(q: Queryable, clientId: string, now: number, t: Transaction, credited: LockedUser | undefined): Promise<{ result: Result; judged: Judgement }> {
  if (!credited || credited.status === 'CLOSED') return { result: RESULT.closed, judged: null };
  if (credited.inflowsBlocked) return { result: RESULT.blocked, judged: null };
  const authorized = authorizationResult(t.debitedAmount!);
  if (authorized.code !== RESULT.success.code) return { result: authorized, judged: 'INVALID' };
  const credit = { transactionId: t.id, walletId: t.creditedWalletId!, currency: t.currency, amount: t.debitedAmount!, fees: t.feesAmount! };
  if (!(await creditPayIn(q, clientId, { ...credit, source: 'card', now }))) return { result: RESULT.balanceCap, judged: null };
  return { result: RESULT.success, judged: 'VALID' };
}

/**
 * `POST /payins/card/direct`. Refusals of the request: 400 param_error (fields, CreditedUserId not the
 * wallet's owner), 400 currency_incompatibility (the card's or the wallet's currency against
 * DebitedFunds), 400 user_closed (author or credited user), 404 for an unknown wallet, card or author.
 * Business refusals are a FAILED pay-in (HTTP 200): 001014 when nothing would be credited, the card's
 * own (001023 not the owner, 101410 inactive, 101105 expired), 008700 blocked inflows, then, unless a
 * 3-D Secure challenge is needed (the pay-in stays CREATED with SecureModeRedirectURL), the issuer's
 * answer and the balance cap (001011). Created and decided in one transaction, with both events.
 */
export async function createCardDirectPayIn(ctx: Ctx, input: CardDirectPayInCreate): Promise<Transaction> {
  const errors = cardDirectRules(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  const { AuthorId: authorId, CreditedWalletId: walletId, CardId: cardId } = input;
  const currency = input.DebitedFunds.Currency;
  const amount = input.DebitedFunds.Amount;
  const fees = input.Fees.Amount;
  return ctx.db.tx(async (q) => {
    // Read without a lock: a wallet's owner and currency, and a card's owner and currency, never change.
    const wallet = await findUserWallet(q, ctx.clientId, walletId);
    if (!wallet) throw ERRORS.notFound('Wallet', walletId);
    const card = await findCard(q, ctx.clientId, cardId);
    if (!card) throw ERRORS.notFound('Card', cardId);
    // Step 1: the users, FOR SHARE, in ascending id order.
    const users = await lockUsers(q, ctx.clientId, [authorId, wallet.ownerId!]);
    const author = users.get(authorId);
    if (!author) throw ERRORS.notFound('User', authorId);
    const credited = users.get(wallet.ownerId!)!;
    if (author.status === 'CLOSED' || credited.status === 'CLOSED') throw ERRORS.userClosed();
    if (input.CreditedUserId && input.CreditedUserId !== wallet.ownerId) {
      throw ERRORS.paramError({ CreditedUserId: 'CreditedUserId must be the owner of the credited wallet.' });
    }
    if (card.currency !== currency) {
      throw ERRORS.currencyIncompatibility({ currency: `The card's currency ${card.currency} and the debitedAmount's currency ${currency} must be the same` });
    }
    if (wallet.currency !== currency) {
      throw ERRORS.currencyIncompatibility({ currency: `The Wallet's currency ${wallet.currency} and the DebitedFunds's currency ${currency} must be the same` });
    }
    const parties = resolveParties(input, await findUser(q, ctx.clientId, authorId));
    const id = newId('payin');
    const secureMode = input.SecureMode ?? 'DEFAULT';
    const details: CardDirectDetails = {
      secureMode,
      secureModeReturnUrl: withIdParam(input.SecureModeReturnURL, 'transactionId', id),
      secureModeRedirectUrl: null,
      secureModeNeeded: false,
      culture: (input.Culture ?? 'EN').toUpperCase(),
      avsResult: avsResult(currency, parties.billing),
      statementDescriptor: input.StatementDescriptor ?? null,
      browserInfo: input.BrowserInfo,
      ipAddress: input.IpAddress,
      billing: parties.billing,
      shipping: parties.shipping,
      applied3DSVersion: null,
      preferredCardNetwork: input.PreferredCardNetwork ?? null,
      paymentCategory: input.PaymentCategory ?? 'ECommerce',
      cardInfo: card.cardInfo ?? null,
      cardAlias: card.alias,
    };
    const t = newCardPayIn({
      id, clientId: ctx.clientId, paymentType: 'CARD', executionType: 'DIRECT', authorId, wallet, amount, fees, details,
      tag: input.Tag, now: ctx.now, cardId: card.id,
    });

    // Refused before the card is tried: nothing to credit, the card itself (judged INVALID unless the
    // author is not its owner), blocked inflows.
    let refused: Result | null = fees === amount ? RESULT.nothingCredited : null;
    let judged: Judgement = null;
    if (!refused) {
      refused = cardRefusal(card, authorId, currency, ctx.now);
      if (refused && refused !== RESULT.notOwner) judged = 'INVALID';
    }
    if (!refused && credited.inflowsBlocked) refused = RESULT.blocked;

    if (!refused && needsChallenge(card, secureMode)) {
      // Waits for the payer on the 3-D Secure page: the row, its CREATED event and the session.
      const session = await openSecureSession(q, ctx, {
        kind: 'PAYIN',
        resourceId: id,
        returnUrl: details.secureModeReturnUrl,
        ttlSeconds: CHALLENGE_TIMEOUT_SECONDS,
        data: { amount, currency, alias: card.alias, label: `Card payment${details.statementDescriptor ? ` (${details.statementDescriptor})` : ''}` },
      });
      details.secureModeNeeded = true;
      details.secureModeRedirectUrl = sessionUrl(ctx.baseUrl, session);
      details.applied3DSVersion = 'V2_1';
      await transactions.insertTransaction(q, t);
      await recordEvent(q, ctx.clientId, 'PAYIN_NORMAL_CREATED', id, ctx.now);
      return t;
    }
    let result: Result;
    if (refused) result = refused;
    else {
      // Frictionless: the issuer answered without a challenge.
      details.applied3DSVersion = 'V2_1';
      ({ result, judged } = await charge(q, ctx.clientId, ctx.now, t, credited));
    }
    conclude(t, result, ctx.now);
    await transactions.insertTransaction(q, t);
    await recordEvents(q, ctx.clientId, [
      { type: 'PAYIN_NORMAL_CREATED', resourceId: id, date: ctx.now },
      { type: endEvent(t), resourceId: id, date: ctx.now },
    ]);
    if (judged) await judgeCard(q, ctx.clientId, card.id, judged);
    return t;
  });
}

/**
 * The payer's answer on the 3-D Secure page (or the session's expiry), in the transaction holding the
 * session: APPROVED charges the card as a frictionless pay-in would (the credited user's closure and
 * blocks judged now); REFUSED fails it with 101301 (the card INVALID); EXPIRED with 101304 (the card
 * left UNKNOWN: it was never tried).
 */
export async function onPayInChallengeOutcome(q: Queryable, ctx: OutcomeCtx, session: SecureSession, outcome: SecureOutcome): Promise<void> {
  const seen = await transactions.findTransaction(q, ctx.clientId, 'PAYIN', session.resourceId);
  if (!seen || !isCardDirect(seen) || seen.status !== 'CREATED') return;
  // Step 1: the credited user; step 2: the pay-in's own row, so that it is decided once.
  const users = await lockUsers(q, ctx.clientId, [seen.creditedUserId!]);
  const t = await transactions.findTransaction(q, ctx.clientId, 'PAYIN', session.resourceId, true);
  if (!t || t.status !== 'CREATED') return;
  let result: Result;
  let judged: Judgement = null;
  if (outcome === 'EXPIRED') result = RESULT.secureExpired;
  else if (outcome === 'REFUSED') {
    result = RESULT.secureFailed;
    judged = 'INVALID';
  } else ({ result, judged } = await charge(q, ctx.clientId, ctx.now, t, users.get(t.creditedUserId!)));
  conclude(t, result, ctx.now);
  await transactions.saveOutcome(q, t);
  await recordEvent(q, ctx.clientId, endEvent(t), t.id, ctx.now);
  if (judged) await judgeCard(q, ctx.clientId, t.cardId!, judged);
}

/** A direct card pay-in as it is now: a challenge left past its time fails (101304) before it is shown. */
export async function refreshCardDirect(ctx: Ctx, t: Transaction): Promise<Transaction> {
  if (t.status !== 'CREATED') return t;
  await expireDueSessions(ctx.db, ctx.clientId, ctx.now);
  return (await transactions.findTransaction(ctx.db, ctx.clientId, 'PAYIN', t.id)) ?? t;
}
