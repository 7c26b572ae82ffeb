import type { RequestCtx } from '../../core/context.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import { requireAccountAccess, type ScaContext } from '../users/sca-auth.js';
import { findUser } from '../users/store.js';
import { getClientWallet } from '../wallets/service.js';
import { findUserWallet } from '../wallets/store.js';
import { expireDue } from './expiry.js';
import { TRANSACTION_NATURES, TRANSACTION_STATUSES, TRANSACTION_TYPES, type TransactionListQuery } from './schemas.js';
import * as store from './store.js';

export type Filters = Omit<store.TransactionFilter, 'walletId' | 'userId' | 'postedTo' | 'clientWallets' | 'bankAccountId'>;

type FilterQuery = Pick<TransactionListQuery, 'Status' | 'Status[]' | 'Type' | 'Type[]' | 'Nature' | 'Nature[]' | 'ResultCode' | 'ResultCode[]'>;

/** One multi-value filter's values (upper-cased, deduplicated), null when absent, or the message refusing it. */
function multi(q: FilterQuery, name: keyof FilterQuery & string, allowed: readonly string[] | null): string[] | null | { error: string } {
  const raw = [q[name as keyof FilterQuery], q[`${name}[]` as keyof FilterQuery]].flat().filter((v) => v !== undefined && v !== '');
  if (!raw.length) return null;
  const values = raw.flatMap((v) => String(v).split(',')).map((v) => v.trim().toUpperCase()).filter(Boolean);
  const bad = allowed ? values.filter((v) => !allowed.includes(v)) : values.filter((v) => !/^\d{6}$/.test(v));
  if (bad.length) return { error: allowed ? `${name} must be one or several of: ${allowed.join(', ')}.` : `${name} must be six-digit codes.` };
  return values.length ? [...new Set(values)] : null;
}

function readFilters(q: FilterQuery): { filters: Filters; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const read = (name: 'Status' | 'Type' | 'Nature' | 'ResultCode', allowed: readonly string[] | null) => {
    const v = multi(q, name, allowed);
    if (v && 'error' in v) {
      errors[name] = v.error;
      return null;
    }
    return v;
  };
  const filters = {
    statuses: read('Status', TRANSACTION_STATUSES),
    types: read('Type', TRANSACTION_TYPES),
    natures: read('Nature', TRANSACTION_NATURES),
    resultCodes: read('ResultCode', null),
  };
  return { filters, errors };
}

/** What the list schema cannot say about the filters: their values, comma-separated or repeated. */
export function filterRules(_body: unknown, q: FilterQuery): FieldErrors {
  return readFilters(q).errors;
}

/** The filters of a transaction list (Status, Type, Nature, ResultCode); 400 param_error for unknown values. */
export function listFilters(q: FilterQuery): Filters {
  const { filters, errors } = readFilters(q);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  return filters;
}

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

