import type { RequestCtx } from '../../core/context.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import type { Paging } from '../../core/paging.js';
import { newId } from '../../lib/ids.js';
import { EVENT_TYPES } from './event-types.js';
import type { Hook } from './model.js';
import type { HookCreate, HookListQuery, HookUpdate } from './schemas.js';
import * as store from './store.js';

type Ctx = RequestCtx;

/** What the schema cannot say: a known event type, an absolute http(s) URL. */
export function hookRules(input: { EventType?: string; Url?: string }): FieldErrors {
  const errors: FieldErrors = {};
  if (input.EventType !== undefined && !EVENT_TYPES.has(input.EventType.trim().toUpperCase())) {
    errors.EventType = `Error converting value "${input.EventType}" to type 'EventType'.`;
  }
  if (input.Url) {
    let parsed: URL | null = null;
    try {
      parsed = new URL(input.Url);
    } catch {
      parsed = null;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || !parsed.hostname) errors.Url = 'The Url must be an absolute http or https URL.';
  }
  return errors;
}

function checkRules(input: { EventType?: string; Url?: string }): void {
  const errors = hookRules(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
}

export async function createHook(ctx: Ctx, input: HookCreate): Promise<Hook> {
  checkRules(input);
  const hook: Hook = {
    id: newId('hook'),
    clientId: ctx.clientId,
    eventType: input.EventType.trim().toUpperCase(),
    url: input.Url,
    status: 'ENABLED',
    validity: 'VALID',
    tag: input.Tag ?? null,
    creationDate: ctx.now,
  };
  if (!(await store.insertHook(ctx.db, hook))) {
    throw ERRORS.paramError({ EventType: 'A hook has already been registered for this EventType' });
  }
  return hook;
}

export async function getHook(ctx: Ctx, id: string): Promise<Hook> {
  const hook = await store.findHook(ctx.db, ctx.clientId, id);
  if (!hook) throw ERRORS.notFound('Hook', id);
  return hook;
}

/**
 * Url, Status and Tag; `Validity: "VALID"` puts an INVALID hook back in service. SDKs send back the
 * whole object, so EventType, an echoed Validity and the read-only fields are ignored.
 */
export async function updateHook(ctx: Ctx, id: string, input: HookUpdate): Promise<Hook> {
  checkRules({ Url: input.Url });
  return ctx.db.tx(async (q) => {
    const hook = await store.findHook(q, ctx.clientId, id, true);
    if (!hook) throw ERRORS.notFound('Hook', id);
    if (input.Url !== undefined) hook.url = input.Url;
    if (input.Status !== undefined) hook.status = input.Status;
    if (input.Tag !== undefined) hook.tag = input.Tag;
    const revalidated = hook.validity === 'INVALID' && input.Validity?.toUpperCase() === 'VALID';
    if (revalidated) hook.validity = 'VALID';
    await store.saveHook(q, hook, revalidated);
    return hook;
  });
}

export async function listHooks(ctx: Ctx, query: HookListQuery, paging: Paging) {
  const filter = { eventType: query.EventType, status: query.Status, validity: query.Validity };
  return store.listHooks(ctx.db, ctx.clientId, filter, paging);
}
