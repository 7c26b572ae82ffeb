import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { ApiError } from '../core/errors.js';
import type { Db } from '../db/index.js';
import { baseUrl } from '../http/auth.js';
import * as payIns from '../modules/payins/service.js';
import * as payOuts from '../modules/payouts/service.js';
import { renderTransaction } from '../modules/transactions/model.js';
import { esc, layout, NAV, objectView, postForm, redirect, sendHtml, type PageSession } from './layout.js';
import { findOp, SANDBOX_OPS, type FieldSpec, type Form, type OpResult, type SandboxOp } from './sandbox-ops.js';
import { dashCtx } from './session.js';

/**
 * The sandbox operations page (/dashboard/sandbox) and its forms: each posts to
 * /dashboard/sandbox/{op}, which calls the same service as the API's /sandbox/... route for the
 * signed-in client only. Registered only when config.sandbox is on, so every path is 404 otherwise,
 * like the API's.
 */

function field(op: SandboxOp, f: FieldSpec, values: Form): string {
  const id = `${op.name}-${f.name}`;
  const value = values[f.name] ?? '';
  const hint = f.hint ? ` <small id="${id}-hint">(${esc(f.hint)})</small>` : '';
  const described = f.hint ? ` aria-describedby="${id}-hint"` : '';
  const req = f.required ? ' required' : '';
  if (f.kind === 'checkbox') {
    return `<label><input type="checkbox" id="${id}" name="${esc(f.name)}"${values[f.name] ? ' checked' : ''}> ${esc(f.label)}</label>`;
  }
  if (f.kind === 'select') {
    const opts = (f.required ? [] : ['']).concat(f.options ?? []);
    return `<label for="${id}">${esc(f.label)}</label> <select id="${id}" name="${esc(f.name)}"${req}${described}>${opts
      .map((o) => `<option value="${esc(o)}"${o === value ? ' selected' : ''}>${o ? esc(o) : '—'}</option>`)
      .join('')}</select>${hint}`;
  }
  const type = f.kind === 'int' ? ' inputmode="numeric" pattern="[0-9]*"' : '';
  return `<label for="${id}">${esc(f.label)}</label> <input id="${id}" name="${esc(f.name)}" value="${esc(value)}"${type}${req}${described} autocomplete="off">${hint}`;
}

/** One operation's form; `fixed` fills (and hides) fields, e.g. the id on a user's or pay-in's page. */
export function opForm(s: PageSession, op: SandboxOp, fixed: Form = {}, returnTo?: string): string {
  const hidden = Object.entries(fixed)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  const back = returnTo ? `<input type="hidden" name="returnTo" value="${esc(returnTo)}">` : '';
  const fields = op.fields
    .filter((f) => fixed[f.name] === undefined)
    .map((f) => `<span class="field">${field(op, f, {})}</span>`)
    .join(' ');
  const warning = op.danger ? `<p class="warning">${esc(op.danger)}</p>` : '';
  const button = `<button type="submit"${op.danger ? ' class="danger"' : ''}>${esc(op.label)}</button>`;
  return postForm(s, `/dashboard/sandbox/${op.name}`, `${warning}${hidden}${back}${fields} ${button}`, `class="op" aria-label="${esc(`${op.group}: ${op.label}`)}"`);
}

/**
 * The buttons a resource's page shows (H2's user and pay-in pages): for a pay-in, settle/fail; a
 * payout, settle/fail; a KYC document, validate/refuse; a UBO declaration, its three outcomes; a
 * user, block/unblock and SCA. Empty when the sandbox is off.
 */
export function sandboxButtons(
  config: Config,
  s: PageSession,
  kind: 'payin' | 'payout' | 'kyc' | 'ubo' | 'user',
  id: string,
  returnTo?: string,
): string {
  if (!config.sandbox) return '';
  const idField = { payin: 'PayInId', payout: 'PayOutId', kyc: 'DocumentId', ubo: 'DeclarationId', user: 'UserId' }[kind];
  const prefix = { payin: 'payin-', payout: 'payout-', kyc: 'kyc-', ubo: 'ubo-', user: '' }[kind];
  const ops = SANDBOX_OPS.filter((o) => o.idField === idField && o.name.startsWith(prefix));
  return `<div class="sandbox-ops">${ops.map((o) => opForm(s, o, { [idField]: id }, returnTo)).join('')}</div>`;
}

