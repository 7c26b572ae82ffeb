import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { PersonType } from '../users/model.js';
import { closeUser } from './service.js';

type UserParams = { id: string };

const TYPES: Record<string, PersonType> = { legal: 'LEGAL', natural: 'NATURAL' };

/**
 * User closure (SPEC §3.5): the official SDK's Users.close sends these DELETEs for SCA users too.
 * The sandbox's closure "by Mangopay" (SPEC §8) has the same rules and effects, for any person type.
 */
export function closureRoutes(app: FastifyInstance, config: Config): void {
  for (const [segment, personType] of Object.entries(TYPES)) {
    app.delete<{ Params: UserParams }>(`/users/${segment}/:id`, async (req, reply) => {
      await closeUser(req.ctx, req.params.id, personType);
      return reply.code(204).send();
    });
  }
  if (config.sandbox) {
    app.post<{ Params: UserParams }>('/sandbox/users/:id/close', async (req, reply) => {
      await closeUser(req.ctx, req.params.id, null);
      return reply.code(204).send();
    });
  }
}
