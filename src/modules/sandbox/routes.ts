import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pagingOf, sendPage } from '../../http/paging.js';
import { NoQuery, Type } from '../../lib/schema.js';
import { listDeliveries } from '../../webhooks/store.js';
import { renderSca } from '../users/model.js';
import { ScaUserReply } from '../users/schemas.js';
import { ClockAdvance, ClockReply, DeliveryListQuery, DeliveryReply, Empty, UserParams } from './schemas.js';
import { advanceClock, completePendingSca, readClock, reset } from './service.js';

/** Operations a developer would otherwise do by hand on the real sandbox (SPEC §8). */
export function sandboxRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/sandbox/users/:id/sca/complete',
    { schema: { params: UserParams, body: Empty, response: { 200: ScaUserReply } } },
    async (req) => renderSca(await completePendingSca(req.ctx, req.params.id)),
  );
  app.get('/sandbox/clock', { schema: { querystring: NoQuery, response: { 200: ClockReply } } }, async (req) => readClock(req.ctx));
  app.post('/sandbox/clock/advance', { schema: { body: ClockAdvance, response: { 200: ClockReply } } }, async (req) =>
    advanceClock(req.ctx, req.body),
  );
  app.post(
    '/sandbox/reset',
    { schema: { body: Empty, response: { 204: Type.Null({ description: 'The client is as new' }) } } },
    async (req, reply) => {
      await reset(req.ctx);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/sandbox/webhooks/deliveries',
    { schema: { querystring: DeliveryListQuery, response: { 200: Type.Array(DeliveryReply) } } },
    async (req, reply) => {
      const paging = pagingOf(req.query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
      const q = req.query;
      const filter = { status: q.Status, eventType: q.EventType, hookId: q.HookId, resourceId: q.RessourceId ?? q.ResourceId };
      const { items, total } = await listDeliveries(req.ctx.db, req.ctx.clientId, filter, paging);
      return sendPage(req, reply, items, total, paging);
    },
  );
}
