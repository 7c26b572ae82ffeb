import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { pagingOf, sendPage } from '../../http/paging.js';
import { NoQuery, Type } from '../../lib/schema.js';
import { sortRules } from './routes.js';
import { NoBody } from './schemas.js';
import { renderDeclaration, renderUbo } from './ubo-model.js';
import {
  DeclarationCreate,
  DeclarationDecision,
  DeclarationListQuery,
  DeclarationOnlyParams,
  DeclarationParams,
  DeclarationReply,
  DeclarationUpdate,
  UboCreate,
  UboParams,
  UboReply,
  UboUpdate,
  UserParams,
} from './ubo-schemas.js';
import * as service from './ubo-service.js';

const show = (v: service.DeclarationView) => renderDeclaration(v.declaration, v.ubos);
// Mangopay documents CreationDate:ASC as this list's default.
const LIST = { sortFields: ['CreationDate'], defaultSort: 'CreationDate', defaultDir: 'ASC' as const };

/** UBO declarations (issue #3). The SDK spells the segment `kyc` in lower case; routing is case-insensitive anyway. */
export function uboRoutes(scope: FastifyInstance, config: Config): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const base = '/users/:id/kyc/ubodeclarations';
  const declaration = { 200: DeclarationReply };
  const ubo = { 200: UboReply };
  const uboRules = { rules: service.uboWireRules };

  app.post(base, { schema: { params: UserParams, body: DeclarationCreate, response: declaration } }, async (req) =>
    show(await service.createDeclaration(req.ctx, req.params.id, req.body)),
  );

  app.get(
    base,
    {
      schema: { params: UserParams, querystring: DeclarationListQuery, response: { 200: Type.Array(DeclarationReply) } },
      config: { rules: (_body: unknown, query: DeclarationListQuery) => sortRules(query, LIST) },
    },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await service.listDeclarations(req.ctx, req.params.id, paging);
      return sendPage(req, reply, items.map(show), total, paging);
    },
  );

  app.get(`${base}/:declarationId`, { schema: { params: DeclarationParams, querystring: NoQuery, response: declaration } }, async (req) =>
    show(await service.getDeclaration(req.ctx, req.params.declarationId, req.params.id)),
  );

  app.put(
    `${base}/:declarationId`,
    { schema: { params: DeclarationParams, body: DeclarationUpdate, response: declaration } },
    async (req) => show(await service.updateDeclaration(req.ctx, req.params.id, req.params.declarationId, req.body)),
  );

  app.post(
    `${base}/:declarationId/ubos`,
    { schema: { params: DeclarationParams, body: UboCreate, response: ubo }, config: uboRules },
    async (req) => renderUbo(await service.createUbo(req.ctx, req.params.id, req.params.declarationId, req.body)),
  );

  app.get(`${base}/:declarationId/ubos/:uboId`, { schema: { params: UboParams, querystring: NoQuery, response: ubo } }, async (req) =>
    renderUbo(await service.getUbo(req.ctx, req.params.id, req.params.declarationId, req.params.uboId)),
  );

  app.put(
    `${base}/:declarationId/ubos/:uboId`,
    { schema: { params: UboParams, body: UboUpdate, response: ubo }, config: uboRules },
    async (req) => renderUbo(await service.updateUbo(req.ctx, req.params.id, req.params.declarationId, req.params.uboId, req.body)),
  );

  app.get('/kyc/ubodeclarations/:declarationId', { schema: { params: DeclarationOnlyParams, querystring: NoQuery, response: declaration } }, async (req) =>
    show(await service.getDeclaration(req.ctx, req.params.declarationId, null)),
  );

  if (config.sandbox) {
    const sandbox = '/sandbox/kyc/ubodeclarations/:declarationId';
    app.post(`${sandbox}/validate`, { schema: { params: DeclarationOnlyParams, body: NoBody, response: declaration } }, async (req) =>
      show(await service.sandboxDecide(req.ctx, req.params.declarationId, 'VALIDATED')),
    );
    for (const [op, outcome] of [
      ['refuse', 'REFUSED'],
      ['incomplete', 'INCOMPLETE'],
    ] as const) {
      app.post(`${sandbox}/${op}`, { schema: { params: DeclarationOnlyParams, body: DeclarationDecision, response: declaration } }, async (req) =>
        show(await service.sandboxDecide(req.ctx, req.params.declarationId, outcome, req.body)),
      );
    }
  }
}
