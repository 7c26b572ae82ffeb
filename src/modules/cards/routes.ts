import type { FastifyInstance, FastifyReply } from 'fastify';
import { formField } from '../../http/pages.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/index.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { pagingOf, sendPage } from '../../http/paging.js';
import { NoQuery, Type, UserParams } from '../../lib/schema.js';
import { renderTransaction } from '../transactions/model.js';
import { TransactionListQuery, TransactionReply } from '../transactions/schemas.js';
import { filterRules, listFilters } from '../transactions/service.js';
import { renderSummary } from '../users/model.js';
import { UserSummaryReply } from '../users/schemas.js';
import {
  CardListQuery,
  CardParams,
  CardRegistrationCreate,
  CardRegistrationReply,
  CardRegistrationUpdate,
  CardReply,
  CardUpdate,
  CardValidationCreate,
  CardValidationReply,
  FingerprintListQuery,
  FingerprintParams,
  RegistrationParams,
  TOKENIZER_TEXT,
  TokenizeForm,
  TokenizeParams,
  ValidationParams,
} from './schemas.js';
import { onSecureOutcome } from '../secure-mode/service.js';
import * as cards from './service.js';
import * as validations from './validation-service.js';
import { renderCard, renderRegistration, renderValidation } from './views.js';

const LIST = { sortFields: ['CreationDate'], defaultSort: 'CreationDate' };

/** Card registrations, cards, fingerprints and card validations (issue #12). */
export function cardRoutes(scope: FastifyInstance): void {
  // The 3-D Secure page hands a validation's outcome back here.
  onSecureOutcome('CARD_VALIDATION', validations.onValidationOutcome);
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const registration = { 200: CardRegistrationReply };
  const card = { 200: CardReply };

  app.post('/cardregistrations', { schema: { body: CardRegistrationCreate, response: registration } }, async (req) =>
    renderRegistration(await cards.createRegistration(req.ctx, req.body), req.ctx.baseUrl),
  );
  app.get(
    '/cardregistrations/:registrationId',
    { ...CLOCK_FREE, schema: { params: RegistrationParams, querystring: NoQuery, response: registration } },
    async (req) => renderRegistration(await cards.getRegistration(req.ctx, req.params.registrationId), req.ctx.baseUrl),
  );
  app.put(
    '/cardregistrations/:registrationId',
    { schema: { params: RegistrationParams, body: CardRegistrationUpdate, response: registration }, attachValidation: true },
    async (req) =>
      renderRegistration(
        await cards.updateRegistration(req.ctx, req.params.registrationId, req.body, req.validationError),
        req.ctx.baseUrl,
      ),
  );

  app.get('/cards/:cardId', { schema: { params: CardParams, querystring: NoQuery, response: card } }, async (req) =>
    renderCard(await cards.getCard(req.ctx, req.params.cardId)),
  );
  app.put(
    '/cards/:cardId',
    { schema: { params: CardParams, body: CardUpdate, response: card }, attachValidation: true },
    async (req) => renderCard(await cards.updateCard(req.ctx, req.params.cardId, req.body, req.validationError)),
  );
  app.get(
    '/users/:id/cards',
    { schema: { params: UserParams, querystring: CardListQuery, response: { 200: Type.Array(CardReply) } } },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await cards.listUserCards(req.ctx, req.params.id, req.query.Active ?? null, paging);
      return sendPage(req, reply, items.map(renderCard), total, paging);
    },
  );
  app.get(
    '/cards/fingerprints/:fingerprint',
    { schema: { params: FingerprintParams, querystring: FingerprintListQuery, response: { 200: Type.Array(CardReply) } } },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await cards.listFingerprintCards(req.ctx, req.params.fingerprint, paging);
      return sendPage(req, reply, items.map(renderCard), total, paging);
    },
  );
  app.get(
    '/cards/fingerprints/:fingerprint/users',
    { ...CLOCK_FREE, schema: { params: FingerprintParams, querystring: FingerprintListQuery, response: { 200: Type.Array(UserSummaryReply) } } },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await cards.listFingerprintUsers(req.ctx, req.params.fingerprint, paging);
      return sendPage(req, reply, items.map(renderSummary), total, paging);
    },
  );
  // `/validate` is where older Java, .NET and Node SDK versions post it.
  for (const path of ['/cards/:cardId/validation', '/cards/:cardId/validate']) {
    app.post(
      path,
      { schema: { params: CardParams, body: CardValidationCreate, response: { 200: CardValidationReply } }, attachValidation: true },
      async (req) => renderValidation(await validations.createValidation(req.ctx, req.params.cardId, req.body, req.validationError)),
    );
  }
  app.get(
    '/cards/:cardId/validation/:validationId',
    { schema: { params: ValidationParams, querystring: NoQuery, response: { 200: CardValidationReply } } },
    async (req) => renderValidation(await validations.getValidation(req.ctx, req.params.cardId, req.params.validationId)),
  );
  // The payments made with a card, or with any card of a fingerprint, filtered and paged like the other transaction lists.
  app.get(
    '/cards/:cardId/transactions',
    { schema: { params: CardParams, querystring: TransactionListQuery, response: { 200: Type.Array(TransactionReply) } }, config: { rules: filterRules } },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await cards.listCardTransactions(req.ctx, req.params.cardId, listFilters(req.query), paging);
      return sendPage(req, reply, items.map(renderTransaction), total, paging);
    },
  );
  app.get(
    '/cards/fingerprints/:fingerprint/transactions',
    {
      schema: { params: FingerprintParams, querystring: TransactionListQuery, response: { 200: Type.Array(TransactionReply) } },
      config: { rules: filterRules },
    },
    async (req, reply) => {
      const paging = pagingOf(req.query, LIST);
      const { items, total } = await cards.listFingerprintTransactions(req.ctx, req.params.fingerprint, listFilters(req.query), paging);
      return sendPage(req, reply, items.map(renderTransaction), total, paging);
    },
  );
}

