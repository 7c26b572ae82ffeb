import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { systemClock } from '../core/clock.js';
import { ApiError } from '../core/errors.js';
import type { Paging } from '../core/paging.js';
import type { Db } from '../db/index.js';
import { baseUrl } from '../http/auth.js';
import { listHooks } from '../modules/hooks/service.js';
import { DELIVERY_STATUSES } from '../modules/sandbox/schemas.js';
import { retryDeliveryNow } from '../webhooks/deliveries.js';
import { listDeliveries, type DeliveryRow } from '../webhooks/store.js';
import { esc, layout, postForm, redirect, sendHtml, table, when, type PageSession } from './layout.js';
import { addNav, PAGE } from './sandbox.js';
import { dashCtx } from './session.js';

/**
 * Hooks and webhook deliveries (/dashboard/hooks): the client's hooks, its outbox rows with their
 * attempts, and "retry now" on a PENDING or FAILED one (src/webhooks/store.ts retryDelivery: the
 * row falls due at once and the dispatcher of any process sends it on its next poll).
 */

export const PER_PAGE = 20;
const HOOKS_SHOWN = 100;

export interface DeliveryFilter {
  status?: string;
  eventType?: string;
  hookId?: string;
  page: number;
}

/** The filter from the query string; unknown or malformed values are dropped. */
export function deliveryFilter(query: unknown): DeliveryFilter {
  const q = (query ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof q[k] === 'string' && (q[k] as string).trim() ? (q[k] as string).trim() : undefined);
  const status = str('status')?.toUpperCase();
  const eventType = str('eventType')?.toUpperCase();
  const hookId = str('hookId');
  const page = Number(str('page') ?? '1');
  return {
    status: status && (DELIVERY_STATUSES as readonly string[]).includes(status) ? status : undefined,
    eventType: eventType && /^[A-Z0-9_]{1,100}$/.test(eventType) ? eventType : undefined,
    hookId: hookId && hookId.length <= 100 ? hookId : undefined,
    page: Number.isInteger(page) && page >= 1 && page <= 1_000_000 ? page : 1,
  };
}

