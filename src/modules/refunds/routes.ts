import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CLOCK_FREE } from '../../http/auth.js';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { renderRefund } from './model.js';
import { listRefunds } from './service.js';

async function list(req: FastifyRequest, reply: FastifyReply, type: 'TRANSFER' | 'PAYOUT', id: string) {
  const { paging, input } = parsePaging(req.query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
  throwIfInvalid(input);
  const { items, total } = await listRefunds(req.ctx, type, id, paging);
  return sendPage(req, reply, items.map(renderRefund), total, paging);
}

/** The refund lists of transfers and payouts (the SDKs' Transfers.getRefunds and PayOuts.getRefunds). */
export function refundRoutes(app: FastifyInstance): void {
  app.get<{ Params: { transferId: string } }>('/transfers/:transferId/refunds', CLOCK_FREE, (req, reply) =>
    list(req, reply, 'TRANSFER', req.params.transferId),
  );
  app.get<{ Params: { payOutId: string } }>('/payouts/:payOutId/refunds', CLOCK_FREE, (req, reply) =>
    list(req, reply, 'PAYOUT', req.params.payOutId),
  );
}
