import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CLOCK_FREE } from '../../http/auth.js';
import { NoQuery } from '../../lib/schema.js';
import { renderTransfer } from './model.js';
import { TransferCreate, TransferParams, TransferReply } from './schemas.js';
import * as transfers from './service.js';

/** Transfers between wallets (issue #4). */
export function transferRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: TransferReply };
  app.post('/transfers', { schema: { body: TransferCreate, response: one }, config: { rules: transfers.transferRules } }, async (req) => {
    const { transfer, redirectUrl } = await transfers.createTransfer(req.ctx, req.body);
    return renderTransfer(transfer, redirectUrl);
  });
  app.get('/transfers/:transferId', { ...CLOCK_FREE, schema: { params: TransferParams, querystring: NoQuery, response: one } }, async (req) =>
    renderTransfer(await transfers.getTransfer(req.ctx, req.params.transferId)),
  );
}
