import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import { ERRORS } from '../../http/errors.js';
import { Input } from '../../http/input.js';
import { nowSeconds } from '../../http/context.js';
import { issueToken } from './service.js';

function basicCredentials(header: string | undefined): { id: string; key: string } | null {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { id: decoded.slice(0, colon), key: decoded.slice(colon + 1) };
}

export function authRoutes(app: FastifyInstance, db: Db, config: Config): void {
  // POST /v2.01/oauth/token — the OAuth 2 client-credentials grant.
  app.post('/v2.01/oauth/token', async (req) => {
    const creds = basicCredentials(req.headers.authorization);
    if (!creds) throw ERRORS.invalidClient('Send Authorization: Basic base64(ClientId:ApiKey)');
    const grant = new Input(req.body).str('grant_type');
    if (grant !== 'client_credentials') throw ERRORS.unsupportedGrantType();
    return issueToken(db, creds.id, creds.key, nowSeconds(), {
      ttl: config.tokenTtl,
      budget: config.tokenBudget,
      budgetWindow: config.tokenBudgetWindow,
    });
  });
}
