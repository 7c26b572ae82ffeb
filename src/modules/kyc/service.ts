import type { Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ApiError, ERRORS } from '../../core/errors.js';
import { Input } from '../../core/input.js';
import type { Paging } from '../../core/paging.js';
import { decodeBase64, sniffMediaType } from '../../lib/files.js';
import { newId } from '../../lib/ids.js';
import { recordEvent } from '../events/store.js';
import type { LegalData, UserRecord } from '../users/model.js';
import { findUser, saveUser } from '../users/store.js';
import { applyKycLevel } from './levels.js';
import {
  allowedTypes,
  KYC_TYPES,
  MAX_PAGE_BYTES,
  MAX_PAGES,
  minPageBytes,
  REFUSED_REASONS,
  SANDBOX_REFUSALS,
  type KycDocument,
  type KycStatus,
  type KycType,
  type RefusedReason,
} from './model.js';
import * as store from './store.js';

type Ctx = RequestCtx;

type Outcome = { status: 'VALIDATED' } | { status: 'REFUSED'; reason: RefusedReason; message: string | null };

function throwIfInvalid(i: Input): void {
  if (!i.ok) throw ERRORS.paramError(i.errors);
}

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

export async function createDocument(ctx: Ctx, userId: string, body: unknown): Promise<KycDocument> {
  const i = new Input(body);
  const type = i.enum('Type', KYC_TYPES, { required: true });
  const tag = i.str('Tag', { max: 255 });
  return ctx.db.tx(async (q) => {
    const user = await userForWrite(q, ctx, userId);
    throwIfInvalid(i);
    const legalType = user.personType === 'LEGAL' ? (user.data as LegalData).LegalPersonType : null;
    if (!allowedTypes(user.personType, legalType).includes(type!)) {
      throw ERRORS.kycWrongDocumentType(type!, legalType ? `a ${legalType} legal user` : `a ${user.personType.toLowerCase()} user`);
    }
    const doc: KycDocument = {
      id: newId('kyc'),
      clientId: ctx.clientId,
      userId,
      type: type!,
      status: 'CREATED',
      tag: tag ?? null,
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

/** Reads `File`: base64 of a PDF, JPEG or PNG page of at most 7 MB. Throws the API's error otherwise. */
function decodePage(body: unknown): { content: Buffer; mediaType: string } {
  const i = new Input(body);
  const raw = i.raw('File');
  if (raw === undefined || raw === '') throw ERRORS.paramError({ File: 'The File field is required.' });
  if (typeof raw !== 'string') throw ERRORS.paramError({ File: 'The field File must be a Base-64 string.' });
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

export async function addPage(ctx: Ctx, userId: string, docId: string, body: unknown): Promise<void> {
  // Decoded before the transaction (up to 10 MB of text), its error reported after the lookups.
  let page: { content: Buffer; mediaType: string } | ApiError;
  try {
    page = decodePage(body);
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

export async function submitDocument(ctx: Ctx, userId: string, docId: string, body: unknown): Promise<KycDocument> {
  const i = new Input(body);
  const status = i.str('Status', { required: true });
  const tag = i.str('Tag', { max: 255 });
  if (status && status.toUpperCase() !== 'VALIDATION_ASKED') i.fail('Status', 'The Status can only be set to VALIDATION_ASKED.');
  return ctx.db.tx(async (q) => {
    const user = await userForWrite(q, ctx, userId);
    const doc = await documentOfUser(q, ctx, userId, docId, true);
    throwIfInvalid(i);
    if (doc.status !== 'CREATED') throw ERRORS.kycNotCreated(doc.status);
    if ((await store.countPages(q, doc.id)) === 0) throw ERRORS.kycNoPage();
    if (tag !== undefined) doc.tag = tag;
    doc.status = 'VALIDATION_ASKED';
    await store.saveDocument(q, doc);
    await recordEvent(q, ctx.clientId, 'KYC_VALIDATION_ASKED', doc.id, ctx.now);
    const outcome = outcomeAtSubmission(user, doc);
    if (outcome) await decide(q, ctx, user, doc, outcome);
    return doc;
  });
}

/** Sandbox: the review of a document awaiting validation ends as the caller says. */
export async function sandboxDecide(ctx: Ctx, docId: string, verdict: 'validate' | 'refuse', body: unknown): Promise<KycDocument> {
  const i = new Input(body);
  let outcome: Outcome = { status: 'VALIDATED' };
  if (verdict === 'refuse') {
    const reason = i.enum('RefusedReasonType', REFUSED_REASONS, { required: true });
    const message = i.str('RefusedReasonMessage', { max: 255 });
    outcome = { status: 'REFUSED', reason: reason!, message: message ?? null };
  }
  return ctx.db.tx(async (q) => {
    const found = await store.findDocument(q, ctx.clientId, docId);
    if (!found) throw ERRORS.notFound('KycDocument', docId);
    const user = await userForWrite(q, ctx, found.userId);
    const doc = await documentOfUser(q, ctx, user.id, docId, true);
    throwIfInvalid(i);
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
