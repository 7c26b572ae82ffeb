/*
 * Card validations (reference notes §2.3): a card's authentication without a debit. A frictionless card
 * is validated at once; a challenge card (or SecureMode FORCE) waits for the payer on the 3-D Secure page,
 * whose outcome comes back through onValidationOutcome. Validations are not transactions.
 */
import type { Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS } from '../../core/errors.js';
import { newId } from '../../lib/ids.js';
import { recordEvent } from '../events/store.js';
import { expireDueSessions, openSecureSession, sessionUrl, type OutcomeHandler } from '../secure-mode/service.js';
import { findUser } from '../users/store.js';
import { UNUSED_CARD_SECONDS, VALIDATION_CHALLENGE_SECONDS, type CardValidation } from './model.js';
import { RESULT, cardRefusal, needsChallenge, withIdParam, type Result } from './payment.js';
import type { CardValidationCreate } from './schemas.js';
import * as store from './store.js';
import * as validations from './validation-store.js';

const REFUSED = {
  type: 'The underlying card type is invalid. Only card type CB_VISA_MASTERCARD is accepted on this feature.',
  pending: 'This card is already being validated.',
  valid: 'This card is already VALID.',
  invalid: 'This card is INVALID.',
};

function settle(v: CardValidation, result: Result, now: number): void {
  v.status = result.code === RESULT.success.code ? 'SUCCEEDED' : 'FAILED';
  v.resultCode = result.code;
  v.resultMessage = result.message;
  if (v.status === 'SUCCEEDED') v.authorizationDate = now;
}

/**
 * `POST /cards/{CardId}/validation`. Refused with 400 (under errors.CardId) for a card that is not
 * CB_VISA_MASTERCARD, already VALID or INVALID, or being validated. A card the author does not own, or
 * one inactive or expired, gives a FAILED validation (the last two also make the card INVALID).
 * `refused` is the schema's refusal, reported once the card is found.
 */
