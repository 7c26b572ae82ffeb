import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/index.js';

/** The Dashboard at /dashboard (SPEC §8, issue #13). To be built. */
export function dashboardRoutes(_app: FastifyInstance, _db: Db, _config: Config): void {}
