import type { Db, Queryable } from '../../db/index.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import { newId } from '../../lib/ids.js';
import { recordEvent } from '../events/store.js';
import { isValidCompanyNumber } from './company-number.js';
import {
  type LegalData,
  type NaturalData,
  type PersonType,
  type UserCategory,
  type UserRecord,
} from './model.js';
import {
  applyLegal,
  applyNatural,
  bodyRules,
  categoryRules,
  checkLegal,
  checkNatural,
  commonPatch,
  draftUser,
  legalPatch,
  naturalPatch,
  representativePath,
  type CommonPatch,
  type Era,
  type Shape,
} from './rules.js';
import type { LegalBody, NaturalBody, ScaStatusReply, UserBody } from './schemas.js';
import { completeAuthentication, openScaSession } from './sca-auth.js';
import * as store from './store.js';

/**
 * Runs in the transaction of a user change, before the user is saved (KYC outdates documents and
 * recomputes `after`'s level). A hook rather than an import: the KYC module builds on users, so
 * users must not import it; server.ts wires the KYC listener.
 */
export type IdentityChangeListener = (
  q: Queryable,
  clientId: string,
  now: number,
  before: UserRecord,
  after: UserRecord,
) => Promise<void>;
const identityListeners = new Set<IdentityChangeListener>();
export function onIdentityChange(listener: IdentityChangeListener): void {
  identityListeners.add(listener);
}
async function identityChanged(q: Queryable, clientId: string, now: number, before: UserRecord, after: UserRecord) {
  for (const listener of identityListeners) await listener(q, clientId, now, before, after);
}

export interface Ctx {
  db: Db;
  clientId: string;
  /** Unix seconds, the clock every rule of this request uses. */
  now: number;
  /** Where this server is reached, for the RedirectUrl of SCA pages. */
  baseUrl: string;
}

export interface UserResult {
  user: UserRecord;
  /** Set when this call started an SCA step the user must complete. */
  redirectUrl: string | null;
}

const ENTITY = { LEGAL: 'UserLegal', NATURAL: 'UserNatural' } as const;

function fail(errors: FieldErrors): void {
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
}

/** The sandbox bypass of the real platform: "accept" in the e-mail that receives the SCA step. */
function scaBypassed(u: UserRecord): boolean {
  const email = u.personType === 'LEGAL' ? (u.data as LegalData).LegalRepresentative.Email : u.email;
  return !!email && email.toLowerCase().includes('accept');
}

function scaContactChanged(before: UserRecord, after: UserRecord): boolean {
  if (before.personType === 'LEGAL') {
    const a = (before.data as LegalData).LegalRepresentative;
    const b = (after.data as LegalData).LegalRepresentative;
    return a.Email !== b.Email || a.PhoneNumber !== b.PhoneNumber || a.PhoneNumberCountry !== b.PhoneNumberCountry;
  }
  const a = before.data as NaturalData;
  const b = after.data as NaturalData;
  return before.email !== after.email || a.PhoneNumber !== b.PhoneNumber || a.PhoneNumberCountry !== b.PhoneNumberCountry;
}


/**
 * Puts an OWNER through SCA enrollment: pending with a RedirectUrl, or active at once
 * when the sandbox bypass applies. Legacy endpoints never trigger SCA.
 */
async function requireEnrollment(ctx: Ctx, q: Queryable, u: UserRecord, activation: boolean): Promise<string | null> {
  if (scaBypassed(u)) {
    const wasPending = u.status === 'PENDING_USER_ACTION';
    u.scaEnrolledAt = ctx.now;
    u.status = 'ACTIVE';
    if (activation || wasPending) await recordEvent(q, ctx.clientId, 'USER_ACCOUNT_ACTIVATED', u.id, ctx.now);
    return null;
  }
  u.status = 'PENDING_USER_ACTION';
  await recordEvent(q, ctx.clientId, 'USER_ACCOUNT_VALIDATION_ASKED', u.id, ctx.now);
  return openScaSession(q, ctx, u.id, 'ENROLLMENT', ctx.now);
}

