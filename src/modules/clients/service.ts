import type { Db } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS, type FieldErrors } from '../../core/errors.js';
import { decodeBase64, sniffMediaType } from '../../lib/files.js';
import { addressRules, toAddress } from '../users/rules.js';
import { EMAIL_LISTS, PLATFORM_TYPES, type ClientProfile, type ClientRecord } from './model.js';
import type { ClientUpdate, LogoUpload } from './schemas.js';
import * as store from './store.js';

type Ctx = RequestCtx;
/** Logos are shown on hosted pages; Mangopay recommends PNG or JPG, a few hundred pixels high. */
export const MAX_LOGO_BYTES = 2 * 1024 * 1024;

export async function getClient(ctx: Ctx): Promise<ClientRecord> {
  const c = await store.findClient(ctx.db, ctx.clientId);
  if (!c) throw ERRORS.notFound('Client', ctx.clientId);
  return c;
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** What the schema cannot say: a known PlatformType (in any case), an http(s) URL, the address rules. */
export function clientRules(input: Partial<ClientUpdate>): FieldErrors {
  const errors: FieldErrors = {};
  if (input.PlatformType && !PLATFORM_TYPES.some((t) => t.toUpperCase() === input.PlatformType!.toUpperCase())) {
    errors.PlatformType = `The field PlatformType must be one of: ${PLATFORM_TYPES.join(', ')}.`;
  }
  if (input.PlatformURL && !isHttpUrl(input.PlatformURL)) errors.PlatformURL = 'The field PlatformURL must be an http or https URL.';
  addressRules(input.HeadquartersAddress, 'HeadquartersAddress', errors);
  return errors;
}

/**
 * PUT /clients: the documented editable fields; a field not sent stays as it was, one sent empty is
 * cleared. Read-only and unknown fields are ignored (SDKs send back the object they read). Every
 * violation is reported together and nothing changes.
 */
export async function updateClient(ctx: Ctx, input: ClientUpdate): Promise<ClientRecord> {
  const errors = clientRules(input);
  if (Object.keys(errors).length) throw ERRORS.paramError(errors);
  const patch: Partial<ClientProfile> = {};
  for (const name of EMAIL_LISTS) if (input[name] !== undefined) patch[name] = input[name];
  if (input.HeadquartersAddress !== undefined) patch.HeadquartersAddress = toAddress(input.HeadquartersAddress);
  for (const name of ['HeadquartersPhoneNumber', 'TaxNumber', 'PlatformURL', 'PlatformDescription', 'PrimaryThemeColour', 'PrimaryButtonColour'] as const) {
    if (input[name] !== undefined) patch[name] = input[name];
  }
  if (input.PlatformType !== undefined) {
    patch.PlatformType = input.PlatformType === null ? null : PLATFORM_TYPES.find((t) => t.toUpperCase() === input.PlatformType!.toUpperCase())!;
  }
  const cat = input.PlatformCategorization;
  return ctx.db.tx(async (q) => {
    const c = await store.findClient(q, ctx.clientId, true);
    if (!c) throw ERRORS.notFound('Client', ctx.clientId);
    const profile: ClientProfile = { ...c.profile, ...patch };
    if (cat) {
      profile.PlatformCategorization = {
        BusinessType: cat.BusinessType ?? c.profile.PlatformCategorization?.BusinessType ?? null,
        Sector: cat.Sector ?? c.profile.PlatformCategorization?.Sector ?? null,
      };
    }
    await store.saveProfile(q, ctx.clientId, profile);
    return { ...c, profile };
  });
}

/** PUT /clients/logo: `File`, Base64 of a PNG or JPEG image of at most MAX_LOGO_BYTES. */
export async function uploadLogo(ctx: Ctx, input: LogoUpload): Promise<void> {
  const decoded = decodeBase64(input.File, MAX_LOGO_BYTES);
  if ('problem' in decoded) {
    if (decoded.problem === 'too_large') throw ERRORS.logoTooLarge(MAX_LOGO_BYTES);
    throw ERRORS.paramError({ File: 'The field File must be a valid Base-64 string.' });
  }
  const mediaType = sniffMediaType(decoded.bytes);
  if (mediaType !== 'image/png' && mediaType !== 'image/jpeg') {
    throw ERRORS.paramError({ File: 'The logo must be a PNG or JPEG image.' });
  }
  await store.saveLogo(ctx.db, ctx.clientId, decoded.bytes, mediaType);
}

/** The logo's bytes for the public logo URL, or null (no such client, or no logo uploaded). */
export async function readLogo(db: Db, clientId: string) {
  return store.findLogo(db, clientId);
}
