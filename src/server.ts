import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './db/index.js';
import { requireBearer } from './http/auth.js';
import { ApiError, ERRORS, errorBody } from './http/errors.js';
import { nowSeconds } from './http/context.js';
import { authRoutes } from './modules/auth/routes.js';
import { eventRoutes } from './modules/events/routes.js';
import { sandboxRoutes } from './modules/sandbox/routes.js';
import { scaPageRoutes } from './modules/users/sca-page.js';
import { userRoutes } from './modules/users/routes.js';

export interface ServerOptions {
  db: Db;
  config: Config;
  logger?: FastifyServerOptions['logger'];
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch (err) {
    throw ERRORS.malformedJson((err as Error).message);
  }
}

/** Body parsers as SDKs need them: JSON (empty allowed), form bodies for OAuth, nothing else. */
function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json/i, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    // The SDK's text/plain GET bodies are empty; a non-empty body of another type is refused.
    done(ERRORS.unsupportedMediaType(String(req.headers['content-type'] ?? 'none')), undefined);
  });
}

function toApiError(err: any, bodyLimit: number): ApiError | null {
  if (err instanceof ApiError) return err;
  switch (err?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ERRORS.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ERRORS.unsupportedMediaType(String(err.contentType ?? 'unknown'));
  }
  const status = err?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return ERRORS.paramError({ Request: String(err.message ?? 'Bad request') });
  }
  return null;
}

function rateLimitHeaders(rate: { counts: number[]; limits: number[]; resets: number[] }) {
  return {
    'X-RateLimit': rate.counts.join(', '),
    'X-RateLimit-Remaining': rate.counts.map((c, i) => Math.max(0, rate.limits[i] - c)).join(', '),
    'X-RateLimit-Reset': rate.resets.join(', '),
  };
}

/** Builds the whole API on one database; it does not listen (tests call listen or inject). */
export async function buildServer({ db, config, logger = false }: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimit,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 200 },
    return503OnClosing: true,
  });
  app.decorateRequest('rate', null);
  registerBodyParsers(app);

  app.setErrorHandler((err, req, reply) => {
    const known = toApiError(err, config.bodyLimit);
    const apiErr = known ?? ERRORS.internal();
    if (!known) req.log.error({ err }, 'unexpected fault');
    reply.status(apiErr.status).headers(apiErr.headers).send(errorBody(apiErr, nowSeconds()));
  });
  app.setNotFoundHandler((req, reply) => {
    const err = ERRORS.routeNotFound(req.method, req.url.split('?')[0]);
    reply.status(err.status).send(errorBody(err, nowSeconds()));
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.rate) reply.headers(rateLimitHeaders(req.rate));
    return payload;
  });

  authRoutes(app, db, config);
  scaPageRoutes(app, db);
  await app.register(
    async (scope) => {
      requireBearer(scope, db, config);
      userRoutes(scope, config);
      eventRoutes(scope);
      if (config.sandbox) sandboxRoutes(scope);
    },
    { prefix: '/v2.01/:clientId' },
  );
  return app;
}