/** Checks the cleaned CompanyNumber against the headquarters' country and reports the outcome. */
async function validateCompanyNumber(ctx: Ctx, q: Queryable, u: UserRecord, before: LegalData | null): Promise<void> {
  const d = u.data as LegalData;
  const country = d.HeadquartersAddress?.Country ?? null;
  const changed =
    !before || before.CompanyNumber !== d.CompanyNumber || (before.HeadquartersAddress?.Country ?? null) !== country;
  if (!changed) return;
  if (!d.CompanyNumber || !country) {
    d.CompanyNumberValid = null;
    return;
  }
  d.CompanyNumberValid = isValidCompanyNumber(d.CompanyNumber, country);
  await recordEvent(
    q,
    ctx.clientId,
    d.CompanyNumberValid ? 'LEGAL_COMPANY_NUMBER_VALIDATION_SUCCEEDED' : 'LEGAL_COMPANY_NUMBER_VALIDATION_FAILED',
    u.id,
    ctx.now,
  );
}

function patchOf(personType: PersonType, b: UserBody, shape: Shape) {
  return personType === 'LEGAL' ? legalPatch(b as LegalBody, shape) : naturalPatch(b as NaturalBody, shape);
}

function applyBody(personType: PersonType, base: LegalData | NaturalData, patch: ReturnType<typeof patchOf>) {
  return personType === 'LEGAL'
    ? applyLegal(base as LegalData, patch as ReturnType<typeof legalPatch>)
    : applyNatural(base as NaturalData, patch as ReturnType<typeof naturalPatch>);
}

function checkUser(u: UserRecord, errors: FieldErrors, shape: Shape, era?: Era): void {
  if (u.personType === 'LEGAL') checkLegal(u.data as LegalData, u.category, u.email || null, errors, shape, era);
  else checkNatural(u.data as NaturalData, u.category, u.email || null, errors);
}

const CATEGORIES: Era = { precategory: false };

export async function createUser(
  ctx: Ctx,
  personType: PersonType,
  body: UserBody,
  shape: Shape,
  era: Era = CATEGORIES,
): Promise<UserResult> {
  const { common, category, data, errors } = draftUser(personType, shape, era, body);
  fail(errors);
  const user: UserRecord = {
    id: newId('user'),
    clientId: ctx.clientId,
    personType,
    category,
    status: 'ACTIVE',
    kycLevel: 'LIGHT',
    email: common.Email ?? '',
    tag: common.Tag ?? null,
    creationDate: ctx.now,
    tcAccepted: common.TermsAndConditionsAccepted ?? false,
    tcDate: common.TermsAndConditionsAccepted ? ctx.now : null,
    legacy: shape === 'legacy',
    scaEnrolledAt: null,
    consentAt: null,
    data,
  };
  if (category === 'OWNER' && !user.tcAccepted && !era.precategory) throw ERRORS.termsNotAccepted();

  return ctx.db.tx(async (q) => {
    let redirectUrl: string | null = null;
    if (personType === 'LEGAL') await validateCompanyNumber(ctx, q, user, null);
    if (category === 'OWNER' && shape === 'sca') redirectUrl = await requireEnrollment(ctx, q, user, true);
    await store.insertUser(q, user);
    return { user, redirectUrl };
  });
}

async function loadForChange(ctx: Ctx, q: Queryable, id: string, personType: PersonType | null): Promise<UserRecord> {
  const user = await store.findUser(q, ctx.clientId, id, true);
  if (!user || (personType && user.personType !== personType)) throw ERRORS.notFound(personType ? ENTITY[personType] : 'User', id);
  if (user.status === 'CLOSED') throw ERRORS.userClosed();
  return user;
}

function checkTerms(before: UserRecord, common: CommonPatch, category: UserCategory, era: Era): boolean {
  const accepted = common.TermsAndConditionsAccepted ?? before.tcAccepted;
  if (before.tcAccepted && common.TermsAndConditionsAccepted === false) {
    throw ERRORS.invalidAction('The user cannot revoke the terms and conditions acceptance');
  }
  if (category !== 'PAYER' && !accepted && !era.precategory) throw ERRORS.termsNotAccepted();
  return accepted;
}

