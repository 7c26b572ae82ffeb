import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../http/errors.js';
import { Input } from '../../http/input.js';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { listDeliveries } from '../../webhooks/store.js';
import { renderSca } from '../users/model.js';
import { advanceClock, completePendingSca, readClock, reset } from './service.js';

const DELIVERY_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

/** Operations a developer would otherwise do by hand on the real sandbox (SPEC §8). */
export function sandboxRoutes(app: FastifyInstance): void {
  app.post<{ Params: { id: string } }>('/sandbox/users/:id/sca/complete', async (req) =>
    renderSca(await completePendingSca(req.ctx, req.params.id)),
  );
  app.get('/sandbox/clock', async (req) => readClock(req.ctx));
  app.post('/sandbox/clock/advance', async (req) => advanceClock(req.ctx, req.body));
  app.post('/sandbox/reset', async (req, reply) => {
    await reset(req.ctx);
    return reply.status(204).send();
  });
  app.get('/sandbox/webhooks/deliveries', async (req, reply) => {
    const { paging, input } = parsePaging(req.query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
    throwIfInvalid(input);
    const i = new Input(req.query);
    const status = i.enum('Status', DELIVERY_STATUSES);
    const eventType = i.str('EventType')?.toUpperCase();
    const hookId = i.str('HookId') ?? undefined;
    const resourceId = i.str('RessourceId') ?? i.str('ResourceId') ?? undefined;
    if (!i.ok) throw ERRORS.paramError(i.errors);
    const { items, total } = await listDeliveries(req.ctx.db, req.ctx.clientId, { status, eventType, hookId, resourceId }, paging);
    return sendPage(req, reply, items, total, paging);
  });
}
