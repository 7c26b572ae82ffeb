import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { NoQuery } from '../../lib/schema.js';
import { renderPayOut } from './model.js';
import { ClientPayOutCreate, NoBody, PayOutCreate, PayOutParams, PayOutReply, ReachabilityCheck, ReachabilityReply, SandboxFailBody } from './schemas.js';
import * as payOuts from './service.js';

/** Bank-wire payouts (issue #4) and the sandbox's "executed" / "rejected by the bank" (SPEC §8). */
export function payOutRoutes(scope: FastifyInstance, config: Config): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: PayOutReply };
  app.post('/payouts/bankwire', { schema: { body: PayOutCreate, response: one }, config: { rules: payOuts.payOutRules } }, async (req) =>
    renderPayOut(await payOuts.createPayOut(req.ctx, req.body)),
  );
  app.post('/clients/payouts', { schema: { body: ClientPayOutCreate, response: one }, config: { rules: payOuts.clientPayOutRules } }, async (req) =>
    renderPayOut(await payOuts.createClientPayOut(req.ctx, req.body)),
  );
  app.post(
    '/payouts/reachability',
    { schema: { body: ReachabilityCheck, response: { 200: ReachabilityReply } }, config: { rules: payOuts.reachabilityRules } },
    async (req) => {
      const unreachable = await payOuts.checkReachability(req.ctx, req.body);
      // UnreachableReason is sent as null when reachable: the SDKs read the key either way.
      return {
        InstantPayout: {
          IsReachable: !unreachable,
          UnreachableReason: unreachable ? { Code: unreachable.code, Message: unreachable.message } : null,
        },
      };
    },
  );
  const read = { ...CLOCK_FREE, schema: { params: PayOutParams, querystring: NoQuery, response: one } };
  app.get('/payouts/:payOutId', read, async (req) => renderPayOut(await payOuts.getPayOut(req.ctx, req.params.payOutId)));
  app.get('/payouts/bankwire/:payOutId', read, async (req) => renderPayOut(await payOuts.getPayOut(req.ctx, req.params.payOutId)));

  if (config.sandbox) {
    app.post('/sandbox/payouts/:payOutId/settle', { schema: { params: PayOutParams, body: NoBody, response: one } }, async (req) =>
      renderPayOut(await payOuts.sandboxSettle(req.ctx, req.params.payOutId)),
    );
    app.post('/sandbox/payouts/:payOutId/fail', { schema: { params: PayOutParams, body: SandboxFailBody, response: one } }, async (req) =>
      renderPayOut(await payOuts.sandboxFail(req.ctx, req.params.payOutId, req.body)),
    );
  }
}
