import type { FastifyInstance } from 'fastify';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { listEvents } from './store.js';
import { CLOCK_FREE } from '../../http/auth.js';

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

export function eventRoutes(app: FastifyInstance): void {
  app.get('/events', CLOCK_FREE, async (req, reply) => {
    const { paging, input } = parsePaging(req.query, { sortFields: ['Date'], defaultSort: 'Date' });
    throwIfInvalid(input);
    const { items, total } = await listEvents(req.ctx.db, req.ctx.clientId, { types: listParam(req.query, 'EventType') }, paging);
    return sendPage(req, reply, items, total, paging);
  });
}
