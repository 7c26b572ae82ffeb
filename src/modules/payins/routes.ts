import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { renderPayIn } from './model.js';
import * as payIns from './service.js';

type PayInParams = { payInId: string };

/** Bank-wire pay-ins (issue #4), the client's own to its CREDIT wallets (issue 10), and the sandbox's "funds received" / "wire failed" (SPEC §8). */
export function payInRoutes(app: FastifyInstance, config: Config): void {
  app.post('/payins/bankwire/direct', async (req) => renderPayIn(await payIns.createBankWirePayIn(req.ctx, req.body)));
  app.post('/clients/payins/bankwire/direct', async (req) => renderPayIn(await payIns.createClientBankWirePayIn(req.ctx, req.body)));
  app.get<{ Params: PayInParams }>('/payins/:payInId', async (req) => renderPayIn(await payIns.getPayIn(req.ctx, req.params.payInId)));

  if (config.sandbox) {
    app.post<{ Params: PayInParams }>('/sandbox/payins/:payInId/settle', async (req) =>
      renderPayIn(await payIns.sandboxSettle(req.ctx, req.params.payInId, req.body)),
    );
    app.post<{ Params: PayInParams }>('/sandbox/payins/:payInId/fail', async (req) =>
      renderPayIn(await payIns.sandboxFail(req.ctx, req.params.payInId, req.body)),
    );
  }
}
