import type { Db, Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { nowSeconds } from '../../core/clock.js';
import { ERRORS } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
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
  type Result,
} from '../cards/payment.js';
import { findCard, judgeCard } from '../cards/store.js';
import { recordEvents } from '../events/store.js';
import { decideSecureSession, openSecureSession, sessionUrl, type OutcomeHandler } from '../secure-mode/service.js';
import { findOpenSessionFor } from '../secure-mode/store.js';
import type { Filters } from '../transactions/service.js';
import * as transactions from '../transactions/store.js';
import { findUser } from '../users/store.js';
import { HOLD_SECONDS, type Preauthorization } from './model.js';
import type { PreauthorizationCreate, PreauthorizationListQuery, PreauthorizationUpdate } from './schemas.js';
import * as store from './store.js';

type Ctx = RequestCtx;
type ClientClock = Pick<RequestCtx, 'db' | 'clientId' | 'now'>;
type Event = { type: string; resourceId: string; date: number };

/** An authorization that did not happen: FAILED, nothing held (PaymentStatus CANCELED, RemainingFunds 0). */
function refuse(p: Preauthorization, result: Result, now: number, events: Event[]): void {
  p.status = 'FAILED';
  p.paymentStatus = 'CANCELED';
  p.remainingAmount = 0;
  p.resultCode = result.code;
  p.resultMessage = result.message;
  p.details.secureModeRedirectUrl = null;
  events.push({ type: 'PREAUTHORIZATION_FAILED', resourceId: p.id, date: now });
}

/**
 * The issuer's answer once 3-D Secure (if any) passed: the hold (SUCCEEDED, WAITING until
 * ExpirationDate, RemainingFunds = DebitedFunds) or an amount trigger's failure. The card is judged.
 */
async function authorize(q: Queryable, p: Preauthorization, now: number, events: Event[]): Promise<void> {
  const result = authorizationResult(p.debitedAmount);
  p.details.secureModeRedirectUrl = null;
  if (result.code !== RESULT.success.code) {
    refuse(p, result, now, events);
    await judgeCard(q, p.clientId, p.cardId, 'INVALID');
    return;
  }
  p.status = 'SUCCEEDED';
  p.paymentStatus = 'WAITING';
  p.remainingAmount = p.debitedAmount;
  p.resultCode = result.code;
  p.resultMessage = result.message;
  p.authorizationDate = now;
  p.expirationDate = now + HOLD_SECONDS;
  events.push(
    { type: 'PREAUTHORIZATION_SUCCEEDED', resourceId: p.id, date: now },
    { type: 'PREAUTHORIZATION_PAYMENT_WAITING', resourceId: p.id, date: now },
  );
  await judgeCard(q, p.clientId, p.cardId, 'VALID');
}

/**
 * `POST /preauthorizations/card/direct`: a hold on the author's card. Refusals of the request: 404 for
 * an unknown card or author, 400 for a closed author or a currency other than the card's. The issuer's
 * refusals are FAILED pre-authorizations (HTTP 200). A challenge leaves it CREATED behind a 3-D Secure
 * session (SecureModeRedirectURL) until the payer answers or the session expires.
 */
