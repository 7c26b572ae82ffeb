import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ERRORS } from '../../core/errors.js';
import { NoQuery, NullableStr, Reply, Str, Type, type Static } from '../../lib/schema.js';
import { findResponse } from './store.js';

const ResponseParams = Type.Object({ key: Str({ description: 'The Idempotency-Key of the request' }) });

/** Numbers as strings, as Mangopay answers them; Resource is the stored body, parsed when it is JSON. */
const IdempotencyReply = Reply(
  {
    StatusCode: Str(),
    ContentLength: Str(),
    ContentType: NullableStr(),
    Date: Str(),
    RequestURL: Str(),
    Resource: Type.Unknown(),
  },
  { title: 'IdempotencyResponse' },
);

/** The response stored for an idempotency key (reference notes §7.5): numbers as strings, the body as it was. */
export function idempotencyRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/responses/:key',
    { schema: { params: ResponseParams, querystring: NoQuery, response: { 200: IdempotencyReply } } },
    async (req): Promise<Static<typeof IdempotencyReply>> => {
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
    },
  );
}
