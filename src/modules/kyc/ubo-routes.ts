import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { renderDeclaration, renderUbo } from './ubo-model.js';
import * as service from './ubo-service.js';

type UserParams = { Params: { id: string } };
type DeclParams = { Params: { id: string; declarationId: string } };
type DeclOnly = { Params: { declarationId: string } };
type UboParams = { Params: { id: string; declarationId: string; uboId: string } };

const show = (v: service.DeclarationView) => renderDeclaration(v.declaration, v.ubos);

/** UBO declarations (issue #3). The SDK spells the segment `kyc` in lower case; routing is case-insensitive anyway. */
export function uboRoutes(app: FastifyInstance, config: Config): void {
  const base = '/users/:id/kyc/ubodeclarations';

  app.post<UserParams>(base, async (req) => show(await service.createDeclaration(req.ctx, req.params.id, req.body)));

  app.get<UserParams>(base, async (req, reply) => {
    const { paging, input } = parsePaging(req.query, {
      sortFields: ['CreationDate'],
      defaultSort: 'CreationDate',
      // Mangopay documents CreationDate:ASC as this list's default.
      defaultDir: 'ASC',
    });
    throwIfInvalid(input);
    const { items, total } = await service.listDeclarations(req.ctx, req.params.id, paging);
    return sendPage(req, reply, items.map(show), total, paging);
  });

  app.get<DeclParams>(`${base}/:declarationId`, async (req) =>
    show(await service.getDeclaration(req.ctx, req.params.declarationId, req.params.id)),
  );

  app.put<DeclParams>(`${base}/:declarationId`, async (req) =>
    show(await service.updateDeclaration(req.ctx, req.params.id, req.params.declarationId, req.body)),
  );

  app.post<DeclParams>(`${base}/:declarationId/ubos`, async (req) =>
    renderUbo(await service.createUbo(req.ctx, req.params.id, req.params.declarationId, req.body)),
  );

  app.get<UboParams>(`${base}/:declarationId/ubos/:uboId`, async (req) =>
    renderUbo(await service.getUbo(req.ctx, req.params.id, req.params.declarationId, req.params.uboId)),
  );

  app.put<UboParams>(`${base}/:declarationId/ubos/:uboId`, async (req) =>
    renderUbo(await service.updateUbo(req.ctx, req.params.id, req.params.declarationId, req.params.uboId, req.body)),
  );

  app.get<DeclOnly>('/kyc/ubodeclarations/:declarationId', async (req) =>
    show(await service.getDeclaration(req.ctx, req.params.declarationId, null)),
  );

  if (config.sandbox) {
    for (const [op, outcome] of [
      ['validate', 'VALIDATED'],
      ['refuse', 'REFUSED'],
      ['incomplete', 'INCOMPLETE'],
    ] as const) {
      app.post<DeclOnly>(`/sandbox/kyc/ubodeclarations/:declarationId/${op}`, async (req) =>
        show(await service.sandboxDecide(req.ctx, req.params.declarationId, outcome, req.body)),
      );
    }
  }
}
