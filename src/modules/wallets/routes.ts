import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CLOCK_FREE } from '../../http/auth.js';
import { pagingOf, sendPage } from '../../http/paging.js';
import { Type } from '../../lib/schema.js';
import { renderWallet } from './model.js';
import {
  ClientWalletParams,
  ClientWalletsParams,
  ClientWalletsQuery,
  UserParams,
  UserWalletsQuery,
  WalletCreate,
  WalletParams,
  WalletReadQuery,
  WalletReply,
  WalletUpdate,
} from './schemas.js';
import * as wallets from './service.js';

const LIST = { sortFields: ['CreationDate'], defaultSort: 'CreationDate' };

/**
 * Users' wallets (issue #4). `ScaContext=USER_PRESENT` on the two reads asks for the OWNER's SCA
 * (users/sca-auth.ts); they stay clock-free, that check reads the client's clock itself.
 */
export function walletRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: WalletReply };
  const many = { 200: Type.Array(WalletReply) };
  app.post('/wallets', { schema: { body: WalletCreate, response: one }, config: { rules: wallets.ownerRule } }, async (req) =>
    renderWallet(await wallets.createWallet(req.ctx, req.body)),
  );
  app.get('/wallets/:walletId', { ...CLOCK_FREE, schema: { params: WalletParams, querystring: WalletReadQuery, response: one } }, async (req) =>
    renderWallet(await wallets.getWallet(req.ctx, req.params.walletId, req.query.ScaContext ?? null)),
  );
  app.put('/wallets/:walletId', { schema: { params: WalletParams, body: WalletUpdate, response: one } }, async (req) =>
    renderWallet(await wallets.updateWallet(req.ctx, req.params.walletId, req.body)),
  );
  app.get('/users/:id/wallets', { ...CLOCK_FREE, schema: { params: UserParams, querystring: UserWalletsQuery, response: many } }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const { items, total } = await wallets.listUserWallets(req.ctx, req.params.id, paging, req.query.ScaContext ?? null);
    return sendPage(req, reply, items.map(renderWallet), total, paging);
  });

  // The client's own wallets (reference notes §4.2).
  app.get('/clients/wallets', { ...CLOCK_FREE, schema: { querystring: ClientWalletsQuery, response: many } }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const { items, total } = await wallets.listClientWallets(req.ctx, null, paging);
    return sendPage(req, reply, items.map(renderWallet), total, paging);
  });
  app.get(
    '/clients/wallets/:fundsType',
    { ...CLOCK_FREE, schema: { params: ClientWalletsParams, querystring: ClientWalletsQuery, response: many } },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await wallets.listClientWallets(req.ctx, req.params.fundsType, paging);
      return sendPage(req, reply, items.map(renderWallet), total, paging);
    },
  );
  app.get(
    '/clients/wallets/:fundsType/:currency',
    { ...CLOCK_FREE, schema: { params: ClientWalletParams, querystring: Type.Object({}), response: one } },
    async (req) => renderWallet(await wallets.getClientWallet(req.ctx, req.params.fundsType, req.params.currency)),
  );
}
