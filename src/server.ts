import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import type { Db } from './db/index.js';
import { hostProblem, requireBearer } from './http/auth.js';
import { ApiError, ERRORS, errorBody } from './http/errors.js';
import { idempotency } from './http/idempotency.js';
import { nowSeconds } from './http/context.js';
import { systemClock, type Clock } from './core/clock.js';
import { findBadText } from './http/bad-text.js';
import { installSchemas, normalizeRequest, schemaServerOptions, warmSchemas, withRuleErrors, type RegisteredRoute } from './http/schema.js';
import { registerOpenApi } from './http/openapi.js';
import { authRoutes } from './modules/auth/routes.js';
import { bankAccountRoutes } from './modules/bankaccounts/routes.js';
import { clientLogoRoutes, clientRoutes } from './modules/clients/routes.js';
import { closureRoutes } from './modules/closure/routes.js';
import { eventRoutes } from './modules/events/routes.js';
import { hookRoutes } from './modules/hooks/routes.js';
import { idempotencyRoutes } from './modules/idempotency/routes.js';
import { kycRoutes } from './modules/kyc/routes.js';
import { uboRoutes } from './modules/kyc/ubo-routes.js';
import { outdateOnIdentityChange } from './modules/kyc/levels.js';
import { regulatoryRoutes } from './modules/regulatory/routes.js';
import { payInRoutes } from './modules/payins/routes.js';
import { cardRoutes, tokenizerRoutes } from './modules/cards/routes.js';
import { preauthorizationRoutes } from './modules/preauthorizations/routes.js';
import { sweepPreauthorizations } from './modules/preauthorizations/service.js';
import { paymentPageRoutes } from './modules/payins/card-web-routes.js';
import { securePageRoutes } from './modules/secure-mode/routes.js';
import { sweepSecureSessions } from './modules/secure-mode/service.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { sweepExpired } from './modules/payins/service.js';
import { payOutRoutes } from './modules/payouts/routes.js';
import { recipientRoutes } from './modules/recipients/routes.js';
import { activateOnAuthentication, sweepScaRecipients } from './modules/recipients/service.js';
import { refundRoutes } from './modules/refunds/routes.js';
import { sandboxRoutes } from './modules/sandbox/routes.js';
import { transactionRoutes } from './modules/transactions/routes.js';
import { countryRoutes } from './modules/countries/routes.js';
import { eMoneyRoutes } from './modules/emoney/routes.js';
import { kycConsultPageRoutes, kycConsultRoutes } from './modules/kyc/consult.js';
import { transferRoutes } from './modules/transfers/routes.js';
import { sweepScaTransfers } from './modules/transfers/service.js';
import { scaPageRoutes } from './modules/sca-page/routes.js';
import { userRoutes } from './modules/users/routes.js';
import { onIdentityChange } from './modules/users/service.js';
import { onAuthenticated } from './modules/users/sca-auth.js';
import { walletRoutes } from './modules/wallets/routes.js';
import { Dispatcher } from './webhooks/dispatcher.js';

export interface ServerOptions {
  db: Db;
  config: Config;
  /** Work that must be done before the first request is served (the CLI ensures its client meanwhile). */
  ready?: Promise<unknown>;
  /** Wall-clock time (error bodies' Date, the webhook dispatcher); tests may fix it. Business time is ctx.now. */
  clock?: Clock;
  logger?: FastifyServerOptions['logger'];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route the router holds, with its schema (tests check that none lacks one). */
    registeredRoutes: RegisteredRoute[];
  }
}

/** No Mangopay body comes near this; deeper ones would overflow the stack of whatever walks them (hashing, messages). */
export const MAX_JSON_DEPTH = 64;

/** How deep the arrays and objects of a JSON text nest, counted without recursion; brackets inside strings are skipped. */
function jsonDepth(text: string, stopAbove: number): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Jump to the closing quote: one not preceded by an odd run of backslashes.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return max;
        let slashes = 0;
        while (text.charCodeAt(j - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
      }
      i = j;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max && (max = depth) > stopAbove) return max;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}

function parseJson(body: string): unknown {
  if (body.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    throw ERRORS.malformedJson((err as Error).message);
  }
  // After JSON.parse, which nests iteratively: only valid JSON is scanned, so the string skipping can trust the quotes.
  if (typeof value === 'object' && value !== null && jsonDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw ERRORS.paramError({ Body: `The body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels` });
  }
  return value;
}

/** Body parsers as SDKs need them: JSON (empty allowed), form bodies for OAuth, nothing else. */
function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json/i, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined);
    // The SDK's text/plain GET bodies are empty; a non-empty body of another type is refused.
    done(ERRORS.unsupportedMediaType(String(req.headers['content-type'] ?? 'none')), undefined);
  });
}

