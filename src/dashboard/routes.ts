import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Paging } from '../core/paging.js';
import { ApiError } from '../core/errors.js';
import type { Db } from '../db/index.js';
import { formField } from '../http/pages.js';
import { baseUrl } from '../http/auth.js';
import { renderBankAccount } from '../modules/bankaccounts/model.js';
import { listBankAccounts } from '../modules/bankaccounts/store.js';
import { listUserCards } from '../modules/cards/service.js';
import { renderCard } from '../modules/cards/views.js';
import { closeUser } from '../modules/closure/service.js';
import { listEvents } from '../modules/events/store.js';
import { renderKycDocument } from '../modules/kyc/model.js';
import { findDocument, findPage, listDocuments, pageNumbers } from '../modules/kyc/store.js';
import { renderDeclaration } from '../modules/kyc/ubo-model.js';
import { listDeclarations } from '../modules/kyc/ubo-service.js';
import { findBlockState } from '../modules/regulatory/store.js';
import { expireDue } from '../modules/transactions/expiry.js';
import { renderTransaction } from '../modules/transactions/model.js';
import { listTransactions } from '../modules/transactions/store.js';
import { renderLegacy, renderSca } from '../modules/users/model.js';
import { findUser } from '../modules/users/store.js';
import { renderWallet } from '../modules/wallets/model.js';
import { listUserWallets } from '../modules/wallets/store.js';
import { listDeliveries } from '../webhooks/store.js';
import { esc, layout, money, objectView, postForm, redirect, sendHtml, table, when, type PageSession } from './layout.js';
import {
  MAX_FAILURES,
  PRE_COOKIE,
  checkKey,
  dashCtx,
  endSession,
  findSession,
  preToken,
  readCookie,
  sameSecret,
  startSession,
  useLinkToken,
  type DashSession,
} from './session.js';
import { hookPages } from './hooks.js';
import { PAGE, sandboxButtons, sandboxPages, userSandboxSection } from './sandbox.js';
import { searchUsers, type UserSearch } from './store.js';

/**
 * Registers more Dashboard pages inside the Dashboard's scope (paths relative to /dashboard): every
 * route there gets the session check (`req.dash`), CSRF on POST and HTML error pages.
 */
export type DashboardPages = (scope: FastifyInstance, db: Db, config: Config) => void;

/** Extra blocks of a user's page (e.g. sandbox buttons), each given the session and the user. */
export const USER_PAGE_SECTIONS: Array<(s: PageSession, user: { id: string; status: string; personType: string }) => string> = [];

/** Pages registered by other Dashboard files (add yours here). */
const EXTRA_PAGES: DashboardPages[] = [sandboxPages, hookPages];

const PUBLIC = new Set(['/dashboard/sign-in', '/dashboard/link']);
const PER_PAGE = 25;
const STATUSES = ['ACTIVE', 'PENDING_USER_ACTION', 'CLOSED'];
const CATEGORIES = ['PAYER', 'OWNER', 'PLATFORM'];
const KYC_LEVELS = ['LIGHT', 'REGULAR'];
const PERSON_TYPES = ['NATURAL', 'LEGAL'];

const all = (perPage = 100, sortDir: 'ASC' | 'DESC' = 'DESC'): Paging => ({ page: 1, perPage, sortField: 'CreationDate', sortDir });

/** The signed-in session of a Dashboard page (its hook made sure there is one). */
export function session(req: FastifyRequest): DashSession {
  if (!req.dash) throw new Error('a Dashboard page ran without a session');
  return req.dash;
}

