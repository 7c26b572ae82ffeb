import type { Queryable } from '../db/index.js';
import { selectPage } from '../db/paged.js';
import type { Paging } from '../core/paging.js';
import { MAX_CONSECUTIVE_FAILURES } from '../modules/hooks/model.js';

export interface ClaimedDelivery {
  id: string;
  /** Attempts made before this one. */
  attempts: number;
  clockOffset: number;
  url: string;
  hookStatus: string;
  hookValidity: string;
  eventType: string;
  resourceId: string;
  date: number;
}

/**
 * Claims up to `limit` due deliveries for this caller: rows another process holds are skipped,
 * and each claimed row's due_at moves `leaseMs` ahead, so that a caller dying mid-call only
 * delays the row until the lease runs out. One statement, committed at once: no transaction
 * stays open across the HTTP call.
 *
 * A hook gets no more calls in flight than the failures it has left before turning INVALID
 * (in flight: claimed rows whose lease runs), so that it stops after its 100th failure in a row
 * rather than after whatever was already under way. A row of a disabled or INVALID hook is always
 * taken, to be cancelled.
 */
export async function claimDue(q: Queryable, claim: string, nowMs: number, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const rows = await q.query<any>(
    `WITH due AS (
       SELECT id, hook_id, due_at FROM webhook_deliveries
       WHERE status = 'PENDING' AND due_at <= $1
       ORDER BY due_at LIMIT $5
       FOR UPDATE SKIP LOCKED
     ), ranked AS (
       SELECT due.id, due.due_at, h.status, h.validity, h.consecutive_failures,
         row_number() OVER (PARTITION BY due.hook_id ORDER BY due.due_at, due.id) AS rank,
         (SELECT count(*) FROM webhook_deliveries x
          WHERE x.hook_id = due.hook_id AND x.status = 'PENDING' AND x.claim IS NOT NULL AND x.due_at > $1) AS in_flight
       FROM due JOIN hooks h ON h.id = due.hook_id
     ), picked AS (
       SELECT id FROM ranked
       WHERE status <> 'ENABLED' OR validity <> 'VALID' OR rank <= ${MAX_CONSECUTIVE_FAILURES} - consecutive_failures - in_flight
       ORDER BY due_at LIMIT $2
     ), claimed AS (
       UPDATE webhook_deliveries d SET due_at = $1 + $3, claim = $4
       FROM picked WHERE d.id = picked.id
       RETURNING d.id, d.client_id, d.hook_id, d.event_seq, d.attempts
     )
     SELECT c.id, c.attempts, cl.clock_offset, h.url, h.status, h.validity, e.event_type, e.resource_id, e.date
     FROM claimed c
     JOIN hooks h ON h.id = c.hook_id
     JOIN events e ON e.seq = c.event_seq
     JOIN clients cl ON cl.id = c.client_id`,
    // Candidates beyond the limit, so that a hook held back does not hide the others' due rows.
    [nowMs, limit, leaseMs, claim, limit * 4],
  );
  return rows.map((r) => ({
    id: String(r.id),
    attempts: r.attempts,
    clockOffset: Number(r.clock_offset),
    url: r.url,
    hookStatus: r.status,
    hookValidity: r.validity,
    eventType: r.event_type,
    resourceId: r.resource_id,
    date: Number(r.date),
  }));
}

export interface AttemptResult {
  ok: boolean;
  /** Client seconds (the sandbox clock). */
  date: number;
  statusCode: number | null;
  error: string | null;
  /** When to try again (server milliseconds), or null to give up. */
  nextDueAt: number | null;
}

/**
 * Writes an attempt's outcome, if the claim is still ours, and the hook's run of failures in the
 * same statement: a success resets it, the 100th failure in a row makes the hook INVALID. A success
 * on a hook with no failures leaves its row alone: a busy hook's row is not rewritten per call.
 */
export async function recordAttempt(q: Queryable, id: string, claim: string, r: AttemptResult): Promise<void> {
  await q.query(
    `WITH d AS (
       UPDATE webhook_deliveries SET
         attempts = attempts + 1, last_attempt_date = $3, last_status_code = $4, last_error = $5, claim = NULL,
         status = CASE WHEN $6 THEN 'SUCCEEDED' WHEN $7::bigint IS NULL THEN 'FAILED' ELSE 'PENDING' END,
         due_at = COALESCE($7::bigint, due_at)
       WHERE id = $1 AND claim = $2
       RETURNING hook_id
     )
     UPDATE hooks h SET
       consecutive_failures = CASE WHEN $6 THEN 0 ELSE h.consecutive_failures + 1 END,
       validity = CASE WHEN NOT $6 AND h.consecutive_failures + 1 >= ${MAX_CONSECUTIVE_FAILURES} THEN 'INVALID' ELSE h.validity END
     FROM d WHERE h.id = d.hook_id AND NOT ($6 AND h.consecutive_failures = 0)`,
    [id, claim, r.date, r.statusCode, r.error, r.ok, r.nextDueAt],
  );
}

/** A delivery whose hook was disabled or made INVALID before its turn: no call is made. */
export async function cancelDelivery(q: Queryable, id: string, claim: string, reason: string): Promise<void> {
  await q.query(
    `UPDATE webhook_deliveries SET status = 'CANCELLED', last_error = $3, claim = NULL WHERE id = $1 AND claim = $2`,
    [id, claim, reason],
  );
}

