import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Input } from '../../http/input.js';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { KYC_STATUSES, KYC_TYPES, renderKycDocument, type KycStatus, type KycType } from './model.js';
import * as kyc from './service.js';
import { CLOCK_FREE } from '../../http/auth.js';

type UserParams = { id: string };
type DocParams = { id: string; docId: string };

/** A filter sent comma-separated or repeated (?Status=A,B or ?Status=A&Status=B), each value checked. */
function listFilter<T extends string>(query: unknown, input: Input, name: string, allowed: readonly T[]): T[] | null {
  const values = Object.entries((query ?? {}) as Record<string, unknown>)
    .filter(([k]) => k.toLowerCase() === name.toLowerCase())
    .flatMap(([, v]) => (Array.isArray(v) ? v : [v]))
    .flatMap((v) => String(v ?? '').split(','))
    .map((v) => v.trim().toUpperCase())
    .filter(Boolean);
  if (!values.length) return null;
  if (values.some((v) => !allowed.includes(v as T))) {
    input.fail(name, `The field ${name} must be one of: ${allowed.join(', ')}.`);
    return null;
  }
  return values as T[];
}

function parseList(query: unknown) {
  const { paging, input } = parsePaging(query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
  const statuses = listFilter<KycStatus>(query, input, 'Status', KYC_STATUSES);
  const types = listFilter<KycType>(query, input, 'Type', KYC_TYPES);
  throwIfInvalid(input);
  return { paging, statuses, types };
}

/** KYC documents and their pages (issue #3). */
export function kycRoutes(app: FastifyInstance, config: Config): void {
  app.post<{ Params: UserParams }>('/users/:id/kyc/documents', async (req) =>
    renderKycDocument(await kyc.createDocument(req.ctx, req.params.id, req.body)),
  );
  app.post<{ Params: DocParams }>('/users/:id/kyc/documents/:docId/pages', async (req, reply) => {
    await kyc.addPage(req.ctx, req.params.id, req.params.docId, req.body);
    return reply.status(204).send();
  });
  app.put<{ Params: DocParams }>('/users/:id/kyc/documents/:docId', async (req) =>
    renderKycDocument(await kyc.submitDocument(req.ctx, req.params.id, req.params.docId, req.body)),
  );
  app.get<{ Params: DocParams }>('/users/:id/kyc/documents/:docId', CLOCK_FREE, async (req) =>
    renderKycDocument(await kyc.getDocument(req.ctx, req.params.docId, req.params.id)),
  );
  app.get<{ Params: UserParams }>('/users/:id/kyc/documents', CLOCK_FREE, async (req, reply) => {
    const { paging, statuses, types } = parseList(req.query);
    const { items, total } = await kyc.listDocuments(req.ctx, { userId: req.params.id, statuses, types }, paging);
    return sendPage(req, reply, items.map(renderKycDocument), total, paging);
  });
  app.get('/kyc/documents', CLOCK_FREE, async (req, reply) => {
    const { paging, statuses, types } = parseList(req.query);
    const { items, total } = await kyc.listDocuments(req.ctx, { statuses, types }, paging);
    return sendPage(req, reply, items.map(renderKycDocument), total, paging);
  });
  app.get<{ Params: { docId: string } }>('/kyc/documents/:docId', CLOCK_FREE, async (req) =>
    renderKycDocument(await kyc.getDocument(req.ctx, req.params.docId)),
  );

  if (config.sandbox) {
    for (const verdict of ['validate', 'refuse'] as const) {
      app.post<{ Params: { docId: string } }>(`/sandbox/kyc/documents/:docId/${verdict}`, async (req) =>
        renderKycDocument(await kyc.sandboxDecide(req.ctx, req.params.docId, verdict, req.body)),
      );
    }
  }
}
