import type { RequestCtx } from '../../core/context.js';
import { ERRORS } from '../../core/errors.js';
import { Input } from '../../core/input.js';
import type { Paging } from '../../core/paging.js';
import { newId } from '../../lib/ids.js';
import { EVENT_TYPES } from './event-types.js';
import type { Hook, HookStatus } from './model.js';
import * as store from './store.js';

type Ctx = RequestCtx;
const MAX_TEXT = 255;
const STATUSES = ['ENABLED', 'DISABLED'] as const;

/** An absolute http or https URL of at most 255 characters. */
function parseUrl(i: Input, required: boolean): string | undefined {
  const url = i.str('Url', { required, max: MAX_TEXT });
  if (url === null) {
    if (required) i.fail('Url', 'The Url field is required.');
    else i.fail('Url', 'The Url field cannot be empty.');
    return undefined;
  }
  if (url === undefined || i.path('Url') in i.errors) return undefined;
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !parsed.hostname) {
    i.fail('Url', 'The Url must be an absolute http or https URL.');
    return undefined;
  }
  return url;
}

function parseEventType(i: Input): string | undefined {
  const type = i.str('EventType', { required: true });
  if (type === undefined || type === null) {
    if (type === null) i.fail('EventType', 'The EventType field is required.');
    return undefined;
  }
  const upper = type.trim().toUpperCase();
  if (!EVENT_TYPES.has(upper)) {
    i.fail('EventType', `Error converting value "${type}" to type 'EventType'.`);
    return undefined;
  }
  return upper;
}

export async function createHook(ctx: Ctx, body: unknown): Promise<Hook> {
  const i = new Input(body);
  const eventType = parseEventType(i);
  const url = parseUrl(i, true);
  const tag = i.str('Tag', { max: MAX_TEXT });
  if (!i.ok) throw ERRORS.paramError(i.errors);
  const hook: Hook = {
    id: newId('hook'),
    clientId: ctx.clientId,
    eventType: eventType!,
    url: url!,
    status: 'ENABLED',
    validity: 'VALID',
    tag: tag ?? null,
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
export async function updateHook(ctx: Ctx, id: string, body: unknown): Promise<Hook> {
  const i = new Input(body);
  const url = parseUrl(i, false);
  const status = i.enum('Status', STATUSES) as HookStatus | undefined;
  const tag = i.str('Tag', { max: MAX_TEXT });
  const validity = i.str('Validity');
  if (!i.ok) throw ERRORS.paramError(i.errors);
  return ctx.db.tx(async (q) => {
    const hook = await store.findHook(q, ctx.clientId, id, true);
    if (!hook) throw ERRORS.notFound('Hook', id);
    if (url !== undefined) hook.url = url;
    if (status !== undefined) hook.status = status;
    if (tag !== undefined) hook.tag = tag;
    const revalidated = hook.validity === 'INVALID' && validity?.toUpperCase() === 'VALID';
    if (revalidated) hook.validity = 'VALID';
    await store.saveHook(q, hook, revalidated);
    return hook;
  });
}

export async function listHooks(ctx: Ctx, query: unknown, paging: Paging) {
  const i = new Input(query);
  const eventType = i.str('EventType')?.toUpperCase();
  const status = i.enum('Status', STATUSES);
  const validity = i.enum('Validity', ['VALID', 'INVALID'] as const);
  if (!i.ok) throw ERRORS.paramError(i.errors);
  return store.listHooks(ctx.db, ctx.clientId, { eventType, status, validity }, paging);
}
