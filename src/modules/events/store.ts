import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../core/paging.js';

export interface EventRow {
  ResourceId: string;
  EventType: string;
  Date: number;
}

/**
 * Records events and, in the same statement, their webhook deliveries (the outbox): one row per
 * enabled, valid hook of each event's type, due at once. Call it inside the transaction that makes
 * the change the events report, so they and their deliveries commit or vanish with the change.
 * Events are numbered in the order given.
 */
export async function recordEvents(
  q: Queryable,
  clientId: string,
  events: Array<{ type: string; resourceId: string; date: number }>,
): Promise<void> {
  await q.query(
    `WITH e AS (
       INSERT INTO events (client_id, event_type, resource_id, date)
       SELECT $1, t, r, d FROM unnest($2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY AS x(t, r, d, i) ORDER BY i
       RETURNING seq, event_type, date
     )
     INSERT INTO webhook_deliveries (client_id, hook_id, event_seq, status, due_at, creation_date)
     SELECT $1, h.id, e.seq, 'PENDING', $5, e.date FROM e
     JOIN hooks h ON h.client_id = $1 AND h.event_type = e.event_type AND h.status = 'ENABLED' AND h.validity = 'VALID'`,
    [clientId, events.map((e) => e.type), events.map((e) => e.resourceId), events.map((e) => e.date), Date.now()],
  );
}

export async function recordEvent(q: Queryable, clientId: string, type: string, resourceId: string, date: number): Promise<void> {
  await recordEvents(q, clientId, [{ type, resourceId, date }]);
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
