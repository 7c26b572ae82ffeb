import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CLOCK_FREE } from '../../http/auth.js';
import { pagingOf, sendPage } from '../../http/paging.js';
import { NoQuery, Type } from '../../lib/schema.js';
import { renderTransaction } from '../transactions/model.js';
import { TransactionListQuery, TransactionReply } from '../transactions/schemas.js';
import { filterRules, listFilters } from '../transactions/service.js';
import { BANK_ACCOUNT_TYPES, renderBankAccount } from './model.js';
import { bankAccountRules } from './rules.js';
import {
  AccountParams,
  BANK_ACCOUNT_REPLIES,
  BankAccountListQuery,
  BankAccountParams,
  BankAccountReply,
  BankAccountUpdate,
  CREATE_BODIES,
  UserParams,
} from './schemas.js';
import * as bankAccounts from './service.js';

const LIST = { sortFields: ['CreationDate'], defaultSort: 'CreationDate' };

/**
 * Users' bank accounts (issue #4). The account type comes from the path, never from the body. The writes
 * report a body their schema refused only after the user (and the account) are found: `attachValidation`
 * hands the refusal to the service, which throws it once a closed or unknown user is ruled out.
 */
export function bankAccountRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: BankAccountReply };
  for (const type of BANK_ACCOUNT_TYPES) {
    const schema = { params: UserParams, body: CREATE_BODIES[type], response: { 200: BANK_ACCOUNT_REPLIES[type] } };
    app.post(
      `/users/:id/bankaccounts/${type.toLowerCase()}`,
      { schema, attachValidation: true, config: { rules: bankAccountRules(type) } },
      async (req) =>
        renderBankAccount(await bankAccounts.createBankAccount(req.ctx, req.params.id, type, req.body, req.validationError)),
    );
  }
  app.post(
    '/clients/bankaccounts/iban',
    { schema: { body: CREATE_BODIES.IBAN, response: { 200: BANK_ACCOUNT_REPLIES.IBAN } }, attachValidation: true, config: { rules: bankAccountRules('IBAN') } },
    async (req) => renderBankAccount(await bankAccounts.createClientBankAccount(req.ctx, req.body, req.validationError)),
  );
  app.get(
    '/users/:id/bankaccounts/:bankAccountId',
    { ...CLOCK_FREE, schema: { params: AccountParams, querystring: NoQuery, response: one } },
    async (req) => renderBankAccount(await bankAccounts.getBankAccount(req.ctx, req.params.id, req.params.bankAccountId)),
  );
  app.put(
    '/users/:id/bankaccounts/:bankAccountId',
    { schema: { params: AccountParams, body: BankAccountUpdate, response: one }, attachValidation: true },
    async (req) =>
      renderBankAccount(await bankAccounts.updateBankAccount(req.ctx, req.params.id, req.params.bankAccountId, req.body, req.validationError)),
  );
  app.get(
    '/users/:id/bankaccounts',
    { ...CLOCK_FREE, schema: { params: UserParams, querystring: BankAccountListQuery, response: { 200: Type.Array(BankAccountReply) } } },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await bankAccounts.listBankAccounts(req.ctx, req.params.id, req.query.Active ?? null, paging);
      return sendPage(req, reply, items.map(renderBankAccount), total, paging);
    },
  );
  // The payouts made to the account, filtered and paged like the other transaction lists.
  app.get(
    '/bankaccounts/:bankAccountId/transactions',
    {
      schema: { params: BankAccountParams, querystring: TransactionListQuery, response: { 200: Type.Array(TransactionReply) } },
      config: { ...CLOCK_FREE.config, rules: filterRules },
    },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await bankAccounts.listBankAccountTransactions(req.ctx, req.params.bankAccountId, listFilters(req.query), paging);
      return sendPage(req, reply, items.map(renderTransaction), total, paging);
    },
  );
}
