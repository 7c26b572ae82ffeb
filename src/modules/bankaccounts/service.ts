import type { Queryable } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import type { Filters } from '../transactions/service.js';
import { listTransactions } from '../transactions/store.js';
import { newId } from '../../lib/ids.js';
import type { UserRecord } from '../users/model.js';
import { findUser } from '../users/store.js';
import type { BankAccount, BankAccountType } from './model.js';
import { checkBankAccount } from './rules.js';
import type { BankAccountCreate, BankAccountUpdate } from './schemas.js';
import * as store from './store.js';

type Ctx = RequestCtx;

/** The user a bank-account write acts on, row-locked (users before bank accounts, always). */
async function userForWrite(q: Queryable, ctx: Ctx, userId: string): Promise<UserRecord> {
  const user = await findUser(q, ctx.clientId, userId, true);
  if (!user) throw ERRORS.notFound('User', userId);
  if (user.status === 'CLOSED') throw ERRORS.userClosed();
  return user;
}

async function userForRead(ctx: Ctx, userId: string): Promise<void> {
  if (!(await findUser(ctx.db, ctx.clientId, userId))) throw ERRORS.notFound('User', userId);
}

/**
 * The checked account of a user, or of the client itself (userId null), ready to insert: a body the schema
 * refused first, then the request's own errors (param_error), then the account's (bankaccount_error).
 * `refused` is the schema's refusal, reported only now so that an unknown or closed user is the answer
 * whatever the body (the route defers it).
 */
function newAccount(ctx: Ctx, userId: string | null, type: BankAccountType, input: BankAccountCreate, refused?: Error): BankAccount {
  if (refused) throw refused;
  const checked = checkBankAccount(type, input);
  if (Object.keys(checked.params).length) throw ERRORS.paramError(checked.params);
  if (Object.keys(checked.account).length) throw ERRORS.bankAccountError(checked.account);
  const v = checked.value!;
  return {
    id: newId('bankAccount'),
    clientId: ctx.clientId,
    userId,
    type,
    ownerName: v.ownerName,
    ownerAddress: v.ownerAddress,
    details: v.details,
    active: true,
    tag: v.tag,
    creationDate: ctx.now,
  };
}

// No event: Mangopay has no event type for bank accounts.
export async function createBankAccount(
  ctx: Ctx,
  userId: string,
  type: BankAccountType,
  input: BankAccountCreate,
  refused?: Error,
): Promise<BankAccount> {
  return ctx.db.tx(async (q) => {
    // The user is checked first: a closed or unknown user is the answer whatever the body.
    await userForWrite(q, ctx, userId);
    const account = newAccount(ctx, userId, type, input, refused);
    await store.insertBankAccount(q, account);
    return account;
  });
}

/**
 * `POST /clients/bankaccounts/iban`: the platform's own account, where its client-wallet payouts go.
 * Checked as a user's IBAN account is; it belongs to no user. The SDKs offer no other type for it.
 */
export async function createClientBankAccount(ctx: Ctx, input: BankAccountCreate, refused?: Error): Promise<BankAccount> {
  const account = newAccount(ctx, null, 'IBAN', input, refused);
  await store.insertBankAccount(ctx.db, account);
  return account;
}

/** `{Active:false}` deactivates, for good; deactivating again changes nothing. A refused body is reported once the account is found. */
export async function updateBankAccount(ctx: Ctx, userId: string, id: string, input: BankAccountUpdate, refused?: Error): Promise<BankAccount> {
  return ctx.db.tx(async (q) => {
    await userForWrite(q, ctx, userId);
    const account = await store.findBankAccount(q, ctx.clientId, userId, id, true);
    if (!account) throw ERRORS.notFound('BankAccount', id);
    if (refused) throw refused;
    if (input.Active) throw ERRORS.bankAccountReactivation();
    if (account.active) {
      await store.deactivateBankAccount(q, ctx.clientId, id);
      account.active = false;
    }
    return account;
  });
}

export async function getBankAccount(ctx: Ctx, userId: string, id: string): Promise<BankAccount> {
  await userForRead(ctx, userId);
  const account = await store.findBankAccount(ctx.db, ctx.clientId, userId, id);
  if (!account) throw ERRORS.notFound('BankAccount', id);
  return account;
}

export async function listBankAccounts(ctx: Ctx, userId: string, active: boolean | null, p: Paging) {
  await userForRead(ctx, userId);
  return store.listBankAccounts(ctx.db, ctx.clientId, { userId, active }, p);
}

/** The payouts made to one of the client's bank accounts, whoever owns it. */
export async function listBankAccountTransactions(ctx: RequestCtx, bankAccountId: string, f: Filters, p: Paging) {
  if (!(await store.findBankAccountOfClient(ctx.db, ctx.clientId, bankAccountId))) throw ERRORS.notFound('BankAccount', bankAccountId);
  return listTransactions(ctx.db, ctx.clientId, { ...f, bankAccountId }, p);
}
