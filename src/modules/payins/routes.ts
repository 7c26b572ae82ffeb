import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { NoQuery } from '../../lib/schema.js';
import { renderPayIn } from './model.js';
import { BankWirePayInCreate, ClientBankWirePayInCreate, PayInParams, PayInReply, SandboxFail, SandboxSettle } from './schemas.js';
import * as payIns from './service.js';

/** Bank-wire pay-ins (issue #4), the client's own to its CREDIT wallets (issue 10), and the sandbox's "funds received" / "wire failed" (SPEC §8). */
export function payInRoutes(scope: FastifyInstance, config: Config): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: PayInReply };
  app.post('/payins/bankwire/direct', { schema: { body: BankWirePayInCreate, response: one }, config: { rules: payIns.payInRules } }, async (req) =>
    renderPayIn(await payIns.createBankWirePayIn(req.ctx, req.body)),
  );
  app.post('/clients/payins/bankwire/direct', { schema: { body: ClientBankWirePayInCreate, response: one } }, async (req) =>
    renderPayIn(await payIns.createClientBankWirePayIn(req.ctx, req.body)),
  );
  app.get('/payins/:payInId', { schema: { params: PayInParams, querystring: NoQuery, response: one } }, async (req) =>
    renderPayIn(await payIns.getPayIn(req.ctx, req.params.payInId)),
  );

  if (config.sandbox) {
    app.post('/sandbox/payins/:payInId/settle', { schema: { params: PayInParams, body: SandboxSettle, response: one } }, async (req) =>
      renderPayIn(await payIns.sandboxSettle(req.ctx, req.params.payInId, req.body)),
    );
    app.post('/sandbox/payins/:payInId/fail', { schema: { params: PayInParams, body: SandboxFail, response: one } }, async (req) =>
      renderPayIn(await payIns.sandboxFail(req.ctx, req.params.payInId, req.body)),
    );
  }
}
