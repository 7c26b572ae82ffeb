import type { Db, Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { nowSeconds } from '../../core/clock.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import { ulid } from '../../lib/ids.js';
import { recordEvents } from '../events/store.js';
import { verifyPayee } from '../bankaccounts/checks.js';
import type { LegalData, UserRecord } from '../users/model.js';
import { openScaSession } from '../users/sca-auth.js';
import { findUser } from '../users/store.js';
import { asBankAccount, legacyRecipient, type Recipient } from './model.js';
import { deactivateBankAccount, findBankAccount, findBankAccountOfClient } from '../bankaccounts/store.js';
import { checkRecipient } from './rules.js';
import type { RecipientCreate, RecipientListQuery, RecipientUpdate } from './schemas.js';
import * as store from './store.js';

type Ctx = RequestCtx;

/** Mangopay's recipient ids start with rec_; Mangrove's carry its _m_ like every other kind. */
const newRecipientId = () => `rec_m_${ulid()}`;

/** The sandbox bypass of the real platform (release notes 2026-02-16): "accept" in the e-mail that receives SCA steps. */
function scaBypassed(u: UserRecord): boolean {
  const email = u.personType === 'LEGAL' ? (u.data as LegalData).LegalRepresentative.Email : u.email;
  return !!email && email.toLowerCase().includes('accept');
}

/** Cancels the client's recipients (of one user, or all) whose SCA link expired, with their events. */
async function cancelExpired(q: Queryable, clientId: string, now: number, userId: string | null = null): Promise<void> {
  const ids = await store.cancelExpired(q, clientId, now, userId);
  if (ids.length) await recordEvents(q, clientId, ids.map((id) => ({ type: 'RECIPIENT_CANCELED', resourceId: id, date: now })));
}

/** A recipient registered with USER_PRESENT waits on its SCA session: passing it activates the recipient. */
export async function activateOnAuthentication(q: Queryable, s: { clientId: string; token: string }, now: number): Promise<void> {
  const activated = await store.activateBySession(q, s.token);
  if (activated.length) await recordEvents(q, s.clientId, activated.map((id) => ({ type: 'RECIPIENT_ACTIVE', resourceId: id, date: now })));
}

/** What the clock advance made due: PENDING recipients whose SCA link expired become CANCELED. */
export async function expireScaRecipients(ctx: Pick<Ctx, 'db' | 'clientId' | 'now'>): Promise<void> {
  await ctx.db.tx((q) => cancelExpired(q, ctx.clientId, ctx.now));
}

/**
 * The per-process sweep: every client's PENDING recipients whose link expired (on that client's
 * clock) become CANCELED with their event even if nobody reads them. Safe to run in several
 * processes at once: a recipient is canceled, and its event recorded, once.
 */
export async function sweepScaRecipients(db: Db): Promise<void> {
  const serverNow = nowSeconds();
  for (const { clientId, clockOffset } of await store.clientsWithPending(db)) {
    await expireScaRecipients({ db, clientId, now: serverNow + clockOffset });
  }
}

async function userForWrite(q: Queryable, ctx: Ctx, userId: string): Promise<UserRecord> {
  const user = await findUser(q, ctx.clientId, userId, true);
  if (!user) throw ERRORS.notFound('User', userId);
  if (user.status === 'CLOSED') throw ERRORS.userClosed();
  return user;
}

/**
 * `POST /users/{UserId}/recipients`. A PAYIN-scope recipient is ACTIVE at once. A PAYOUT-scope one is
 * for OWNERs only (a PAYER: 400 not_allowed_for_user_category_payer) and needs SCA: with ScaContext
 * USER_PRESENT (the default) it starts PENDING with PendingUserAction.RedirectUrl, a link to Mangrove's
 * SCA page that activates it (RECIPIENT_ACTIVE) or, left for 10 minutes, lets it become CANCELED
 * (RECIPIENT_CANCELED); USER_NOT_PRESENT needs the user's proxy consent (403 sca_proxy_missing
 * otherwise) and is then ACTIVE at once, as is any recipient of a user with "accept" in the e-mail
 * that receives SCA steps (Mangopay's sandbox bypass).
 */
export async function createRecipient(ctx: Ctx, userId: string, input: RecipientCreate, refused?: Error): Promise<Recipient> {
  return ctx.db.tx(async (q) => {
    const user = await userForWrite(q, ctx, userId);
    const v = checked(input, refused);
    const payout = v.scope === 'PAYOUT';
    if (payout && user.category !== 'OWNER') throw ERRORS.notAllowedForPayer();
    const scaContext = payout ? (v.scaContext ?? 'USER_PRESENT') : v.scaContext;
    if (payout && scaContext === 'USER_NOT_PRESENT' && user.consentAt === null && !scaBypassed(user)) throw ERRORS.scaProxyMissing();
    const needsSca = payout && scaContext === 'USER_PRESENT' && !scaBypassed(user);
    const r: Recipient = {
      id: newRecipientId(),
      clientId: ctx.clientId,
      userId,
      status: needsSca ? 'PENDING' : 'ACTIVE',
      scope: v.scope,
      scaContext,
      displayName: v.displayName,
      payoutMethodType: v.payoutMethodType,
      recipientType: v.recipientType,
      currency: v.currency,
      country: v.country,
      holder: v.holder,
      account: v.account,
      verification: null,
      scaToken: null,
      tag: v.tag,
      creationDate: ctx.now,
    };
    r.verification = verifyPayee(asBankAccount(r), v.currency);
    if (needsSca) {
      const link = await openScaSession(q, ctx, userId, 'AUTHENTICATION', ctx.now);
      r.scaToken = new URL(link).searchParams.get('token');
    }
    await store.insertRecipient(q, r);
    if (r.status === 'ACTIVE') await recordEvents(q, ctx.clientId, [{ type: 'RECIPIENT_ACTIVE', resourceId: r.id, date: ctx.now }]);
    return r;
  });
}

/**
 * The recipient a body describes, once the user is known: the schema's refusal (deferred by the route, so
 * that an unknown or closed user is the answer whatever the body) first, then checkRecipient's errors.
 */
function checked(input: RecipientCreate, refused?: Error) {
  if (refused) throw refused;
  const parsed = checkRecipient(input);
  if (!parsed.value) throw ERRORS.paramError(parsed.errors);
  return parsed.value;
}

/** `POST /users/{UserId}/recipients/validate`: the creation's checks, nothing stored. */
export async function validateRecipient(ctx: Ctx, userId: string, input: RecipientCreate, refused?: Error): Promise<void> {
  const user = await findUser(ctx.db, ctx.clientId, userId);
  if (!user) throw ERRORS.notFound('User', userId);
  if (user.status === 'CLOSED') throw ERRORS.userClosed();
  checked(input, refused);
}

export async function getRecipient(ctx: Ctx, id: string): Promise<Recipient> {
  return ctx.db.tx(async (q) => {
    const seen = await store.findRecipient(q, ctx.clientId, id);
    if (!seen) {
      const legacy = await findBankAccountOfClient(q, ctx.clientId, id);
      if (legacy?.userId) return legacyRecipient(legacy);
      throw ERRORS.notFound('Recipient', id);
    }
    if (seen.status !== 'PENDING') return seen;
    await cancelExpired(q, ctx.clientId, ctx.now, seen.userId);
    return (await store.findRecipient(q, ctx.clientId, id))!;
  });
}

/** Docs (list-recipients-user): PAYOUT unless told otherwise; ALL lifts the filter. */
export function listFilters(query: RecipientListQuery): { scope: string | null; status: string | null } {
  const asked = query.RecipientScope ?? 'PAYOUT';
  return { scope: asked === 'ALL' ? null : asked, status: query.Status ?? null };
}

export async function listRecipients(ctx: Ctx, userId: string, f: { scope: string | null; status: string | null }, p: Paging) {
  return ctx.db.tx(async (q) => {
    if (!(await findUser(q, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
    await cancelExpired(q, ctx.clientId, ctx.now, userId);
    const { rows, total } = await store.listWithLegacy(q, ctx.clientId, { userId, ...f }, p);
    const recipients = await store.findRecipients(q, ctx.clientId, rows.filter((r) => r.kind === 'R').map((r) => r.id));
    const items: Recipient[] = [];
    for (const row of rows) {
      if (row.kind === 'R') items.push(recipients.get(row.id)!);
      else items.push(legacyRecipient((await findBankAccountOfClient(q, ctx.clientId, row.id))!));
    }
    return { items, total };
  });
}

/**
 * `PUT /recipients/{Id}` with `{Status: "DEACTIVATED"}`: an ACTIVE recipient is deactivated for good
 * (RECIPIENT_DEACTIVATED). Any other status: 400 invalid_action, as the recipient must be ACTIVE.
 */
export async function deactivateRecipient(ctx: Ctx, id: string, input: RecipientUpdate, refused?: Error): Promise<Recipient> {
  // The endpoint only deactivates: older Ruby SDKs send an empty body, the others Status DEACTIVATED.
  const status = input.Status;
  // A body the schema refused (attached, thrown below) is not typed: nothing is read from it.
  const errors: FieldErrors =
    !refused && status && status.trim().toUpperCase() !== 'DEACTIVATED' ? { Status: 'The only allowed value of Status is DEACTIVATED.' } : {};
  // Reported once the recipient's user is found, as before the schemas: a refusal of the schema first.
  const check = () => {
    if (refused) throw refused;
    if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  };
  return ctx.db.tx(async (q) => {
    const seen = await store.findRecipient(q, ctx.clientId, id);
    if (!seen) return deactivateLegacy(q, ctx, id, check);
    await userForWrite(q, ctx, seen.userId);
    check();
    await cancelExpired(q, ctx.clientId, ctx.now, seen.userId);
    const r = (await store.findRecipient(q, ctx.clientId, id, true))!;
    if (r.status !== 'ACTIVE') throw ERRORS.invalidAction(`The recipient must be ACTIVE to be deactivated; it is ${r.status}`);
    await store.setStatus(q, ctx.clientId, id, 'DEACTIVATED');
    await recordEvents(q, ctx.clientId, [{ type: 'RECIPIENT_DEACTIVATED', resourceId: id, date: ctx.now }]);
    return { ...r, status: 'DEACTIVATED' };
  });
}

/** A legacy bank account deactivated through the recipient endpoint (docs: its BankAccountId works there). No event: bank accounts have none. */
async function deactivateLegacy(q: Queryable, ctx: Ctx, id: string, check: () => void): Promise<Recipient> {
  const seen = await findBankAccountOfClient(q, ctx.clientId, id);
  if (!seen?.userId) throw ERRORS.notFound('Recipient', id);
  await userForWrite(q, ctx, seen.userId);
  check();
  const account = (await findBankAccount(q, ctx.clientId, seen.userId, id, true))!;
  if (!account.active) throw ERRORS.invalidAction('The recipient must be ACTIVE to be deactivated; it is DEACTIVATED');
  await deactivateBankAccount(q, ctx.clientId, id);
  return legacyRecipient({ ...account, active: false });
}

/** For payouts: the client's recipient as it stands at `now` (a PENDING one whose link expired is CANCELED), or null. */
export async function recipientForPayOut(q: Queryable, clientId: string, id: string, now: number): Promise<Recipient | null> {
  const seen = await store.findRecipient(q, clientId, id);
  if (!seen || seen.status !== 'PENDING') return seen;
  await cancelExpired(q, clientId, now, seen.userId);
  return store.findRecipient(q, clientId, id);
}
