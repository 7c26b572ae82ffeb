import type { HookReply } from './schemas.js';

export type HookStatus = 'ENABLED' | 'DISABLED';
export type HookValidity = 'VALID' | 'INVALID';

export interface Hook {
  id: string;
  clientId: string;
  eventType: string;
  url: string;
  status: HookStatus;
  validity: HookValidity;
  tag: string | null;
  creationDate: number;
}

/** Failed calls in a row after which a hook becomes INVALID and gets nothing more. */
export const MAX_CONSECUTIVE_FAILURES = 100;

/** Mangopay's Hook object, keys in its order (reference notes §6.1). */
export function renderHook(h: Hook): HookReply {
  return {
    Url: h.url,
    Status: h.status,
    Validity: h.validity,
    EventType: h.eventType,
    Id: h.id,
    Tag: h.tag,
    CreationDate: h.creationDate,
  };
}