const query = (req: FastifyRequest, name: string): string | undefined => {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

function notFoundPage(reply: FastifyReply, s: PageSession | null): FastifyReply {
  return sendHtml(reply, 404, layout({ title: 'Not found', session: s, body: '<p>There is no such page, or nothing of yours here. <a href="/dashboard/users">Back to the users</a>.</p>' }));
}

function signInPage(reply: FastifyReply, pre: string, error: string | null, status = 200, clientId = ''): FastifyReply {
  const body = `
<form method="post" action="/dashboard/sign-in">
  <input type="hidden" name="csrf" value="${esc(pre)}">
  <p><label for="clientId">Client id</label><br><input id="clientId" name="clientId" autocomplete="username" required value="${esc(clientId)}"></p>
  <p><label for="apiKey">API key</label><br><input id="apiKey" name="apiKey" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Sign in</button></p>
</form>
<p>Or run <code>mangrove dashboard-link --client-id ID</code> on the server for a one-time sign-in link.</p>`;
  return sendHtml(reply, status, layout({ title: 'Sign in', body, error }));
}

export function dashboardRoutes(app: FastifyInstance, db: Db, config: Config): void {
  void app.register(
    async (scope) => {
      scope.decorateRequest('dash', null);

      scope.setNotFoundHandler(async (req, reply) => notFoundPage(reply, await findSession(db, req).catch(() => null)));
      scope.setErrorHandler((err: any, req, reply) => {
        if (err instanceof ApiError && err.status === 404) return notFoundPage(reply, req.dash);
        if (err instanceof ApiError) {
          return sendHtml(reply, err.status, layout({ title: 'Refused', session: req.dash, error: err.message, body: '<p><a href="/dashboard/users">Back to the users</a></p>' }));
        }
        const status = typeof err?.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
        if (status === 500) req.log.error({ err }, 'dashboard fault');
        return sendHtml(reply, status, layout({ title: status === 500 ? 'Something went wrong' : 'Bad request', session: req.dash, body: '<p>The request could not be served.</p>' }));
      });

      // Every page but sign-in needs a session; every POST of a session carries its CSRF token.
      scope.addHook('preHandler', async (req, reply) => {
        const path = req.routeOptions.url ?? '';
        if (PUBLIC.has(path)) return;
        req.dash = await findSession(db, req);
        if (!req.dash) return redirect(reply, '/dashboard/sign-in');
        req.dash.sandbox = config.sandbox;
        if (req.method === 'POST' && !sameSecret(formField(req.body, 'csrf'), req.dash.csrfToken)) {
          return sendHtml(reply, 403, layout({ title: 'Form expired', session: req.dash, error: 'This form is no longer valid (CSRF check failed). Reload the page and try again.', body: '' }));
        }
      });

      scope.get('/', PAGE, async (_req, reply) => redirect(reply, '/dashboard/users'));

      // ---- Sign-in: client id + API key, or a one-time link ----
      scope.get('/sign-in', PAGE, async (req, reply) => {
        if (await findSession(db, req)) return redirect(reply, '/dashboard/users');
        return signInPage(reply, preToken(req, reply, config), null);
      });
      scope.post('/sign-in', PAGE, async (req, reply) => {
        const pre = readCookie(req, PRE_COOKIE);
        if (!sameSecret(formField(req.body, 'csrf'), pre)) return signInPage(reply, preToken(req, reply, config), 'The form expired: please sign in again.', 403);
        const clientId = formField(req.body, 'clientId') ?? '';
        const outcome = await checkKey(db, clientId, formField(req.body, 'apiKey') ?? '');
        if (!outcome.ok) {
          const msg = outcome.tooMany
            ? `Too many wrong sign-ins for this client id (more than ${MAX_FAILURES} in 15 minutes): try again later.`
            : 'Unknown client id or wrong API key.';
          return signInPage(reply, pre!, msg, outcome.tooMany ? 429 : 401, clientId);
        }
        await startSession(db, config, reply, clientId);
        return redirect(reply, '/dashboard/users');
      });
      // A link opens a page whose button signs in: previews and scanners fetching the link do not use it up.
      scope.get('/link', PAGE, async (req, reply) => {
        const pre = preToken(req, reply, config);
        const token = query(req, 'token') ?? '';
        const body = `<form method="post" action="/dashboard/link">
  <input type="hidden" name="csrf" value="${esc(pre)}"><input type="hidden" name="token" value="${esc(token)}">
  <p>This one-time link signs you in to the Dashboard.</p><p><button type="submit">Sign in</button></p></form>`;
        return sendHtml(reply, 200, layout({ title: 'Sign in with a link', body }));
      });
      scope.post('/link', PAGE, async (req, reply) => {
        if (!sameSecret(formField(req.body, 'csrf'), readCookie(req, PRE_COOKIE))) {
          return signInPage(reply, preToken(req, reply, config), 'The form expired: open the link again.', 403);
        }
        const clientId = await useLinkToken(db, formField(req.body, 'token') ?? '', config.databaseUrl ? null : config.dataDir);
        if (!clientId) return signInPage(reply, preToken(req, reply, config), 'This sign-in link is unknown, expired or already used.', 401);
        await startSession(db, config, reply, clientId);
        return redirect(reply, '/dashboard/users');
      });
      scope.post('/sign-out', PAGE, async (req, reply) => {
        await endSession(db, config, reply, session(req));
        return redirect(reply, '/dashboard/sign-in');
      });

      // ---- Users ----
      scope.get('/users', PAGE, async (req, reply) => {
        const s = session(req);
        const pick = (name: string, allowed: string[]) => {
          const v = query(req, name);
          return v && allowed.includes(v) ? v : undefined;
        };
        const search: UserSearch = {
          text: query(req, 'q')?.slice(0, 255),
          status: pick('status', STATUSES),
          category: pick('category', CATEGORIES),
          kycLevel: pick('kyc', KYC_LEVELS),
          personType: pick('type', PERSON_TYPES),
        };
        const page = Math.max(1, Math.min(1_000_000, Number.parseInt(query(req, 'page') ?? '1', 10) || 1));
        const { items, total } = await searchUsers(db, s.clientId, search, page, PER_PAGE);
        const select = (name: string, label: string, values: string[], current?: string) =>
          `<label for="f-${name}">${esc(label)}<select id="f-${name}" name="${name}"><option value="">Any</option>${values
            .map((v) => `<option${v === current ? ' selected' : ''}>${esc(v)}</option>`)
            .join('')}</select></label>`;
        const form = `<form class="search" method="get" action="/dashboard/users" role="search">
  <label for="f-q">Id, e-mail or name<input id="f-q" name="q" type="search" value="${esc(search.text)}"></label>
  ${select('status', 'Status', STATUSES, search.status)}${select('category', 'Category', CATEGORIES, search.category)}
  ${select('kyc', 'KYC level', KYC_LEVELS, search.kycLevel)}${select('type', 'Person type', PERSON_TYPES, search.personType)}
  <button type="submit">Search</button></form>`;
        const rows = items.map((u) => [
          `<a href="/dashboard/users/${encodeURIComponent(u.id)}">${esc(u.id)}</a>`,
          esc(u.name),
          esc(u.email),
          esc(u.personType),
          esc(u.category),
          `<span class="status-${esc(u.status)}">${esc(u.status)}</span>`,
          esc(u.kycLevel),
          when(u.creationDate, true),
        ]);
        const pages = Math.max(1, Math.ceil(total / PER_PAGE));
        const link = (p: number) => {
          const params = new URLSearchParams();
          for (const [k, v] of Object.entries({ q: search.text, status: search.status, category: search.category, kyc: search.kycLevel, type: search.personType })) {
            if (v) params.set(k, v);
          }
          params.set('page', String(p));
          return `/dashboard/users?${params}`;
        };
        const nav = `<nav class="pages" aria-label="Pages">${page > 1 ? `<a href="${esc(link(page - 1))}" rel="prev">Previous page</a>` : ''}
  <span>Page ${page} of ${pages} · ${total} user${total === 1 ? '' : 's'}</span>${page < pages ? `<a href="${esc(link(page + 1))}" rel="next">Next page</a>` : ''}</nav>`;
        const body = form + nav + table('Users', ['Id', 'Name', 'E-mail', 'Type', 'Category', 'Status', 'KYC level', 'Created (UTC)'], rows, 'no user matches.') + nav;
        return sendHtml(reply, 200, layout({ title: 'Users', session: s, body, notice: query(req, 'notice') }));
      });

      scope.get('/users/:id', PAGE, async (req, reply) => {
        const s = session(req);
        const html = await userPage(db, config, req, s, (req.params as { id: string }).id, null);
        return html ? sendHtml(reply, 200, html) : notFoundPage(reply, s);
      });

      scope.post('/users/:id/close', PAGE, async (req, reply) => {
        const s = session(req);
        const id = (req.params as { id: string }).id;
        const ctx = await dashCtx(db, s.clientId, baseUrl(config, req));
        if (formField(req.body, 'confirm') !== 'yes') {
          const html = await userPage(db, config, req, s, id, 'Tick the confirmation box to close this user: closure cannot be undone.');
          return html ? sendHtml(reply, 400, html) : notFoundPage(reply, s);
        }
        try {
          await closeUser(ctx, id, null);
        } catch (err) {
          if (!(err instanceof ApiError) || err.status === 404) throw err;
          let reason = err.message;
          if (err.code === 'user_closure_not_possible') {
            const { items } = await listUserWallets(db, s.clientId, id, all());
            const held = items.filter((w) => w.balance !== 0).map((w) => `${w.id} holds ${money(renderWallet(w).Balance)}`);
            reason = `Closure refused: ${err.message}. ${held.join('; ')}. Empty these wallets (a transfer or a payout) first.`;
          }
          const html = await userPage(db, config, req, s, id, reason);
          return html ? sendHtml(reply, 400, html) : notFoundPage(reply, s);
        }
        return redirect(reply, `/dashboard/users/${encodeURIComponent(id)}`, 'The user is closed. Its USER_ACCOUNT_CLOSED event and webhook deliveries are listed below.');
      });

      // A KYC document's stored page, for viewing: only the signed-in client's, and never run as a page.
      scope.get('/users/:id/kyc/:docId/pages/:n', PAGE, async (req, reply) => {
        const s = session(req);
        const { id, docId, n } = req.params as { id: string; docId: string; n: string };
        const doc = await findDocument(db, s.clientId, docId);
        const pageNo = Number.parseInt(n, 10);
        const page = doc && doc.userId === id && Number.isSafeInteger(pageNo) ? await findPage(db, s.clientId, docId, pageNo) : null;
        if (!page) return notFoundPage(reply, s);
        const viewable = /^(image\/(png|jpeg|gif)|application\/pdf)$/i.test(page.mediaType);
        return reply
          .status(200)
          .type(viewable ? page.mediaType : 'application/octet-stream')
          .header('Content-Disposition', `${viewable ? 'inline' : 'attachment'}; filename="${docId}-page-${pageNo}"`)
          // Images render sandboxed; Chromium's PDF viewer refuses a sandboxed document, so a PDF is only kept from running anything else.
          .header('Content-Security-Policy', /pdf/i.test(page.mediaType) ? "default-src 'none'; object-src 'self'" : "default-src 'none'; img-src 'self'; sandbox")
          .header('X-Content-Type-Options', 'nosniff')
          .header('Cache-Control', 'no-store')
          .header('Referrer-Policy', 'no-referrer')
          .send(page.content);
      });

      // More pages (sandbox operations, hooks and deliveries) register here.
      for (const pages of EXTRA_PAGES) pages(scope, db, config);
    },
    { prefix: '/dashboard' },
  );
}

/** A user's page: every field of its object and everything attached to it; null when not the client's. */
async function userPage(db: Db, config: Config, req: FastifyRequest, s: DashSession, id: string, error: string | null): Promise<string | null> {
  const user = await findUser(db, s.clientId, id);
  if (!user) return null;
  const ctx = await dashCtx(db, s.clientId, baseUrl(config, req));
  await expireDue(ctx);
  const [blocks, wallets, transactions, banks, cards, docs, ubos, events, deliveries] = await Promise.all([
    findBlockState(db, s.clientId, id),
    listUserWallets(db, s.clientId, id, all()),
    listTransactions(db, s.clientId, { userId: id, statuses: null, types: null, natures: null, resultCodes: null }, all()),
    listBankAccounts(db, s.clientId, { userId: id, active: null }, all()),
    listUserCards(ctx, id, null, all()),
    listDocuments(db, s.clientId, { userId: id, statuses: null, types: null }, all()),
    user.personType === 'LEGAL' ? listDeclarations(ctx, id, all()) : Promise.resolve({ items: [], total: 0 }),
    listEvents(db, s.clientId, { types: null, resourceId: id }, all()),
    listDeliveries(db, s.clientId, { resourceId: id }, all()),
  ]);
  const object = user.legacy ? renderLegacy(user) : renderSca(user);
  const uid = encodeURIComponent(id);
  const more = (shown: number, total: number) => (total > shown ? `<p>Showing the newest ${shown} of ${total}.</p>` : '');

  const docRows = await Promise.all(
    docs.items.map(async (d) => {
      const r = renderKycDocument(d);
      const pages = await pageNumbers(db, s.clientId, d.id);
      const links = pages.map((n) => `<a href="/dashboard/users/${uid}/kyc/${encodeURIComponent(d.id)}/pages/${n}">Page ${n}</a>`).join(' ');
      const row = [esc(r.Id), esc(r.Type), esc(r.Status), esc(r.RefusedReasonType ?? ''), when(r.CreationDate), links || 'No page'];
      return config.sandbox ? [...row, r.Status === 'VALIDATION_ASKED' ? sandboxButtons(config, s, 'kyc', d.id, `/dashboard/users/${uid}`) : ''] : row;
    }),
  );
  // With the sandbox on, a document or declaration waiting for review gets its outcome buttons.
  const opsColumn = config.sandbox ? ['Sandbox'] : [];

  const closeSection =
    user.status === 'CLOSED'
      ? `<p class="status-CLOSED">This user is closed. It stays readable here and through the API.</p>`
      : postForm(
          s,
          `/dashboard/users/${uid}/close`,
          `<p class="warning"><strong>Closing a user is irreversible.</strong> A closed user can never be reopened, receive or send money;
  every wallet must be empty and no payout pending.</p>
  <p><input type="checkbox" id="confirm-close" name="confirm" value="yes" required> <label for="confirm-close">I understand that closing ${esc(id)} cannot be undone</label></p>
  <p><button type="submit" class="danger">Close this user</button></p>`,
        );

  const extra = USER_PAGE_SECTIONS.map((f) => f(s, { id, status: user.status, personType: user.personType })).join('') + userSandboxSection(config, s, user);
  const body = `
<p>Status <span class="status-${esc(user.status)}">${esc(user.status)}</span> · ${esc(user.personType)} · ${esc(user.category)} · KYC ${esc(user.kycLevel)}${user.legacy ? ' · created through the legacy endpoints' : ''}</p>
<section aria-labelledby="h-close"><h2 id="h-close">Closure</h2>${closeSection}</section>
<section aria-labelledby="h-wallets"><h2 id="h-wallets">Wallets</h2>${table('Wallets and balances', ['Id', 'Description', 'Currency', 'Balance', 'Created'], wallets.items.map((w) => {
    const r = renderWallet(w);
    return [esc(r.Id), esc(r.Description), esc(r.Currency), money(r.Balance), when(r.CreationDate)];
  }))}${more(wallets.items.length, wallets.total)}</section>
<section aria-labelledby="h-events"><h2 id="h-events">Events</h2>${table('Events of this user (newest first)', ['Type', 'Date'], events.items.map((e) => [esc(e.EventType), when(e.Date)]))}</section>
<section aria-labelledby="h-deliveries"><h2 id="h-deliveries">Webhook deliveries</h2>${table('Webhook deliveries for this user (newest first)', ['Event', 'Hook URL', 'Status', 'Attempts', 'Last status code', 'Last error', 'Next attempt'], deliveries.items.map((d) => [
    esc(d.EventType),
    esc(d.Url),
    esc(d.Status),
    esc(d.Attempts),
    esc(d.LastStatusCode ?? ''),
    esc(d.LastError ?? ''),
    when(d.NextAttemptDate),
  ]))}</section>
<section aria-labelledby="h-object"><h2 id="h-object">User object (as the API returns it)</h2>${objectView(object)}</section>
<section aria-labelledby="h-blocks"><h2 id="h-blocks">Block status</h2>${blocks ? `<p>Inflows ${blocks.inflows ? '<strong>blocked</strong>' : 'allowed'}, outflows ${blocks.outflows ? '<strong>blocked</strong>' : 'allowed'}${blocks.actionCode ? `, action code ${esc(blocks.actionCode)}` : ''}.</p>` : ''}</section>
<section aria-labelledby="h-tx"><h2 id="h-tx">Transactions</h2>${table('Transactions (newest first)', ['Id', 'Type', 'Nature', 'Status', 'Debited', 'Credited', 'Fees', 'Result', 'Created'], transactions.items.map((t) => {
    const r = renderTransaction(t);
    const page = r.Nature === 'REGULAR' && (r.Type === 'PAYIN' || r.Type === 'PAYOUT') ? `/dashboard/${r.Type.toLowerCase()}s/${encodeURIComponent(r.Id)}` : null;
    return [page ? `<a href="${esc(page)}">${esc(r.Id)}</a>` : esc(r.Id), esc(r.Type), esc(r.Nature), esc(r.Status), money(r.DebitedFunds), money(r.CreditedFunds), money(r.Fees), esc([r.ResultCode, r.ResultMessage].filter(Boolean).join(' ')), when(r.CreationDate)];
  }))}${more(transactions.items.length, transactions.total)}</section>
<section aria-labelledby="h-banks"><h2 id="h-banks">Bank accounts</h2>${table('Bank accounts', ['Id', 'Type', 'Owner', 'Active', 'Created'], banks.items.map((b) => {
    const r = renderBankAccount(b) as any;
    return [esc(r.Id), esc(r.Type), esc(r.OwnerName), esc(r.Active), when(r.CreationDate)];
  }))}</section>
<section aria-labelledby="h-cards"><h2 id="h-cards">Cards</h2>${table('Cards', ['Id', 'Alias', 'Provider', 'Expiration', 'Active', 'Validity'], cards.items.map((c) => {
    const r = renderCard(c) as any;
    return [esc(r.Id), esc(r.Alias), esc(r.CardProvider), esc(r.ExpirationDate), esc(r.Active), esc(r.Validity)];
  }))}</section>
<section aria-labelledby="h-kyc"><h2 id="h-kyc">KYC documents</h2>${table('KYC documents', ['Id', 'Type', 'Status', 'Refused reason', 'Created', 'Pages', ...opsColumn], docRows)}</section>
<section aria-labelledby="h-ubo"><h2 id="h-ubo">UBO declarations</h2>${
    user.personType === 'LEGAL'
      ? table('UBO declarations', ['Id', 'Status', 'Reason', 'UBOs', 'Created', ...opsColumn], ubos.items.map((d: any) => {
          const r = renderDeclaration(d.declaration, d.ubos) as any;
          const row = [esc(r.Id), esc(r.Status), esc(r.Reason ?? ''), esc((r.Ubos ?? []).map((u: any) => `${u.FirstName} ${u.LastName}`).join(', ')), when(r.CreationDate)];
          return config.sandbox ? [...row, r.Status === 'VALIDATION_ASKED' ? sandboxButtons(config, s, 'ubo', r.Id, `/dashboard/users/${uid}`) : ''] : row;
        }))
      : '<p>Natural users make no UBO declaration.</p>'
  }</section>
${extra}`;
  return layout({ title: `User ${id}`, session: s, body, error, notice: query(req, 'notice') });
}
