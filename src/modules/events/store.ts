import type { Queryable } from '../../db/index.js';
import type { Paging } from '../../http/paging.js';

export interface EventRow {
  ResourceId: string;
  EventType: string;
  Date: number;
}

/** Records an event; call it inside the transaction that makes the change it reports. */
export async function recordEvent(q: Queryable, clientId: string, type: string, resourceId: string, date: number): Promise<void> {
  await q.query('INSERT INTO events (client_id, event_type, resource_id, date) VALUES ($1, $2, $3, $4)', [
    clientId,
    type,
    resourceId,
    date,
  ]);
}

export async function listEvents(
  q: Queryable,
  clientId: string,
  filter: { types: string[] | null; resourceId?: string },
  p: Paging,
): Promise<{ items: EventRow[]; total: number }> {
  const where = ['client_id = $1'];
  const params: unknown[] = [clientId];
  if (filter.types) {
    params.push(filter.types);
    where.push(`event_type = ANY($${params.length})`);
  }
  if (filter.resourceId) {
    params.push(filter.resourceId);
    where.push(`resource_id = $${params.length}`);
  }
  if (p.before !== undefined) {
    params.push(p.before);
    where.push(`date < $${params.length}`);
  }
  if (p.after !== undefined) {
    params.push(p.after);
    where.push(`date > $${params.length}`);
  }
  const cond = where.join(' AND ');
  const [{ total }] = await q.query<{ total: number }>(`SELECT count(*)::int AS total FROM events WHERE ${cond}`, params);
  const dir = p.sortDir === 'ASC' ? 'ASC' : 'DESC';
  const rows = await q.query<EventRow>(
    `SELECT resource_id AS "ResourceId", event_type AS "EventType", date AS "Date" FROM events WHERE ${cond}
     ORDER BY date ${dir}, seq ${dir} LIMIT ${p.perPage} OFFSET ${(p.page - 1) * p.perPage}`,
    params,
  );
  return { items: rows, total };
}
