import type { RequestCtx } from '../core/context.js';

export type { RequestCtx } from '../core/context.js';
export { nowSeconds } from '../core/clock.js';

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
