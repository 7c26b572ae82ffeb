import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { renderPayOut } from './model.js';
import * as payOuts from './service.js';
import { CLOCK_FREE } from '../../http/auth.js';

type PayOutParams = { payOutId: string };

/** Bank-wire payouts (issue #4) and the sandbox's "executed" / "rejected by the bank" (SPEC §8). */
export function payOutRoutes(app: FastifyInstance, config: Config): void {
  app.post('/payouts/bankwire', async (req) => renderPayOut(await payOuts.createPayOut(req.ctx, req.body)));
  app.get<{ Params: PayOutParams }>('/payouts/:payOutId', CLOCK_FREE, async (req) => renderPayOut(await payOuts.getPayOut(req.ctx, req.params.payOutId)));
  app.get<{ Params: PayOutParams }>('/payouts/bankwire/:payOutId', CLOCK_FREE, async (req) =>
    renderPayOut(await payOuts.getPayOut(req.ctx, req.params.payOutId)),
  );

  if (config.sandbox) {
    app.post<{ Params: PayOutParams }>('/sandbox/payouts/:payOutId/settle', async (req) =>
      renderPayOut(await payOuts.sandboxSettle(req.ctx, req.params.payOutId)),
    );
    app.post<{ Params: PayOutParams }>('/sandbox/payouts/:payOutId/fail', async (req) =>
      renderPayOut(await payOuts.sandboxFail(req.ctx, req.params.payOutId, req.body)),
    );
  }
}
