import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { NoQuery } from '../../lib/schema.js';
import { BlockBody, RegulatoryReply, UnblockBody, UserParams } from './schemas.js';
import * as regulatory from './service.js';
import type { BlockState } from './service.js';

/** Mangopay's regulatory status object (the example's key order: ActionCode, ScopeBlocked, Id). */
export function renderRegulatory({ userId, state }: { userId: string; state: BlockState }): RegulatoryReply {
  return {
    ActionCode: state.actionCode,
    ScopeBlocked: { Inflows: state.inflows, Outflows: state.outflows },
    Id: userId,
  };
}

/** A user's regulatory status (SPEC §3.6) and the sandbox's block and unblock (SPEC §8). */
export function regulatoryRoutes(scope: FastifyInstance, config: Config): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: RegulatoryReply };
  // The SDK calls /Regulatory and /blockStatus; paths match case-insensitively. Both answer the same object.
  for (const path of ['/users/:id/regulatory', '/users/:id/blockStatus']) {
    app.get(path, { ...CLOCK_FREE, schema: { params: UserParams, querystring: NoQuery, response: one } }, async (req) =>
      renderRegulatory(await regulatory.getRegulatory(req.ctx, req.params.id)),
    );
  }

  if (config.sandbox) {
    app.post('/sandbox/users/:id/block', { schema: { params: UserParams, body: BlockBody, response: one } }, async (req) =>
      renderRegulatory(await regulatory.sandboxChange(req.ctx, req.params.id, true, req.body)),
    );
    app.post('/sandbox/users/:id/unblock', { schema: { params: UserParams, body: UnblockBody, response: one } }, async (req) =>
      renderRegulatory(await regulatory.sandboxChange(req.ctx, req.params.id, false, req.body)),
    );
  }
}
