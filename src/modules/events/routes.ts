import type { FastifyInstance } from 'fastify';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { listEvents } from './store.js';

/** Filters arrive comma-separated or repeated (?EventType=A&EventType=B); both are accepted. */
function listParam(query: unknown, name: string): string[] | null {
  const entries = Object.entries((query ?? {}) as Record<string, unknown>).filter(([k]) => k.toLowerCase() === name.toLowerCase());
  const values = entries
    .flatMap(([, v]) => (Array.isArray(v) ? v : [v]))
    .flatMap((v) => String(v ?? '').split(','))
    .map((v) => v.trim().toUpperCase())
    .filter(Boolean);
  return values.length ? values : null;
}

const SEARCHABLE_DAYS = 45;

export function eventRoutes(app: FastifyInstance): void {
  // Only the last 45 days of the client's clock can be searched (reference notes §6.3).
  app.get('/events', async (req, reply) => {
    const { paging, input } = parsePaging(req.query, { sortFields: ['Date'], defaultSort: 'Date' });
    const oldest = req.ctx.now - SEARCHABLE_DAYS * 86400;
    for (const [name, value] of [['AfterDate', paging.after], ['BeforeDate', paging.before]] as const) {
      if (value !== undefined && value < oldest) input.fail(name, `Events older than ${SEARCHABLE_DAYS} days can not be searched`);
    }
    throwIfInvalid(input);
    paging.after = Math.max(paging.after ?? -Infinity, oldest - 1);
    const { items, total } = await listEvents(req.ctx.db, req.ctx.clientId, { types: listParam(req.query, 'EventType') }, paging);
    return sendPage(req, reply, items, total, paging);
  });
}
