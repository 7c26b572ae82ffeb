import type { RequestCtx } from '../../core/context.js';
import { ApiError, ERRORS, type FieldErrors } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import type { Queryable } from '../../db/index.js';
import { lockUsers, type LockedUser } from '../../ledger/index.js';
import { isCurrency } from '../../ledger/money.js';
import { newId } from '../../lib/ids.js';
import { requireAccountAccess, type ScaContext } from '../users/sca-auth.js';
import { findUser } from '../users/store.js';
import type { Wallet } from './model.js';
import type { WalletCreate, WalletUpdate } from './schemas.js';
import * as store from './store.js';

type Ctx = RequestCtx;

/** The one owner in `Owners`: a list of exactly one user id, or a bare id string. */
export function ownerRule(input: { Owners?: string | unknown[] }): FieldErrors {
  const v = input.Owners;
  if (v === undefined) return {};
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) return { Owners: 'The Owners field is required.' };
  if (list.length > 1) return { Owners: "Owners doesn't support multiple values for the moment" };
  if (typeof list[0] !== 'string' || list[0] === '') return { Owners: 'Owners must hold one user id.' };
  return {};
}

// No event: Mangopay has no event type for wallets. PAYER users may own wallets (they pay in, then
// transfer between their own wallets or to OWNERs).
export async function createWallet(ctx: Ctx, input: WalletCreate): Promise<Wallet> {
  const errors = ownerRule(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  const ownerId = [input.Owners].flat()[0] as string;
  return ctx.db.tx(async (q) => {
    // The owner's row FOR SHARE (locking protocol, src/ledger): a closure waits for this wallet, then sees it.
    const owner = (await lockUsers(q, ctx.clientId, [ownerId])).get(ownerId);
    if (!owner) throw ERRORS.notFound('User', ownerId);
    if (owner.status === 'CLOSED') throw ERRORS.userClosed();
    const wallet: Wallet = {
      id: newId('wallet'),
      clientId: ctx.clientId,
      ownerId,
      fundsType: 'DEFAULT',
      currency: input.Currency,
      description: input.Description,
      tag: input.Tag ?? null,
      balance: 0,
      creationDate: ctx.now,
    };
    await store.insertWallet(q, wallet);
    return wallet;
  });
}

/** A user's wallet; with ScaContext USER_PRESENT its OWNER must have done SCA recently (requireAccountAccess). */
export async function getWallet(ctx: Ctx, id: string, scaContext: ScaContext | null = null): Promise<Wallet> {
  const wallet = await store.findUserWallet(ctx.db, ctx.clientId, id);
  if (!wallet) throw ERRORS.notFound('Wallet', id);
  await requireAccountAccess(ctx, wallet.ownerId!, scaContext);
  return wallet;
}

/**
 * Description and Tag only. Currency and Owners are immutable: SDKs send back the whole object they
 * received, so the other properties are ignored rather than refused.
 */
export async function updateWallet(ctx: Ctx, id: string, input: WalletUpdate): Promise<Wallet> {
  return ctx.db.tx(async (q) => {
    const found = await store.findUserWallet(q, ctx.clientId, id);
    if (!found) throw ERRORS.notFound('Wallet', id);
    const owner = (await lockUsers(q, ctx.clientId, [found.ownerId!])).get(found.ownerId!);
    if (owner?.status === 'CLOSED') throw ERRORS.userClosed();
    const wallet = (await store.findUserWallet(q, ctx.clientId, id, true))!;
    if (input.Description !== undefined) wallet.description = input.Description;
    if (input.Tag !== undefined) wallet.tag = input.Tag;
    await store.saveWalletText(q, wallet);
    return wallet;
  });
}

export async function listUserWallets(ctx: Ctx, userId: string, p: Paging, scaContext: ScaContext | null = null) {
  if (!(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
  await requireAccountAccess(ctx, userId, scaContext);
  return store.listUserWallets(ctx.db, ctx.clientId, userId, p);
}

export const CLIENT_FUNDS_TYPES = ['FEES', 'CREDIT'] as const;

/** A FundsType path segment (case-insensitive), or 400 param_error. */
function parseFundsType(v: string): string {
  const t = v.toUpperCase();
  if (!(CLIENT_FUNDS_TYPES as readonly string[]).includes(t)) {
    throw ERRORS.paramError({ FundsType: `FundsType must be one of: ${CLIENT_FUNDS_TYPES.join(', ')}.` });
  }
  return t;
}

/** The client's wallets: a FEES and a CREDIT wallet in every currency, from the client's creation (migration 010). */
export async function listClientWallets(ctx: Ctx, fundsType: string | null, p: Paging) {
  return store.listClientWallets(ctx.db, ctx.clientId, fundsType === null ? null : parseFundsType(fundsType), p);
}

/** The client's wallet of a funds type and currency (`FEES_EUR`): Balance 0 before any movement. */
export async function getClientWallet(ctx: Ctx, fundsType: string, currency: string): Promise<Wallet> {
  const type = parseFundsType(fundsType);
  const cur = currency.toUpperCase();
  if (!isCurrency(cur)) throw ERRORS.paramError({ Currency: `Currency: The currency ${currency} is not available` });
  const wallet = await store.findClientWallet(ctx.db, ctx.clientId, type, cur);
  if (!wallet) throw ERRORS.clientWalletNotFound(type, cur);
  return wallet;
}

/**
 * Step 1 of the locking protocol for a movement by a wallet's owner (pay-in, payout): finds the wallet,
 * locks its owner and the author FOR SHARE, and refuses an unknown or closed author or one who is not
 * the owner (`notOwner`).
 */
export async function lockAuthorsWallet(
  q: Queryable,
  clientId: string,
  authorId: string,
  walletId: string,
  notOwner: () => ApiError,
): Promise<{ wallet: Wallet; author: LockedUser }> {
  // Read without a lock: a wallet's owner and currency never change.
  const wallet = await store.findUserWallet(q, clientId, walletId);
  if (!wallet) throw ERRORS.notFound('Wallet', walletId);
  const users = await lockUsers(q, clientId, [authorId, wallet.ownerId!]);
  const author = users.get(authorId);
  if (!author) throw ERRORS.notFound('User', authorId);
  if (author.status === 'CLOSED') throw ERRORS.userClosed();
  if (authorId !== wallet.ownerId) throw notOwner();
  return { wallet, author };
}
