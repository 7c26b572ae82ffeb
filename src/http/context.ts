import type { Db } from '../db/index.js';

/** What an authenticated request carries into the services. */
export interface RequestCtx {
  db: Db;
  clientId: string;
  now: number;
  baseUrl: string;
}

export interface RateState {
  counts: number[];
  limits: number[];
  resets: number[];
}

declare module 'fastify' {
  interface FastifyRequest {
    ctx: RequestCtx;
    /** The call count of this request, settled before the answer is sent. */
    rate: Promise<RateState> | null;
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
