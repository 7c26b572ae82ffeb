import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { renderPayOut } from './model.js';
import * as payOuts from './service.js';
import { CLOCK_FREE } from '../../http/auth.js';

type PayOutParams = { payOutId: string };

/** Bank-wire payouts (issue #4) and the sandbox's "executed" / "rejected by the bank" (SPEC §8). */
export function payOutRoutes(app: FastifyInstance, config: Config): void {
  app.post('/payouts/bankwire', async (req) => renderPayOut(await payOuts.createPayOut(req.ctx, req.body)));
  app.post('/clients/payouts', async (req) => renderPayOut(await payOuts.createClientPayOut(req.ctx, req.body)));
  app.post('/payouts/reachability', async (req) => {
    const unreachable = await payOuts.checkReachability(req.ctx, req.body);
    // UnreachableReason is sent as null when reachable: the SDKs read the key either way.
    return {
      InstantPayout: {
        IsReachable: !unreachable,
        UnreachableReason: unreachable ? { Code: unreachable.code, Message: unreachable.message } : null,
      },
    };
  });
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