/** Moves a client's pending deliveries earlier by `seconds` (its sandbox clock went forward). */
export async function advancePending(q: Queryable, clientId: string, seconds: number): Promise<void> {
  await q.query(
    `UPDATE webhook_deliveries SET due_at = due_at - $2::bigint * 1000 WHERE client_id = $1 AND status = 'PENDING'`,
    [clientId, seconds],
  );
}

export interface DeliveryRow {
  Id: string;
  HookId: string;
  EventType: string;
  RessourceId: string;
  Date: number;
  Url: string;
  Status: string;
  Attempts: number;
  LastAttemptDate: number | null;
  LastStatusCode: number | null;
  LastError: string | null;
  NextAttemptDate: number | null;
  CreationDate: number;
}

const DELIVERIES = `(
  SELECT d.id AS seq, d.client_id, d.hook_id, d.status, d.attempts, d.last_attempt_date, d.last_status_code,
    d.last_error, d.creation_date, d.due_at / 1000 + c.clock_offset AS next_date,
    e.event_type, e.resource_id, e.date, h.url
  FROM webhook_deliveries d
  JOIN events e ON e.seq = d.event_seq
  JOIN hooks h ON h.id = d.hook_id
  JOIN clients c ON c.id = d.client_id
) x`;

/** The client's deliveries, newest first unless sorted otherwise (the dashboard's view of the outbox). */
export async function listDeliveries(
  q: Queryable,
  clientId: string,
  filter: { status?: string; eventType?: string; hookId?: string; resourceId?: string },
  p: Paging,
): Promise<{ items: DeliveryRow[]; total: number }> {
  const { rows, total } = await selectPage<any>(
    q,
    {
      table: DELIVERIES,
      columns: '*',
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['status = ?', filter.status],
        ['event_type = ?', filter.eventType],
        ['hook_id = ?', filter.hookId],
        ['resource_id = ?', filter.resourceId],
      ],
    },
    p,
  );
  const items = rows.map((r) => ({
    Id: String(r.seq),
    HookId: r.hook_id,
    EventType: r.event_type,
    RessourceId: r.resource_id,
    Date: Number(r.date),
    Url: r.url,
    Status: r.status,
    Attempts: r.attempts,
    LastAttemptDate: r.last_attempt_date === null ? null : Number(r.last_attempt_date),
    LastStatusCode: r.last_status_code,
    LastError: r.last_error,
    NextAttemptDate: r.status === 'PENDING' ? Math.floor(Number(r.next_date)) : null,
    CreationDate: Number(r.creation_date),
  }));
  return { items, total };
}

export type RetryOutcome =
  | { ok: true; status: 'PENDING' }
  | { ok: false; why: 'not_found' | 'in_flight' | 'hook_off' | 'final'; status?: string; hookState?: string };

/**
 * "Retry now" (the Dashboard): a PENDING delivery falls due at `nowMs` (never later than it was);
 * a FAILED one goes back to PENDING, due at `nowMs`, keeping its attempts, so that the dispatcher
 * makes one more call and, if it fails too, the schedule (already run out) makes it FAILED again.
 * One conditional UPDATE, so concurrent dispatchers stay correct: a row a dispatcher holds (claimed,
 * its lease running) is left alone and reported in flight; a row we update is locked, so
 * claimDue's SKIP LOCKED takes it on its next poll. SUCCEEDED and CANCELLED rows are final, and a
 * delivery of a disabled or INVALID hook is refused (the dispatcher would only cancel it).
 */
export async function retryDelivery(q: Queryable, clientId: string, id: string, nowMs: number): Promise<RetryOutcome> {
  if (!/^\d{1,18}$/.test(id)) return { ok: false, why: 'not_found' };
  const updated = await q.query(
    `UPDATE webhook_deliveries d SET status = 'PENDING', due_at = LEAST(d.due_at, $3), claim = NULL
     FROM hooks h
     WHERE d.id = $1 AND d.client_id = $2 AND h.id = d.hook_id AND h.status = 'ENABLED' AND h.validity = 'VALID'
       AND (d.status = 'FAILED' OR (d.status = 'PENDING' AND NOT (d.claim IS NOT NULL AND d.due_at > $3)))
     RETURNING d.id`,
    [id, clientId, nowMs],
  );
  if (updated.length) return { ok: true, status: 'PENDING' };
  const [row] = await q.query<any>(
    `SELECT d.status, d.claim, d.due_at, h.status AS hook_status, h.validity
     FROM webhook_deliveries d JOIN hooks h ON h.id = d.hook_id WHERE d.id = $1 AND d.client_id = $2`,
    [id, clientId],
  );
  if (!row) return { ok: false, why: 'not_found' };
  if (row.status !== 'PENDING' && row.status !== 'FAILED') return { ok: false, why: 'final', status: row.status };
  if (row.hook_status !== 'ENABLED' || row.validity !== 'VALID') {
    return { ok: false, why: 'hook_off', status: row.status, hookState: row.hook_status !== 'ENABLED' ? row.hook_status : row.validity };
  }
  return { ok: false, why: 'in_flight', status: row.status };
}
