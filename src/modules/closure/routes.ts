import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { Type } from '../../lib/schema.js';
import type { PersonType } from '../users/model.js';
import { EmptyBody, UserParams } from '../users/schemas.js';
import { closeUser } from './service.js';

const TYPES: Record<string, PersonType> = { legal: 'LEGAL', natural: 'NATURAL' };

const CLOSED = { 204: Type.Null({ description: 'The user is closed' }) };

/**
 * User closure (SPEC §3.5): the official SDK's Users.close sends these DELETEs for SCA users too.
 * The sandbox's closure "by Mangopay" (SPEC §8) has the same rules and effects, for any person type.
 */
export function closureRoutes(scope: FastifyInstance, config: Config): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  for (const [segment, personType] of Object.entries(TYPES)) {
    app.delete(`/users/${segment}/:id`, { schema: { params: UserParams, response: CLOSED } }, async (req, reply) => {
      await closeUser(req.ctx, req.params.id, personType);
      return reply.code(204).send(null);
    });
  }
  if (config.sandbox) {
    app.post('/sandbox/users/:id/close', { schema: { params: UserParams, body: EmptyBody, response: CLOSED } }, async (req, reply) => {
      await closeUser(req.ctx, req.params.id, null);
      return reply.code(204).send(null);
    });
  }
}
