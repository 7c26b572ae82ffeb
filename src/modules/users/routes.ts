import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../../config.js';
import { ERRORS } from '../../http/errors.js';
import { pagingOf, sendPage } from '../../http/paging.js';
import { CLOCK_FREE } from '../../http/auth.js';
import { NoQuery, Type, type TSchema } from '../../lib/schema.js';
import { cleanCompanyNumber, companyNumberRules, isValidCompanyNumber } from './company-number.js';
import { renderLegacy, renderSca, renderSummary, type PersonType } from './model.js';
import { categoryRules, creationRules, updateRules, type Era } from './rules.js';
import {
  CompanyNumberCheck,
  CompanyNumberReply,
  EmptyBody,
  LegacyUserReply,
  LegalLegacyBody,
  LegalLegacyReply,
  LegalScaBody,
  LegalScaReply,
  NaturalLegacyBody,
  NaturalLegacyReply,
  NaturalScaBody,
  NaturalScaReply,
  ScaStatusReply,
  ScaStepReply,
  ScaUserReply,
  UserListQuery,
  UserParams,
  UserSummaryReply,
  requiring,
  type CompanyNumberReply as CompanyNumberReplyType,
  type UserBody,
} from './schemas.js';
import * as users from './service.js';

/** The legacy user endpoints stop working after 15 December 2025 (seed banner). */
export const LEGACY_CUTOFF = Date.UTC(2025, 11, 16) / 1000;

const TYPES: Record<string, PersonType> = { legal: 'LEGAL', natural: 'NATURAL' };

const TERMS = 'TermsAndConditionsAccepted';
const CATEGORY = 'UserCategory';

/** Runs before validation: a removed endpoint answers 410 whatever its body. */
function legacyGate(config: Config, req: FastifyRequest, replacement: string): void {
  if (config.legacyUsers !== 'reject') return;
  if (req.ctx.now >= LEGACY_CUTOFF) throw ERRORS.legacyEndpointRemoved(replacement);
}

/** The body schemas and replies of one person type, SCA and legacy. */
function shapesOf(personType: PersonType) {
  return personType === 'LEGAL'
    ? { sca: LegalScaBody as TSchema, legacy: LegalLegacyBody as TSchema, scaReply: LegalScaReply as TSchema, legacyReply: LegalLegacyReply as TSchema }
    : { sca: NaturalScaBody, legacy: NaturalLegacyBody, scaReply: NaturalScaReply, legacyReply: NaturalLegacyReply };
}

/**
 * The changes of a user report a body their schema refused only once the user is found (attachValidation:
 * the service throws the refusal), so that an unknown or closed user is the answer whatever the body.
 */