export async function updateUser(
  ctx: Ctx,
  personType: PersonType,
  id: string,
  body: UserBody,
  shape: Shape,
  era: Era = CATEGORIES,
  refused?: Error,
): Promise<UserResult> {
  // The body's own problems are reported with those of the changed user, once it is found.
  const bodyErrors = bodyRules(personType, shape, body);
  const common = commonPatch(body);
  const patch = patchOf(personType, body, shape);

  return ctx.db.tx(async (q) => {
    const before = await loadForChange(ctx, q, id, personType);
    // The schema's refusal, deferred by the route: an unknown or closed user is the answer whatever the body.
    if (refused) throw refused;
    const after: UserRecord = structuredClone(before);
    const errors = bodyErrors;
    if (common.UserCategory && common.UserCategory !== before.category) {
      if (before.category !== 'PAYER') errors.UserCategory = "A User OWNER can't be modified to a user PAYER";
      else if (shape === 'sca') {
        errors.UserCategory = `A PAYER becomes OWNER through PUT /sca/users/${personType.toLowerCase()}/${id}/category`;
      } else after.category = 'OWNER';
    }
    after.data = applyBody(personType, before.data, patch);
    if (common.Email !== undefined) after.email = common.Email;
    if (common.Tag !== undefined) after.tag = common.Tag;
    checkUser(after, errors, shape, era);
    fail(errors);
    after.tcAccepted = checkTerms(before, common, after.category, era);
    if (after.tcAccepted && !before.tcAccepted) after.tcDate = ctx.now;

    let redirectUrl: string | null = null;
    if (after.category !== before.category) {
      await recordEvent(q, ctx.clientId, 'USER_CATEGORY_UPDATED_TO_OWNER', id, ctx.now);
    }
    if (personType === 'LEGAL') await validateCompanyNumber(ctx, q, after, before.data as LegalData);
    if (shape === 'sca' && after.category === 'OWNER' && scaContactChanged(before, after)) {
      if (common.ScaContext === 'USER_NOT_PRESENT') {
        if (!before.consentAt) throw ERRORS.scaProxyMissing();
      } else {
        redirectUrl = await requireEnrollment(ctx, q, after, false);
      }
    }
    await identityChanged(q, ctx.clientId, ctx.now, before, after);
    await store.saveUser(q, after);
    return { user: after, redirectUrl };
  });
}

/** PAYER → OWNER: the OWNER-only fields must come in this request, and SCA enrollment starts. */
export async function categorizeUser(
  ctx: Ctx,
  personType: PersonType,
  id: string,
  body: UserBody,
  refused?: Error,
): Promise<UserResult> {
  const errors = categoryRules(personType)(body);
  const common = commonPatch(body);
  const patch = patchOf(personType, body, 'sca');

  return ctx.db.tx(async (q) => {
    const before = await loadForChange(ctx, q, id, personType);
    if (before.category !== 'PAYER') throw ERRORS.notAllowedForOwner();
    if (refused) throw refused;
    const after: UserRecord = structuredClone(before);
    // Categorization documents these as required in its own body: earlier values do not count.
    if (personType === 'LEGAL') {
      const d = after.data as LegalData;
      Object.assign(d.LegalRepresentative, { Birthday: null, Nationality: null, CountryOfResidence: null, Email: null });
      d.HeadquartersAddress = null;
      if (d.LegalPersonType === 'BUSINESS' || (patch as any).LegalPersonType === 'BUSINESS') d.CompanyNumber = null;
    } else {
      Object.assign(after.data as NaturalData, { Birthday: null, Nationality: null, CountryOfResidence: null });
    }
    after.data = applyBody(personType, after.data, patch);
    after.category = 'OWNER';
    if (common.Email !== undefined) after.email = common.Email;
    if (common.Tag !== undefined) after.tag = common.Tag;
    checkUser(after, errors, 'sca');
    fail(errors);
    if (common.TermsAndConditionsAccepted !== true) throw ERRORS.termsNotAccepted();
    after.tcAccepted = true;
    after.tcDate ??= ctx.now;

    await recordEvent(q, ctx.clientId, 'USER_CATEGORY_UPDATED_TO_OWNER', id, ctx.now);
    if (personType === 'LEGAL') await validateCompanyNumber(ctx, q, after, before.data as LegalData);
    const redirectUrl = await requireEnrollment(ctx, q, after, true);
    await identityChanged(q, ctx.clientId, ctx.now, before, after);
    await store.saveUser(q, after);
    return { user: after, redirectUrl };
  });
}

/** POST /sca/users/{Id}/enrollment and /consent: a new link, no change of status. */
export async function startScaStep(ctx: Ctx, id: string, kind: 'ENROLLMENT' | 'CONSENT'): Promise<string> {
  return ctx.db.tx(async (q) => {
    const user = await loadForChange(ctx, q, id, null);
    if (user.category === 'PAYER') throw ERRORS.notAllowedForPayer();
    if (user.personType === 'LEGAL' && !(user.data as LegalData).LegalRepresentative.Email) {
      throw ERRORS.paramError({ [representativePath('sca', 'Email')]: "'Email' must not be empty." });
    }
    return openScaSession(q, ctx, id, kind, ctx.now);
  });
}

