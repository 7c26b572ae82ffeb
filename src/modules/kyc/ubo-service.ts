import type { Queryable } from '../../db/index.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import { nowSeconds } from '../../core/clock.js';
import type { RequestCtx } from '../../core/context.js';
import type { Paging } from '../../core/paging.js';
import { newId } from '../../lib/ids.js';
import { recordEvent } from '../events/store.js';
import type { LegalData, UserRecord } from '../users/model.js';
import { addressRules, toAddress } from '../users/rules.js';
import { findUser } from '../users/store.js';
import { recomputeKycLevel } from './levels.js';
import {
  EDITABLE,
  MAX_UBOS,
  type UboData,
  type UboDeclarationReason,
  type UboDeclarationRecord,
  type UboDeclarationStatus,
  type UboRecord,
} from './ubo-model.js';
import type { DeclarationCreate, DeclarationDecision, DeclarationUpdate, UboCreate, UboUpdate } from './ubo-schemas.js';
import * as store from './ubo-store.js';

export interface DeclarationView {
  declaration: UboDeclarationRecord;
  ubos: UboRecord[];
}

type Outcome = 'VALIDATED' | 'REFUSED' | 'INCOMPLETE';

const EVENT: Record<UboDeclarationStatus, string> = {
  CREATED: 'UBO_DECLARATION_CREATED',
  VALIDATION_ASKED: 'UBO_DECLARATION_VALIDATION_ASKED',
  VALIDATED: 'UBO_DECLARATION_VALIDATED',
  REFUSED: 'UBO_DECLARATION_REFUSED',
  INCOMPLETE: 'UBO_DECLARATION_INCOMPLETE',
};

const DEFAULT_REASON: Record<'REFUSED' | 'INCOMPLETE', UboDeclarationReason> = {
  REFUSED: 'DECLARATION_DO_NOT_MATCH_UBO_INFORMATION',
  INCOMPLETE: 'MISSING_UBO',
};

/**
 * Mangopay's sandbox test data: the FirstName of the first UBO decides the outcome of a submission
 * (case-sensitive). The API reference spells the refusal value `RefusedUBO`, the guide `RefuseUBO`.
 */
const FIRST_NAME_OUTCOME: Record<string, Outcome> = {
  AcceptUBO: 'VALIDATED',
  RefuseUBO: 'REFUSED',
  RefusedUBO: 'REFUSED',
  IncompleteUBO: 'INCOMPLETE',
};

/** The person fields of a UBO, as the create and update bodies both carry them. */
type UboFields = Omit<UboUpdate, 'Tag' | 'IsActive'>;

const sentBlank = (s: unknown): boolean => typeof s === 'string' && s.trim() === '';

/**
 * What the UBO schemas cannot say: names and the required lines of an address or birthplace are not blank,
 * Region is given for US, CA and MX, and (when the caller knows the client's clock) Birthday is in the past.
 */
export function uboRules(input: UboFields, now?: number): FieldErrors {
  const errors: FieldErrors = {};
  for (const name of ['FirstName', 'LastName'] as const) {
    if (sentBlank(input[name])) errors[name] = `The ${name} field is required.`;
  }
  if (now !== undefined && typeof input.Birthday === 'number' && input.Birthday > now) errors.Birthday = 'The Birthday must be in the past.';
  addressRules(input.Address, 'Address', errors);
  if (input.Birthplace && sentBlank(input.Birthplace.City)) errors['Birthplace.City'] = 'The City field is required.';
  return errors;
}

/**
 * The route's rules, merged into a schema refusal. The client's clock is not known there: Birthday is checked against
 * the system clock, which a sandbox client's clock never trails; the service checks it again against the client's.
 */
export const uboWireRules = (body: UboFields): FieldErrors => uboRules(body ?? {}, nowSeconds());

function checkUbo(input: UboFields, now: number): void {
  const errors = uboRules(input, now);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
}

/** KYCLevel follows the latest declaration; the KYC module owns the computation. */
async function declarationChanged(ctx: RequestCtx, q: Queryable, userId: string): Promise<void> {
  await recomputeKycLevel(q, ctx.clientId, userId, ctx.now);
}

/** The user a write acts on, locked; closed users accept no change. */
async function loadUserForChange(ctx: RequestCtx, q: Queryable, userId: string): Promise<UserRecord> {
  const user = await findUser(q, ctx.clientId, userId, true);
  if (!user) throw ERRORS.notFound('User', userId);
  if (user.status === 'CLOSED') throw ERRORS.userClosed();
  return user;
}

