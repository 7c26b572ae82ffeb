import type { FastifyInstance } from 'fastify';
import { renderSca } from '../users/model.js';
import { sandboxCompleteEnrollment } from '../users/service.js';

/** Operations a developer would otherwise do by hand on the real sandbox (SPEC §8). */
export function sandboxRoutes(app: FastifyInstance): void {
  app.post<{ Params: { id: string } }>('/sandbox/users/:id/sca/complete', async (req) =>
    renderSca(await sandboxCompleteEnrollment(req.ctx, req.params.id)),
  );
}