export async function createPreauthorization(ctx: Ctx, input: PreauthorizationCreate): Promise<Preauthorization> {
  const errors = addressRules(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  const currency = input.DebitedFunds.Currency;
  return ctx.db.tx(async (q) => {
    const card = await findCard(q, ctx.clientId, input.CardId);
    if (!card) throw ERRORS.notFound('Card', input.CardId);
    const author = await findUser(q, ctx.clientId, input.AuthorId);
    if (!author) throw ERRORS.notFound('User', input.AuthorId);
    if (author.status === 'CLOSED') throw ERRORS.userClosed();
    if (card.currency !== currency) {
      throw ERRORS.currencyIncompatibility({
        currency: `The card's currency ${card.currency} and the debitedAmount's currency ${currency} must be the same`,
      });
    }
    const id = newId('preauthorization');
    const { billing, shipping } = resolveParties(input, author);
    const secureMode = input.SecureMode ?? 'DEFAULT';
    const p: Preauthorization = {
      id,
      clientId: ctx.clientId,
      authorId: input.AuthorId,
      cardId: card.id,
      currency,
      debitedAmount: input.DebitedFunds.Amount,
      remainingAmount: input.DebitedFunds.Amount,
      status: 'CREATED',
      paymentStatus: 'WAITING',
      resultCode: null,
      resultMessage: null,
      authorizationDate: null,
      expirationDate: null,
      payInId: null,
      details: {
        secureMode,
        secureModeReturnUrl: withIdParam(input.SecureModeReturnURL, 'preAuthorizationId', id),
        secureModeRedirectUrl: null,
        secureModeNeeded: false,
        statementDescriptor: input.StatementDescriptor ?? null,
        culture: (input.Culture ?? 'EN').toUpperCase(),
        browserInfo: input.BrowserInfo,
        ipAddress: input.IpAddress,
        billing,
        shipping,
        preferredCardNetwork: input.PreferredCardNetwork ?? null,
        paymentCategory: input.PaymentCategory ?? 'ECommerce',
        avsResult: avsResult(currency, billing),
        cardInfo: card.cardInfo,
        applied3DSVersion: null,
      },
      tag: input.Tag ?? null,
      creationDate: ctx.now,
    };
    const events: Event[] = [{ type: 'PREAUTHORIZATION_CREATED', resourceId: id, date: ctx.now }];
    const refused = cardRefusal(card, input.AuthorId, currency, ctx.now);
    if (refused) {
      refuse(p, refused, ctx.now, events);
      // As for direct pay-ins: the card is judged INVALID unless the author is not its owner.
      if (refused !== RESULT.notOwner) await judgeCard(q, ctx.clientId, card.id, 'INVALID');
      await store.insertPreauthorization(q, p);
    } else if (needsChallenge(card, secureMode)) {
      p.details.secureModeNeeded = true;
      p.details.applied3DSVersion = 'V2_1';
      const session = await openSecureSession(q, ctx, {
        kind: 'PREAUTHORIZATION',
        resourceId: id,
        returnUrl: p.details.secureModeReturnUrl,
        ttlSeconds: CHALLENGE_TIMEOUT_SECONDS,
        data: {
          amount: p.debitedAmount,
          currency,
          alias: card.alias,
          label: `Pre-authorization${p.details.statementDescriptor ? ` (${p.details.statementDescriptor})` : ''}`,
        },
      });
      p.details.secureModeRedirectUrl = sessionUrl(ctx.baseUrl, session);
      await store.insertPreauthorization(q, p);
    } else {
      p.details.applied3DSVersion = 'V2_1';
      await authorize(q, p, ctx.now, events);
      await store.insertPreauthorization(q, p);
    }
    await recordEvents(q, ctx.clientId, events);
    return p;
  });
}

/**
 * The payer's answer to a pre-authorization's 3-D Secure challenge (registered for the kind
 * PREAUTHORIZATION): APPROVED goes on to the authorization; REFUSED fails it with 101301 (the card
 * INVALID), EXPIRED with 101304 (the card never tried). Runs in the transaction that closes the session; a pre-authorization no longer CREATED is left as it is.
 */
export const applySecureOutcome: OutcomeHandler = async (q, octx, session, outcome) => {
  const p = await store.findPreauthorization(q, octx.clientId, session.resourceId, true);
  if (!p || p.status !== 'CREATED') return;
  const events: Event[] = [];
  if (outcome === 'APPROVED') await authorize(q, p, octx.now, events);
  else if (outcome === 'REFUSED') {
    refuse(p, RESULT.secureFailed, octx.now, events);
    await judgeCard(q, p.clientId, p.cardId, 'INVALID');
  } else refuse(p, RESULT.secureExpired, octx.now, events);
  await store.savePreauthorization(q, p);
  await recordEvents(q, octx.clientId, events);
};

/**
 * Ends the client's holds past their ExpirationDate (EXPIRED, or VALIDATED after a capture) with their
 * events: on every read, list, capture and change of a pre-authorization, and at the periodic sweep.
 */
export async function expireHolds(ctx: ClientClock): Promise<void> {
  await ctx.db.tx(async (q) => {
    const ended = await store.endDueHolds(q, ctx.clientId, ctx.now);
    if (!ended.length) return;
    await recordEvents(
      q,
      ctx.clientId,
      ended.map((e) => ({
        type: e.paymentStatus === 'EXPIRED' ? 'PREAUTHORIZATION_PAYMENT_EXPIRED' : 'PREAUTHORIZATION_PAYMENT_VALIDATED',
        resourceId: e.id,
        date: ctx.now,
      })),
    );
  });
}

/** Expires every client's pre-authorizations whose hold ended, each on its own clock (run periodically by each process). */
export async function sweepPreauthorizations(db: Db): Promise<void> {
  const serverNow = nowSeconds();
  for (const { clientId, clockOffset } of await store.clientsWithDueHolds(db, serverNow)) {
    await expireHolds({ db, clientId, now: serverNow + clockOffset });
  }
}

function holdIsDue(p: Preauthorization, now: number): boolean {
  return p.status === 'SUCCEEDED' && p.paymentStatus === 'WAITING' && p.expirationDate !== null && p.expirationDate <= now;
}

/**
 * Brings a pre-authorization up to date on the client's clock: a challenge left past its time fails it
 * (101304), a hold past its ExpirationDate ends. Returns it as it now stands.
 */
async function refresh(ctx: ClientClock, p: Preauthorization): Promise<Preauthorization> {
  if (p.status === 'CREATED') {
    const s = await findOpenSessionFor(ctx.db, ctx.clientId, 'PREAUTHORIZATION', p.id);
    if (!s || s.expiresAt > ctx.now) return p;
    await decideSecureSession(ctx.db, s.id, 'EXPIRED', async () => ctx.now);
  } else if (holdIsDue(p, ctx.now)) {
    await expireHolds(ctx);
  } else {
    return p;
  }
  return (await store.findPreauthorization(ctx.db, ctx.clientId, p.id))!;
}

/** One of the client's pre-authorizations, up to date on its clock; 404 otherwise. */
export async function getPreauthorization(ctx: Ctx, id: string): Promise<Preauthorization> {
  const p = await store.findPreauthorization(ctx.db, ctx.clientId, id);
  if (!p) throw ERRORS.notFound('PreAuthorization', id);
  return refresh(ctx, p);
}

/**
 * `PUT /preauthorizations/{Id}`: CANCELED before any capture, VALIDATED after at least one; both end
 * the hold (RemainingFunds 0) and cannot be undone. Anything else is refused as Mangopay documents it.
 */
export async function updatePreauthorization(ctx: Ctx, id: string, input: PreauthorizationUpdate): Promise<Preauthorization> {
  await getPreauthorization(ctx, id);
  return ctx.db.tx(async (q) => {
    const p = (await store.findPreauthorization(q, ctx.clientId, id, true))!;
    let event: string;
    if (input.PaymentStatus === 'CANCELED') {
      if (p.status !== 'SUCCEEDED' || p.paymentStatus !== 'WAITING' || p.payInId) throw ERRORS.preauthorizationNotEditable();
      p.paymentStatus = 'CANCELED';
      event = 'PREAUTHORIZATION_PAYMENT_CANCELED';
    } else {
      if (!p.payInId) throw ERRORS.preauthorizationNoPayIn();
      if (p.paymentStatus !== 'WAITING') throw ERRORS.preauthorizationNotEditable();
      p.paymentStatus = 'VALIDATED';
      event = 'PREAUTHORIZATION_PAYMENT_VALIDATED';
    }
    p.remainingAmount = 0;
    await store.savePreauthorization(q, p);
    await recordEvents(q, ctx.clientId, [{ type: event, resourceId: p.id, date: ctx.now }]);
    return p;
  });
}

async function listFiltered(ctx: Ctx, f: store.PreauthorizationFilter, query: PreauthorizationListQuery, paging: Paging) {
  await expireHolds(ctx);
  const filter = { ...f, status: query.Status, paymentStatus: query.PaymentStatus, resultCode: query.ResultCode };
  const page = await store.listPreauthorizations(ctx.db, ctx.clientId, filter, paging);
  // A challenge left past its time on this page fails now (the holds were ended above).
  page.items = await Promise.all(page.items.map((p) => (p.status === 'CREATED' ? refresh(ctx, p) : p)));
  return page;
}

/** The pre-authorizations the user authored. */
export async function listUserPreauthorizations(ctx: Ctx, userId: string, query: PreauthorizationListQuery, paging: Paging) {
  if (!(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
  return listFiltered(ctx, { authorId: userId }, query, paging);
}

/** The pre-authorizations made on a card. */
export async function listCardPreauthorizations(ctx: Ctx, cardId: string, query: PreauthorizationListQuery, paging: Paging) {
  if (!(await findCard(ctx.db, ctx.clientId, cardId))) throw ERRORS.notFound('Card', cardId);
  return listFiltered(ctx, { cardId }, query, paging);
}

/** The pre-authorizations made on any of the client's cards bearing this fingerprint (none: an empty list). */
export async function listFingerprintPreauthorizations(ctx: Ctx, fingerprint: string, query: PreauthorizationListQuery, paging: Paging) {
  return listFiltered(ctx, { fingerprint }, query, paging);
}

/** `GET /preauthorizations/{Id}/transactions`: its captures, the pre-authorized pay-ins. */
export async function listPreauthorizationTransactions(ctx: Ctx, id: string, f: Filters, paging: Paging) {
  await getPreauthorization(ctx, id);
  return transactions.listTransactions(ctx.db, ctx.clientId, { ...f, preauthorizationId: id }, paging);
}