async function loadDeclaration(
  ctx: RequestCtx,
  q: Queryable,
  id: string,
  userId: string | null,
  lock = false,
): Promise<UboDeclarationRecord> {
  const d = await store.findDeclaration(q, ctx.clientId, id, lock);
  if (!d || (userId !== null && d.userId !== userId)) throw ERRORS.notFound('UboDeclaration', id);
  return d;
}

async function view(q: Queryable, d: UboDeclarationRecord): Promise<DeclarationView> {
  const ubos = await store.ubosOf(q, [d.id]);
  return { declaration: d, ubos: ubos.get(d.id)! };
}

async function setStatus(
  ctx: RequestCtx,
  q: Queryable,
  d: UboDeclarationRecord,
  status: UboDeclarationStatus,
  reason: UboDeclarationReason | null = null,
  message: string | null = null,
): Promise<void> {
  d.status = status;
  d.reason = reason;
  d.message = message;
  if (status === 'VALIDATED' || status === 'REFUSED' || status === 'INCOMPLETE') d.processedDate = ctx.now;
  await store.saveDeclaration(q, d);
  await recordEvent(q, ctx.clientId, EVENT[status], d.id, ctx.now);
}

export async function createDeclaration(ctx: RequestCtx, userId: string, input: DeclarationCreate): Promise<DeclarationView> {
  const tag = input.Tag ?? null;
  return ctx.db.tx(async (q) => {
    const user = await loadUserForChange(ctx, q, userId);
    if (user.personType !== 'LEGAL') throw ERRORS.uboNaturalUser();
    const type = (user.data as LegalData).LegalPersonType;
    if (type !== 'BUSINESS' && type !== 'PARTNERSHIP') throw ERRORS.uboLegalPersonType(type ?? 'UNKNOWN');
    if (user.category === 'PAYER') throw ERRORS.uboPayer();
    if (await store.findInProgress(q, ctx.clientId, userId)) throw ERRORS.uboDeclarationInProgress();
    const d: UboDeclarationRecord = {
      id: newId('uboDeclaration'),
      clientId: ctx.clientId,
      userId,
      status: 'CREATED',
      reason: null,
      message: null,
      tag,
      creationDate: ctx.now,
      processedDate: null,
    };
    try {
      await store.insertDeclaration(q, d);
    } catch (err: any) {
      // A concurrent creation committed first (the user lock makes this rare; the index makes it impossible to miss).
      if (err?.code === '23505') throw ERRORS.uboDeclarationInProgress();
      throw err;
    }
    await recordEvent(q, ctx.clientId, EVENT.CREATED, d.id, ctx.now);
    await declarationChanged(ctx, q, userId);
    return { declaration: d, ubos: [] };
  });
}

