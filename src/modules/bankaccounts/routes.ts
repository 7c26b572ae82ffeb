import type { FastifyInstance } from 'fastify';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { BANK_ACCOUNT_TYPES, renderBankAccount } from './model.js';
import * as bankAccounts from './service.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { renderTransaction } from '../transactions/model.js';
import { parseList as parseTransactionList } from '../transactions/routes.js';

type UserParams = { id: string };
type AccountParams = { id: string; bankAccountId: string };

function parseList(query: unknown) {
  const { paging, input } = parsePaging(query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
  const active = input.bool('Active') ?? null;
  throwIfInvalid(input);
  return { paging, active };
}

/** Users' bank accounts (issue #4). The account type comes from the path, never from the body. */
export function bankAccountRoutes(app: FastifyInstance): void {
  for (const type of BANK_ACCOUNT_TYPES) {
    app.post<{ Params: UserParams }>(`/users/:id/bankaccounts/${type.toLowerCase()}`, async (req) =>
      renderBankAccount(await bankAccounts.createBankAccount(req.ctx, req.params.id, type, req.body)),
    );
  }
  app.post('/clients/bankaccounts/iban', async (req) => renderBankAccount(await bankAccounts.createClientBankAccount(req.ctx, req.body)));
  app.get<{ Params: AccountParams }>('/users/:id/bankaccounts/:bankAccountId', CLOCK_FREE, async (req) =>
    renderBankAccount(await bankAccounts.getBankAccount(req.ctx, req.params.id, req.params.bankAccountId)),
  );
  app.put<{ Params: AccountParams }>('/users/:id/bankaccounts/:bankAccountId', async (req) =>
    renderBankAccount(await bankAccounts.updateBankAccount(req.ctx, req.params.id, req.params.bankAccountId, req.body)),
  );
  app.get<{ Params: UserParams }>('/users/:id/bankaccounts', CLOCK_FREE, async (req, reply) => {
    const { paging, active } = parseList(req.query);
    const { items, total } = await bankAccounts.listBankAccounts(req.ctx, req.params.id, active, paging);
    return sendPage(req, reply, items.map(renderBankAccount), total, paging);
  });
  // The payouts made to the account, filtered and paged like the other transaction lists.
  app.get<{ Params: { bankAccountId: string } }>('/bankaccounts/:bankAccountId/transactions', CLOCK_FREE, async (req, reply) => {
    const { paging, filters } = parseTransactionList(req.query);
    const { items, total } = await bankAccounts.listBankAccountTransactions(req.ctx, req.params.bankAccountId, filters, paging);
    return sendPage(req, reply, items.map(renderTransaction), total, paging);
  });
}
