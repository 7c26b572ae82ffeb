import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.js';

/** The 3-D Secure challenge page (`/3ds/{id}`), outside the client's API (the browser has no token). To be built. */
export function securePageRoutes(_app: FastifyInstance, _db: Db): void {}
