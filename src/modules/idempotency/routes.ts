import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../http/errors.js';
import { findResponse } from './store.js';

/** The response stored for an idempotency key (reference notes §7.5): numbers as strings, the body as it was. */
export function idempotencyRoutes(app: FastifyInstance): void {
  app.get<{ Params: { key: string } }>('/responses/:key', async (req) => {
    const stored = await findResponse(req.ctx.db, req.ctx.clientId, req.params.key, req.ctx.now);
    if (!stored) throw ERRORS.idempotencyResponseNotFound(req.params.key);
    let resource: unknown = null;
    try {
      resource = stored.body === '' ? null : JSON.parse(stored.body);
    } catch {
      resource = stored.body;
    }
    return {
      StatusCode: String(stored.statusCode),
      ContentLength: String(Buffer.byteLength(stored.body)),
      ContentType: stored.contentType,
      Date: new Date(stored.completedAt * 1000).toUTCString(),
      RequestURL: stored.requestUrl,
      Resource: resource,
    };
  });
}
