import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Db, Queryable } from '../../db/index.js';
import { nowSeconds, type RequestCtx } from '../../http/context.js';
import { ERRORS, errorBody } from '../../http/errors.js';
import { clockOffset } from '../clock/store.js';
import * as store from './store.js';

/** How long a consult link works, on the client's clock. */
export const CONSULT_TTL_SECONDS = 10 * 60;
/** Expired links are kept a day (they answer 410 rather than 404 meanwhile), then deleted by later consults. */
const KEEP_EXPIRED_SECONDS = 24 * 3600;
const PAGE_PATH = '/kyc-pages';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export interface Consult {
  url: string;
  expirationDate: number;
}

export function renderConsult(c: Consult) {
  return { Url: c.url, ExpirationDate: c.expirationDate };
}

/**
 * `POST /kyc/documents/{Id}/consult`: one link per page of the document, oldest page first. A link
 * carries a random 256-bit token (only its hash is stored) and opens its page without a bearer token
 * until it expires. A document of another client is 404; one without pages gives [].
 */
export async function createConsults(ctx: RequestCtx, docId: string): Promise<Consult[]> {
  return ctx.db.tx(async (q) => {
    const doc = await store.findDocument(q, ctx.clientId, docId);
    if (!doc) throw ERRORS.notFound('KycDocument', docId);
    const pages = await q.query<{ page_no: number }>(
      'SELECT page_no FROM kyc_pages WHERE client_id = $1 AND document_id = $2 ORDER BY page_no',
      [ctx.clientId, docId],
    );
    await q.query('DELETE FROM kyc_consults WHERE client_id = $1 AND expires_at < $2', [ctx.clientId, ctx.now - KEEP_EXPIRED_SECONDS]);
    const expiresAt = ctx.now + CONSULT_TTL_SECONDS;
    const consults: Consult[] = [];
    for (const { page_no } of pages) {
      const token = randomBytes(32).toString('base64url');
      await q.query(
        'INSERT INTO kyc_consults (token_hash, client_id, document_id, page_no, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [hashOf(token), ctx.clientId, docId, page_no, expiresAt],
      );
      consults.push({ url: `${ctx.baseUrl}${PAGE_PATH}/${token}`, expirationDate: expiresAt });
    }
    return consults;
  });
}

type Found = { page: { mediaType: string; content: Buffer } | null; expired: boolean } | null;

async function openLink(q: Queryable, token: string): Promise<Found> {
  const [link] = await q.query<{ client_id: string; document_id: string; page_no: number; expires_at: string }>(
    'SELECT client_id, document_id, page_no, expires_at FROM kyc_consults WHERE token_hash = $1',
    [hashOf(token)],
  );
  if (!link) return null;
  const now = nowSeconds() + (await clockOffset(q, link.client_id));
  if (now >= Number(link.expires_at)) return { page: null, expired: true };
  const [page] = await q.query<{ media_type: string; content: Uint8Array }>(
    'SELECT media_type, content FROM kyc_pages WHERE client_id = $1 AND document_id = $2 AND page_no = $3',
    [link.client_id, link.document_id, link.page_no],
  );
  return { page: page ? { mediaType: page.media_type, content: Buffer.from(page.content) } : null, expired: false };
}

/** The consult itself, under a client's path and its bearer token. */
export function kycConsultRoutes(app: FastifyInstance): void {
  app.post<{ Params: { docId: string } }>('/kyc/documents/:docId/consult', async (req) =>
    (await createConsults(req.ctx, req.params.docId)).map(renderConsult),
  );
}

/** Where consult links lead: no bearer token, the unguessable token is the credential. */
export function kycConsultPageRoutes(app: FastifyInstance, db: Db): void {
  app.get<{ Params: { token: string } }>(`${PAGE_PATH}/:token`, async (req, reply) => {
    const found = /^[A-Za-z0-9_-]{43}$/.test(req.params.token) ? await openLink(db, req.params.token) : null;
    const err = !found ? ERRORS.kycConsultUnknown() : found.expired ? ERRORS.kycConsultExpired() : !found.page ? ERRORS.kycConsultUnknown() : null;
    reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer');
    if (err) return reply.status(err.status).send(errorBody(err, nowSeconds()));
    return reply
      .type(found!.page!.mediaType)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Disposition', 'inline')
      .send(found!.page!.content);
  });
}
