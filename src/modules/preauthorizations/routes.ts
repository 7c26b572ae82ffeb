import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pagingOf, sendPage } from '../../http/paging.js';
import { NoQuery, Type, UserParams } from '../../lib/schema.js';
import { onSecureOutcome } from '../secure-mode/service.js';
import { renderTransaction } from '../transactions/model.js';
import { TransactionListQuery } from '../transactions/schemas.js';
import { filterRules, listFilters } from '../transactions/service.js';
import { renderPreauthorization } from './model.js';
import {
  CardParams,
  FingerprintParams,
  PreauthorizationCreate,
  PreauthorizationListQuery,
  PreauthorizationParams,
  PreauthorizationReply,
  PreauthorizationTransactionReply,
  PreauthorizationUpdate,
} from './schemas.js';
import * as preauthorizations from './service.js';

const LIST = { sortFields: ['CreationDate'], defaultSort: 'CreationDate' };

/** Pre-authorizations (issue #12): create, read, cancel or validate, the lists by user, card and fingerprint, and their captures. */
export function preauthorizationRoutes(scope: FastifyInstance): void {
  onSecureOutcome('PREAUTHORIZATION', preauthorizations.applySecureOutcome);
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: PreauthorizationReply };
  const many = { 200: Type.Array(PreauthorizationReply) };

  app.post('/preauthorizations/card/direct', { schema: { body: PreauthorizationCreate, response: one } }, async (req) =>
    renderPreauthorization(await preauthorizations.createPreauthorization(req.ctx, req.body)),
  );
  app.get('/preauthorizations/:preauthorizationId', { schema: { params: PreauthorizationParams, querystring: NoQuery, response: one } }, async (req) =>
    renderPreauthorization(await preauthorizations.getPreauthorization(req.ctx, req.params.preauthorizationId)),
  );
  app.put(
    '/preauthorizations/:preauthorizationId',
    { schema: { params: PreauthorizationParams, body: PreauthorizationUpdate, response: one } },
    async (req) => renderPreauthorization(await preauthorizations.updatePreauthorization(req.ctx, req.params.preauthorizationId, req.body)),
  );
  app.get(
    '/preauthorizations/:preauthorizationId/transactions',
    {
      schema: { params: PreauthorizationParams, querystring: TransactionListQuery, response: { 200: Type.Array(PreauthorizationTransactionReply) } },
      config: { rules: filterRules },
    },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const filters = listFilters(req.query);
      const { items, total } = await preauthorizations.listPreauthorizationTransactions(req.ctx, req.params.preauthorizationId, filters, paging);
      return sendPage(req, reply, items.map((t) => ({ ...renderTransaction(t), DepositId: null })), total, paging);
    },
  );
  app.get('/users/:id/preauthorizations', { schema: { params: UserParams, querystring: PreauthorizationListQuery, response: many } }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const { items, total } = await preauthorizations.listUserPreauthorizations(req.ctx, req.params.id, req.query, paging);
    return sendPage(req, reply, items.map(renderPreauthorization), total, paging);
  });
  app.get('/cards/:cardId/preauthorizations', { schema: { params: CardParams, querystring: PreauthorizationListQuery, response: many } }, async (req, reply) => {
    const paging = pagingOf(req.query, LIST);
    const { items, total } = await preauthorizations.listCardPreauthorizations(req.ctx, req.params.cardId, req.query, paging);
    return sendPage(req, reply, items.map(renderPreauthorization), total, paging);
  });
  app.get(
    '/cards/fingerprints/:fingerprint/preauthorizations',
    { schema: { params: FingerprintParams, querystring: PreauthorizationListQuery, response: many } },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await preauthorizations.listFingerprintPreauthorizations(req.ctx, req.params.fingerprint, req.query, paging);
      return sendPage(req, reply, items.map(renderPreauthorization), total, paging);
    },
  );
}
