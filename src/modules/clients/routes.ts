import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/index.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { ERRORS } from '../../http/errors.js';
import { Type } from '../../lib/schema.js';
import { renderClient } from './model.js';
import { ClientReply, ClientUpdate, LogoParams, LogoUpload, NoQuery } from './schemas.js';
import * as clients from './service.js';

/** The client object of the token's client (issue 10): view, update, upload its logo. */
export function clientRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: ClientReply };
  app.get('/clients', { ...CLOCK_FREE, schema: { querystring: NoQuery, response: one } }, async (req) =>
    renderClient(await clients.getClient(req.ctx), req.ctx.baseUrl),
  );
  app.put('/clients', { schema: { body: ClientUpdate, response: one }, config: { rules: clients.clientRules } }, async (req) =>
    renderClient(await clients.updateClient(req.ctx, req.body), req.ctx.baseUrl),
  );
  app.put('/clients/logo', { schema: { body: LogoUpload, response: { 204: Type.Null({ description: 'Stored' }) } } }, async (req, reply) => {
    await clients.uploadLogo(req.ctx, req.body);
    return reply.status(204).send(null);
  });
}

/**
 * The logo a client's `Logo` URL points at. Public, outside /v2.01/{ClientId}: hosted pages (SCA,
 * payment pages) show it to browsers that hold no token. Each upload gets a new URL (`?v=`).
 */
export function clientLogoRoutes(scope: FastifyInstance, db: Db): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const schema = {
    params: LogoParams,
    querystring: Type.Object({ v: Type.Optional(Type.String({ description: 'The upload it belongs to' })) }),
    response: {
      200: {
        description: 'The image',
        content: { 'image/png': { schema: { type: 'string', format: 'binary' } }, 'image/jpeg': { schema: { type: 'string', format: 'binary' } } },
      },
    },
  };
  app.get('/logos/:clientId', { schema }, async (req, reply) => {
    const logo = await clients.readLogo(db, req.params.clientId);
    if (!logo) throw ERRORS.notFound('Logo', req.params.clientId);
    return reply
      .type(logo.mediaType)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'public, max-age=300')
      .send(logo.bytes);
  });
}