function toApiError(err: any, bodyLimit: number): ApiError | null {
  if (err instanceof ApiError) return err;
  switch (err?.code) {
    // PostgreSQL's foreign_key_violation: a row the request refers to was deleted while it ran (a sandbox reset).
    case '23503':
      return ERRORS.resourceVanished();
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ERRORS.payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ERRORS.unsupportedMediaType(String(err.contentType ?? 'unknown'));
  }
  const status = err?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return ERRORS.paramError({ Request: String(err.message ?? 'Bad request') });
  }
  return null;
}

/** The response Node attached to the socket for a request whose head it had read (internal, as Node's own handler uses it). */
type PendingSocket = Socket & { _httpMessage?: { _headerSent?: boolean; req?: { method?: string } } };

/**
 * Whether the request Node's parser refused is a HEAD: its answer must not carry a body. When the head was read and the
 * body is what failed, Node already made its request; otherwise the method is read from the bytes being parsed (the
 * failing request is the last one that starts before the error).
 */
function refusedHead(err: NodeJS.ErrnoException & { rawPacket?: unknown; bytesParsed?: number }, socket: PendingSocket): boolean {
  const method = socket._httpMessage?.req?.method;
  if (method) return method === 'HEAD';
  if (!Buffer.isBuffer(err.rawPacket)) return false;
  const upTo = typeof err.bytesParsed === 'number' && err.bytesParsed > 0 ? err.bytesParsed : err.rawPacket.length;
  const head = err.rawPacket.subarray(0, upTo).toString('latin1');
  const start = head.lastIndexOf('\r\n\r\n');
  return /^\s*HEAD\s/.test(start < 0 ? head : head.slice(start + 4));
}