function resultView(r: OpResult): string {
  const rows = r.details
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
    .join('');
  return `<section class="notice" role="status" aria-labelledby="result-h"><h2 id="result-h">Result</h2>
    <p>${esc(r.subject)}: <strong class="result-status">${esc(r.status)}</strong></p>${rows ? `<dl class="obj">${rows}</dl>` : ''}</section>`;
}

function refusalView(err: ApiError): string {
  const fields = err.errors
    ? `<ul>${Object.entries(err.errors)
        .map(([k, v]) => `<li><strong>${esc(k)}</strong>: ${esc(v)}</li>`)
        .join('')}</ul>`
    : '';
  return `<section class="error" role="alert" aria-labelledby="refusal-h"><h2 id="refusal-h">Refused</h2>
    <p class="refusal">${esc(err.message)} <small>(${esc(err.type)}, HTTP ${err.status})</small></p>${fields}</section>`;
}

export function sandboxPage(s: PageSession, outcome = ''): string {
  const groups = [...new Set(SANDBOX_OPS.map((o) => o.group))];
  const sections = groups
    .map((g) => {
      const id = `g-${g.toLowerCase().replace(/[^a-z]+/g, '-')}`;
      const forms = SANDBOX_OPS.filter((o) => o.group === g)
        .map((o) => opForm(s, o))
        .join('');
      return `<section aria-labelledby="${id}"><h2 id="${id}">${esc(g)}</h2>${forms}</section>`;
    })
    .join('');
  const intro = `<p>What Mangopay's banks, compliance team and clock would do, for this client only. Each button calls the same service as the API's <code>/v2.01/${esc(s.clientId)}/sandbox/…</code> route.</p>`;
  return `${outcome}${intro}${sections}`;
}

const HTML = { description: 'A Dashboard page', content: { 'text/html': { schema: { type: 'string' } } } };

/**
 * Route options of a Dashboard page: left out of the API's OpenAPI document (it is no API), with
 * the HTML answers it gives declared (the route-schema test asks a hidden route for its errors).
 */
export const PAGE = {
  schema: { hide: true, response: { 200: HTML, 303: { description: 'To another Dashboard page' }, 400: HTML, 403: HTML, 404: HTML } },
};

/** Adds a header link once (NAV is shared by every server of the process, so a sandbox link says so). */
export function addNav(href: string, label: string, sandboxOnly = false): void {
  if (!NAV.some((n) => n.href === href)) NAV.push({ href, label, sandboxOnly });
}

/** A local Dashboard path to go back to after an operation, or null. */
export function safeReturn(v: string | undefined): string | null {
  if (!v || v.length > 500) return null;
  return /^\/dashboard(\/[A-Za-z0-9_\-./%?=&]*)?$/.test(v) && !v.includes('//') && !v.includes('..') ? v : null;
}

function formOf(body: unknown): Form {
  const form: Form = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (typeof v === 'string') form[k] = v;
      else if (Array.isArray(v) && typeof v[v.length - 1] === 'string') form[k] = v[v.length - 1];
    }
  }
  return form;
}

/**
 * Registers the pages on the Dashboard's signed-in scope (the one whose requests carry req.dash
 * and whose POSTs had their CSRF token checked).
 */
