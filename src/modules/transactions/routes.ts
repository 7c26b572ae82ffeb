import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pagingOf, sendPage } from '../../http/paging.js';
import { Type } from '../../lib/schema.js';
import { renderTransaction } from './model.js';
import {
  AccountTransactionListQuery,
  ClientWalletParams,
  TransactionListQuery,
  TransactionReply,
  UserParams,
  WalletParams,
} from './schemas.js';
import * as transactions from './service.js';

const LIST = { sortFields: ['CreationDate'], defaultSort: 'CreationDate' };
/**
 * Transactions of a wallet, of a user and of a client wallet (issue #4): pay-ins, transfers and payouts.
 * `ScaContext=USER_PRESENT` on a wallet's or a user's list asks for the OWNER's SCA (users/sca-auth.ts).
 */
export function transactionRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const many = { 200: Type.Array(TransactionReply) };
  const config = { rules: transactions.filterRules };
  app.get('/wallets/:walletId/transactions', { schema: { params: WalletParams, querystring: AccountTransactionListQuery, response: many }, config }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const filters = transactions.listFilters(req.query);
    const { items, total } = await transactions.listWalletTransactions(req.ctx, req.params.walletId, filters, paging, req.query.ScaContext ?? null);
    return sendPage(req, reply, items.map(renderTransaction), total, paging);
  });
  app.get('/users/:id/transactions', { schema: { params: UserParams, querystring: AccountTransactionListQuery, response: many }, config }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const filters = transactions.listFilters(req.query);
    const { items, total } = await transactions.listUserTransactions(req.ctx, req.params.id, filters, paging, req.query.ScaContext ?? null);
    return sendPage(req, reply, items.map(renderTransaction), total, paging);
  });
  app.get('/clients/transactions', { schema: { querystring: TransactionListQuery, response: many }, config }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const { items, total } = await transactions.listClientTransactions(req.ctx, transactions.listFilters(req.query), paging);
    return sendPage(req, reply, items.map(renderTransaction), total, paging);
  });
  app.get(
    '/clients/wallets/:fundsType/:currency/transactions',
    { schema: { params: ClientWalletParams, querystring: TransactionListQuery, response: many }, config },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const filters = transactions.listFilters(req.query);
      const { items, total } = await transactions.listClientWalletTransactions(req.ctx, req.params.fundsType, req.params.currency, filters, paging);
      return sendPage(req, reply, items.map(renderTransaction), total, paging);
    },
  );
}
