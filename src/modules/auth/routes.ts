import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import { ERRORS } from '../../http/errors.js';
import { nowSeconds } from '../../http/context.js';
import { issueToken } from './service.js';
import { TokenBody, TokenQuery, TokenReply } from './schemas.js';

const TOKEN_PATH = '/v2.01/oauth/token';
/** A grant request is one short field; nothing an SDK sends comes near this. */
const TOKEN_BODY_LIMIT = 16 * 1024;

function basicCredentials(header: string | undefined): { id: string; key: string } | null {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { id: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}

/** The value of one field of a multipart/form-data body, or undefined. */
function multipartField(body: string, name: string, boundary?: string): string | undefined {
  // PHP's cURL may label its multipart body urlencoded, with or without the boundary: the body's first line gives it.
  const delimiter = boundary ? `--${boundary}` : /^--[^\r\n]{1,200}/.exec(body)?.[0];
  if (!delimiter) return undefined;
  for (const part of body.split(delimiter).slice(1)) {
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd < 0) continue;
    const head = part.slice(0, headEnd);
    const m = /content-disposition:[^\r\n]*;\s*name="?([^";\r\n]*)"?/i.exec(head);
    if (!m || m[1] !== name) continue;
    return part.slice(headEnd + 4).replace(/\r\n$/, '');
  }
  return undefined;
}

/**
 * grant_type wherever an official SDK puts it, whatever content type it declares: a form (Ruby, Java,
 * .NET, Node), JSON labelled as a form (Python), multipart labelled as a form or not (PHP's cURL),
 * or the query string.
 */
function grantType(contentType: string | undefined, raw: string, query: unknown): string | undefined {
  const text = raw.trim();
  let found: unknown;
  if (text.startsWith('{')) {
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed)) if (k.toLowerCase() === 'grant_type') found = v;
      }
    } catch {
      // not JSON after all: read as a form below
    }
  } else if (text.startsWith('--') || /multipart\//i.test(contentType ?? '')) {
    const boundary = /boundary="?([^";,\s]+)"?/i.exec(contentType ?? '')?.[1];
    found = multipartField(text, 'grant_type', boundary && text.includes(`--${boundary}`) ? boundary : undefined);
  }
  if (found === undefined && text && !text.startsWith('--')) {
    for (const [k, v] of new URLSearchParams(text)) if (k.toLowerCase() === 'grant_type') found = v;
  }
  if (found === undefined && query && typeof query === 'object') {
    for (const [k, v] of Object.entries(query)) if (k.toLowerCase() === 'grant_type') found = Array.isArray(v) ? v.at(-1) : v;
  }
  return typeof found === 'string' ? found.trim() : undefined;
}

export function authRoutes(app: FastifyInstance, db: Db, config: Config): void {
  void app.register(async (scope) => {
    // The token endpoint reads its body itself: SDKs label it every which way.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
      const bytes = body as Buffer;
      if (bytes.length > TOKEN_BODY_LIMIT) return done(ERRORS.payloadTooLarge(TOKEN_BODY_LIMIT), undefined);
      done(null, bytes.toString('utf8'));
    });

    // POST /v2.01/oauth/token — the OAuth 2 client-credentials grant.
    const declared = new WeakMap<FastifyRequest, string | undefined>();
    scope.route({
      method: 'POST',
      url: TOKEN_PATH,
      schema: {
        summary: 'Get a bearer token (OAuth 2 client credentials)',
        security: [{ basic: [] }],
        body: TokenBody,
        querystring: TokenQuery,
        response: { 200: TokenReply },
      },
      // A content type Fastify would refuse (two types in one header, as repeated add_field calls make)
      // must still reach the handler: it is kept aside and the body read as bytes.
      onRequest: async (req) => {
        declared.set(req, req.headers['content-type']);
        if (req.headers['content-type'] !== undefined) req.headers['content-type'] = 'application/octet-stream';
      },
      handler: async (req) => {
        const creds = basicCredentials(req.headers.authorization);
        if (!creds) throw ERRORS.invalidClient('Send Authorization: Basic base64(ClientId:ApiKey)');
        const raw = typeof req.body === 'string' ? req.body : '';
        const grant = grantType(declared.get(req), raw, req.query);
        if (grant !== 'client_credentials') throw ERRORS.unsupportedGrantType();
        return issueToken(db, creds.id, creds.key, nowSeconds(), {
          ttl: config.tokenTtl,
          budget: config.tokenBudget,
          budgetWindow: config.tokenBudgetWindow,
        });
      },
    });

    // Any other method: the path exists, so it is a 405 in Mangopay's shape, never a bearer 401.
    scope.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: TOKEN_PATH,
      // Only POST exists: these answer 405 with Allow: POST, and are left out of the document.
      schema: { hide: true, response: { 405: { $ref: 'ErrorBody#' } } },
      handler: async (req, reply) => {
        reply.header('Allow', 'POST');
        throw ERRORS.methodNotAllowed(req.method, req.url.split('?')[0]);
      },
    });
  });
}
