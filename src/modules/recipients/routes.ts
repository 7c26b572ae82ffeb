import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ERRORS } from '../../http/errors.js';
import { pagingOf, sendPage } from '../../http/paging.js';
import { NoQuery, Type } from '../../lib/schema.js';
import { renderRecipient, renderRecipientSummary } from './model.js';
import { availablePayoutMethods, recipientRules, recipientSchema, schemaQueryRules } from './rules.js';
import {
  PayoutMethodsQuery,
  PayoutMethodsReply,
  RecipientCreate,
  RecipientListQuery,
  RecipientParams,
  RecipientReply,
  RecipientSchemaReply,
  RecipientSummaryReply,
  RecipientUpdate,
  SchemaQuery,
  UserParams,
} from './schemas.js';
import * as recipients from './service.js';

const LIST = { sortFields: ['CreationDate'], defaultSort: 'CreationDate' };

/**
 * Recipients (the API replacing bank accounts for payouts): docs api-reference/recipients/*. The writes
 * report a body their schema refused only once the user is found (attachValidation: the service throws it),
 * so that an unknown or closed user is the answer whatever the body.
 */
export function recipientRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: RecipientReply };
  const create = { params: UserParams, body: RecipientCreate };
  app.post('/users/:id/recipients', { schema: { ...create, response: one }, attachValidation: true, config: { rules: recipientRules } }, async (req) =>
    renderRecipient(await recipients.createRecipient(req.ctx, req.params.id, req.body, req.validationError), req.ctx.baseUrl),
  );
  app.post(
    '/users/:id/recipients/validate',
    { schema: { ...create, response: { 200: Type.Unsafe<undefined>({ type: 'null', description: 'No body' }) } }, attachValidation: true, config: { rules: recipientRules } },
    async (req, reply) => {
      await recipients.validateRecipient(req.ctx, req.params.id, req.body, req.validationError);
      // Mangopay documents 200 with no body; Ruby's SDK takes any other status as an error.
      return reply.status(200).send();
    },
  );
  app.get(
    '/users/:id/recipients',
    { schema: { params: UserParams, querystring: RecipientListQuery, response: { 200: Type.Array(RecipientSummaryReply) } } },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await recipients.listRecipients(req.ctx, req.params.id, recipients.listFilters(req.query), paging);
      return sendPage(req, reply, items.map(renderRecipientSummary), total, paging);
    },
  );
  // Static data, registered before /recipients/:recipientId (Fastify prefers static segments anyway).
  app.get(
    '/recipients/schema',
    { schema: { querystring: SchemaQuery, response: { 200: RecipientSchemaReply } }, config: { rules: schemaQueryRules } },
    async (req) => {
      const { schema, errors } = recipientSchema(req.query);
      if (!schema) throw ERRORS.paramError(errors);
      return schema as RecipientSchemaReply;
    },
  );
  app.get('/recipients/payout-methods', { schema: { querystring: PayoutMethodsQuery, response: { 200: PayoutMethodsReply } } }, async (req) => ({
    AvailablePayoutMethods: availablePayoutMethods(req.query),
  }));
  app.get('/recipients/:recipientId', { schema: { params: RecipientParams, querystring: NoQuery, response: one } }, async (req) =>
    renderRecipient(await recipients.getRecipient(req.ctx, req.params.recipientId), req.ctx.baseUrl),
  );
  app.put(
    '/recipients/:recipientId',
    { schema: { params: RecipientParams, body: RecipientUpdate, response: one }, attachValidation: true },
    async (req) => renderRecipient(await recipients.deactivateRecipient(req.ctx, req.params.recipientId, req.body, req.validationError), req.ctx.baseUrl),
  );
}
