import type { TSchema } from '../../lib/schema.js';
import type { RequestCtx } from '../../core/context.js';
import type { Transaction } from '../transactions/model.js';

/**
 * How `GET /payins/{Id}` shows one kind of pay-in (card direct, card web, pre-authorized, ...): each
 * kind's file registers its view when it is loaded; the route's reply schema is the union of them.
 */
export interface PayInView {
  matches(t: Transaction): boolean;
  /** The kind's reply schema (a Reply: no properties beyond its own, so the union picks it exactly). */
  schema: TSchema;
  /** Brings the pay-in up to date before it is shown (a lapsed 3-D Secure or payment page fails it). */
  refresh?(ctx: RequestCtx, t: Transaction): Promise<Transaction>;
  render(t: Transaction, ctx: RequestCtx): unknown;
}

const views: PayInView[] = [];

export function registerPayInView(view: PayInView): void {
  views.push(view);
}

export function payInViews(): readonly PayInView[] {
  return views;
}
