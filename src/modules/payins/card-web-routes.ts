import type { FastifyInstance } from 'fastify';

/** Web card pay-ins (`POST /payins/card/web`) and their hosted payment page. To be built (issue #12). */
export function cardWebRoutes(_scope: FastifyInstance): void {}
