import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../lib/html.js';

/**
 * The Dashboard's pages: plain server-rendered HTML, no framework and no script. It is a handful of
 * pages made of tables, forms and links; a client-side framework would add a build, a bundle and
 * a CSP exception without making any of them better. Everything is served by this process (no CDN),
 * so it works offline.
 */

export const esc = (v: unknown): string => escapeHtml(v === null || v === undefined ? '' : String(v));

/** What a signed-in page needs to draw its header and forms. */
export interface PageSession {
  clientId: string;
  csrfToken: string;
  /** Whether this server runs the sandbox (its pages and links exist only then). */
  sandbox?: boolean;
}

/** The hidden field every form of a session carries (checked on every POST). */
export const csrfField = (s: PageSession): string => `<input type="hidden" name="csrf" value="${esc(s.csrfToken)}">`;

/** A POST form to `action` with its CSRF field; `body` holds its fields and button(s). */
export function postForm(s: PageSession, action: string, body: string, attrs = ''): string {
  return `<form method="post" action="${esc(action)}"${attrs ? ` ${attrs}` : ''}>${csrfField(s)}${body}</form>`;
}

/** Money as the API gives it ({Currency, Amount} in minor units), shown in major units. */
export function money(m: { Currency: string; Amount: number } | null | undefined): string {
  if (!m) return '';
  const digits = ['JPY', 'KRW', 'CLP', 'ISK'].includes(m.Currency) ? 0 : 2;
  return `${(m.Amount / 10 ** digits).toFixed(digits)} ${esc(m.Currency)}`;
}

/** Unix seconds as an ISO date-time (UTC); `short`: to the minute, for lists. */
export function when(seconds: number | null | undefined, short = false): string {
  if (seconds === null || seconds === undefined) return '';
  const iso = new Date(seconds * 1000).toISOString();
  return `<time datetime="${iso}">${iso.replace('T', ' ').slice(0, short ? 16 : 19)}${short ? '' : ' UTC'}</time>`;
}

/** A table with a caption, headers and rows of already-escaped cells; a sentence when empty. */
export function table(caption: string, headers: string[], rows: string[][], empty = 'None.'): string {
  if (!rows.length) return `<p class="empty">${esc(caption)}: ${esc(empty)}</p>`;
  return `<div class="scroll"><table><caption>${esc(caption)}</caption><thead><tr>${headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/** Any JSON object (an API object) as nested definition lists, every field shown, nulls included. */
export function objectView(value: unknown): string {
  if (value === null || value === undefined) return '<span class="null">null</span>';
  if (Array.isArray(value)) return value.length ? `<ol>${value.map((v) => `<li>${objectView(v)}</li>`).join('')}</ol>` : '[]';
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.length) return '{}';
    return `<dl class="obj">${entries.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${objectView(v)}</dd>`).join('')}</dl>`;
  }
  return esc(value);
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fff}
header{background:#0b3d2e;color:#fff;padding:.5rem 1rem;display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}header .brand{font-weight:700;font-size:1.1rem;color:#fff;text-decoration:none}
header form{margin-left:auto}
main{padding:1rem;max-width:100rem}
a{color:#0645ad}a:focus,button:focus,input:focus,select:focus{outline:3px solid #f5a623;outline-offset:2px}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%;font-size:.9rem}
.scroll{overflow-x:auto}
time{white-space:nowrap}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2ef}
dl.obj{display:grid;grid-template-columns:max-content 1fr;gap:0 1rem;margin:0}
dl.obj dt{font-weight:600}dl.obj dd{margin:0}
.null{color:#595959;font-style:italic}
.notice{border:2px solid #0b6e4f;background:#e6f4ee;padding:.5rem 1rem}
.error{border:2px solid #a4000f;background:#fdecee;padding:.5rem 1rem}
.warning{border:2px solid #8a5a00;background:#fff4de;padding:.5rem 1rem}
.status-CLOSED{color:#a4000f;font-weight:700}.status-ACTIVE{color:#0b6e4f;font-weight:700}
button{font:inherit;padding:.3rem .8rem;border:2px solid #0b3d2e;background:#0b3d2e;color:#fff;border-radius:3px;cursor:pointer}
button.danger{background:#a4000f;border-color:#a4000f}
input,select{font:inherit;padding:.2rem .4rem;border:1px solid #555}
label{margin-right:.5rem}
.search{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin-bottom:1rem}
.search label{display:flex;flex-direction:column}
nav.pages{display:flex;gap:1rem;margin:.5rem 0}
section{margin-bottom:1.5rem}
.skip{position:absolute;left:-999px;top:0;background:#fff;color:#0645ad;padding:.5rem}.skip:focus{left:0}
`;

/** Links of the header; other pages add theirs here. A sandbox-only link shows on a sandbox server only. */
export const NAV: Array<{ href: string; label: string; sandboxOnly?: boolean }> = [{ href: '/dashboard/users', label: 'Users' }];

/** A whole page: header with navigation and sign-out when signed in, one <main> with the body. */
export function layout(opts: { title: string; body: string; session?: PageSession | null; notice?: string | null; error?: string | null }): string {
  const s = opts.session;
  const nav = s
    ? `<nav aria-label="Dashboard">${NAV.filter((n) => !n.sandboxOnly || s.sandbox)
        .map((n) => `<a href="${esc(n.href)}">${esc(n.label)}</a>`)
        .join(' ')}</nav>
       <span>Client <strong>${esc(s.clientId)}</strong></span>
       ${postForm(s, '/dashboard/sign-out', '<button type="submit">Sign out</button>')}`
    : '';
  // A notice comes in the query of a redirect: text only, and short.
  const notice = opts.notice ? `<p class="notice" role="status">${esc(opts.notice.slice(0, 300))}</p>` : '';
  const error = opts.error ? `<p class="error" role="alert">${esc(opts.error)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(opts.title)} · Mangrove Dashboard</title><style>${STYLE}</style></head>
<body><a class="skip" href="#main">Skip to the content</a><header><a class="brand" href="/dashboard">Mangrove Dashboard</a>${nav}</header>
<main id="main"><h1>${esc(opts.title)}</h1>${notice}${error}${opts.body}</main></body></html>`;
}

/**
 * Sends a Dashboard page with the headers of Mangrove's pages (src/http/pages.ts): no script at all,
 * inline styles only, forms to this origin only, no framing, no caching, no Referer.
 */
export function sendHtml(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    .header('X-Frame-Options', 'DENY')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer')
    .header('Cache-Control', 'no-store')
    .send(html);
}

/** Post/redirect/get: 303 to a Dashboard path, with a notice shown there. */
export function redirect(reply: FastifyReply, path: string, notice?: string): FastifyReply {
  const url = notice ? `${path}${path.includes('?') ? '&' : '?'}notice=${encodeURIComponent(notice)}` : path;
  return reply.status(303).header('Location', url).header('Cache-Control', 'no-store').send();
}