export function sandboxPages(app: FastifyInstance, db: Db, config: Config): void {
  transactionPages(app, db, config);
  if (!config.sandbox) return;
  addNav('/dashboard/sandbox', 'Sandbox', true);
  const title = 'Sandbox operations';
  app.get('/sandbox', PAGE, async (req: FastifyRequest, reply: FastifyReply) => {
    const s = req.dash!;
    sendHtml(reply, 200, layout({ title, session: s, body: sandboxPage(s) }));
  });
  app.post('/sandbox/:op', PAGE, async (req: FastifyRequest, reply: FastifyReply) => {
    const s = req.dash!;
    const op = findOp((req.params as { op: string }).op);
    if (!op) return sendHtml(reply, 404, layout({ title: 'Not found', session: s, body: '<p>No such sandbox operation.</p>' }));
    const form = formOf(req.body);
    const back = safeReturn(form.returnTo);
    const ctx = await dashCtx(db, s.clientId, baseUrl(config, req));
    try {
      const result = await op.run(ctx, form);
      if (back) return redirect(reply, back, `${result.subject}: ${result.status}`);
      return sendHtml(reply, 200, layout({ title, session: s, body: sandboxPage(s, resultView(result)) }));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) throw err;
      const backLink = back ? `<p><a href="${esc(back)}">Back</a></p>` : '';
      return sendHtml(reply, err.status, layout({ title, session: s, body: sandboxPage(s, refusalView(err) + backLink) }));
    }
  });
}

/** A user's page's sandbox block (block/unblock, complete SCA); empty when the sandbox is off. */
export function userSandboxSection(config: Config, s: PageSession, user: { id: string }): string {
  if (!config.sandbox) return '';
  const back = `/dashboard/users/${encodeURIComponent(user.id)}`;
  return `<section aria-labelledby="h-sandbox"><h2 id="h-sandbox">Sandbox operations</h2>${sandboxButtons(config, s, 'user', user.id, back)}
  <p><a href="/dashboard/sandbox">All sandbox operations</a></p></section>`;
}

/**
 * A pay-in's and a payout's page (/dashboard/payins/{Id}, /dashboard/payouts/{Id}): the object as
 * the API returns it and, with the sandbox on and the transaction CREATED, its settle and fail
 * buttons. Another client's id is 404.
 */
function transactionPages(app: FastifyInstance, db: Db, config: Config): void {
  for (const kind of ['payin', 'payout'] as const) {
    app.get(`/${kind}s/:id`, PAGE, async (req: FastifyRequest, reply: FastifyReply) => {
      const s = req.dash!;
      const id = (req.params as { id: string }).id;
      const ctx = await dashCtx(db, s.clientId, baseUrl(config, req));
      const t = kind === 'payin' ? await payIns.findPayIn(ctx, id) : await payOuts.getPayOut(ctx, id).catch(() => null);
      if (!t) return sendHtml(reply, 404, layout({ title: 'Not found', session: s, body: '<p>There is no such page, or nothing of yours here.</p>' }));
      // A bank wire read here ends as the API would read it (expired after its month).
      const shown = kind === 'payin' && t.paymentType === 'BANK_WIRE' ? await payIns.getPayIn(ctx, id) : t;
      const settleable = shown.status === 'CREATED' && (kind === 'payout' || shown.paymentType === 'BANK_WIRE');
      const back = `/dashboard/${kind}s/${encodeURIComponent(id)}`;
      const buttons = settleable ? sandboxButtons(config, s, kind, id, back) : '';
      const notice = typeof (req.query as { notice?: unknown })?.notice === 'string' ? (req.query as { notice: string }).notice.slice(0, 300) : null;
      const owner = shown.authorId ? `<p>Author <a href="/dashboard/users/${encodeURIComponent(shown.authorId)}">${esc(shown.authorId)}</a></p>` : '';
      const body = `<p>Status <strong class="tx-status">${esc(shown.status)}</strong></p>${owner}${buttons ? `<section aria-labelledby="h-ops"><h2 id="h-ops">Sandbox operations</h2>${buttons}</section>` : ''}
<section aria-labelledby="h-obj"><h2 id="h-obj">${kind === 'payin' ? 'Pay-in' : 'Payout'} object</h2>${objectView(renderTransaction(shown))}</section>`;
      return sendHtml(reply, 200, layout({ title: `${kind === 'payin' ? 'Pay-in' : 'Payout'} ${id}`, session: s, notice, body }));
    });
  }
}
