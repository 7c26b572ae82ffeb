import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.js';

/** Web card pay-ins (`POST /payins/card/web`) and their hosted payment page. To be built (issue #12). */
export function cardWebRoutes(_scope: FastifyInstance): void {}

/** The hosted payment page a web pay-in's RedirectURL opens (`/payment/{id}`), outside the client's API. To be built. */
export function paymentPageRoutes(_app: FastifyInstance, _db: Db): void {}
