import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { ERRORS } from '../../core/errors.js';
import { NoQuery, Type } from '../../lib/schema.js';
import { cardDirectRoutes } from './card-direct-routes.js';
import { cardWebRoutes } from './card-web-routes.js';
import { preauthorizedPayInRoutes } from './preauthorized-routes.js';
import { payInViews } from './views.js';
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
  cardDirectRoutes(scope);
  cardWebRoutes(scope);
  preauthorizedPayInRoutes(scope);
  // Any kind of pay-in: bank wires here, the others by the view their file registered (views.ts).
  const views = payInViews();
  const anyPayIn = views.length ? Type.Union([PayInReply, ...views.map((v) => v.schema)]) : PayInReply;
  app.get('/payins/:payInId', { schema: { params: PayInParams, querystring: NoQuery, response: { 200: anyPayIn } } }, async (req) => {
    const id = req.params.payInId;
    const t = await payIns.findPayIn(req.ctx, id);
    const view = t && views.find((v) => v.matches(t));
    if (view) return view.render(view.refresh ? await view.refresh(req.ctx, t) : t, req.ctx) as any;
    if (t?.paymentType === 'BANK_WIRE') return renderPayIn(await payIns.getPayIn(req.ctx, id));
    throw ERRORS.notFound('PayIn', id);
  });

  if (config.sandbox) {
    app.post('/sandbox/payins/:payInId/settle', { schema: { params: PayInParams, body: SandboxSettle, response: one } }, async (req) =>
      renderPayIn(await payIns.sandboxSettle(req.ctx, req.params.payInId, req.body)),
    );
    app.post('/sandbox/payins/:payInId/fail', { schema: { params: PayInParams, body: SandboxFail, response: one } }, async (req) =>
      renderPayIn(await payIns.sandboxFail(req.ctx, req.params.payInId, req.body)),
    );
  }
}
