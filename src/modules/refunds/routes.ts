import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CLOCK_FREE } from '../../http/auth.js';
import { pagingOf, sendPage } from '../../http/paging.js';
import { Type } from '../../lib/schema.js';
import { renderRefund } from './model.js';
import { PayOutParams, RefundListQuery, RefundReply, TransferParams } from './schemas.js';
import { listRefunds } from './service.js';

const LIST = { sortFields: ['CreationDate'], defaultSort: 'CreationDate' };

/** The refund lists of transfers and payouts (the SDKs' Transfers.getRefunds and PayOuts.getRefunds). */
export function refundRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const response = { 200: Type.Array(RefundReply) };
  app.get('/transfers/:transferId/refunds', { ...CLOCK_FREE, schema: { params: TransferParams, querystring: RefundListQuery, response } }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const { items, total } = await listRefunds(req.ctx, 'TRANSFER', req.params.transferId, paging);
    return sendPage(req, reply, items.map(renderRefund), total, paging);
  });
  app.get('/payouts/:payOutId/refunds', { ...CLOCK_FREE, schema: { params: PayOutParams, querystring: RefundListQuery, response } }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const { items, total } = await listRefunds(req.ctx, 'PAYOUT', req.params.payOutId, paging);
    return sendPage(req, reply, items.map(renderRefund), total, paging);
  });
}
