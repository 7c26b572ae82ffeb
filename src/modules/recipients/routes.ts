import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../http/errors.js';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { renderRecipient, renderRecipientSummary } from './model.js';
import { payoutMethodsQuery, recipientSchema } from './rules.js';
import * as recipients from './service.js';

type UserParams = { id: string };
type RecipientParams = { recipientId: string };

/** Recipients (the API replacing bank accounts for payouts): docs api-reference/recipients/*. */
export function recipientRoutes(app: FastifyInstance): void {
  app.post<{ Params: UserParams }>('/users/:id/recipients', async (req) =>
    renderRecipient(await recipients.createRecipient(req.ctx, req.params.id, req.body), req.ctx.baseUrl),
  );
  app.post<{ Params: UserParams }>('/users/:id/recipients/validate', async (req, reply) => {
    await recipients.validateRecipient(req.ctx, req.params.id, req.body);
    // Mangopay documents 200 with no body; Ruby's SDK takes any other status as an error.
    return reply.status(200).send();
  });
  app.get<{ Params: UserParams }>('/users/:id/recipients', async (req, reply) => {
    const { paging, input } = parsePaging(req.query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
    const filters = recipients.parseListFilters(input);
    throwIfInvalid(input);
    const { items, total } = await recipients.listRecipients(req.ctx, req.params.id, filters, paging);
    return sendPage(req, reply, items.map(renderRecipientSummary), total, paging);
  });
  // Static data, registered before /recipients/:recipientId (Fastify prefers static segments anyway).
  app.get('/recipients/schema', async (req) => {
    const { schema, errors } = recipientSchema(req.query);
    if (!schema) throw ERRORS.paramError(errors);
    return schema;
  });
  app.get('/recipients/payout-methods', async (req) => {
    const { methods, errors } = payoutMethodsQuery(req.query);
    if (!methods) throw ERRORS.paramError(errors);
    return { AvailablePayoutMethods: methods };
  });
  app.get<{ Params: RecipientParams }>('/recipients/:recipientId', async (req) =>
    renderRecipient(await recipients.getRecipient(req.ctx, req.params.recipientId), req.ctx.baseUrl),
  );
  app.put<{ Params: RecipientParams }>('/recipients/:recipientId', async (req) =>
    renderRecipient(await recipients.deactivateRecipient(req.ctx, req.params.recipientId, req.body), req.ctx.baseUrl),
  );
}