export function userRoutes(scope: FastifyInstance, config: Config): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const era: Era = { precategory: config.legacyUsers === 'uncategorized' };
  // Platforms older than categories were never asked for terms acceptance nor a category.
  const legacyCreateRequired = era.precategory ? [] : [TERMS, CATEGORY];
  for (const [segment, personType] of Object.entries(TYPES)) {
    const shapes = shapesOf(personType);
    const sca = { 200: shapes.scaReply };
    const legacy = { 200: shapes.legacyReply };
    const body = (req: { body: unknown }) => req.body as UserBody;

    // SCA endpoints
    app.post(
      `/sca/users/${segment}`,
      { schema: { body: requiring(shapes.sca, [TERMS, CATEGORY]), response: sca }, config: { rules: creationRules(personType, 'sca', { precategory: false }) } },
      async (req) => {
        const { user, redirectUrl } = await users.createUser(req.ctx, personType, body(req), 'sca');
        return renderSca(user, redirectUrl);
      },
    );
    app.put(
      `/sca/users/${segment}/:id`,
      { schema: { params: UserParams, body: requiring(shapes.sca, [TERMS]), response: sca }, attachValidation: true, config: { rules: updateRules(personType, 'sca') } },
      async (req) => {
        const { user, redirectUrl } = await users.updateUser(req.ctx, personType, req.params.id, body(req), 'sca', undefined, req.validationError);
        return renderSca(user, redirectUrl);
      },
    );
    app.put(
      `/sca/users/${segment}/:id/category`,
      { schema: { params: UserParams, body: requiring(shapes.sca, [TERMS, CATEGORY]), response: sca }, attachValidation: true, config: { rules: categoryRules(personType) } },
      async (req) => {
        const { user, redirectUrl } = await users.categorizeUser(req.ctx, personType, req.params.id, body(req), req.validationError);
        return renderSca(user, redirectUrl);
      },
    );
    app.get(`/sca/users/${segment}/:id`, { ...CLOCK_FREE, schema: { params: UserParams, querystring: NoQuery, response: sca } }, async (req) =>
      renderSca(await users.getUser(req.ctx, req.params.id, personType)),
    );

    // Legacy endpoints
    app.post(
      `/users/${segment}`,
      {
        schema: { body: requiring(shapes.legacy, legacyCreateRequired), response: legacy },
        config: { rules: creationRules(personType, 'legacy', era) },
        preValidation: async (req) => legacyGate(config, req, `POST /sca/users/${segment}`),
      },
      async (req) => {
        const { user } = await users.createUser(req.ctx, personType, body(req), 'legacy', era);
        return renderLegacy(user);
      },
    );
    app.put(
      `/users/${segment}/:id`,
      {
        schema: { params: UserParams, body: shapes.legacy, response: legacy },
        attachValidation: true,
        config: { rules: updateRules(personType, 'legacy') },
        preValidation: async (req) => legacyGate(config, req, `PUT /sca/users/${segment}/{UserId}`),
      },
      async (req) => {
        const { user } = await users.updateUser(req.ctx, personType, req.params.id, body(req), 'legacy', era, req.validationError);
        return renderLegacy(user);
      },
    );
    app.get(`/users/${segment}/:id`, { ...CLOCK_FREE, schema: { params: UserParams, querystring: NoQuery, response: legacy } }, async (req) =>
      renderLegacy(await users.getUser(req.ctx, req.params.id, personType)),
    );
  }

  app.get('/sca/users/:id', { ...CLOCK_FREE, schema: { params: UserParams, querystring: NoQuery, response: { 200: ScaUserReply } } }, async (req) =>
    renderSca(await users.getUser(req.ctx, req.params.id)),
  );
  app.get('/sca/users/:id/sca-status', { schema: { params: UserParams, querystring: NoQuery, response: { 200: ScaStatusReply } } }, async (req) =>
    users.scaStatus(await users.getUser(req.ctx, req.params.id)),
  );
  const step = { params: UserParams, body: EmptyBody, response: { 200: ScaStepReply } };
  app.post('/sca/users/:id/enrollment', { schema: step }, async (req) => ({
    PendingUserAction: { RedirectUrl: await users.startScaStep(req.ctx, req.params.id, 'ENROLLMENT') },
  }));
  app.post('/sca/users/:id/consent', { schema: step }, async (req) => ({
    PendingUserAction: { RedirectUrl: await users.startScaStep(req.ctx, req.params.id, 'CONSENT') },
  }));

  app.get('/users', { ...CLOCK_FREE, schema: { querystring: UserListQuery, response: { 200: Type.Array(UserSummaryReply) } } }, async (req, reply) => {
    const paging = pagingOf(req.query, { sortFields: ['CreationDate'], defaultSort: 'CreationDate' });
    const { items, total } = await users.listUsers(req.ctx, paging);
    return sendPage(req, reply, items.map(renderSummary), total, paging);
  });
  app.get('/users/:id', { ...CLOCK_FREE, schema: { params: UserParams, querystring: NoQuery, response: { 200: LegacyUserReply } } }, async (req) =>
    renderLegacy(await users.getUser(req.ctx, req.params.id)),
  );

  app.post(
    '/users/data-formats/validation',
    { schema: { body: CompanyNumberCheck, response: { 200: CompanyNumberReply } } },
    async (req): Promise<CompanyNumberReplyType> => {
      const { CompanyNumber: number, CountryCode: country } = req.body.CompanyNumber;
      return {
        CompanyNumber: {
          CompanyNumber: cleanCompanyNumber(number),
          CountryCode: country,
          IsValid: isValidCompanyNumber(number, country),
          ValidationRules: companyNumberRules(country),
        },
      };
    },
  );
}