export function filterQuery(f: DeliveryFilter, page = f.page): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.eventType) p.set('eventType', f.eventType);
  if (f.hookId) p.set('hookId', f.hookId);
  if (page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Dashboard pages of the resources that have one. */
const RESOURCE_PAGES: Array<[string, string]> = [
  ['user_m_', '/dashboard/users/'],
  ['payin_m_', '/dashboard/payins/'],
  ['po_m_', '/dashboard/payouts/'],
];

function resourceCell(id: string): string {
  const page = RESOURCE_PAGES.find(([prefix]) => id.startsWith(prefix));
  return page ? `<a href="${esc(page[1] + encodeURIComponent(id))}"><code>${esc(id)}</code></a>` : `<code>${esc(id)}</code>`;
}

function deliveryRow(s: PageSession, d: DeliveryRow, back: string): string[] {
  const retriable = d.Status === 'PENDING' || d.Status === 'FAILED';
  const retry = retriable
    ? postForm(
        s,
        `/dashboard/hooks/deliveries/${encodeURIComponent(d.Id)}/retry`,
        `<input type="hidden" name="returnTo" value="${esc(back)}"><button type="submit" aria-label="Retry delivery ${esc(d.Id)} now">Retry now</button>`,
      )
    : '';
  return [
    esc(d.Id),
    esc(d.EventType),
    resourceCell(d.RessourceId),
    `<span class="status-${esc(d.Status)} delivery-status">${esc(d.Status)}</span>`,
    esc(d.Attempts),
    d.LastAttemptDate === null ? '' : when(d.LastAttemptDate),
    esc(d.LastStatusCode ?? ''),
    esc(d.LastError ?? ''),
    d.NextAttemptDate === null ? '' : when(d.NextAttemptDate),
    retry,
  ];
}

export async function hooksPage(db: Db, s: PageSession, f: DeliveryFilter, outcome = ''): Promise<string> {
  const ctx = { db, clientId: s.clientId, now: 0, baseUrl: '' };
  const byDate: Paging = { page: 1, perPage: HOOKS_SHOWN, sortField: 'CreationDate', sortDir: 'ASC' };
  const hooks = await listHooks(ctx, {}, byDate);
  const hookRows = hooks.items.map((h) => [
    esc(h.eventType),
    `<code>${esc(h.url)}</code>`,
    esc(h.status),
    esc(h.validity),
    `<a href="/dashboard/hooks${esc(filterQuery({ hookId: h.id, page: 1 }))}">${esc(h.id)}</a>`,
  ]);
  const paging: Paging = { page: f.page, perPage: PER_PAGE, sortField: 'CreationDate', sortDir: 'DESC' };
  const { items, total } = await listDeliveries(db, s.clientId, { status: f.status, eventType: f.eventType, hookId: f.hookId }, paging);
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const back = `/dashboard/hooks${filterQuery(f)}`;
  const statusOpts = ['', ...DELIVERY_STATUSES]
    .map((v) => `<option value="${v}"${v === (f.status ?? '') ? ' selected' : ''}>${v || 'any'}</option>`)
    .join('');
  const filters = `<form method="get" action="/dashboard/hooks" class="search" aria-label="Filter deliveries">
    <label for="f-status">Status <select id="f-status" name="status">${statusOpts}</select></label>
    <label for="f-event">Event type <input id="f-event" name="eventType" value="${esc(f.eventType ?? '')}" placeholder="PAYIN_NORMAL_SUCCEEDED"></label>
    ${f.hookId ? `<input type="hidden" name="hookId" value="${esc(f.hookId)}">` : ''}
    <button type="submit">Filter</button></form>`;
  const nav = `<nav class="pages" aria-label="Delivery pages">
    ${f.page > 1 ? `<a href="/dashboard/hooks${esc(filterQuery(f, f.page - 1))}" rel="prev">Previous</a>` : ''}
    <span>Page ${f.page} of ${pages} (${total} deliveries)</span>
    ${f.page < pages ? `<a href="/dashboard/hooks${esc(filterQuery(f, f.page + 1))}" rel="next">Next</a>` : ''}</nav>`;
  const hookNote = hooks.total > HOOKS_SHOWN ? `<p>The first ${HOOKS_SHOWN} of ${hooks.total} hooks.</p>` : '';
  return `${outcome}<section aria-labelledby="hooks-h"><h2 id="hooks-h">Hooks</h2>${table(
    'Hooks',
    ['EventType', 'Url', 'Status', 'Validity', 'Id (its deliveries)'],
    hookRows,
    'no hook registered',
  )}${hookNote}</section>
  <section aria-labelledby="del-h"><h2 id="del-h">Deliveries</h2>
  <p>Newest first. Retry now makes a PENDING delivery due at once; a FAILED one (its retries all used) goes back to PENDING for one more call, and is FAILED again if that call fails too.${
    f.hookId ? ` Only hook <code>${esc(f.hookId)}</code> (<a href="/dashboard/hooks">all hooks</a>).` : ''
  }</p>
  ${filters}${table(
    'Webhook deliveries',
    ['Id', 'EventType', 'RessourceId', 'Status', 'Attempts', 'Last attempt', 'Last status code', 'Last error', 'Next attempt', ''],
    items.map((d) => deliveryRow(s, d, back)),
    'no delivery matches',
  )}${nav}</section>`;
}

/** A local /dashboard/hooks path to go back to, or the page itself. */
function backTo(v: unknown): string {
  return typeof v === 'string' && v.length < 500 && /^\/dashboard\/hooks(\?[A-Za-z0-9_=&%.-]*)?$/.test(v) ? v : '/dashboard/hooks';
}

/** Registers the pages on the Dashboard's signed-in scope (req.dash set, POSTs CSRF-checked). */
export function hookPages(app: FastifyInstance, db: Db, config: Config): void {
  addNav('/dashboard/hooks', 'Hooks and deliveries');
  const title = 'Hooks and webhook deliveries';
  app.get('/hooks', PAGE, async (req: FastifyRequest, reply: FastifyReply) => {
    const s = req.dash!;
    const notice = typeof (req.query as { notice?: unknown })?.notice === 'string' ? (req.query as { notice: string }).notice.slice(0, 300) : null;
    sendHtml(reply, 200, layout({ title, session: s, notice, body: await hooksPage(db, s, deliveryFilter(req.query)) }));
  });
  app.post('/hooks/deliveries/:id/retry', PAGE, async (req: FastifyRequest, reply: FastifyReply) => {
    const s = req.dash!;
    const id = (req.params as { id: string }).id;
    const back = backTo((req.body as { returnTo?: unknown } | undefined)?.returnTo);
    const ctx = await dashCtx(db, s.clientId, baseUrl(config, req));
    try {
      await retryDeliveryNow(ctx.db, ctx.clientId, id, systemClock.nowMs());
      return redirect(reply, back, `Delivery ${id} is due now: it is sent on the dispatcher's next poll.`);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) throw err;
      const refusal = `<p class="error" role="alert">${esc(err.message)}</p>`;
      const f = deliveryFilter(Object.fromEntries(new URL(back, 'http://x').searchParams));
      return sendHtml(reply, err.status, layout({ title, session: s, body: await hooksPage(db, s, f, refusal) }));
    }
  });
}