/** The tokenizer answers browsers of any origin: Mangopay's JS kit posts to it cross-origin. */
function cors(reply: FastifyReply): FastifyReply {
  return reply
    .header('Access-Control-Allow-Origin', '*')
    .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
    .header('Access-Control-Allow-Headers', 'Content-Type')
    .header('Access-Control-Max-Age', '86400');
}

/** Its answer is plain text, never JSON (the SDKs' helpers pass it on as a string), without a trailing newline. */
function text(reply: FastifyReply, status: number, body: string): FastifyReply {
  return cors(reply).status(status).header('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send(body);
}

/** The request as the tokenizer's log lines show it: without the query string, where a card number could have been put. */
const TOKENIZER_LOG = {
  req: (req: { method?: string; url?: string }) => ({ method: req.method, url: String(req.url ?? '').split('?')[0] }),
};

/**
 * The tokenization endpoint a CardRegistrationURL points at (reference notes §1.3): outside the client's
 * API and without a bearer token, since the payer's browser posts the card to it. The form is read by the
 * route itself and never logged; whatever goes wrong, the answer is `errorCode=…` as text.
 */
export function tokenizerRoutes(app: FastifyInstance, db: Db): void {
  app.post(
    '/tokenizer/:registrationId',
    {
      logSerializers: TOKENIZER_LOG,
      schema: {
        summary: "Tokenizes a card for a card registration (the registration's CardRegistrationURL)",
        params: TokenizeParams,
        body: TokenizeForm,
        response: { 200: TOKENIZER_TEXT, 500: TOKENIZER_TEXT },
      },
      // Any refusal before the handler (a bad Host, a body that is not a form, text a database cannot hold).
      errorHandler: (err, req, reply) => {
        const status = (err as { statusCode?: number }).statusCode ?? (err as { status?: number }).status;
        const fault = !(typeof status === 'number' && status < 500);
        // Only what the error is, never its message: it could quote the form.
        if (fault) req.log.error({ code: (err as { code?: string }).code, name: err.name }, 'tokenizer fault');
        return text(reply, fault ? 500 : 200, fault ? 'errorCode=09199' : 'errorCode=09101');
      },
    },
    async (req, reply) => {
      const body = req.body;
      const answer = await cards.tokenize(db, (req.params as { registrationId: string }).registrationId, {
        data: formField(body, 'data'),
        accessKey: formField(body, 'accessKeyRef', 'accessKey'),
        cardNumber: formField(body, 'cardNumber'),
        cardExpirationDate: formField(body, 'cardExpirationDate'),
        cardCvx: formField(body, 'cardCvx'),
      });
      return text(reply, 200, answer);
    },
  );
  app.options(
    '/tokenizer/:registrationId',
    {
      logSerializers: TOKENIZER_LOG,
      schema: {
        summary: 'The CORS preflight of the tokenizer',
        params: TokenizeParams,
        response: { 204: { description: 'The methods and headers a browser may use' } },
      },
    },
    async (_req, reply) => cors(reply).status(204).send(),
  );
}
