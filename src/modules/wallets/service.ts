import type { RequestCtx } from '../../core/context.js';
import { ApiError, ERRORS } from '../../core/errors.js';
import { Input } from '../../core/input.js';
import type { Paging } from '../../core/paging.js';
import type { Queryable } from '../../db/index.js';
import { lockUsers, type LockedUser } from '../../ledger/index.js';
import { isCurrency, parseCurrency } from '../../ledger/money.js';
import { newId } from '../../lib/ids.js';
import { requireAccountAccess, type ScaContext } from '../users/sca-auth.js';
import { findUser } from '../users/store.js';
import type { Wallet } from './model.js';
import * as store from './store.js';

type Ctx = RequestCtx;
const MAX_TEXT = 255;

/** The one owner in `Owners`: an array of exactly one user id (a bare id string is accepted too). */
function parseOwner(i: Input): string | undefined {
  const v = i.raw('Owners');
  if (v === undefined || (Array.isArray(v) && v.length === 0)) {
    i.fail('Owners', 'The Owners field is required.');
    return undefined;
  }
  const list = Array.isArray(v) ? v : [v];
  if (list.length > 1) {
    i.fail('Owners', "Owners doesn't support multiple values for the moment");
    return undefined;
  }
  if (typeof list[0] !== 'string' || list[0] === '') {
    i.fail('Owners', 'Owners must hold one user id.');
    return undefined;
  }
  return list[0];
}

// No event: Mangopay has no event type for wallets. PAYER users may own wallets (they pay in, then
// transfer between their own wallets or to OWNERs).
export async function createWallet(ctx: Ctx, body: unknown): Promise<Wallet> {
  const i = new Input(body);
  const ownerId = parseOwner(i);
  const currency = parseCurrency(i, 'Currency');
  const description = i.str('Description', { required: true, max: MAX_TEXT });
  const tag = i.str('Tag', { max: MAX_TEXT });
  if (!i.ok) throw ERRORS.paramError(i.errors);
  return ctx.db.tx(async (q) => {
    // The owner's row FOR SHARE (locking protocol, src/ledger): a closure waits for this wallet, then sees it.
    const owner = (await lockUsers(q, ctx.clientId, [ownerId!])).get(ownerId!);
    if (!owner) throw ERRORS.notFound('User', ownerId!);
    if (owner.status === 'CLOSED') throw ERRORS.userClosed();
    const wallet: Wallet = {
      id: newId('wallet'),
      clientId: ctx.clientId,
      ownerId: ownerId!,
      fundsType: 'DEFAULT',
      currency: currency!,
      description: description!,
      tag: tag ?? null,
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
export async function updateWallet(ctx: Ctx, id: string, body: unknown): Promise<Wallet> {
  const i = new Input(body);
  const description = i.str('Description', { max: MAX_TEXT });
  if (description === null) i.fail('Description', 'The Description field is required.');
  const tag = i.str('Tag', { max: MAX_TEXT });
  return ctx.db.tx(async (q) => {
    const found = await store.findUserWallet(q, ctx.clientId, id);
    if (!found) throw ERRORS.notFound('Wallet', id);
    const owner = (await lockUsers(q, ctx.clientId, [found.ownerId!])).get(found.ownerId!);
    if (owner?.status === 'CLOSED') throw ERRORS.userClosed();
    if (!i.ok) throw ERRORS.paramError(i.errors);
    const wallet = (await store.findUserWallet(q, ctx.clientId, id, true))!;
    if (description !== undefined) wallet.description = description;
    if (tag !== undefined) wallet.tag = tag;
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