export async function getDeclaration(ctx: RequestCtx, id: string, userId: string | null): Promise<DeclarationView> {
  if (userId !== null && !(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
  return view(ctx.db, await loadDeclaration(ctx, ctx.db, id, userId));
}

export async function listDeclarations(
  ctx: RequestCtx,
  userId: string,
  paging: Paging,
): Promise<{ items: DeclarationView[]; total: number }> {
  if (!(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
  const { items, total } = await store.listDeclarations(ctx.db, ctx.clientId, userId, paging);
  const ubos = await store.ubosOf(
    ctx.db,
    items.map((d) => d.id),
  );
  return { items: items.map((d) => ({ declaration: d, ubos: ubos.get(d.id)! })), total };
}

/** PUT on the declaration: Status VALIDATION_ASKED submits it; Tag may change at any time. `Ubos` is ignored. */
export async function updateDeclaration(ctx: RequestCtx, userId: string, id: string, input: DeclarationUpdate): Promise<DeclarationView> {
  return ctx.db.tx(async (q) => {
    await loadUserForChange(ctx, q, userId);
    const d = await loadDeclaration(ctx, q, id, userId, true);
    if (input.Tag !== undefined) {
      d.tag = input.Tag === '' ? null : input.Tag;
      await store.saveDeclaration(q, d);
    }
    const wanted = input.Status ?? null;
    // Sending the object back unchanged (as the SDK does) is not a transition.
    if (wanted === null || wanted === d.status) return view(q, d);
    if (wanted !== 'VALIDATION_ASKED') throw ERRORS.paramError({ Status: 'The field Status must be VALIDATION_ASKED.' });
    if (!EDITABLE.includes(d.status)) throw ERRORS.uboDeclarationLocked(d.status);
    const ubos = (await store.ubosOf(q, [d.id])).get(d.id)!.filter((u) => u.isActive);
    if (!ubos.length) throw ERRORS.uboDeclarationEmpty();
    await setStatus(ctx, q, d, 'VALIDATION_ASKED');
    const outcome = FIRST_NAME_OUTCOME[ubos[0].data.FirstName ?? ''];
    if (outcome) {
      await setStatus(ctx, q, d, outcome, outcome === 'VALIDATED' ? null : DEFAULT_REASON[outcome]);
      await declarationChanged(ctx, q, userId);
    }
    return view(q, d);
  });
}

/** The UBO fields sent, as stored (an address or birthplace whole). */
function dataOf(input: UboFields): Partial<UboData> {
  const data: Partial<UboData> = {};
  if (input.FirstName !== undefined) data.FirstName = input.FirstName;
  if (input.LastName !== undefined) data.LastName = input.LastName;
  if (input.Birthday !== undefined) data.Birthday = input.Birthday;
  if (input.Nationality !== undefined) data.Nationality = input.Nationality;
  if (input.Address !== undefined) data.Address = toAddress(input.Address);
  if (input.Birthplace !== undefined) data.Birthplace = { City: input.Birthplace.City, Country: input.Birthplace.Country };
  return data;
}

/** The declaration a UBO write goes through: the user's, open for changes, locked. */
async function loadEditable(ctx: RequestCtx, q: Queryable, userId: string, declarationId: string): Promise<UboDeclarationRecord> {
  await loadUserForChange(ctx, q, userId);
  const d = await loadDeclaration(ctx, q, declarationId, userId, true);
  if (!EDITABLE.includes(d.status)) throw ERRORS.uboDeclarationLocked(d.status);
  return d;
}

export async function createUbo(ctx: RequestCtx, userId: string, declarationId: string, input: UboCreate): Promise<UboRecord> {
  checkUbo(input, ctx.now);
  return ctx.db.tx(async (q) => {
    const d = await loadEditable(ctx, q, userId, declarationId);
    const existing = (await store.ubosOf(q, [d.id])).get(d.id)!;
    if (existing.length >= MAX_UBOS) throw ERRORS.tooManyUbos(MAX_UBOS);
    const ubo: UboRecord = {
      id: newId('ubo'),
      declarationId: d.id,
      tag: input.Tag ?? null,
      creationDate: ctx.now,
      isActive: true,
      data: dataOf(input) as UboData,
    };
    await store.insertUbo(q, ubo);
    return ubo;
  });
}

export async function updateUbo(
  ctx: RequestCtx,
  userId: string,
  declarationId: string,
  uboId: string,
  input: UboUpdate,
): Promise<UboRecord> {
  checkUbo(input, ctx.now);
  return ctx.db.tx(async (q) => {
    const d = await loadEditable(ctx, q, userId, declarationId);
    const ubo = await store.findUbo(q, d.id, uboId);
    if (!ubo) throw ERRORS.notFound('Ubo', uboId);
    if (input.IsActive === true && !ubo.isActive) {
      throw ERRORS.paramError({ IsActive: 'A UBO that was deactivated can not be activated again' });
    }
    ubo.data = { ...ubo.data, ...dataOf(input) };
    if (input.Tag !== undefined) ubo.tag = input.Tag === '' ? null : input.Tag;
    if (input.IsActive === false) ubo.isActive = false;
    await store.saveUbo(q, ubo);
    return ubo;
  });
}

export async function getUbo(ctx: RequestCtx, userId: string, declarationId: string, uboId: string): Promise<UboRecord> {
  if (!(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
  const d = await loadDeclaration(ctx, ctx.db, declarationId, userId);
  const ubo = await store.findUbo(ctx.db, d.id, uboId);
  if (!ubo) throw ERRORS.notFound('Ubo', uboId);
  return ubo;
}

/** Sandbox: Mangopay's compliance team answers a submitted declaration (a refusal or incompleteness with its reason). */
export async function sandboxDecide(
  ctx: RequestCtx,
  id: string,
  outcome: Outcome,
  decision: DeclarationDecision = {},
): Promise<DeclarationView> {
  let reason: UboDeclarationReason | null = null;
  let message: string | null = null;
  if (outcome !== 'VALIDATED') {
    reason = decision.Reason ?? DEFAULT_REASON[outcome];
    message = decision.Message ?? null;
  }
  return ctx.db.tx(async (q) => {
    const found = await loadDeclaration(ctx, q, id, null);
    await loadUserForChange(ctx, q, found.userId);
    const d = await loadDeclaration(ctx, q, id, null, true);
    if (d.status !== 'VALIDATION_ASKED') throw ERRORS.uboDeclarationNotPending(d.status);
    await setStatus(ctx, q, d, outcome, reason, message);
    await declarationChanged(ctx, q, d.userId);
    return view(q, d);
  });
}