/** Node's HTTP parser refused the request: answer in the same shape, on the raw socket, then close it. */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: PendingSocket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(errorBody(ERRORS.badHttp(status), nowSeconds()));
  // An answer already started on this socket cannot be followed by another one.
  if (socket.writable && !socket._httpMessage?._headerSent) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${refusedHead(err, socket) ? '' : body}`,
    );
  }
  socket.destroy(err);
}

const DRAIN_IDLE_MS = 5_000;

/**
 * A reply sent before the request body was read (401, 404, 413 by Content-Length, a GET with a body) first reads
 * and drops that body, up to a bound: a socket closed with unread bytes is reset, and a client still sending then
 * never reads the answer. Past the bound, or when the client pauses for DRAIN_IDLE_MS, the connection is closed as before.
 */
function drainUnreadBody(bound: number) {
  return async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const raw = req.raw;
    if (raw.complete || raw.readableEnded || raw.destroyed) return payload;
    if (Number(raw.headers['content-length']) > bound || !(await drained(raw, bound))) reply.header('connection', 'close');
    return payload;
  };
}

function drained(raw: IncomingMessage, bound: number): Promise<boolean> {
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onError);
      resolve(ok);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > bound) return finish(false);
      timer.refresh();
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(raw.complete);
    const onError = () => finish(false);
    const timer = setTimeout(() => finish(false), DRAIN_IDLE_MS);
    raw.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onError);
    raw.resume();
  });
}

const MAX_PARAM_LENGTH = 200;
const EXPIRY_SWEEP_MS = 60_000;

/** Builds the whole API on one database; it does not listen (tests call listen or inject). */
export async function buildServer({ db, config, logger = false, ready, clock = systemClock }: ServerOptions): Promise<FastifyInstance> {
  // KYC builds on users: the users module tells it of identity changes through this hook.
  onIdentityChange(outdateOnIdentityChange);
  // Recipients build on users: passing an authentication session activates the recipients waiting on it.
  onAuthenticated(activateOnAuthentication);
  const app = Fastify({
    logger,
    bodyLimit: config.bodyLimit,
    // SDKs join an empty id into paths (`/responses//KEY`): duplicate slashes are collapsed before routing.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: MAX_PARAM_LENGTH },
    return503OnClosing: true,
    // Node would answer a missing Host with its own bare 400: let it reach the hook below, which answers in Mangopay's shape.
    http: { requireHostHeader: false },
    clientErrorHandler,
    ...schemaServerOptions,
    // Routing failures Fastify would otherwise answer in its own shape.
    frameworkErrors: (err, _req, reply) => {
      const apiErr =
        err.code === 'FST_ERR_BAD_URL'
          ? ERRORS.badUrl()
          : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? ERRORS.idTooLong(MAX_PARAM_LENGTH)
            : ERRORS.internal();
      (reply as FastifyReply).status(apiErr.status).send(errorBody(apiErr, clock.nowSeconds()));
    },
  });
  registerBodyParsers(app);
  app.addHook('onSend', drainUnreadBody(Math.max(2 * config.bodyLimit, 32 * 1024 * 1024)));
  const routes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', routes);
  installSchemas(app, routes);
  app.addHook('onRequest', async (req) => {
    const problem = hostProblem(req);
    if (problem) throw ERRORS.paramError({ Host: problem });
  });
  if (ready) app.addHook('onRequest', async () => void (await ready));

  app.setErrorHandler((err, req, reply) => {
    const converted = toApiError(err, config.bodyLimit);
    const known = converted && withRuleErrors(converted, req);
    const apiErr = known ?? ERRORS.internal();
    if (!known) req.log.error({ err, code: apiErr.code }, 'unexpected fault');
    else req.log.info({ code: apiErr.code, status: apiErr.status }, 'request refused');
    reply.status(apiErr.status).headers(apiErr.headers).send(errorBody(apiErr, clock.nowSeconds()));
  });
  function notFound(req: FastifyRequest, reply: FastifyReply) {
    const err = ERRORS.routeNotFound(req.method, req.url.split('?')[0]);
    reply.status(err.status).send(errorBody(err, clock.nowSeconds()));
  }
  app.setNotFoundHandler(notFound);
  // Runs after authentication, so these refusals carry the rate-limit headers too.
  app.addHook('preValidation', async (req) => {
    const bad = findBadText(req.params) ?? findBadText(req.query) ?? findBadText(req.body);
    if (bad) throw ERRORS.badText(bad);
    normalizeRequest(req);
  });

  // Pay-ins expire even when nobody reads them (their PAYIN_NORMAL_FAILED webhook is due): every
  // process sweeps once a minute; concurrent sweeps fail each pay-in once.
  let sweeping: Promise<void> = Promise.resolve();
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    sweeping = Promise.all([
      sweepExpired(db).catch((err) => app.log.warn({ err }, 'pay-in expiry sweep failed')),
      // Transfers whose SCA session expired fail the same way (TRANSFER_NORMAL_FAILED, 007102).
      sweepScaTransfers(db).catch((err) => app.log.warn({ err }, 'transfer SCA expiry sweep failed')),
      // 3-D Secure challenges and payment pages left too long fail their payment (101304, 101109).
      sweepSecureSessions(db).catch((err) => app.log.warn({ err }, 'card session expiry sweep failed')),
      // Pre-authorizations whose hold ended become EXPIRED (or VALIDATED after a capture).
      sweepPreauthorizations(db).catch((err) => app.log.warn({ err }, 'pre-authorization expiry sweep failed')),
      // Recipients whose SCA link expired become CANCELED (RECIPIENT_CANCELED).
      sweepScaRecipients(db).catch((err) => app.log.warn({ err }, 'recipient SCA expiry sweep failed')),
    ]).then(() => {});
  };
  app.addHook('onReady', async () => {
    // Validators and serializers compile on first use; the others in the background from now on.
    void warmSchemas();
    sweep();
    sweeper = setInterval(sweep, EXPIRY_SWEEP_MS);
  });
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await sweeping;
  });

  if (config.webhooks) {
    const dispatcher = new Dispatcher(db, { retryScale: config.webhookRetryScale, pollMs: config.webhookPollMs, log: app.log, clock });
    app.addHook('onReady', async () => dispatcher.start());
    // Runs once the server no longer accepts requests and before the caller closes the database.
    app.addHook('onClose', async () => dispatcher.stop());
  }

  await registerOpenApi(app, config);
  authRoutes(app, db, config);
  scaPageRoutes(app, db);
  securePageRoutes(app, db);
  paymentPageRoutes(app, db);
  dashboardRoutes(app, db, config);
  tokenizerRoutes(app, db);
  clientLogoRoutes(app, db);
  // Before the client scope, so that /v2.01/countries/... is not read as a client id.
  countryRoutes(app, config);
  kycConsultPageRoutes(app, db);
  await app.register(
    async (scope) => {
      requireBearer(scope, db, config);
      idempotency(scope);
      // An unknown path under a client is authenticated and counted like any other call.
      scope.setNotFoundHandler(notFound);
      userRoutes(scope, config);
      eventRoutes(scope);
      hookRoutes(scope);
      idempotencyRoutes(scope);
      kycRoutes(scope, config);
      uboRoutes(scope, config);
      bankAccountRoutes(scope);
      regulatoryRoutes(scope, config);
      walletRoutes(scope);
      clientRoutes(scope);
      payInRoutes(scope, config);
      cardRoutes(scope);
      preauthorizationRoutes(scope);
      closureRoutes(scope, config);
      transferRoutes(scope);
      payOutRoutes(scope, config);
      recipientRoutes(scope);
      refundRoutes(scope, config);
      transactionRoutes(scope);
      eMoneyRoutes(scope);
      kycConsultRoutes(scope);
      if (config.sandbox) sandboxRoutes(scope);
    },
    { prefix: '/v2.01/:clientId' },
  );
  return app;
}
