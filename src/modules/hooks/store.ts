import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../core/paging.js';
import type { Hook } from './model.js';

const COLUMNS = 'id, client_id, event_type, url, status, validity, tag, creation_date';

function toHook(r: any): Hook {
  return {
    id: r.id,
    clientId: r.client_id,
    eventType: r.event_type,
    url: r.url,
    status: r.status,
    validity: r.validity,
    tag: r.tag,
    creationDate: r.creation_date,
  };
}

/** Inserts the hook; false when the client already has one for this EventType. */
export async function insertHook(q: Queryable, h: Hook): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO hooks (id, client_id, event_type, url, status, validity, tag, creation_date)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (client_id, event_type) DO NOTHING RETURNING id`,
    [h.id, h.clientId, h.eventType, h.url, h.status, h.validity, h.tag, h.creationDate],
  );
  return rows.length === 1;
}

export async function findHook(q: Queryable, clientId: string, id: string, lock = false): Promise<Hook | null> {
  const rows = await q.query(`SELECT ${COLUMNS} FROM hooks WHERE id = $1 AND client_id = $2${lock ? ' FOR UPDATE' : ''}`, [
    id,
    clientId,
  ]);
  return rows.length ? toHook(rows[0]) : null;
}

/** Saves what a PUT may change; a hook made VALID again starts counting failures from zero. */
export async function saveHook(q: Queryable, h: Hook, revalidated: boolean): Promise<void> {
  await q.query(
    `UPDATE hooks SET url = $3, status = $4, validity = $5, tag = $6,
       consecutive_failures = CASE WHEN $7 THEN 0 ELSE consecutive_failures END
     WHERE id = $1 AND client_id = $2`,
    [h.id, h.clientId, h.url, h.status, h.validity, h.tag, revalidated],
  );
}

export async function listHooks(
  q: Queryable,
  clientId: string,
  filter: { eventType?: string; status?: string; validity?: string },
  p: Paging,
): Promise<{ items: Hook[]; total: number }> {
  const { rows, total } = await selectPage(
    q,
    {
      table: 'hooks',
      columns: COLUMNS,
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['event_type = ?', filter.eventType],
        ['status = ?', filter.status],
        ['validity = ?', filter.validity],
      ],
    },
    p,
  );
  return { items: rows.map(toHook), total };
}
