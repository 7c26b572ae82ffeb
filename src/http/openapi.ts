import { createRequire } from 'node:module';
import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Config } from '../config.js';

const pkg = createRequire(import.meta.url)('../../package.json') as { version: string; description: string };

const CLIENT_PREFIX = '/v2.01/:clientId/';

/** The tag of a route: its resource under the client (sandbox operations apart), or the page it serves. */
export function tagOf(url: string): string {
  if (url.startsWith(CLIENT_PREFIX)) {
    const first = url.slice(CLIENT_PREFIX.length).split('/')[0];
    if (first === 'sandbox') return 'Sandbox';
    if (first === 'sca') return 'Users';
    return first ? first[0].toUpperCase() + first.slice(1) : 'Other';
  }
  if (url.includes('/oauth/')) return 'Authentication';
  return 'Pages';
}

/**
 * `GET /openapi.json` (OpenAPI 3.1 built from the route schemas) and an API reference at /docs whose
 * scripts and styles are served by Mangrove itself, so it works with no network.
 */
export async function registerOpenApi(app: FastifyInstance, _config: Config): Promise<void> {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = (route.schema ??= {}) as Record<string, any>;
    if (!schema.tags && !schema.hide) schema.tags = [tagOf(route.url)];
    if (route.url.startsWith(CLIENT_PREFIX) && !schema.security) schema.security = [{ bearer: [] }];
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Mangrove — Mangopay REST API v2.01',
        version: pkg.version,
        description:
          `${pkg.description}. Every path under /v2.01/{clientId} needs a bearer token from POST /v2.01/oauth/token ` +
          '(HTTP Basic with the client id and API key). Operations tagged Sandbox exist only in Mangrove.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A token from POST /v2.01/oauth/token' },
          basic: { type: 'http', scheme: 'basic', description: 'The client id and its API key' },
        },
      },
      tags: [{ name: 'Sandbox', description: 'Mangrove-only operations that stand in for what Mangopay does on its side' }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // No call to an online validator: the page must work offline.
    uiConfig: { validatorUrl: null, deepLinking: true },
    staticCSP: true,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
