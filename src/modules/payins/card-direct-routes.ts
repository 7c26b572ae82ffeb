import type { FastifyInstance } from 'fastify';

/** Direct card pay-ins (`POST /payins/card/direct`), 3-D Secure included. To be built (issue #12). */
export function cardDirectRoutes(_scope: FastifyInstance): void {}
