import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { ERRORS } from '../../http/errors.js';
import { Input } from '../../http/input.js';
import { parsePaging, sendPage, throwIfInvalid } from '../../http/paging.js';
import { cleanCompanyNumber, companyNumberRules, isValidCompanyNumber } from './company-number.js';
import { renderLegacy, renderSca, renderSummary, type PersonType } from './model.js';
import * as users from './service.js';
import { CLOCK_FREE } from '../../http/auth.js';

/** The legacy user endpoints stop working after 15 December 2025 (seed banner). */
export const LEGACY_CUTOFF = Date.UTC(2025, 11, 16) / 1000;

const TYPES: Record<string, PersonType> = { legal: 'LEGAL', natural: 'NATURAL' };

type IdParams = { id: string };

function legacyGate(config: Config, req: FastifyRequest, replacement: string): void {
  if (config.legacyUsers !== 'reject') return;
  if (req.ctx.now >= LEGACY_CUTOFF) throw ERRORS.legacyEndpointRemoved(replacement);
}

export function userRoutes(app: FastifyInstance, config: Config): void {
  const era = { precategory: config.legacyUsers === 'uncategorized' };
  for (const [segment, personType] of Object.entries(TYPES)) {
    // SCA endpoints
    app.post(`/sca/users/${segment}`, async (req) => {
      const { user, redirectUrl } = await users.createUser(req.ctx, personType, req.body, 'sca');
      return renderSca(user, redirectUrl);
    });
    app.put<{ Params: IdParams }>(`/sca/users/${segment}/:id`, async (req) => {
      const { user, redirectUrl } = await users.updateUser(req.ctx, personType, req.params.id, req.body, 'sca');
      return renderSca(user, redirectUrl);
    });
    app.put<{ Params: IdParams }>(`/sca/users/${segment}/:id/category`, async (req) => {
      const { user, redirectUrl } = await users.categorizeUser(req.ctx, personType, req.params.id, req.body);
      return renderSca(user, redirectUrl);
    });
    app.get<{ Params: IdParams }>(`/sca/users/${segment}/:id`, CLOCK_FREE, async (req) =>
      renderSca(await users.getUser(req.ctx, req.params.id, personType)),
    );

    // Legacy endpoints
    app.post(`/users/${segment}`, async (req) => {
      legacyGate(config, req, `POST /sca/users/${segment}`);
      const { user } = await users.createUser(req.ctx, personType, req.body, 'legacy', era);
      return renderLegacy(user);
    });
    app.put<{ Params: IdParams }>(`/users/${segment}/:id`, async (req) => {
      legacyGate(config, req, `PUT /sca/users/${segment}/{UserId}`);
      const { user } = await users.updateUser(req.ctx, personType, req.params.id, req.body, 'legacy', era);
      return renderLegacy(user);
    });
    app.get<{ Params: IdParams }>(`/users/${segment}/:id`, CLOCK_FREE, async (req) =>
      renderLegacy(await users.getUser(req.ctx, req.params.id, personType)),
    );
  }

  app.get<{ Params: IdParams }>('/sca/users/:id', CLOCK_FREE, async (req) => renderSca(await users.getUser(req.ctx, req.params.id)));
  app.get<{ Params: IdParams }>('/sca/users/:id/sca-status', async (req) =>
    users.scaStatus(await users.getUser(req.ctx, req.params.id)),
  );
  app.post<{ Params: IdParams }>('/sca/users/:id/enrollment', async (req) => ({
    PendingUserAction: { RedirectUrl: await users.startScaStep(req.ctx, req.params.id, 'ENROLLMENT') },
  }));
  app.post<{ Params: IdParams }>('/sca/users/:id/consent', async (req) => ({
    PendingUserAction: { RedirectUrl: await users.startScaStep(req.ctx, req.params.id, 'CONSENT') },
  }));

  app.get('/users', CLOCK_FREE, async (req, reply) => {
    const { paging, input } = parsePaging(req.query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
    throwIfInvalid(input);
    const { items, total } = await users.listUsers(req.ctx, paging);
    return sendPage(req, reply, items.map(renderSummary), total, paging);
  });
  app.get<{ Params: IdParams }>('/users/:id', CLOCK_FREE, async (req) => renderLegacy(await users.getUser(req.ctx, req.params.id)));

  app.post('/users/data-formats/validation', async (req) => {
    const body = new Input(req.body);
    const cn = body.obj('CompanyNumber');
    if (!cn) {
      body.fail('CompanyNumber', 'The CompanyNumber field is required.');
      throw ERRORS.paramError(body.errors);
    }
    const number = cn.str('CompanyNumber', { required: true, max: 255 });
    const country = cn.country('CountryCode', { required: true });
    throwIfInvalid(body);
    return {
      CompanyNumber: {
        CompanyNumber: cleanCompanyNumber(number!),
        CountryCode: country!,
        IsValid: isValidCompanyNumber(number!, country!),
        ValidationRules: companyNumberRules(country!),
      },
    };
  });
}
