import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../../db/index.js';
import { nowSeconds } from '../../http/context.js';
import { formField, sendPage } from '../../http/pages.js';
import { escapeHtml, httpUrl } from '../../lib/html.js';
import { NoQuery, Str, Type } from '../../lib/schema.js';
import { clockOffset } from '../clock/store.js';
import { decideSecureSession, findSecureSession, type SecureOutcome, type SecureSession } from './service.js';

/*
 * Mangrove's 3-D Secure page (`/3ds/{id}`), where a SecureModeRedirectURL leads: the payer sees what is
 * asked (amount, card alias, what for) and approves or refuses; the session's handler (direct pay-ins,
 * pre-authorizations, card validations) applies the answer, and the browser goes back to the platform.
 * No bearer token: the session id is the credential. Plain HTML, no script.
 */

/** The page in its layout, sent with the pages' common headers (src/http/pages.ts). */
function page(reply: FastifyReply, status: number, title: string, body: string, formTarget: URL | null = null) {
  return sendPage(
    reply,
    status,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
      `<title>${escapeHtml(title)} · Mangrove</title>` +
      '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;line-height:1.5}' +
      'dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}' +
      'button{font-size:1.1rem;padding:.5rem 1rem;margin-right:.5rem}.err{color:#b00}</style></head>' +
      `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    formTarget,
  );
}

/** An amount in minor units, in the currency's usual form (EUR 1000 → €10.00); anything odd as it is. */
function formatAmount(amount: unknown, currency: unknown): string | null {
  if (typeof amount !== 'number' || !Number.isFinite(amount)) return null;
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) return String(amount);
  try {
    const f = new Intl.NumberFormat('en', { style: 'currency', currency });
    return f.format(amount / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${amount} ${currency}`;
  }
}

const TITLES: Record<string, string> = {
  PAYIN: 'Confirm your card payment',
  PREAUTHORIZATION: 'Confirm the hold on your card',
  CARD_VALIDATION: 'Confirm your card',
};

const RESULTS: Record<SecureSession['state'], string> = {
  OPEN: '',
  APPROVED: 'You approved this request.',
  REFUSED: 'You refused this request.',
  EXPIRED: 'This authentication expired before it was answered: nothing was approved.',
  CANCELED: 'This authentication was cancelled.',
};

/** What the session holds for the payer to see (amount, currency, card alias, label); never a card number. */
function summary(s: SecureSession): string {
  const d = s.data ?? {};
  const rows: Array<[string, string]> = [];
  const amount = formatAmount(d.amount, d.currency);
  if (amount !== null) rows.push(['Amount', amount]);
  if (typeof d.alias === 'string') rows.push(['Card', d.alias]);
  if (typeof d.label === 'string') rows.push(['For', d.label]);
  if (!rows.length) return '';
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

/** A decided (or expired) session: what happened, and the way back to the platform. */
function resultPage(reply: FastifyReply, s: SecureSession) {
  const back = httpUrl(s.returnUrl);
  const link = back ? `<p><a href="${escapeHtml(back.toString())}">Return to the merchant</a></p>` : '';
  const cls = s.state === 'APPROVED' ? '' : ' class="err"';
  return page(reply, s.state === 'EXPIRED' ? 410 : 200, TITLES[s.kind] ?? '3-D Secure', `${summary(s)}<p${cls} role="status">${RESULTS[s.state]}</p>${link}`);
}

const notFound = (reply: FastifyReply) =>
  page(reply, 404, '3-D Secure', '<p class="err">This authentication link is not valid.</p>');

const Params = Type.Object({ sessionId: Str({ description: 'The 3-D Secure session (its id is the secret of the link)' }) });
const HTML = { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } };
const PAGES = { 200: HTML, 400: HTML, 404: HTML, 410: HTML };
/** Documented only: the route reads the form itself (names in any case), so nothing is refused by a schema. */
const DecisionForm = {
  content: {
    'application/x-www-form-urlencoded': {
      schema: Type.Object({ outcome: Str({ description: 'APPROVED or REFUSED' }) }),
    },
  },
};

/** The 3-D Secure challenge page of direct pay-ins, pre-authorizations and card validations (outside the client's API). */
export function securePageRoutes(app: FastifyInstance, db: Db): void {
  // The page has no bearer token: its clock is the sandbox clock of the client the session belongs to.
  const clientNow = async (clientId: string) => nowSeconds() + (await clockOffset(db, clientId));
  /** The session of a /3ds link (web payment pages have their own path). */
  const challenge = async (id: string) => {
    const s = await findSecureSession(db, id);
    return s && s.kind !== 'WEB_PAYIN' ? s : null;
  };

  app.get(
    '/3ds/:sessionId',
    { schema: { summary: 'The 3-D Secure page a SecureModeRedirectURL leads to', params: Params, querystring: NoQuery, response: PAGES } },
    async (req, reply) => {
      const id = (req.params as { sessionId: string }).sessionId;
      const s = await challenge(id);
      if (!s) return notFound(reply);
      if (s.state !== 'OPEN') return resultPage(reply, s);
      if (s.expiresAt <= (await clientNow(s.clientId))) {
        return resultPage(reply, (await decideSecureSession(db, id, 'EXPIRED', clientNow)) ?? s);
      }
      return page(
        reply,
        200,
        TITLES[s.kind] ?? '3-D Secure',
        `<p>Your bank asks you to confirm this request (Mangrove sandbox: no code is needed).</p>${summary(s)}` +
          // No action: the form posts back to this very address.
          '<form method="post"><p>' +
          '<button type="submit" name="outcome" value="APPROVED">Approve</button>' +
          '<button type="submit" name="outcome" value="REFUSED">Refuse</button></p></form>',
        httpUrl(s.returnUrl),
      );
    },
  );

  app.post(
    '/3ds/:sessionId',
    {
      schema: {
        summary: "The 3-D Secure page's answer: APPROVED or REFUSED, then back to the return URL",
        params: Params,
        body: DecisionForm,
        response: { ...PAGES, 303: { description: 'To the return URL, with the resource id' } },
      },
    },
    async (req, reply) => {
      const id = (req.params as { sessionId: string }).sessionId;
      const s = await challenge(id);
      if (!s) return notFound(reply);
      if (s.state !== 'OPEN') return resultPage(reply, s);
      const wanted = formField(req.body, 'outcome')?.trim().toUpperCase();
      if (wanted !== 'APPROVED' && wanted !== 'REFUSED') {
        return page(reply, 400, TITLES[s.kind] ?? '3-D Secure', '<p class="err">Choose Approve or Refuse. Go back and try again.</p>');
      }
      const decided = (await decideSecureSession(db, id, wanted as SecureOutcome, clientNow)) ?? s;
      const back = httpUrl(decided.returnUrl);
      if (decided.state === 'EXPIRED' || !back) return resultPage(reply, decided);
      // Whatever the answer, the payer goes back to the platform, which reads the resource's outcome.
      return reply.header('Referrer-Policy', 'no-referrer').header('Cache-Control', 'no-store').redirect(back.toString(), 303);
    },
  );
}
