import type { RequestCtx } from '../../core/context.js';
import { ERRORS } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import { requireAccountAccess, type ScaContext } from '../users/sca-auth.js';
import { findUser } from '../users/store.js';
import { getClientWallet } from '../wallets/service.js';
import { findUserWallet } from '../wallets/store.js';
import { expireDue } from './expiry.js';
import * as store from './store.js';

export type Filters = Omit<store.TransactionFilter, 'walletId' | 'userId' | 'postedTo' | 'clientWallets' | 'bankAccountId'>;

export async function listWalletTransactions(ctx: RequestCtx, walletId: string, f: Filters, p: Paging, sca: ScaContext | null = null) {
  const wallet = await findUserWallet(ctx.db, ctx.clientId, walletId);
  if (!wallet) throw ERRORS.notFound('Wallet', walletId);
  await requireAccountAccess(ctx, wallet.ownerId!, sca);
  await expireDue(ctx);
  return store.listTransactions(ctx.db, ctx.clientId, { ...f, walletId }, p);
}

/** The transactions the user authored or is credited by. */
export async function listUserTransactions(ctx: RequestCtx, userId: string, f: Filters, p: Paging, sca: ScaContext | null = null) {
  if (!(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
  await requireAccountAccess(ctx, userId, sca);
  await expireDue(ctx);
  return store.listTransactions(ctx.db, ctx.clientId, { ...f, userId }, p);
}

/** The transactions that moved money in or out of a client wallet (the fees of pay-ins, transfers and payouts). */
export async function listClientWalletTransactions(ctx: RequestCtx, fundsType: string, currency: string, f: Filters, p: Paging) {
  const wallet = await getClientWallet(ctx, fundsType, currency);
  await expireDue(ctx);
  return store.listTransactions(ctx.db, ctx.clientId, { ...f, postedTo: wallet.id }, p);
}

/** `GET /clients/transactions` (the Ruby SDK's fetch_wallets_transactions): the transactions of all the client's wallets. */
export async function listClientTransactions(ctx: RequestCtx, f: Filters, p: Paging) {
  await expireDue(ctx);
  return store.listTransactions(ctx.db, ctx.clientId, { ...f, clientWallets: true }, p);
}

