import type { FastifyReply } from 'fastify';
import { httpUrl } from '../lib/html.js';

/**
 * Sends one of Mangrove's own HTML pages with the headers they all need: no script at all, inline
 * styles only, no framing (clickjacking a button), no caching and no Referer (their URLs hold
 * secrets). Their forms post to the page itself; `returnTo` is where a form's 303 then leads, whose
 * origin must be allowed too (CSP form-action covers the redirect after a form post).
 */
export function sendPage(reply: FastifyReply, status: number, html: string, returnTo?: string | URL | null): FastifyReply {
  const target = typeof returnTo === 'string' ? httpUrl(returnTo) : (returnTo ?? null);
  const formAction = target ? `'self' ${target.origin}` : "'self'";
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`)
    .header('X-Frame-Options', 'DENY')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer')
    .header('Cache-Control', 'no-store')
    .send(html);
}

/**
 * A field of a posted form (or JSON body) by any of its names, in any case, the last one winning;
 * numbers read as text; an empty value or any other type counts as not sent.
 */
export function formField(body: unknown, ...names: string[]): string | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  let out: string | undefined;
  for (const [k, v] of Object.entries(body)) {
    if (wanted.has(k.toLowerCase())) out = typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  }
  return out === '' ? undefined : out;
}
