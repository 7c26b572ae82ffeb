/*
 * Web card pay-ins (reference notes §4): the platform creates the pay-in (CREATED, with a RedirectURL),
 * the payer types a card on Mangrove's hosted payment page, goes through a 3-D Secure challenge when
 * the issuer asks for one, and the pay-in succeeds or fails when the page's session is decided (paid,
 * cancelled, refused or expired after 15 minutes on the client's clock).
 */
import type { Db, Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import { creditPayIn, lockUsers } from '../../ledger/index.js';
import { feesRule } from '../../ledger/money.js';
import { newId } from '../../lib/ids.js';
import { currenciesOf, expiryNotPast, factsOf, fingerprintOf, luhnValid, providerFitsType, type Card, type CardType } from '../cards/model.js';
import { authorizationResult, addressRules, needsChallenge, resolveParties, RESULT, withIdParam } from '../cards/payment.js';
import { findCard, fingerprintKey, insertCard, judgeCard } from '../cards/store.js';
import { recordEvent } from '../events/store.js';
import {
  decideSecureSession,
  findSecureSession,
  onSecureOutcome,
  openSecureSession,
  type OutcomeCtx,
  type SecureOutcome,
  type SecureSession,
} from '../secure-mode/service.js';
import { findSession, saveSessionState } from '../secure-mode/store.js';
import type { Transaction } from '../transactions/model.js';
import * as transactions from '../transactions/store.js';
import { findUser } from '../users/store.js';
import { lockAuthorsWallet } from '../wallets/service.js';
import { isCardWeb, WEB_RESULTS, WEB_SESSION_SECONDS, type CardWebDetails, type EnteredCard } from './card-web-model.js';
import { conclude, endEvent, newCardPayIn } from './model.js';
import { failPayIn } from './service.js';
import type { CardWebPayInCreate } from './card-web-schemas.js';
import { setPayInCard } from './card-web-store.js';

type Ctx = RequestCtx;
/** The client's sandbox clock, for the page (which has no token, so no request context). */
export type ClientClock = (clientId: string) => Promise<number>;

/** What the schema cannot say: the fees are in the funds' currency and no more than them; Region for US, CA, MX. */
export function cardWebRules(input: Partial<CardWebPayInCreate>): FieldErrors {
  return { ...feesRule(input.DebitedFunds, input.Fees), ...addressRules(input) };
}

/**
 * `POST /payins/card/web`: a CREATED pay-in whose RedirectURL opens the payment page for 15 minutes.
 * Refusals: 400 for the request (param_error, currency_incompatibility, user_closed), 404 for an unknown
 * wallet or author. Inflows blocked: FAILED 008700; Fees equal to DebitedFunds: FAILED 001014 (HTTP 200).
 */
export async function createCardWebPayIn(ctx: Ctx, input: CardWebPayInCreate): Promise<Transaction> {
  const errors = cardWebRules(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  const { AuthorId: authorId, CreditedWalletId: walletId, CreditedUserId: creditedUserId } = input;
  const debited = input.DebitedFunds.Amount;
  const fees = input.Fees.Amount;
  return ctx.db.tx(async (q) => {
    const { wallet, author } = await lockAuthorsWallet(q, ctx.clientId, authorId, walletId, ERRORS.authorNotCreditedWalletOwner);
    if (creditedUserId && creditedUserId !== wallet.ownerId) {
      throw ERRORS.paramError({ CreditedUserId: 'CreditedUserId must be the owner of the credited wallet.' });
    }
    if (input.DebitedFunds.Currency !== wallet.currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The Wallet's currency ${wallet.currency} and the DebitedFunds's currency ${input.DebitedFunds.Currency} must be the same`,
      });
    }
    const { billing, shipping } = resolveParties(input, await findUser(q, ctx.clientId, authorId));
    const id = newId('payin');
    const returnUrl = withIdParam(input.ReturnURL, 'transactionId', id);
    const refusal = author.inflowsBlocked ? RESULT.blocked : fees === debited ? RESULT.nothingCredited : null;
    const session = refusal
      ? null
      : await openSecureSession(q, ctx, { kind: 'WEB_PAYIN', resourceId: id, returnUrl, ttlSeconds: WEB_SESSION_SECONDS });
    const details: CardWebDetails = {
      returnUrl,
      cardType: input.CardType,
      culture: input.Culture,
      secureMode: input.SecureMode ?? 'DEFAULT',
      billing,
      shipping,
      statementDescriptor: input.StatementDescriptor ?? null,
      sessionId: session?.id ?? null,
    };
    const t = newCardPayIn({
      id, clientId: ctx.clientId, paymentType: 'CARD', executionType: 'WEB', authorId, wallet, amount: debited, fees, details,
      tag: input.Tag, now: ctx.now, cardId: null,
    });
    await transactions.insertTransaction(q, t);
    await recordEvent(q, ctx.clientId, 'PAYIN_NORMAL_CREATED', t.id, ctx.now);
    if (refusal) await failPayIn(q, ctx.clientId, ctx.now, t, refusal);
    return t;
  });
}

/** One of the client's web card pay-ins, or 404. */
async function findCardWeb(q: Queryable, clientId: string, id: string, lock = false): Promise<Transaction> {
  const t = await transactions.findTransaction(q, clientId, 'PAYIN', id, lock);
  if (!t || !isCardWeb(t)) throw ERRORS.notFound('PayIn', id);
  return t;
}

/** Brings a CREATED web pay-in up to date: a payment page left past its time fails it (101109) before it is shown. */
export async function refreshCardWebPayIn(ctx: Ctx, t: Transaction): Promise<Transaction> {
  const sessionId = (t.details as CardWebDetails).sessionId;
  if (t.status !== 'CREATED' || !sessionId) return t;
  const s = await findSecureSession(ctx.db, sessionId);
  if (!s || s.state !== 'OPEN' || s.expiresAt > ctx.now) return t;
  // Only this pay-in's own session: expireDueSessions would also run the other kinds' handlers on this read.
  await decideSecureSession(ctx.db, sessionId, 'EXPIRED', async () => ctx.now);
  return findCardWeb(ctx.db, ctx.clientId, t.id);
}

/** `GET /payins/card/web/{Id}/extended`: the pay-in and the card the payer used (null until one was). */
export async function getCardWebExtended(ctx: Ctx, id: string): Promise<{ payIn: Transaction; card: Card | null }> {
  const payIn = await refreshCardWebPayIn(ctx, await findCardWeb(ctx.db, ctx.clientId, id));
  const card = payIn.cardId ? await findCard(ctx.db, ctx.clientId, payIn.cardId) : null;
  return { payIn, card };
}

// ---- The session's outcome -------------------------------------------------------------------

/** Why a session was REFUSED: the payer cancelled on the page, or refused the 3-D Secure challenge. */
type RefusalReason = 'CANCELLED' | 'CHALLENGE_REFUSED';

/** The Card the payer's entry becomes, owned by the pay-in's author; registered under the pay-in's id. */
async function createCard(q: Queryable, o: OutcomeCtx, t: Transaction, entered: EnteredCard): Promise<Card> {
  const d = t.details as CardWebDetails;
  const card: Card = {
    id: newId('card'),
    clientId: o.clientId,
    userId: t.authorId,
    registrationId: t.id,
    alias: entered.alias,
    expirationDate: entered.expiry,
    cardType: d.cardType,
    cardProvider: entered.facts.provider,
    country: entered.facts.country,
    currency: t.currency,
    fingerprint: entered.fingerprint,
    cardHolderName: entered.holderName,
    active: true,
    validity: 'UNKNOWN',
    cardInfo: entered.facts.info,
    tag: null,
    creationDate: o.now,
  };
  await insertCard(q, card);
  await setPayInCard(q, o.clientId, t.id, card.id);
  t.cardId = card.id;
  return card;
}

/**
 * Applies the page's outcome to its pay-in, in the transaction deciding the session (locking protocol,
 * src/ledger: the users, the pay-in's row, then the wallets). Paid: the card is created for the author,
 * the issuer's answer applied (the amount triggers), the closure and blocks re-checked, then the card
 * network pays the wallet and the fee wallet. Otherwise FAILED: 101002 cancelled, 101301 challenge
 * refused, 101109 expired.
 */
async function applyOutcome(q: Queryable, o: OutcomeCtx, s: SecureSession, outcome: SecureOutcome, extra: Record<string, any>): Promise<void> {
  const seen = await transactions.findTransaction(q, o.clientId, 'PAYIN', s.resourceId);
  if (!seen || seen.status !== 'CREATED') return;
  const users = await lockUsers(q, o.clientId, [seen.authorId, seen.creditedUserId!]);
  const t = (await transactions.findTransaction(q, o.clientId, 'PAYIN', s.resourceId, true))!;
  if (t.status !== 'CREATED') return;
  const entered = (extra.card ?? s.data.card ?? null) as EnteredCard | null;
  if (outcome === 'EXPIRED') return failPayIn(q, o.clientId, o.now, t, WEB_RESULTS.expired);
  if (outcome === 'REFUSED') {
    if ((extra.reason as RefusalReason) === 'CANCELLED') return failPayIn(q, o.clientId, o.now, t, WEB_RESULTS.cancelled);
    if (entered) await judgeCard(q, o.clientId, (await createCard(q, o, t, entered)).id, 'INVALID');
    return failPayIn(q, o.clientId, o.now, t, RESULT.secureFailed);
  }
  if (!entered) return failPayIn(q, o.clientId, o.now, t, WEB_RESULTS.cancelled);
  const card = await createCard(q, o, t, entered);
  const user = users.get(t.creditedUserId!);
  if (!user || user.status === 'CLOSED') return failPayIn(q, o.clientId, o.now, t, RESULT.closed);
  if (user.inflowsBlocked || users.get(t.authorId)?.inflowsBlocked) return failPayIn(q, o.clientId, o.now, t, RESULT.blocked);
  const only = currenciesOf(card);
  const issuer = only && !only.includes(t.currency) ? RESULT.currency : authorizationResult(t.debitedAmount!);
  if (issuer.code !== RESULT.success.code) {
    await judgeCard(q, o.clientId, card.id, 'INVALID');
    return failPayIn(q, o.clientId, o.now, t, issuer);
  }
  const credit = { transactionId: t.id, walletId: t.creditedWalletId!, currency: t.currency, amount: t.debitedAmount!, fees: t.feesAmount! };
  if (!(await creditPayIn(q, o.clientId, { ...credit, source: 'card', now: o.now }))) return failPayIn(q, o.clientId, o.now, t, RESULT.balanceCap);
  await judgeCard(q, o.clientId, card.id, 'VALID');
  conclude(t, RESULT.success, o.now);
  await transactions.saveOutcome(q, t);
  await recordEvent(q, o.clientId, endEvent(t), t.id, o.now);
}

/** Registers the payment page's outcome handler with the secure-mode sessions (idempotent). */
export function registerCardWebOutcome(): void {
  onSecureOutcome('WEB_PAYIN', applyOutcome);
}

// ---- The payment page ------------------------------------------------------------------------

/** What the page shows: its session, its pay-in as it stands, and the step the payer is at. */
export interface PaymentPage {
  session: SecureSession;
  payIn: Transaction;
  step: 'FORM' | 'CHALLENGE' | 'DONE';
  /** The card waiting for its challenge (masked). */
  card: EnteredCard | null;
  now: number;
}

/** The page of a session id, or null for an unknown one. A session past its time is expired first (101109). */
export async function openPaymentPage(db: Db, id: string, clock: ClientClock): Promise<PaymentPage | null> {
  let session = await findSecureSession(db, id);
  if (!session || session.kind !== 'WEB_PAYIN') return null;
  const now = await clock(session.clientId);
  if (session.state === 'OPEN' && session.expiresAt <= now) session = (await decideSecureSession(db, id, 'EXPIRED', async () => now))!;
  const payIn = await transactions.findTransaction(db, session.clientId, 'PAYIN', session.resourceId);
  // The pay-in vanished (a sandbox reset): nothing to pay.
  if (!payIn) return null;
  const card = (session.data.card ?? null) as EnteredCard | null;
  const step = session.state !== 'OPEN' ? 'DONE' : card ? 'CHALLENGE' : 'FORM';
  return { session, payIn, step, card, now };
}

/** What the payer typed (any of it may be missing). The number and CVC never leave this call. */
export interface CardEntry {
  number?: string;
  expiry?: string;
  cvc?: string;
  holderName?: string;
}

/** Why a field of the form is refused (the page words it in the payer's language). */
export type EntryProblem = 'number' | 'brand' | 'expiry' | 'expired' | 'cvc' | 'holder';
export type EntryField = 'number' | 'expiry' | 'cvc' | 'holderName';

/** The checks a card entry must pass: Luhn, a brand the pay-in's CardType takes, MMYY not past on the client's clock, the CVC. */
export function checkEntry(entry: CardEntry, cardType: CardType, now: number): Partial<Record<EntryField, EntryProblem>> {
  const problems: Partial<Record<EntryField, EntryProblem>> = {};
  const number = (entry.number ?? '').replace(/[\s-]/g, '');
  const provider = luhnValid(number) ? factsOf(number).provider : null;
  if (!provider) problems.number = 'number';
  else if (!providerFitsType(provider, cardType)) problems.number = 'brand';
  const expiry = (entry.expiry ?? '').replace(/[\s/]/g, '');
  if (!/^(0[1-9]|1[0-2])\d\d$/.test(expiry)) problems.expiry = 'expiry';
  else if (!expiryNotPast(expiry, now)) problems.expiry = 'expired';
  const cvc = (entry.cvc ?? '').trim();
  const cvcOk = provider === 'AMEX' ? /^\d{3,4}$/.test(cvc) : provider === 'MAESTRO' ? /^(\d{3})?$/.test(cvc) : /^\d{3}$/.test(cvc);
  if (!cvcOk) problems.cvc = 'cvc';
  const holder = (entry.holderName ?? '').trim();
  if (holder && (holder.length < 2 || holder.length > 255)) problems.holderName = 'holder';
  return problems;
}

export type PayAnswer =
  | { kind: 'invalid'; page: PaymentPage; problems: Partial<Record<EntryField, EntryProblem>> }
  | { kind: 'challenge' }
  | { kind: 'done'; session: SecureSession | null };

/**
 * The payer's Pay: a refused entry comes back with its problems (nothing changes); a good card either
 * waits for its 3-D Secure challenge (kept masked in the session) or decides the session at once.
 */
export async function payWithCard(db: Db, id: string, entry: CardEntry, clock: ClientClock): Promise<PayAnswer | null> {
  const page = await openPaymentPage(db, id, clock);
  if (!page) return null;
  if (page.step === 'DONE') return { kind: 'done', session: page.session };
  if (page.step === 'CHALLENGE') return { kind: 'challenge' };
  const d = page.payIn.details as CardWebDetails;
  const problems = checkEntry(entry, d.cardType, page.now);
  if (Object.keys(problems).length) return { kind: 'invalid', page, problems };
  const number = entry.number!.replace(/[\s-]/g, '');
  const facts = factsOf(number);
  const holder = (entry.holderName ?? '').trim();
  const card: EnteredCard = {
    alias: facts.alias,
    fingerprint: fingerprintOf(number, await fingerprintKey(db)),
    facts,
    expiry: entry.expiry!.replace(/[\s/]/g, ''),
    holderName: holder || null,
  };
  if (!needsChallenge({ alias: card.alias }, d.secureMode)) {
    return { kind: 'done', session: await decideSecureSession(db, id, 'APPROVED', clock, { card }) };
  }
  const waiting = await db.tx(async (q) => {
    const s = await findSession(q, id, true);
    if (!s || s.state !== 'OPEN' || s.expiresAt <= page.now) return false;
    s.data = { ...s.data, card };
    await saveSessionState(q, s);
    return true;
  });
  if (waiting) return { kind: 'challenge' };
  return { kind: 'done', session: await decideSecureSession(db, id, 'EXPIRED', clock) };
}

/** The payer's answer to the 3-D Secure challenge (only once a card waits for it). */
export async function answerChallenge(db: Db, id: string, approve: boolean, clock: ClientClock): Promise<SecureSession | null> {
  const page = await openPaymentPage(db, id, clock);
  if (!page) return null;
  if (page.step !== 'CHALLENGE') return page.session;
  return decideSecureSession(db, id, approve ? 'APPROVED' : 'REFUSED', clock, approve ? {} : { reason: 'CHALLENGE_REFUSED' });
}

/** The payer's Cancel: the pay-in fails with 101002. */
export async function cancelPayment(db: Db, id: string, clock: ClientClock): Promise<SecureSession | null> {
  const page = await openPaymentPage(db, id, clock);
  if (!page) return null;
  if (page.step === 'DONE') return page.session;
  return decideSecureSession(db, id, 'REFUSED', clock, { reason: 'CANCELLED' });
}
