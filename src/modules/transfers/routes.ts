import type { FastifyInstance } from 'fastify';
import { renderTransfer } from './model.js';
import * as transfers from './service.js';
import { CLOCK_FREE } from '../../http/auth.js';

/** Transfers between wallets (issue #4). */
export function transferRoutes(app: FastifyInstance): void {
  app.post('/transfers', async (req) => {
    const { transfer, redirectUrl } = await transfers.createTransfer(req.ctx, req.body);
    return renderTransfer(transfer, redirectUrl);
  });
  app.get<{ Params: { transferId: string } }>('/transfers/:transferId', CLOCK_FREE, async (req) =>
    renderTransfer(await transfers.getTransfer(req.ctx, req.params.transferId)),
  );
}
