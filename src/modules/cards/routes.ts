import type { FastifyInstance } from 'fastify';

/** Card registrations, cards, fingerprints and card validations. To be built (issue #12). */
export function cardRoutes(_scope: FastifyInstance): void {}

/** The tokenization endpoint a CardRegistrationURL points at (no bearer token: the browser posts to it). To be built. */
export function tokenizerRoutes(_app: FastifyInstance): void {}
