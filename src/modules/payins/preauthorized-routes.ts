import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { PreauthorizedPayInCreate, PreauthorizedPayInReply } from './preauthorized-schemas.js';
import { capturePreauthorization, isPreauthorizedPayIn, preauthorizedPayInRules, renderPreauthorizedPayIn } from './preauthorized-service.js';
import { registerPayInView } from './views.js';

// GET /payins/{Id} shows captures of pre-authorizations with their own reply.
registerPayInView({ matches: isPreauthorizedPayIn, schema: PreauthorizedPayInReply, render: renderPreauthorizedPayIn });

/** Pre-authorized pay-ins (`POST /payins/preauthorized/direct`, the SDKs add a trailing slash): captures of a pre-authorization. */
export function preauthorizedPayInRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/payins/preauthorized/direct',
    {
      schema: { body: PreauthorizedPayInCreate, response: { 200: PreauthorizedPayInReply } },
      config: { rules: preauthorizedPayInRules },
    },
    async (req) => renderPreauthorizedPayIn(await capturePreauthorization(req.ctx, req.body)),
  );
}
