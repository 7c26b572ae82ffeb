import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
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
  const { rows, total } = await selectPage<EventRow>(
    q,
    {
      table: 'events',
      columns: 'resource_id AS "ResourceId", event_type AS "EventType", date AS "Date"',
      dateColumn: 'date',
      filters: [
        ['client_id = ?', clientId],
        ['event_type = ANY(?)', filter.types],
        ['resource_id = ?', filter.resourceId],
      ],
    },
    p,
  );
  return { items: rows, total };
}
