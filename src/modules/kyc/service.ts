import { createHash, randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../../db/index.js';
import { nowSeconds } from '../../core/clock.js';
import type { RequestCtx } from '../../core/context.js';
import { ApiError, ERRORS, type FieldErrors } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import { decodeBase64, sniffMediaType } from '../../lib/files.js';
import { newId } from '../../lib/ids.js';
import { clockOffset } from '../clock/store.js';
import { recordEvent } from '../events/store.js';
import type { LegalData, UserRecord } from '../users/model.js';
import { findUser, saveUser } from '../users/store.js';
import { applyKycLevel } from './levels.js';
import {
  allowedTypes,
  KYC_STATUSES,
  KYC_TYPES,
  MAX_PAGE_BYTES,
  MAX_PAGES,
  minPageBytes,
  SANDBOX_REFUSALS,
  type Consult,
  type KycDocument,
  type KycStatus,
  type KycType,
  type RefusedReason,
} from './model.js';
import type { KycDocumentCreate, KycDocumentSubmit, KycListQuery, KycPageCreate, KycRefusal } from './schemas.js';
import * as store from './store.js';

type Ctx = RequestCtx;

type Outcome = { status: 'VALIDATED' } | { status: 'REFUSED'; reason: RefusedReason; message: string | null };

/** The user a KYC write acts on, row-locked (users before documents, always). */
async function userForWrite(q: Queryable, ctx: Ctx, userId: string): Promise<UserRecord> {
  const user = await findUser(q, ctx.clientId, userId, true);
  if (!user) throw ERRORS.notFound('User', userId);
  if (user.status === 'CLOSED') throw ERRORS.userClosed();
  return user;
}

async function documentOfUser(q: Queryable, ctx: Ctx, userId: string, docId: string, lock = false): Promise<KycDocument> {
  const doc = await store.findDocument(q, ctx.clientId, docId, lock);
  if (!doc || doc.userId !== userId) throw ERRORS.notFound('KycDocument', docId);
  return doc;
}

export async function createDocument(ctx: Ctx, userId: string, input: KycDocumentCreate): Promise<KycDocument> {
  const type = input.Type;
  return ctx.db.tx(async (q) => {
    const user = await userForWrite(q, ctx, userId);
    const legalType = user.personType === 'LEGAL' ? (user.data as LegalData).LegalPersonType : null;
    if (!allowedTypes(user.personType, legalType).includes(type)) {
      throw ERRORS.kycWrongDocumentType(type, legalType ? `a ${legalType} legal user` : `a ${user.personType.toLowerCase()} user`);
    }
    const doc: KycDocument = {
      id: newId('kyc'),
      clientId: ctx.clientId,
      userId,
      type,
      status: 'CREATED',
      tag: input.Tag ?? null,
      creationDate: ctx.now,
      processedDate: null,
      refusedReasonType: null,
      refusedReasonMessage: null,
      flags: [],
    };
    await store.insertDocument(q, doc);
    await recordEvent(q, ctx.clientId, 'KYC_CREATED', doc.id, ctx.now);
    return doc;
  });
}

/** Decodes `File`: base64 of a PDF, JPEG or PNG page of at most 7 MB. Throws the API's error otherwise. */
function decodePage(raw: string): { content: Buffer; mediaType: string } {
  const decoded = decodeBase64(raw, MAX_PAGE_BYTES);
  if ('problem' in decoded) {
    if (decoded.problem === 'too_large') throw ERRORS.kycFileTooLarge(MAX_PAGE_BYTES);
    if (decoded.problem === 'bad_length') throw ERRORS.paramError({ File: 'Invalid length for a Base-64 char array or string.' });
    throw ERRORS.paramError({
      File: 'The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.',
    });
  }
  const content = decoded.bytes;
  const mediaType = sniffMediaType(content);
  if (!mediaType) throw ERRORS.kycFileFormat();
  return { content, mediaType };
}

export async function addPage(ctx: Ctx, userId: string, docId: string, input: KycPageCreate): Promise<void> {
  // Decoded before the transaction (up to 10 MB of text), its error reported after the lookups.
  let page: { content: Buffer; mediaType: string } | ApiError;
  try {
    page = decodePage(input.File);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    page = err;
  }
  await ctx.db.tx(async (q) => {
    await userForWrite(q, ctx, userId);
    const doc = await documentOfUser(q, ctx, userId, docId, true);
    if (page instanceof ApiError) throw page;
    if (page.content.length < minPageBytes(doc.type)) throw ERRORS.paramError({ File: 'The file is too small to be readable' });
    if (doc.status !== 'CREATED') throw ERRORS.kycNotCreated(doc.status);
    const count = await store.countPages(q, doc.id);
    if (count >= MAX_PAGES) throw ERRORS.kycMaxPages();
    await store.insertPage(q, { documentId: doc.id, clientId: ctx.clientId, pageNo: count + 1, ...page, createdAt: ctx.now });
  });
}

/** VALIDATED or REFUSED, with its event; a validation may change the user's KYCLevel. */
async function decide(q: Queryable, ctx: Ctx, user: UserRecord, doc: KycDocument, outcome: Outcome): Promise<void> {
  doc.status = outcome.status;
  doc.processedDate = ctx.now;
  if (outcome.status === 'REFUSED') {
    doc.refusedReasonType = outcome.reason;
    doc.refusedReasonMessage = outcome.message;
  }
  await store.saveDocument(q, doc);
  await recordEvent(q, ctx.clientId, outcome.status === 'VALIDATED' ? 'KYC_SUCCEEDED' : 'KYC_FAILED', doc.id, ctx.now);
  if (outcome.status === 'VALIDATED' && (await applyKycLevel(q, user, ctx.now))) await saveUser(q, user);
}

/** The outcome decided at submission: PAYERs cannot be verified; otherwise the sandbox's Tag convention, if any. */
function outcomeAtSubmission(user: UserRecord, doc: KycDocument): Outcome | null {
  if (user.category === 'PAYER') {
    return { status: 'REFUSED', reason: 'SPECIFIC_CASE', message: 'Only users categorized as OWNER can be verified' };
  }
  const tag = doc.tag ?? '';
  // refuse_not_accepted contains "accept": refusals are looked for first.
  for (const [key, reason] of Object.entries(SANDBOX_REFUSALS)) {
    if (tag.includes(key)) return { status: 'REFUSED', reason, message: null };
  }
  if (tag.includes('accept')) return { status: 'VALIDATED' };
  return null;
}

/** Status can only be VALIDATION_ASKED (the schema says so); a Tag sent empty clears it. */
export async function submitDocument(ctx: Ctx, userId: string, docId: string, input: KycDocumentSubmit): Promise<KycDocument> {
  return ctx.db.tx(async (q) => {
    const user = await userForWrite(q, ctx, userId);
    const doc = await documentOfUser(q, ctx, userId, docId, true);
    if (doc.status !== 'CREATED') throw ERRORS.kycNotCreated(doc.status);
    if ((await store.countPages(q, doc.id)) === 0) throw ERRORS.kycNoPage();
    if (input.Tag !== undefined) doc.tag = input.Tag === '' ? null : input.Tag;
    doc.status = 'VALIDATION_ASKED';
    await store.saveDocument(q, doc);
    await recordEvent(q, ctx.clientId, 'KYC_VALIDATION_ASKED', doc.id, ctx.now);
    const outcome = outcomeAtSubmission(user, doc);
    if (outcome) await decide(q, ctx, user, doc, outcome);
    return doc;
  });
}

/** Sandbox: the review of a document awaiting validation ends as the caller says (a refusal when given its reason). */
export async function sandboxDecide(ctx: Ctx, docId: string, refusal: KycRefusal | null): Promise<KycDocument> {
  const outcome: Outcome = refusal
    ? { status: 'REFUSED', reason: refusal.RefusedReasonType, message: refusal.RefusedReasonMessage ?? null }
    : { status: 'VALIDATED' };
  return ctx.db.tx(async (q) => {
    const found = await store.findDocument(q, ctx.clientId, docId);
    if (!found) throw ERRORS.notFound('KycDocument', docId);
    const user = await userForWrite(q, ctx, found.userId);
    const doc = await documentOfUser(q, ctx, user.id, docId, true);
    if (doc.status !== 'VALIDATION_ASKED') throw ERRORS.kycNotAwaitingValidation(doc.status);
    await decide(q, ctx, user, doc, outcome);
    return doc;
  });
}

export async function getDocument(ctx: Ctx, docId: string, userId?: string): Promise<KycDocument> {
  if (userId !== undefined && !(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
  const doc = await store.findDocument(ctx.db, ctx.clientId, docId);
  if (!doc || (userId !== undefined && doc.userId !== userId)) throw ERRORS.notFound('KycDocument', docId);
  return doc;
}

/** The values of a list filter sent comma-separated or repeated, upper-cased; null when none was sent. */
function filterValues<T extends string>(raw: string | string[] | undefined, name: string, allowed: readonly T[], errors: FieldErrors): T[] | null {
  const values = [raw ?? []]
    .flat()
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toUpperCase())
    .filter(Boolean);
  if (!values.length) return null;
  if (values.some((v) => !allowed.includes(v as T))) {
    errors[name] ??= `The field ${name} must be one of: ${allowed.join(', ')}.`;
    return null;
  }
  return values as T[];
}

/** The Status and Type filters of a document list, and what is wrong with them. */
export function listFilters(query: Pick<KycListQuery, 'Status' | 'Type'>): {
  statuses: KycStatus[] | null;
  types: KycType[] | null;
  errors: FieldErrors;
} {
  const errors: FieldErrors = {};
  const statuses = filterValues(query.Status, 'Status', KYC_STATUSES, errors);
  const types = filterValues(query.Type, 'Type', KYC_TYPES, errors);
  return { statuses, types, errors };
}

/** What the list query's schema cannot say: each filter value is a known one. */
export function kycListRules(_body: unknown, query: KycListQuery): FieldErrors {
  return listFilters(query ?? {}).errors;
}

export async function listDocuments(
  ctx: Ctx,
  filter: { userId?: string; statuses: KycStatus[] | null; types: KycType[] | null },
  p: Paging,
) {
  if (filter.userId !== undefined && !(await findUser(ctx.db, ctx.clientId, filter.userId))) {
    throw ERRORS.notFound('User', filter.userId);
  }
  return store.listDocuments(ctx.db, ctx.clientId, filter, p);
}

/** The stored pages of a document (for the dashboard and the tests of durability). */
export async function documentPages(ctx: Ctx, docId: string) {
  return store.pagesOf(ctx.db, ctx.clientId, docId);
}

/** How long a consult link works, on the client's clock. */
export const CONSULT_TTL_SECONDS = 10 * 60;
/** Expired links are kept a day (they answer 410 rather than 404 meanwhile), then deleted by later consults. */
const KEEP_EXPIRED_SECONDS = 24 * 3600;

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * `POST /kyc/documents/{Id}/consult`: one link per page of the document, oldest page first. A link
 * carries a random 256-bit token (only its hash is stored) and opens its page without a bearer token
 * until it expires. A document of another client is 404; one without pages gives [].
 */
export async function createConsults(ctx: Ctx, docId: string, pageUrl: (token: string) => string): Promise<Consult[]> {
  return ctx.db.tx(async (q) => {
    const doc = await store.findDocument(q, ctx.clientId, docId);
    if (!doc) throw ERRORS.notFound('KycDocument', docId);
    const pages = await store.pageNumbers(q, ctx.clientId, docId);
    await store.deleteConsultsExpiredBefore(q, ctx.clientId, ctx.now - KEEP_EXPIRED_SECONDS);
    const expiresAt = ctx.now + CONSULT_TTL_SECONDS;
    const consults: Consult[] = [];
    for (const pageNo of pages) {
      const token = randomBytes(32).toString('base64url');
      await store.insertConsult(q, { tokenHash: hashOf(token), clientId: ctx.clientId, documentId: docId, pageNo, expiresAt });
      consults.push({ url: pageUrl(token), expirationDate: expiresAt });
    }
    return consults;
  });
}

/** The page a consult link opens: unknown (also for a token of the wrong shape), expired, or the page. */
export async function openConsult(db: Db, token: string): Promise<{ mediaType: string; content: Buffer } | 'unknown' | 'expired'> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return 'unknown';
  const link = await store.findConsult(db, hashOf(token));
  if (!link) return 'unknown';
  const now = nowSeconds() + (await clockOffset(db, link.clientId));
  if (now >= link.expiresAt) return 'expired';
  return (await store.findPage(db, link.clientId, link.documentId, link.pageNo)) ?? 'unknown';
}