async function finishEnrollment(ctx: Ctx, q: Queryable, user: UserRecord): Promise<void> {
  user.scaEnrolledAt = ctx.now;
  await recordEvent(q, ctx.clientId, 'SCA_ENROLLMENT_SUCCEEDED', user.id, ctx.now);
  if (user.status === 'PENDING_USER_ACTION') {
    user.status = 'ACTIVE';
    await recordEvent(q, ctx.clientId, 'USER_ACCOUNT_ACTIVATED', user.id, ctx.now);
  }
  await store.completeScaSessions(q, user.id, 'ENROLLMENT', ctx.now);
}

export type SessionOutcome =
  | { ok: true; kind: store.ScaSession['kind']; user: UserRecord }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'closed' };

/** Completes the SCA step behind a RedirectUrl token (the enrollment page posts here). */
export async function completeScaSession(db: Db, token: string, now: number): Promise<SessionOutcome> {
  return db.tx(async (q) => {
    const s = await store.findScaSession(q, token, true);
    // A transfer's session runs the transfer: transfers/service.ts completes it.
    if (!s || s.kind === 'TRANSFER') return { ok: false, reason: 'unknown' } as const;
    if (s.completedAt !== null) return { ok: false, reason: 'used' } as const;
    if (now > s.expiresAt) return { ok: false, reason: 'expired' } as const;
    const user = await store.findUser(q, s.clientId, s.userId, true);
    if (!user || user.status === 'CLOSED') return { ok: false, reason: 'closed' } as const;
    const ctx = { db, clientId: s.clientId, now, baseUrl: '' };
    if (s.kind === 'ENROLLMENT') await finishEnrollment(ctx, q, user);
    else if (s.kind === 'AUTHENTICATION') {
      await completeAuthentication(q, s, now);
      return { ok: true, kind: s.kind, user } as const;
    } else {
      user.consentAt = now;
      await store.completeScaSessions(q, user.id, 'CONSENT', now);
    }
    await store.saveUser(q, user);
    return { ok: true, kind: s.kind, user } as const;
  });
}

/** A failed passcode on the enrollment page. */
export async function failScaSession(db: Db, token: string, now: number): Promise<void> {
  await db.tx(async (q) => {
    const s = await store.findScaSession(q, token, true);
    if (!s || s.completedAt !== null || s.kind !== 'ENROLLMENT') return;
    await recordEvent(q, s.clientId, 'SCA_ENROLLMENT_FAILED', s.userId, now);
  });
}

export async function findScaSession(db: Db, token: string) {
  const s = await store.findScaSession(db, token);
  if (!s) return null;
  const user = await store.findUser(db, s.clientId, s.userId);
  return user ? { session: s, user } : null;
}

/** Sandbox: the pending enrollment of a user completed as if the user had done it. */
export async function sandboxCompleteEnrollment(ctx: Ctx, id: string): Promise<UserRecord> {
  return ctx.db.tx(async (q) => {
    const user = await loadForChange(ctx, q, id, null);
    if (user.status !== 'PENDING_USER_ACTION') {
      throw ERRORS.invalidAction('No SCA enrollment is pending for this user');
    }
    await finishEnrollment(ctx, q, user);
    await store.saveUser(q, user);
    return user;
  });
}

export async function getUser(ctx: Ctx, id: string, personType: PersonType | null = null): Promise<UserRecord> {
  const user = await store.findUser(ctx.db, ctx.clientId, id);
  if (!user || (personType && user.personType !== personType)) throw ERRORS.notFound(personType ? ENTITY[personType] : 'User', id);
  return user;
}

export function scaStatus(u: UserRecord): ScaStatusReply {
  return {
    UserStatus: u.status,
    IsEnrolled: u.scaEnrolledAt !== null,
    LastEnrollmentDate: u.scaEnrolledAt,
    LastConsentCollectionDate: u.consentAt,
    ConsentScope: {
      ContactInformationUpdate: u.consentAt !== null,
      RecipientRegistration: u.consentAt !== null,
      Transfer: u.consentAt !== null,
      ViewAccountInformation: u.consentAt !== null,
    },
  };
}

export async function listUsers(ctx: Ctx, p: Paging) {
  return store.listUsers(ctx.db, ctx.clientId, p);
}
