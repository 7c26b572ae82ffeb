import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import { pagingOf, sendPage } from '../../http/paging.js';
import { Type } from '../../lib/schema.js';
import { EventListQuery, EventReply } from './schemas.js';
import { listEvents } from './store.js';

/** Filters arrive comma-separated or repeated (?EventType=A&EventType=B); both are accepted. */
function listParam(value: string | string[] | undefined): string[] | null {
  const values = [value ?? []]
    .flat()
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toUpperCase())
    .filter(Boolean);
  return values.length ? values : null;
}

const SEARCHABLE_DAYS = 45;

export function eventRoutes(scope: FastifyInstance): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  // Only the last 45 days of the client's clock can be searched (reference notes §6.3).
  app.get('/events', { schema: { querystring: EventListQuery, response: { 200: Type.Array(EventReply) } } }, async (req, reply) => {
    const paging = pagingOf(req.query, { sortFields: ['Date'], defaultSort: 'Date' });
    const oldest = req.ctx.now - SEARCHABLE_DAYS * 86400;
    const errors: FieldErrors = {};
    for (const [name, value] of [['AfterDate', paging.after], ['BeforeDate', paging.before]] as const) {
      if (value !== undefined && value < oldest) errors[name] = `Events older than ${SEARCHABLE_DAYS} days can not be searched`;
    }
    if (Object.keys(errors).length) throw ERRORS.paramError(errors);
    paging.after = Math.max(paging.after ?? -Infinity, oldest - 1);
    const { items, total } = await listEvents(req.ctx.db, req.ctx.clientId, { types: listParam(req.query.EventType) }, paging);
    return sendPage(req, reply, items, total, paging);
  });
}
