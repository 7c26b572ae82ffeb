import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import * as regulatory from './service.js';
import type { BlockState } from './service.js';
import { CLOCK_FREE } from '../../http/auth.js';

type UserParams = { id: string };

/** Mangopay's regulatory status object (the example's key order: ActionCode, ScopeBlocked, Id). */
export function renderRegulatory({ userId, state }: { userId: string; state: BlockState }) {
  return {
    ActionCode: state.actionCode,
    ScopeBlocked: { Inflows: state.inflows, Outflows: state.outflows },
    Id: userId,
  };
}

/** A user's regulatory status (SPEC §3.6) and the sandbox's block and unblock (SPEC §8). */
export function regulatoryRoutes(app: FastifyInstance, config: Config): void {
  // The SDK calls /Regulatory and /blockStatus; paths match case-insensitively. Both answer the same object.
  for (const path of ['/users/:id/regulatory', '/users/:id/blockStatus']) {
    app.get<{ Params: UserParams }>(path, CLOCK_FREE, async (req) => renderRegulatory(await regulatory.getRegulatory(req.ctx, req.params.id)));
  }

  if (config.sandbox) {
    for (const op of ['block', 'unblock'] as const) {
      app.post<{ Params: UserParams }>(`/sandbox/users/:id/${op}`, async (req) =>
        renderRegulatory(await regulatory.sandboxChange(req.ctx, req.params.id, op === 'block', req.body)),
      );
    }
  }
}
