import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { ApiError, ERRORS, type FieldErrors } from '../../http/errors.js';
import { pagingOf, sendPage, type Paging } from '../../http/paging.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { NoQuery, Type } from '../../lib/schema.js';
import { renderKycDocument } from './model.js';
import {
  DocParams,
  KycDocumentCreate,
  KycDocumentReply,
  KycDocumentSubmit,
  KycListQuery,
  KycPageCreate,
  KycRefusal,
  NoBody,
  UserDocParams,
  UserParams,
} from './schemas.js';
import * as kyc from './service.js';

const LIST = { sortFields: ['CreationDate'], defaultSort: 'CreationDate' };

/**
 * A list's Sort errors, for a query its schema refused (pagingOf, which checks Sort, does not run then): a bad
 * per_page and a bad Sort are reported together, as before the schemas.
 */
export function sortRules(query: Parameters<typeof pagingOf>[0], opts: Parameters<typeof pagingOf>[1]): FieldErrors {
  try {
    pagingOf(query ?? {}, opts);
    return {};
  } catch (err) {
    if (err instanceof ApiError && err.errors) return err.errors;
    throw err;
  }
}

/** Paging and filters of a document list; a bad Sort and a bad filter value are reported together. */
function listOf(query: KycListQuery) {
  const { statuses, types, errors } = kyc.listFilters(query);
  let paging: Paging | null = null;
  let sortErrors: FieldErrors = {};
  try {
    paging = pagingOf(query, LIST);
  } catch (err) {
    if (!(err instanceof ApiError) || !err.errors) throw err;
    sortErrors = err.errors;
  }
  const all = { ...sortErrors, ...errors };
  if (!paging || Object.keys(all).length) throw ERRORS.paramError(all);
  return { paging, statuses, types };
}

/** KYC documents and their pages (issue #3). */
export function kycRoutes(scope: FastifyInstance, config: Config): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: KycDocumentReply };
  const list = { 200: Type.Array(KycDocumentReply) };
  const listConfig = {
    ...CLOCK_FREE.config,
    rules: (body: unknown, query: KycListQuery): FieldErrors => ({ ...sortRules(query, LIST), ...kyc.kycListRules(body, query) }),
  };

  app.post('/users/:id/kyc/documents', { schema: { params: UserParams, body: KycDocumentCreate, response: one } }, async (req) =>
    renderKycDocument(await kyc.createDocument(req.ctx, req.params.id, req.body)),
  );
  app.post(
    '/users/:id/kyc/documents/:docId/pages',
    { schema: { params: UserDocParams, body: KycPageCreate, response: { 204: Type.Null({ description: 'The page was added' }) } } },
    async (req, reply) => {
      await kyc.addPage(req.ctx, req.params.id, req.params.docId, req.body);
      return reply.status(204).send(null);
    },
  );
  app.put('/users/:id/kyc/documents/:docId', { schema: { params: UserDocParams, body: KycDocumentSubmit, response: one } }, async (req) =>
    renderKycDocument(await kyc.submitDocument(req.ctx, req.params.id, req.params.docId, req.body)),
  );
  app.get('/users/:id/kyc/documents/:docId', { ...CLOCK_FREE, schema: { params: UserDocParams, querystring: NoQuery, response: one } }, async (req) =>
    renderKycDocument(await kyc.getDocument(req.ctx, req.params.docId, req.params.id)),
  );
  app.get(
    '/users/:id/kyc/documents',
    { config: listConfig, schema: { params: UserParams, querystring: KycListQuery, response: list } },
    async (req, reply) => {
      const { paging, statuses, types } = listOf(req.query);
      const { items, total } = await kyc.listDocuments(req.ctx, { userId: req.params.id, statuses, types }, paging);
      return sendPage(req, reply, items.map(renderKycDocument), total, paging);
    },
  );
  app.get('/kyc/documents', { config: listConfig, schema: { querystring: KycListQuery, response: list } }, async (req, reply) => {
    const { paging, statuses, types } = listOf(req.query);
    const { items, total } = await kyc.listDocuments(req.ctx, { statuses, types }, paging);
    return sendPage(req, reply, items.map(renderKycDocument), total, paging);
  });
  app.get('/kyc/documents/:docId', { ...CLOCK_FREE, schema: { params: DocParams, querystring: NoQuery, response: one } }, async (req) =>
    renderKycDocument(await kyc.getDocument(req.ctx, req.params.docId)),
  );

  if (config.sandbox) {
    app.post('/sandbox/kyc/documents/:docId/validate', { schema: { params: DocParams, body: NoBody, response: one } }, async (req) =>
      renderKycDocument(await kyc.sandboxDecide(req.ctx, req.params.docId, null)),
    );
    app.post('/sandbox/kyc/documents/:docId/refuse', { schema: { params: DocParams, body: KycRefusal, response: one } }, async (req) =>
      renderKycDocument(await kyc.sandboxDecide(req.ctx, req.params.docId, req.body)),
    );
  }
}
