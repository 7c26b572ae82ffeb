import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { nowSeconds } from '../../http/context.js';
import { ERRORS, errorBody } from '../../http/errors.js';
import { renderClient } from './model.js';
import * as clients from './service.js';

/** The client object of the token's client (issue 10): view, update, upload its logo. */
export function clientRoutes(app: FastifyInstance): void {
  app.get('/clients', CLOCK_FREE, async (req) => renderClient(await clients.getClient(req.ctx), req.ctx.baseUrl));
  app.put('/clients', async (req) => renderClient(await clients.updateClient(req.ctx, req.body), req.ctx.baseUrl));
  app.put('/clients/logo', async (req, reply) => {
    await clients.uploadLogo(req.ctx, req.body);
    return reply.status(204).send();
  });
}

/**
 * The logo a client's `Logo` URL points at. Public, outside /v2.01/{ClientId}: hosted pages (SCA,
 * payment pages) show it to browsers that hold no token. Each upload gets a new URL (`?v=`).
 */
export function clientLogoRoutes(app: FastifyInstance, db: Db): void {
  app.get<{ Params: { clientId: string } }>('/logos/:clientId', async (req, reply) => {
    const logo = await clients.readLogo(db, req.params.clientId);
    if (!logo) {
      const err = ERRORS.notFound('Logo', req.params.clientId);
      return reply.status(err.status).send(errorBody(err, nowSeconds()));
    }
    return reply
      .type(logo.mediaType)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Cache-Control', 'public, max-age=300')
      .send(logo.bytes);
  });
}
