import type { RequestCtx } from '../../http/context.js';
import { ERRORS } from '../../http/errors.js';
import type { Paging } from '../../http/paging.js';
import { expireDue } from '../payins/service.js';
import { findUser } from '../users/store.js';
import { findUserWallet } from '../wallets/store.js';
import * as store from './store.js';

export type Filters = Omit<store.TransactionFilter, 'walletId' | 'userId'>;

export async function listWalletTransactions(ctx: RequestCtx, walletId: string, f: Filters, p: Paging) {
  if (!(await findUserWallet(ctx.db, ctx.clientId, walletId))) throw ERRORS.notFound('Wallet', walletId);
  await expireDue(ctx);
  return store.listTransactions(ctx.db, ctx.clientId, { ...f, walletId }, p);
}

/** The transactions the user authored or is credited by. */
export async function listUserTransactions(ctx: RequestCtx, userId: string, f: Filters, p: Paging) {
  if (!(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
  await expireDue(ctx);
  return store.listTransactions(ctx.db, ctx.clientId, { ...f, userId }, p);
}