export async function createValidation(ctx: RequestCtx, cardId: string, input: CardValidationCreate, refused?: Error): Promise<CardValidation> {
  if (!(await store.findCard(ctx.db, ctx.clientId, cardId))) throw ERRORS.notFound('Card', cardId);
  if (refused) throw refused;
  // A challenge left too long is over before the card is judged "being validated".
  await expireDueSessions(ctx.db, ctx.clientId, ctx.now);
  return ctx.db.tx(async (q) => {
    // Lock order: the author, then the card.
    const author = await findUser(q, ctx.clientId, input.AuthorId, true);
    if (!author) throw ERRORS.notFound('User', input.AuthorId);
    if (author.status === 'CLOSED') throw ERRORS.userClosed();
    await store.invalidateUnused(q, ctx.clientId, ctx.now, UNUSED_CARD_SECONDS, { cardId });
    const card = (await store.findCard(q, ctx.clientId, cardId, true))!;
    if (card.cardType !== 'CB_VISA_MASTERCARD') throw ERRORS.cardValidationRefused(REFUSED.type);
    if (card.validity === 'VALID') throw ERRORS.cardValidationRefused(REFUSED.valid);
    if (card.validity === 'INVALID') throw ERRORS.cardValidationRefused(REFUSED.invalid);
    if (await validations.hasPendingValidation(q, ctx.clientId, cardId)) throw ERRORS.cardValidationRefused(REFUSED.pending);

    const id = newId('cardValidation');
    const secureMode = input.SecureMode ?? 'DEFAULT';
    const v: CardValidation = {
      id,
      clientId: ctx.clientId,
      cardId,
      authorId: input.AuthorId,
      status: 'CREATED',
      resultCode: null,
      resultMessage: null,
      details: {
        SecureModeReturnURL: withIdParam(input.SecureModeReturnURL, 'cardValidationId', id),
        SecureModeRedirectURL: null,
        SecureModeNeeded: false,
        IpAddress: input.IpAddress,
        BrowserInfo: input.BrowserInfo,
        PreferredCardNetwork: input.PreferredCardNetwork ?? null,
        SecureMode: secureMode,
        PaymentCategory: input.PaymentCategory ?? 'ECommerce',
        // A forced authentication is a merchant-initiated set-up (reference notes §2.3).
        ValidationUsage: secureMode === 'FORCE' ? 'MIT' : (input.ValidationUsage ?? 'MIT'),
        Validity: 'UNKNOWN',
        Applied3DSVersion: null,
        CardInfo: card.cardInfo,
      },
      tag: input.Tag ?? null,
      creationDate: ctx.now,
      authorizationDate: null,
    };
    await recordEvent(q, ctx.clientId, 'CARD_VALIDATION_CREATED', id, ctx.now);

    const refusal = cardRefusal(card, input.AuthorId, card.currency, ctx.now);
    if (refusal) {
      settle(v, refusal, ctx.now);
      if (refusal !== RESULT.notOwner) {
        await store.judgeCard(q, ctx.clientId, cardId, 'INVALID');
        v.details.Validity = 'INVALID';
      }
    } else if (needsChallenge(card, secureMode)) {
      const session = await openSecureSession(q, ctx, {
        kind: 'CARD_VALIDATION',
        resourceId: id,
        returnUrl: v.details.SecureModeReturnURL,
        ttlSeconds: VALIDATION_CHALLENGE_SECONDS,
        data: { amount: 0, currency: card.currency, alias: card.alias, label: 'Card validation' },
      });
      v.details.SecureModeNeeded = true;
      v.details.SecureModeRedirectURL = sessionUrl(ctx.baseUrl, session);
      v.details.Applied3DSVersion = 'V2_1';
      await validations.insertValidation(q, v);
      return v;
    } else {
      settle(v, RESULT.success, ctx.now);
      v.details.Applied3DSVersion = 'V2_1';
      v.details.Validity = 'VALID';
      await store.judgeCard(q, ctx.clientId, cardId, 'VALID');
    }
    await validations.insertValidation(q, v);
    await recordEvent(q, ctx.clientId, v.status === 'SUCCEEDED' ? 'CARD_VALIDATION_SUCCEEDED' : 'CARD_VALIDATION_FAILED', id, ctx.now);
    return v;
  });
}

/** A validation of one of the client's cards; one whose challenge ran out is FAILED by now. */
export async function getValidation(ctx: RequestCtx, cardId: string, id: string): Promise<CardValidation> {
  if (!(await store.findCard(ctx.db, ctx.clientId, cardId))) throw ERRORS.notFound('Card', cardId);
  await expireDueSessions(ctx.db, ctx.clientId, ctx.now);
  const v = await validations.findValidation(ctx.db, ctx.clientId, id, cardId);
  if (!v) throw ERRORS.notFound('CardValidation', id);
  return v;
}

/**
 * The 3-D Secure page's outcome for a validation (registered for the CARD_VALIDATION sessions): approved,
 * the validation SUCCEEDS and the card is VALID; refused, it FAILS (101301) and the card is INVALID; left
 * to expire, it FAILS (101304) and the card stays UNKNOWN.
 */
export const onValidationOutcome: OutcomeHandler = async (q: Queryable, ctx, session, outcome) => {
  const v = await validations.findValidation(q, ctx.clientId, session.resourceId, null, true);
  if (!v || v.status !== 'CREATED') return;
  if (outcome === 'APPROVED') {
    settle(v, RESULT.success, ctx.now);
    v.details.Validity = 'VALID';
    await store.judgeCard(q, ctx.clientId, v.cardId, 'VALID');
  } else if (outcome === 'REFUSED') {
    settle(v, RESULT.secureFailed, ctx.now);
    v.details.Validity = 'INVALID';
    await store.judgeCard(q, ctx.clientId, v.cardId, 'INVALID');
  } else {
    settle(v, RESULT.secureExpired, ctx.now);
  }
  await validations.saveValidation(q, v);
  await recordEvent(q, ctx.clientId, v.resultCode === RESULT.success.code ? 'CARD_VALIDATION_SUCCEEDED' : 'CARD_VALIDATION_FAILED', v.id, ctx.now);
};
