import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../http/paging.js';

export interface EventRow {
  ResourceId: string;
  EventType: string;
  Date: number;
}

/**
 * Records an event and, in the same statement, its webhook deliveries (the outbox): one row per
 * enabled, valid hook of that EventType, due at once. Call it inside the transaction that makes
 * the change it reports, so the event and its deliveries commit or vanish with the change.
 */
export async function recordEvent(q: Queryable, clientId: string, type: string, resourceId: string, date: number): Promise<void> {
  await q.query(
    `WITH e AS (
       INSERT INTO events (client_id, event_type, resource_id, date) VALUES ($1, $2, $3, $4) RETURNING seq
     )
     INSERT INTO webhook_deliveries (client_id, hook_id, event_seq, status, due_at, creation_date)
     SELECT $1, h.id, e.seq, 'PENDING', $5, $4 FROM e
     JOIN hooks h ON h.client_id = $1 AND h.event_type = $2 AND h.status = 'ENABLED' AND h.validity = 'VALID'`,
    [clientId, type, resourceId, date, Date.now()],
  );
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
