import { ERRORS } from '../core/errors.js';
import type { Queryable } from '../db/index.js';
import { retryDelivery } from './store.js';

/**
 * "Retry now" on one of the client's deliveries (see retryDelivery for the semantics): 404 when it
 * is not the client's, 400 invalid_action when it is final, being delivered, or its hook is off.
 * `nowMs` is the dispatcher's clock (server time), as due_at is.
 */
export async function retryDeliveryNow(q: Queryable, clientId: string, id: string, nowMs: number): Promise<void> {
  const r = await retryDelivery(q, clientId, id, nowMs);
  if (r.ok) return;
  switch (r.why) {
    case 'not_found':
      throw ERRORS.notFound('WebhookDelivery', id);
    case 'final':
      throw ERRORS.deliveryNotRetriable(`it is ${r.status}, which is final`);
    case 'hook_off':
      throw ERRORS.deliveryNotRetriable(`its hook is ${r.hookState}; enable it (or make it VALID) first`);
    case 'in_flight':
      throw ERRORS.deliveryNotRetriable('a call is being made right now; its outcome will show shortly');
  }
}
