import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../../db/index.js';
import { Str, Type } from '../../lib/schema.js';
import { nowSeconds } from '../../http/context.js';
import { formField, sendPage } from '../../http/pages.js';
import { escapeHtml, httpUrl } from '../../lib/html.js';
import { clockOffset } from '../clock/store.js';
import type { LegalData } from '../users/model.js';
import { completeTransferSession } from '../transfers/service.js';
import { completeScaSession, failScaSession, findScaSession } from '../users/service.js';

/** The passcode Mangopay's sandbox accepts on its SCA pages. */
export const SANDBOX_PASSCODE = '702100';

function page(reply: FastifyReply, status: number, title: string, body: string, returnTo: string | null = null) {
  return sendPage(
    reply,
    status,
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Mangrove</title>` +
      '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}' +
      'input,button{font-size:1.1rem;padding:.4rem}.err{color:#b00}</style></head>' +
      `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    returnTo,
  );
}

/** Only http(s) return addresses are followed, so the page cannot be turned into a script launcher. */
const safeReturnUrl = (raw: string | null | undefined): string | null => httpUrl(raw)?.toString() ?? null;

/** The page has no bearer token: its clock is the sandbox clock of the client the link belongs to. */
async function linkNow(db: Db, token: string): Promise<number> {
  const found = token ? await findScaSession(db, token) : null;
  return nowSeconds() + (found ? await clockOffset(db, found.session.clientId) : 0);
}

// Repeated in a query string, a parameter arrives as a list: it counts as not sent, as it always did.
const OneOrMore = () =>
  Type.Optional(Type.Unsafe<string | string[]>({ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }));

const PageQuery = Type.Object({
  token: OneOrMore(),
  ReturnUrl: OneOrMore(),
});

const one = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const HTML = { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } };
const PAGES = { 200: HTML, 400: HTML, 404: HTML, 410: HTML };

/**
 * How the form is documented. The page posts it as a form; the route reads whatever body Fastify parsed
 * (names in any case, as before), so a JSON body is read the same way and never refused.
 */
const PageForm = {
  content: {
    'application/x-www-form-urlencoded': {
      schema: Type.Object({
        token: Type.Optional(Str({ description: 'The token of the link' })),
        passcode: Type.Optional(Str({ description: 'The sandbox passcode, 702100' })),
        ReturnUrl: Type.Optional(Str({ description: 'Where to go once done (http or https)' })),
      }),
    },
  },
};

const ACTIONS = {
  ENROLLMENT: 'Enroll in strong customer authentication',
  CONSENT: 'Give your consent',
  AUTHENTICATION: 'Authenticate to access your account',
  TRANSFER: 'Authenticate your transfer',
};

const DONE = {
  ENROLLMENT: 'You are enrolled.',
  CONSENT: 'Your consent is recorded.',
  AUTHENTICATION: 'You are authenticated.',
  TRANSFER: 'Your transfer is authenticated.',
};

const REASONS = {
  unknown: 'This link is not valid.',
  expired: 'This link has expired: ask the platform for a new one.',
  used: 'This step has already been completed.',
  closed: 'This account is closed.',
};

/**
 * Mangrove's own SCA page, where PendingUserAction.RedirectUrl (or a wallet read's WWW-Authenticate)
 * leads: the user enters the sandbox passcode and the enrollment, consent, authentication for
 * account access or transfer authentication completes.
 */
export function scaPageRoutes(app: FastifyInstance, db: Db): void {
  app.get('/sca', { schema: { summary: 'The SCA page a RedirectUrl leads to', querystring: PageQuery, response: PAGES } }, async (req, reply) => {
    const q = req.query as { token?: unknown; ReturnUrl?: unknown };
    const token = one(q.token) ?? '';
    const returnUrl = safeReturnUrl(one(q.ReturnUrl));
    const found = token ? await findScaSession(db, token) : null;
    if (!found) return page(reply, 404, 'Strong customer authentication', `<p class="err">${REASONS.unknown}</p>`);
    const { session, user } = found;
    if (session.completedAt !== null) return page(reply, 410, 'Strong customer authentication', `<p>${REASONS.used}</p>`);
    if (nowSeconds() + (await clockOffset(db, session.clientId)) > session.expiresAt) {
      return page(reply, 410, 'Strong customer authentication', `<p class="err">${REASONS.expired}</p>`);
    }
    const who =
      user.personType === 'LEGAL'
        ? `${(user.data as LegalData).LegalRepresentative.FirstName ?? ''} ${(user.data as LegalData).LegalRepresentative.LastName ?? ''}`
        : user.email;
    const action = ACTIONS[session.kind];
    return page(
      reply,
      200,
      action,
      `<p>${escapeHtml(who)}, enter the passcode sent to you (sandbox passcode: <code>${SANDBOX_PASSCODE}</code>).</p>` +
        // Relative, so that the form still posts to this page behind a proxy that adds a path prefix.
        '<form method="post" action="sca">' +
        `<input type="hidden" name="token" value="${escapeHtml(token)}">` +
        (returnUrl ? `<input type="hidden" name="ReturnUrl" value="${escapeHtml(returnUrl)}">` : '') +
        '<label>Passcode <input name="passcode" inputmode="numeric" autocomplete="one-time-code" required></label> ' +
        '<button type="submit">Confirm</button></form>',
      returnUrl,
    );
  });

  app.post(
    '/sca',
    { schema: { summary: "The SCA page's form: the passcode completes the step", body: PageForm, response: { ...PAGES, 303: { description: 'To the ReturnUrl' } } } },
    async (req, reply) => {
    const token = formField(req.body, 'token') ?? '';
    const passcode = formField(req.body, 'passcode') ?? '';
    const returnUrl = safeReturnUrl(formField(req.body, 'ReturnUrl'));
    const now = await linkNow(db, token);
    if (passcode.trim() !== SANDBOX_PASSCODE) {
      await failScaSession(db, token, now);
      return page(reply, 400, 'Strong customer authentication', '<p class="err">Wrong passcode. Go back and try again.</p>');
    }
    // A transfer's session runs the transfer, in the transfers module.
    const kind = (await findScaSession(db, token))?.session.kind;
    const outcome = kind === 'TRANSFER' ? await completeTransferSession(db, token, now) : await completeScaSession(db, token, now);
    if (!outcome.ok) {
      return page(reply, outcome.reason === 'unknown' ? 404 : 410, 'Strong customer authentication', `<p class="err">${REASONS[outcome.reason]}</p>`);
    }
    if (returnUrl) return reply.redirect(returnUrl, 303);
    // A transfer that ran but failed (balance, closure, blocks) says why.
    const failed = 'transfer' in outcome && outcome.transfer.status === 'FAILED' ? ` It failed: ${escapeHtml(outcome.transfer.resultMessage ?? '')}` : '';
    return page(reply, 200, 'Done', `<p>${DONE[kind!]}${failed} You can close this page.</p>`);
    },
  );
}
