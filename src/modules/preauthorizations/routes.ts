import type { FastifyInstance } from 'fastify';

/** Pre-authorizations (`/preauthorizations/card/direct`, GET, PUT, lists). To be built (issue #12). */
export function preauthorizationRoutes(_scope: FastifyInstance): void {}
