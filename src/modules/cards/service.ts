/*
 * Card registrations, the tokenizer and cards. A card's number reaches Mangrove only in the tokenizer's
 * form: it is read there for the card's facts (alias, brand, BIN facts, fingerprint, expiry) and dropped;
 * the registration keeps those facts with the token until the platform updates the registration with it.
 */
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import type { Db, Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { nowSeconds } from '../../core/clock.js';
import { ERRORS } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import { newId } from '../../lib/ids.js';
import { clockOffset } from '../clock/store.js';
import { expireDue } from '../transactions/expiry.js';
import type { Filters } from '../transactions/service.js';
import { listTransactions } from '../transactions/store.js';
import type { UserRecord } from '../users/model.js';
import { findUser } from '../users/store.js';
import {
  REGISTRATION_RESULT,
  TOKENIZER_ERRORS,
  UNUSED_CARD_SECONDS,
  factsOf,
  fingerprintOf,
  registrationError,
  scrubCardNumbers,
  tokenizerRefusal,
  type Card,
  type CardRegistration,
} from './model.js';
import * as regs from './registration-store.js';
import type { CardRegistrationCreate, CardRegistrationUpdate, CardUpdate } from './schemas.js';
import * as store from './store.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of [A-Za-z0-9] (rejection sampling, so every character is equally likely). */
function alphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += ALPHANUMERIC[b % 62];
    }
  }
  return out;
}

/** Compares two secrets in a time that does not depend on where they differ. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** The user a card registration is for: it must exist and not be closed; its row is locked (users first, always). */
async function ownerForWrite(q: Queryable, ctx: RequestCtx, userId: string): Promise<UserRecord> {
  const user = await findUser(q, ctx.clientId, userId, true);
  if (!user) throw ERRORS.notFound('User', userId);
  if (user.status === 'CLOSED') throw ERRORS.userClosed();
  return user;
}

// ---- Card registrations ----

// No event: Mangopay has none for card registrations or cards (reference notes §7.1).
export async function createRegistration(ctx: RequestCtx, input: CardRegistrationCreate): Promise<CardRegistration> {
  return ctx.db.tx(async (q) => {
    await ownerForWrite(q, ctx, input.UserId);
    const r: CardRegistration = {
      id: newId('cardRegistration'),
      clientId: ctx.clientId,
      userId: input.UserId,
      currency: input.Currency,
      cardType: input.CardType ?? 'CB_VISA_MASTERCARD',
      // URL-safe, so that a form built by string concatenation (the PHP SDK's tests) stays valid.
      accessKey: alphanumeric(20),
      preregistrationData: randomBytes(48).toString('base64url'),
      registrationData: null,
      cardId: null,
      resultCode: null,
      resultMessage: null,
      status: 'CREATED',
      tag: input.Tag ?? null,
      creationDate: ctx.now,
    };
    await regs.insertRegistration(q, r);
    return r;
  });
}

export async function getRegistration(ctx: RequestCtx, id: string): Promise<CardRegistration> {
  const r = await regs.findRegistration(ctx.db, ctx.clientId, id);
  if (!r) throw ERRORS.notFound('CardRegistration', id);
  return r;
}

/**
 * The platform passes on the tokenizer's answer. `data=<token>` with the token handed out for this
 * registration makes the card (VALIDATED); anything else is an ERROR with its ResultCode (HTTP 200).
 * A registration already updated is final: the same RegistrationData again answers it unchanged (a
 * retry), other data is refused; either way no second card is made. `refused` is the schema's refusal,
 * reported once the registration is found.
 */
export async function updateRegistration(
  ctx: RequestCtx,
  id: string,
  input: CardRegistrationUpdate,
  refused?: Error,
): Promise<CardRegistration> {
  const seen = await regs.findRegistration(ctx.db, ctx.clientId, id);
  if (!seen) throw ERRORS.notFound('CardRegistration', id);
  if (refused) throw refused;
  return ctx.db.tx(async (q) => {
    // Lock order: the user, then the registration.
    const user = await findUser(q, ctx.clientId, seen.userId, true);
    const r = (await regs.findRegistration(q, ctx.clientId, id, true))!;
    const data = scrubCardNumbers(input.RegistrationData);
    if (r.status !== 'CREATED') {
      if (data === r.registrationData) return r;
      throw ERRORS.cardRegistrationFinal(r.status);
    }
    if (user?.status === 'CLOSED') throw ERRORS.userClosed();
    const issued = await regs.findToken(q, ctx.clientId, id);
    r.registrationData = data;
    if (issued && data.startsWith('data=') && sameSecret(data.slice('data='.length), issued.token)) {
      const t = issued.card;
      const card: Card = {
        id: newId('card'),
        clientId: ctx.clientId,
        userId: r.userId,
        registrationId: r.id,
        alias: t.alias,
        expirationDate: t.expirationDate,
        cardType: r.cardType,
        cardProvider: t.provider,
        country: t.country,
        currency: r.currency,
        fingerprint: t.fingerprint,
        cardHolderName: input.CardHolderName ?? null,
        active: true,
        validity: 'UNKNOWN',
        cardInfo: t.info,
        tag: r.tag,
        creationDate: ctx.now,
      };
      await store.insertCard(q, card);
      r.cardId = card.id;
      r.status = 'VALIDATED';
      r.resultCode = REGISTRATION_RESULT.success.code;
      r.resultMessage = REGISTRATION_RESULT.success.message;
    } else {
      const result = registrationError(data);
      r.status = 'ERROR';
      r.resultCode = result.code;
      r.resultMessage = result.message;
    }
    await regs.saveOutcome(q, r);
    return r;
  });
}

