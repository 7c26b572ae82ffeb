import type { Db } from '../../db/index.js';
import type { RequestCtx } from '../../core/context.js';
import { ERRORS } from '../../core/errors.js';
import { Input } from '../../core/input.js';
import { decodeBase64, sniffMediaType } from '../../lib/files.js';
import { parseAddress } from '../users/rules.js';
import { BUSINESS_TYPES, EMAIL_LISTS, PLATFORM_TYPES, SECTORS, type ClientProfile, type ClientRecord } from './model.js';
import * as store from './store.js';

type Ctx = RequestCtx;
const MAX_TEXT = 255;
/** Mangopay: "Emails must be ≤ 40 characters" for the technical contacts. */
const MAX_TECH_EMAIL = 40;
const MAX_EMAILS = 20;
const COLOUR = /^#[0-9A-Fa-f]{6}$/;
/** E.164 at most 15 characters; the SDKs' own tests send bare digits, which Mangopay takes too. */
const PHONE = /^\+?[0-9]{1,15}$/;
/** Logos are shown on hosted pages; Mangopay recommends PNG or JPG, a few hundred pixels high. */
export const MAX_LOGO_BYTES = 2 * 1024 * 1024;

export async function getClient(ctx: Ctx): Promise<ClientRecord> {
  const c = await store.findClient(ctx.db, ctx.clientId);
  if (!c) throw ERRORS.notFound('Client', ctx.clientId);
  return c;
}

/** A list of e-mail addresses: each checked, the failing one named by its index (`TechEmails.1`). */
function parseEmails(i: Input, name: string, maxLength: number): string[] | undefined {
  const v = i.raw(name);
  if (v === undefined) return undefined;
  if (v === '') return [];
  const list = Array.isArray(v) ? v : [v];
  if (list.length > MAX_EMAILS) {
    i.fail(name, `The field ${name} may hold at most ${MAX_EMAILS} addresses.`);
    return undefined;
  }
  const items = new Input(Object.fromEntries(list.map((x, n) => [String(n), x])), i.errors, `${i.path(name)}.`);
  const out: string[] = [];
  list.forEach((_, n) => {
    const e = items.email(String(n), { required: true });
    if (e !== undefined && e.length > maxLength) items.fail(String(n), `An address of ${name} may hold at most ${maxLength} characters.`);
    if (e !== undefined) out.push(e);
  });
  return out;
}

function parseColour(i: Input, name: string): string | null | undefined {
  const v = i.str(name, { max: 7 });
  if (v && !COLOUR.test(v)) i.fail(name, `The field ${name} must be a colour written #RRGGBB, like #1A2B3C.`);
  return v;
}

function parseUrl(i: Input, name: string): string | null | undefined {
  const v = i.str(name, { max: MAX_TEXT });
  if (!v || v.length > MAX_TEXT) return v;
  let ok = false;
  try {
    const u = new URL(v);
    ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    ok = false;
  }
  if (!ok) i.fail(name, `The field ${name} must be an http or https URL.`);
  return v;
}

/**
 * PUT /clients: the documented editable fields; a field not sent stays as it was, one sent empty is
 * cleared. Read-only and unknown fields are ignored (SDKs send back the object they read). Every
 * violation is reported together and nothing changes.
 */
export async function updateClient(ctx: Ctx, body: unknown): Promise<ClientRecord> {
  const i = new Input(body);
  const patch: Partial<ClientProfile> = {};
  for (const name of EMAIL_LISTS) {
    const list = parseEmails(i, name, name === 'TechEmails' ? MAX_TECH_EMAIL : MAX_TEXT);
    if (list !== undefined) patch[name] = list;
  }
  if (i.has('HeadquartersAddress')) patch.HeadquartersAddress = parseAddress(i, 'HeadquartersAddress') ?? null;
  const phone = i.str('HeadquartersPhoneNumber', { max: 15 });
  if (phone && phone.length <= 15 && !PHONE.test(phone)) {
    i.fail('HeadquartersPhoneNumber', 'The field HeadquartersPhoneNumber must be a phone number in E.164 format, like +33123456789.');
  }
  if (phone !== undefined) patch.HeadquartersPhoneNumber = phone;
  const tax = i.str('TaxNumber', { max: MAX_TEXT });
  if (tax !== undefined) patch.TaxNumber = tax;
  const type = i.str('PlatformType');
  if (type) {
    const known = PLATFORM_TYPES.find((t) => t.toUpperCase() === type.toUpperCase());
    if (!known) i.fail('PlatformType', `The field PlatformType must be one of: ${PLATFORM_TYPES.join(', ')}.`);
    patch.PlatformType = known ?? null;
  } else if (type === null) patch.PlatformType = null;
  const cat = i.obj('PlatformCategorization');
  const businessType = cat?.enum('BusinessType', BUSINESS_TYPES);
  const sector = cat?.enum('Sector', SECTORS);
  const url = parseUrl(i, 'PlatformURL');
  if (url !== undefined) patch.PlatformURL = url;
  const description = i.str('PlatformDescription', { max: MAX_TEXT });
  if (description !== undefined) patch.PlatformDescription = description;
  for (const name of ['PrimaryThemeColour', 'PrimaryButtonColour'] as const) {
    const colour = parseColour(i, name);
    if (colour !== undefined) patch[name] = colour;
  }
  if (!i.ok) throw ERRORS.paramError(i.errors);
  return ctx.db.tx(async (q) => {
    const c = await store.findClient(q, ctx.clientId, true);
    if (!c) throw ERRORS.notFound('Client', ctx.clientId);
    const profile: ClientProfile = { ...c.profile, ...patch };
    if (cat) {
      profile.PlatformCategorization = {
        BusinessType: businessType ?? c.profile.PlatformCategorization?.BusinessType ?? null,
        Sector: sector ?? c.profile.PlatformCategorization?.Sector ?? null,
      };
    }
    await store.saveProfile(q, ctx.clientId, profile);
    return { ...c, profile };
  });
}

/** PUT /clients/logo: `File`, Base64 of a PNG or JPEG image of at most MAX_LOGO_BYTES. */
export async function uploadLogo(ctx: Ctx, body: unknown): Promise<void> {
  const i = new Input(body);
  const raw = i.raw('File');
  if (raw === undefined || raw === '') throw ERRORS.paramError({ File: 'The File field is required.' });
  if (typeof raw !== 'string') throw ERRORS.paramError({ File: 'The field File must be a Base-64 string.' });
  const decoded = decodeBase64(raw, MAX_LOGO_BYTES);
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
