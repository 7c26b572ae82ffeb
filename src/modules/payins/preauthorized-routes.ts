import type { FastifyInstance } from 'fastify';

/** Pre-authorized pay-ins (`POST /payins/preauthorized/direct`): captures of a pre-authorization. To be built (issue #12). */
export function preauthorizedPayInRoutes(_scope: FastifyInstance): void {}
