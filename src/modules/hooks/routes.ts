import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pagingOf, sendPage } from '../../http/paging.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { NoQuery, Type } from '../../lib/schema.js';
import { renderHook } from './model.js';
import { HookCreate, HookListQuery, HookParams, HookReply, HookUpdate } from './schemas.js';
import * as hooks from './service.js';

/** Webhook registrations (reference notes §6.1); deliveries are in src/webhooks. */
export function hookRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const one = { 200: HookReply };
  app.post('/hooks', { schema: { body: HookCreate, response: one }, config: { rules: hooks.hookRules } }, async (req) =>
    renderHook(await hooks.createHook(req.ctx, req.body)),
  );
  app.get('/hooks/:hookId', { ...CLOCK_FREE, schema: { params: HookParams, querystring: NoQuery, response: one } }, async (req) =>
    renderHook(await hooks.getHook(req.ctx, req.params.hookId)),
  );
  app.put('/hooks/:hookId', { schema: { params: HookParams, body: HookUpdate, response: one }, config: { rules: hooks.hookRules } }, async (req) =>
    renderHook(await hooks.updateHook(req.ctx, req.params.hookId, req.body)),
  );
  app.get('/hooks', { ...CLOCK_FREE, schema: { querystring: HookListQuery, response: { 200: Type.Array(HookReply) } } }, async (req, reply) => {
    const paging = pagingOf(req.query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
    const { items, total } = await hooks.listHooks(req.ctx, req.query, paging);
    return sendPage(req, reply, items.map(renderHook), total, paging);
  });
}
