import type { FastifyInstance, FastifyReply } from 'fastify';
import { formField, sendPage } from '../../http/pages.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/index.js';
import { ERRORS } from '../../core/errors.js';
import { nowSeconds } from '../../http/context.js';
import { NoQuery, Str, Type } from '../../lib/schema.js';
import { clockOffset } from '../clock/store.js';
import type { SecureSession } from '../secure-mode/service.js';
import { isCardWeb, renderCardWebPayIn, renderExtended } from './card-web-model.js';
import { challengePage, formPage, resultPage, unknownPage, type Html } from './card-web-page.js';
import { CardWebExtendedReply, CardWebPayInCreate, CardWebPayInReply } from './card-web-schemas.js';
import * as web from './card-web-service.js';
import { PayInParams } from './schemas.js';
import { registerPayInView } from './views.js';

let registered = false;

/** GET /payins/{Id} shows web card pay-ins (brought up to date first), and the page's outcomes reach them. */
function registerOnce(): void {
  web.registerCardWebOutcome();
  if (registered) return;
  registered = true;
  registerPayInView({
    matches: isCardWeb,
    schema: CardWebPayInReply,
    refresh: web.refreshCardWebPayIn,
    render: (t, ctx) => renderCardWebPayIn(t, ctx.baseUrl),
  });
}

/** Web card pay-ins (`POST /payins/card/web`, the SDK adds a trailing slash) and the card the payer used. */
export function cardWebRoutes(scope: FastifyInstance): void {
  registerOnce();
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/payins/card/web',
    { schema: { body: CardWebPayInCreate, response: { 200: CardWebPayInReply } }, config: { rules: web.cardWebRules } },
    async (req) => renderCardWebPayIn(await web.createCardWebPayIn(req.ctx, req.body), req.ctx.baseUrl),
  );
  app.get(
    '/payins/card/web/:payInId/extended',
    { schema: { params: PayInParams, querystring: NoQuery, response: { 200: CardWebExtendedReply } } },
    async (req) => {
      const { payIn, card } = await web.getCardWebExtended(req.ctx, req.params.payInId);
      return renderExtended(payIn, card);
    },
  );
}

// ---- The hosted payment page -------------------------------------------------------------------

const PageParams = Type.Object({ sessionId: Str({ description: "The page's secret id, from the pay-in's RedirectURL" }) });
const HTML = { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } };
const PAGES = { 200: HTML, 400: HTML, 404: HTML };

/**
 * How the form is documented. The page posts it as a form; the route reads whatever body was parsed
 * (names in any case), so a JSON body is read the same way.
 */
const PageForm = {
  content: {
    'application/x-www-form-urlencoded': {
      schema: Type.Object({
        action: Type.Optional(Str({ description: 'pay, cancel (the card form), approve or refuse (the 3-D Secure step)' })),
        cardNumber: Type.Optional(Str({ description: 'Digits; spaces and dashes are ignored' })),
        cardExpirationDate: Type.Optional(Str({ description: 'MMYY (MM/YY accepted)' })),
        cardCvx: Type.Optional(Str({ description: '3 digits (AMEX 3 or 4; optional for MAESTRO)' })),
        cardHolderName: Type.Optional(Str({ description: 'Optional, 2 to 255 characters' })),
      }),
    },
  },
};

function send(reply: FastifyReply, page: Html, returnUrl?: string) {
  return sendPage(reply, page.status, page.html, returnUrl);
}

/** To the platform's ReturnURL (with transactionId), once the page is decided. */
function backToPlatform(reply: FastifyReply, session: SecureSession) {
  return reply.header('Referrer-Policy', 'no-referrer').header('Cache-Control', 'no-store').redirect(session.returnUrl, 303);
}

/**
 * The page a web pay-in's RedirectURL opens (`/payment/{id}`, no token: the id is the secret). It shows
 * the amount and the card form; a card that needs it gets a 3-D Secure step; a decided page shows the
 * result. Its clock is the sandbox clock of the client the pay-in belongs to.
 */
export function paymentPageRoutes(app: FastifyInstance, db: Db): void {
  const clock: web.ClientClock = async (clientId) => nowSeconds() + (await clockOffset(db, clientId));
  const show = async (reply: FastifyReply, id: string) => {
    const page = await web.openPaymentPage(db, id, clock);
    if (!page) return send(reply, unknownPage());
    const html = page.step === 'FORM' ? formPage(page) : page.step === 'CHALLENGE' ? challengePage(page) : resultPage(page);
    return send(reply, html, page.session.returnUrl);
  };

  app.get(
    '/payment/:sessionId',
    { schema: { summary: "A web card pay-in's payment page (its RedirectURL)", params: PageParams, response: PAGES } },
    async (req, reply) => show(reply, (req.params as { sessionId: string }).sessionId),
  );

  app.post(
    '/payment/:sessionId',
    {
      schema: {
        summary: "The payment page's forms: pay with a card, cancel, or answer the 3-D Secure step",
        params: PageParams,
        body: PageForm,
        response: { ...PAGES, 303: { description: "To the pay-in's ReturnURL (with transactionId), or back to the page for the 3-D Secure step" } },
      },
    },
    async (req, reply) => {
      const id = (req.params as { sessionId: string }).sessionId;
      const action = (formField(req.body, 'action') ?? 'pay').toLowerCase();
      let decided: SecureSession | null;
      if (action === 'cancel') decided = await web.cancelPayment(db, id, clock);
      else if (action === 'approve' || action === 'refuse') decided = await web.answerChallenge(db, id, action === 'approve', clock);
      else if (action === 'pay') {
        const answer = await web.payWithCard(
          db,
          id,
          {
            number: formField(req.body, 'cardNumber'),
            expiry: formField(req.body, 'cardExpirationDate'),
            cvc: formField(req.body, 'cardCvx'),
            holderName: formField(req.body, 'cardHolderName'),
          },
          clock,
        );
        if (!answer) return send(reply, unknownPage());
        if (answer.kind === 'invalid') {
          const kept = { expiry: formField(req.body, 'cardExpirationDate'), holderName: formField(req.body, 'cardHolderName') };
          return send(reply, formPage(answer.page, answer.problems, kept), answer.page.session.returnUrl);
        }
        // Post/redirect/get: the 3-D Secure step is this page's next state.
        if (answer.kind === 'challenge') {
          // Relative, so that it stays right behind a proxy adding a path prefix.
          const self = req.url.split('?')[0].endsWith('/') ? '.' : encodeURIComponent(id);
          return reply.header('Cache-Control', 'no-store').redirect(self, 303);
        }
        decided = answer.session;
      } else throw ERRORS.paramError({ action: 'The action must be pay, cancel, approve or refuse.' });
      if (!decided) return send(reply, unknownPage());
      // A page still open (an answer that did not fit its step) is shown as it stands.
      if (decided.state === 'OPEN') return show(reply, id);
      return backToPlatform(reply, decided);
    },
  );
}
