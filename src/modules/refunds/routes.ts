import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { pagingOf, sendPage } from '../../http/paging.js';
import { NoQuery, Type } from '../../lib/schema.js';
import { renderRefund } from './model.js';
import {
  PayInParams,
  PayOutParams,
  RefundCreate,
  RefundListQuery,
  RefundParams,
  RefundReply,
  SandboxPayOutRefund,
  TransferParams,
} from './schemas.js';
import * as refunds from './service.js';

const LIST = { sortFields: ['CreationDate'], defaultSort: 'CreationDate' };

/**
 * Refunds (issue #12): of pay-ins (PayIns.createRefund) and transfers (Transfers.createRefund), one by
 * id (Refunds.get), the refund lists of pay-ins, transfers and payouts, and the sandbox's "the payout
 * came back" (a payout refund).
 */
export function refundRoutes(scope: FastifyInstance, config: Config): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: RefundReply };
  const many = { 200: Type.Array(RefundReply) };
  const create = { rules: refunds.refundRules };
  app.post('/payins/:payInId/refunds', { schema: { params: PayInParams, body: RefundCreate, response: one }, config: create }, async (req) =>
    renderRefund(await refunds.refundPayIn(req.ctx, req.params.payInId, req.body)),
  );
  app.post('/transfers/:transferId/refunds', { schema: { params: TransferParams, body: RefundCreate, response: one }, config: create }, async (req) =>
    renderRefund(await refunds.refundTransfer(req.ctx, req.params.transferId, req.body)),
  );
  app.get('/refunds/:refundId', { ...CLOCK_FREE, schema: { params: RefundParams, querystring: NoQuery, response: one } }, async (req) =>
    renderRefund(await refunds.getRefund(req.ctx, req.params.refundId)),
  );
  const list = { ...CLOCK_FREE.config, rules: refunds.refundListRules };
  app.get('/payins/:payInId/refunds', { config: list, schema: { params: PayInParams, querystring: RefundListQuery, response: many } }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const { items, total } = await refunds.listRefunds(req.ctx, 'PAYIN', req.params.payInId, req.query, paging);
    return sendPage(req, reply, items.map(renderRefund), total, paging);
  });
  app.get('/transfers/:transferId/refunds', { config: list, schema: { params: TransferParams, querystring: RefundListQuery, response: many } }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const { items, total } = await refunds.listRefunds(req.ctx, 'TRANSFER', req.params.transferId, req.query, paging);
    return sendPage(req, reply, items.map(renderRefund), total, paging);
  });
  app.get('/payouts/:payOutId/refunds', { config: list, schema: { params: PayOutParams, querystring: RefundListQuery, response: many } }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const { items, total } = await refunds.listRefunds(req.ctx, 'PAYOUT', req.params.payOutId, req.query, paging);
    return sendPage(req, reply, items.map(renderRefund), total, paging);
  });

  if (config.sandbox) {
    app.post(
      '/sandbox/payouts/:payOutId/refund',
      { schema: { params: PayOutParams, body: SandboxPayOutRefund, response: one } },
      async (req) => renderRefund(await refunds.sandboxRefundPayOut(req.ctx, req.params.payOutId, req.body)),
    );
  }
}
