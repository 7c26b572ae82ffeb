import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/index.js';
import { nowSeconds } from '../../http/context.js';
import { ERRORS, errorBody } from '../../http/errors.js';
import { NoQuery, Type } from '../../lib/schema.js';
import { renderConsult } from './model.js';
import { ConsultPageParams, ConsultPageReply, ConsultReply, DocParams, NoBody } from './schemas.js';
import { createConsults, openConsult } from './service.js';

const PAGE_PATH = '/kyc-pages';

/** The consult itself, under a client's path and its bearer token. */
export function kycConsultRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/kyc/documents/:docId/consult',
    { schema: { params: DocParams, body: NoBody, response: { 200: Type.Array(ConsultReply) } } },
    async (req) => (await createConsults(req.ctx, req.params.docId, (token) => `${req.ctx.baseUrl}${PAGE_PATH}/${token}`)).map(renderConsult),
  );
}

/** Where consult links lead: no bearer token, the unguessable token is the credential. */
export function kycConsultPageRoutes(scope: FastifyInstance, db: Db): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const schema = {
    params: ConsultPageParams,
    querystring: NoQuery,
    response: { 200: ConsultPageReply, 404: { $ref: 'ErrorBody#' }, 410: { $ref: 'ErrorBody#' } },
  };
  app.get(`${PAGE_PATH}/:token`, { schema }, async (req, reply) => {
    const found = await openConsult(db, req.params.token);
    reply.header('Cache-Control', 'no-store').header('Referrer-Policy', 'no-referrer');
    if (typeof found === 'string') {
      const err = found === 'expired' ? ERRORS.kycConsultExpired() : ERRORS.kycConsultUnknown();
      return reply.status(err.status as 404 | 410).send(errorBody(err, nowSeconds()));
    }
    return reply
      .type(found.mediaType)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Disposition', 'inline')
      .send(found.content);
  });
}
