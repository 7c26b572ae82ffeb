import type { FastifyInstance } from 'fastify';
import type { Input } from '../../http/input.js';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { renderTransaction, TRANSACTION_NATURES, TRANSACTION_STATUSES, TRANSACTION_TYPES } from './model.js';
import * as transactions from './service.js';
import { readScaContext } from '../users/sca-auth.js';

/**
 * A multi-value filter: comma-separated (`Status=SUCCEEDED,FAILED`), repeated, or axios's `Status[]=`;
 * values case-insensitive. null when absent.
 */
function multi(q: Input, name: string, allowed: readonly string[] | null): string[] | null {
  const raw = [q.raw(name), q.raw(`${name}[]`)].flat().filter((v) => v !== undefined && v !== '');
  if (!raw.length) return null;
  const values = raw.flatMap((v) => String(v).split(',')).map((v) => v.trim().toUpperCase()).filter(Boolean);
  const bad = allowed ? values.filter((v) => !allowed.includes(v)) : values.filter((v) => !/^\d{6}$/.test(v));
  if (bad.length) {
    q.fail(name, allowed ? `${name} must be one or several of: ${allowed.join(', ')}.` : `${name} must be six-digit codes.`);
    return null;
  }
  return values.length ? [...new Set(values)] : null;
}

export function parseList(query: unknown, opts: { scaContext?: boolean } = {}) {
  const { paging, input } = parsePaging(query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
  const filters = {
    statuses: multi(input, 'Status', TRANSACTION_STATUSES),
    types: multi(input, 'Type', TRANSACTION_TYPES),
    natures: multi(input, 'Nature', TRANSACTION_NATURES),
    resultCodes: multi(input, 'ResultCode', null),
  };
  // Only the account-access lists take ScaContext; read here so that its error joins the others.
  const sca = opts.scaContext ? readScaContext(input) : null;
  throwIfInvalid(input);
  return { paging, filters, sca };
}

/**
 * Transactions of a wallet, of a user and of a client wallet (issue #4): pay-ins, transfers and payouts.
 * `ScaContext=USER_PRESENT` on a wallet's or a user's list asks for the OWNER's SCA (users/sca-auth.ts).
 */
export function transactionRoutes(app: FastifyInstance): void {
  app.get<{ Params: { walletId: string } }>('/wallets/:walletId/transactions', async (req, reply) => {
    const { paging, filters, sca } = parseList(req.query, { scaContext: true });
    const { items, total } = await transactions.listWalletTransactions(req.ctx, req.params.walletId, filters, paging, sca);
    return sendPage(req, reply, items.map(renderTransaction), total, paging);
  });
  app.get<{ Params: { id: string } }>('/users/:id/transactions', async (req, reply) => {
    const { paging, filters, sca } = parseList(req.query, { scaContext: true });
    const { items, total } = await transactions.listUserTransactions(req.ctx, req.params.id, filters, paging, sca);
    return sendPage(req, reply, items.map(renderTransaction), total, paging);
  });
  app.get('/clients/transactions', async (req, reply) => {
    const { paging, filters } = parseList(req.query);
    const { items, total } = await transactions.listClientTransactions(req.ctx, filters, paging);
    return sendPage(req, reply, items.map(renderTransaction), total, paging);
  });
  app.get<{ Params: { fundsType: string; currency: string } }>('/clients/wallets/:fundsType/:currency/transactions', async (req, reply) => {
    const { paging, filters } = parseList(req.query);
    const { items, total } = await transactions.listClientWalletTransactions(
      req.ctx,
      req.params.fundsType,
      req.params.currency,
      filters,
      paging,
    );
    return sendPage(req, reply, items.map(renderTransaction), total, paging);
  });
}