// ---- The tokenizer ----

export interface TokenizeForm {
  data?: string;
  accessKey?: string;
  cardNumber?: string;
  cardExpirationDate?: string;
  cardCvx?: string;
}

/**
 * The tokenizer (reference notes §1.3): checks the registration's secrets, then the card against the
 * registration's CardType and the client's sandbox clock, and answers `data=<token>` or `errorCode=<code>`.
 * It keeps the card's facts with the token, never the number or CVC.
 */
export async function tokenize(db: Db, registrationId: string, form: TokenizeForm): Promise<string> {
  return db.tx(async (q) => {
    const r = await regs.findRegistrationToTokenize(q, registrationId);
    const number = form.cardNumber;
    const expiry = form.cardExpirationDate;
    if (
      !r ||
      r.status !== 'CREATED' ||
      !sameSecret(form.data, r.preregistrationData) ||
      !sameSecret(form.accessKey, r.accessKey) ||
      number === undefined ||
      expiry === undefined
    ) {
      return `errorCode=${TOKENIZER_ERRORS.input}`;
    }
    const now = nowSeconds() + (await clockOffset(q, r.clientId));
    const refusal = tokenizerRefusal({ number, expiry, cvx: form.cardCvx ?? '' }, r.cardType, now);
    if (refusal) return `errorCode=${refusal}`;
    const facts = factsOf(number);
    const token = randomBytes(112).toString('base64url');
    await regs.saveToken(q, r.id, token, {
      alias: facts.alias,
      provider: facts.provider,
      country: facts.country,
      info: facts.info,
      fingerprint: fingerprintOf(number, await store.fingerprintKey(q)),
      expirationDate: expiry,
    });
    return `data=${token}`;
  });
}

// ---- Cards ----

/** A card of the client as it stands now: one left unused for a day is INVALID by now. */
export async function getCard(ctx: RequestCtx, id: string): Promise<Card> {
  await store.invalidateUnused(ctx.db, ctx.clientId, ctx.now, UNUSED_CARD_SECONDS, { cardId: id });
  const card = await store.findCard(ctx.db, ctx.clientId, id);
  if (!card) throw ERRORS.notFound('Card', id);
  return card;
}

/**
 * `PUT /cards/{Id}`: `Active:false` deactivates for good (again: card_already_not_active); CardHolderName is
 * set once (the same name again changes nothing, so the SDKs' whole-object PUT passes). Nothing changes unless
 * everything asked is allowed. A refused body is reported once the card is found.
 */
export async function updateCard(ctx: RequestCtx, id: string, input: CardUpdate, refused?: Error): Promise<Card> {
  return ctx.db.tx(async (q) => {
    const card = await store.findCard(q, ctx.clientId, id, true);
    if (!card) throw ERRORS.notFound('Card', id);
    if (refused) throw refused;
    if (input.Active === false && !card.active) throw ERRORS.cardAlreadyNotActive();
    if (input.Active === true && !card.active) throw ERRORS.cardReactivation();
    const name = input.CardHolderName;
    if (name !== undefined && card.cardHolderName !== null && name !== card.cardHolderName) throw ERRORS.cardHolderNameExists();
    if (input.Active === false) card.active = false;
    if (name !== undefined) card.cardHolderName = name;
    await store.saveCard(q, card);
    return card;
  });
}

export async function listUserCards(ctx: RequestCtx, userId: string, active: boolean | null, p: Paging) {
  if (!(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
  await store.invalidateUnused(ctx.db, ctx.clientId, ctx.now, UNUSED_CARD_SECONDS, { userId });
  return store.listCards(ctx.db, ctx.clientId, { userId, active }, p);
}

/** The client's cards with this fingerprint (none: an empty list; another client's cards are never seen). */
export async function listFingerprintCards(ctx: RequestCtx, fingerprint: string, p: Paging) {
  await store.invalidateUnused(ctx.db, ctx.clientId, ctx.now, UNUSED_CARD_SECONDS, { fingerprint });
  return store.listCards(ctx.db, ctx.clientId, { fingerprint }, p);
}

/** The client's users holding a card with this fingerprint. */
export async function listFingerprintUsers(ctx: RequestCtx, fingerprint: string, p: Paging): Promise<{ items: UserRecord[]; total: number }> {
  const { ids, total } = await store.listFingerprintUserIds(ctx.db, ctx.clientId, fingerprint, p);
  const items: UserRecord[] = [];
  for (const id of ids) {
    const user = await findUser(ctx.db, ctx.clientId, id);
    if (user) items.push(user);
  }
  return { items, total };
}

/** The payments made with one of the client's cards. */
export async function listCardTransactions(ctx: RequestCtx, cardId: string, f: Filters, p: Paging) {
  if (!(await store.findCard(ctx.db, ctx.clientId, cardId))) throw ERRORS.notFound('Card', cardId);
  await expireDue(ctx);
  return listTransactions(ctx.db, ctx.clientId, { ...f, cardId }, p);
}

/** The payments made with any of the client's cards bearing this fingerprint. */
export async function listFingerprintTransactions(ctx: RequestCtx, fingerprint: string, f: Filters, p: Paging) {
  await expireDue(ctx);
  return listTransactions(ctx.db, ctx.clientId, { ...f, fingerprint }, p);
}
