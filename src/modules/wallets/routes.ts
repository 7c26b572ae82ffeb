import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { renderWallet } from './model.js';
import * as wallets from './service.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { parseScaContext, readScaContext } from '../users/sca-auth.js';

type WalletParams = { walletId: string };
type UserParams = { id: string };

/**
 * Users' wallets (issue #4). `ScaContext=USER_PRESENT` on the two reads asks for the OWNER's SCA
 * (users/sca-auth.ts); they stay clock-free, that check reads the client's clock itself.
 */
export function walletRoutes(app: FastifyInstance): void {
  app.post('/wallets', async (req) => renderWallet(await wallets.createWallet(req.ctx, req.body)));
  app.get<{ Params: WalletParams }>('/wallets/:walletId', CLOCK_FREE, async (req) =>
    renderWallet(await wallets.getWallet(req.ctx, req.params.walletId, parseScaContext(req.query))),
  );
  app.put<{ Params: WalletParams }>('/wallets/:walletId', async (req) =>
    renderWallet(await wallets.updateWallet(req.ctx, req.params.walletId, req.body)),
  );
  app.get<{ Params: UserParams }>('/users/:id/wallets', CLOCK_FREE, async (req, reply) => {
    const { paging, input } = parsePaging(req.query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
    const sca = readScaContext(input);
    throwIfInvalid(input);
    const { items, total } = await wallets.listUserWallets(req.ctx, req.params.id, paging, sca);
    return sendPage(req, reply, items.map(renderWallet), total, paging);
  });

  // The client's own wallets (reference notes §4.2).
  const listClient = async (req: FastifyRequest<{ Params: { fundsType?: string } }>, reply: FastifyReply) => {
    const { paging, input } = parsePaging(req.query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
    throwIfInvalid(input);
    const { items, total } = await wallets.listClientWallets(req.ctx, req.params.fundsType ?? null, paging);
    return sendPage(req, reply, items.map(renderWallet), total, paging);
  };
  app.get('/clients/wallets', CLOCK_FREE, listClient);
  app.get<{ Params: { fundsType: string } }>('/clients/wallets/:fundsType', CLOCK_FREE, listClient);
  app.get<{ Params: { fundsType: string; currency: string } }>('/clients/wallets/:fundsType/:currency', CLOCK_FREE, async (req) =>
    renderWallet(await wallets.getClientWallet(req.ctx, req.params.fundsType, req.params.currency)),
  );
}
