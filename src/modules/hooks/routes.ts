import type { FastifyInstance } from 'fastify';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { renderHook } from './model.js';
import * as hooks from './service.js';
import { CLOCK_FREE } from '../../http/auth.js';

type HookParams = { hookId: string };

/** Webhook registrations (reference notes §6.1); deliveries are in src/webhooks. */
export function hookRoutes(app: FastifyInstance): void {
  app.post('/hooks', async (req) => renderHook(await hooks.createHook(req.ctx, req.body)));
  app.get<{ Params: HookParams }>('/hooks/:hookId', CLOCK_FREE, async (req) => renderHook(await hooks.getHook(req.ctx, req.params.hookId)));
  app.put<{ Params: HookParams }>('/hooks/:hookId', async (req) =>
    renderHook(await hooks.updateHook(req.ctx, req.params.hookId, req.body)),
  );
  app.get('/hooks', CLOCK_FREE, async (req, reply) => {
    const { paging, input } = parsePaging(req.query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
    throwIfInvalid(input);
    const { items, total } = await hooks.listHooks(req.ctx, req.query, paging);
    return sendPage(req, reply, items.map(renderHook), total, paging);
  });
}
