import { Input } from '../../core/input.js';
import type { FieldErrors } from '../../core/errors.js';
import {
  LEGAL_PERSON_TYPES,
  type Address,
  type LegalData,
  type LegalPersonType,
  type NaturalData,
  type Representative,
  type UserCategory,
} from './model.js';

/** Which wire shape a body arrives in: the SCA object or the legacy flat one of the seed. */
export type Shape = 'sca' | 'legacy';

/**
 * The legacy endpoints of a platform older than user categories (MANGROVE_LEGACY_USERS=uncategorized):
 * Mangopay categorised such users itself, so what categories brought — terms acceptance, the
 * headquarters address, the company number — is not required there.
 */
export interface Era {
  precategory: boolean;
}

const REGION_COUNTRIES = new Set(['US', 'CA', 'MX']);
const POSTAL_CODE = /^[A-Za-z0-9 -]+$/;
const E164 = /^\+[1-9][0-9]{5,14}$/;
const LOCAL_PHONE = /^[0-9]{4,15}$/;

function required(errors: FieldErrors, path: string, label = path.slice(path.lastIndexOf('.') + 1)): void {
  if (!(path in errors)) errors[path] = `The ${label} field is required.`;
}

/** Spaces alone do not fill a required field. */
const blank = (s: string | null | undefined): boolean => !s || s.trim() === '';

/**
 * An address sent whole: its own rules apply as soon as it is sent. PostalCode is required
 * unless told otherwise (bank-account owner addresses may leave it out).
 */
export function parseAddress(parent: Input, name: string, opts: { postalCodeRequired?: boolean } = {}): Address | undefined {
  const postalCodeRequired = opts.postalCodeRequired ?? true;
  const a = parent.obj(name);
  if (!a) return undefined;
  const out: Address = {
    AddressLine1: a.str('AddressLine1', { required: true, max: 255 }) ?? null,
    AddressLine2: a.str('AddressLine2', { max: 255 }) ?? null,
    City: a.str('City', { required: true, max: 255 }) ?? null,
    Region: a.str('Region', { max: 255 }) ?? null,
    PostalCode: a.str('PostalCode', { required: postalCodeRequired, max: 255 }) ?? null,
    Country: a.country('Country', { required: true }) ?? null,
  };
  const required = postalCodeRequired ? (['AddressLine1', 'City', 'PostalCode'] as const) : (['AddressLine1', 'City'] as const);
  for (const f of required) {
    if (out[f] !== null && blank(out[f])) a.fail(f, `The ${f} field is required.`);
  }
  if (out.PostalCode !== null && out.PostalCode.length <= 255 && !POSTAL_CODE.test(out.PostalCode)) {
    a.fail('PostalCode', 'The PostalCode may only contain letters, digits, dashes and spaces.');
  }
  if (out.Country !== null && REGION_COUNTRIES.has(out.Country) && blank(out.Region)) {
    a.fail('Region', 'The Region is a required field for this Country');
  }
  return out;
}

// Of the restricted countries, only North Korea is refused as a nationality; the others only
// restrict residence and addresses (Mangopay's country-restrictions guide).
const OPEN_NATIONALITIES = new Set(['CU', 'IR', 'MM', 'SY']);

function nationality(i: Input, name: string): string | undefined {
  const v = i.raw(name);
  if (typeof v === 'string' && OPEN_NATIONALITIES.has(v.toUpperCase())) return v.toUpperCase();
  return i.country(name);
}

function parsePhone(i: Input): { PhoneNumber?: string | null; PhoneNumberCountry?: string } {
  const raw = i.str('PhoneNumber', { max: 50 });
  let PhoneNumber: string | null | undefined = raw;
  if (typeof raw === 'string') {
    const compact = raw.replace(/[\s().-]/g, '');
    if (!E164.test(compact) && !LOCAL_PHONE.test(compact)) {
      i.fail('PhoneNumber', 'The PhoneNumber must be in international E.164 format (+33611111111) or a local number (0611111111).');
      PhoneNumber = undefined;
    } else {
      PhoneNumber = compact;
    }
  }
  return { PhoneNumber, PhoneNumberCountry: i.country('PhoneNumberCountry') };
}

/** What the caller may set on any user, whatever its person type. */
export interface CommonPatch {
  Email?: string;
  Tag?: string | null;
  TermsAndConditionsAccepted?: boolean;
  UserCategory?: 'PAYER' | 'OWNER';
  ScaContext?: 'USER_PRESENT' | 'USER_NOT_PRESENT';
}

export function parseCommon(i: Input, opts: { tcRequired: boolean; categoryRequired: boolean }): CommonPatch {
  return {
    Email: i.email('Email'),
    Tag: i.str('Tag', { max: 255 }),
    TermsAndConditionsAccepted: i.bool('TermsAndConditionsAccepted', { required: opts.tcRequired }),
    UserCategory: i.enum('UserCategory', ['PAYER', 'OWNER'] as const, { required: opts.categoryRequired }),
    ScaContext: i.enum('ScaContext', ['USER_PRESENT', 'USER_NOT_PRESENT'] as const),
  };
}

export interface LegalPatch {
  Name?: string | null;
  LegalPersonType?: LegalPersonType;
  LegalRepresentative: Partial<Representative>;
  CompanyNumber?: string | null;
  HeadquartersAddress?: Address;
  LegalRepresentativeAddress?: Address;
}

export function representativePath(shape: Shape, field: string): string {
  return shape === 'sca' ? `LegalRepresentative.${field}` : `LegalRepresentative${field}`;
}

/**
 * An address of the legacy object, which older API versions (and SDKs) sent as one string: kept as its
 * first line.
 */
function legacyAddress(i: Input, name: string): Address | undefined {
  const v = i.raw(name);
  if (typeof v !== 'string') return parseAddress(i, name);
  const line = i.str(name, { max: 255 });
  if (!line || blank(line)) return undefined;
  return { AddressLine1: line.trim(), AddressLine2: null, City: null, Region: null, PostalCode: null, Country: null };
}

export function parseLegal(i: Input, shape: Shape): LegalPatch {
  // The SCA object nests the representative; the legacy one has flat LegalRepresentative*
  // fields, read under their own names so that messages name them in full.
  const r = shape === 'sca' ? i.obj('LegalRepresentative') : i;
  const name = (f: string) => (shape === 'sca' ? f : `LegalRepresentative${f}`);
  const rep: Partial<Representative> = {};
  if (r) {
    rep.FirstName = r.str(name('FirstName'), { min: 1, max: 100 });
    rep.LastName = r.str(name('LastName'), { min: 1, max: 100 });
    rep.Birthday = r.int(name('Birthday'));
    rep.Nationality = nationality(r, name('Nationality'));
    rep.CountryOfResidence = r.country(name('CountryOfResidence'));
    rep.Email = r.email(name('Email'));
    if (shape === 'sca') Object.assign(rep, parsePhone(r));
  }
  return {
    Name: i.str('Name', { max: 255 }),
    LegalPersonType: i.enum('LegalPersonType', LEGAL_PERSON_TYPES),
    LegalRepresentative: rep,
    CompanyNumber: i.str('CompanyNumber', { max: 255 }),
    HeadquartersAddress: shape === 'legacy' ? legacyAddress(i, 'HeadquartersAddress') : parseAddress(i, 'HeadquartersAddress'),
    LegalRepresentativeAddress:
      shape === 'legacy' ? legacyAddress(i, 'LegalRepresentativeAddress') : parseAddress(i, 'LegalRepresentativeAddress'),
  };
}

/** Fields left undefined keep their value; null (sent as "") clears an optional one. */
function assignDefined<T extends object>(target: T, patch: Partial<T>): void {
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) (target as any)[k] = v;
}

export function applyLegal(base: LegalData, p: LegalPatch): LegalData {
  const next: LegalData = structuredClone(base);
  assignDefined(next, {
    Name: p.Name,
    LegalPersonType: p.LegalPersonType,
    CompanyNumber: p.CompanyNumber,
    HeadquartersAddress: p.HeadquartersAddress,
    LegalRepresentativeAddress: p.LegalRepresentativeAddress,
  });
  assignDefined(next.LegalRepresentative, p.LegalRepresentative);
  return next;
}

function checkPhone(errors: FieldErrors, number: string | null, country: string | null, countryPath: string): void {
  if (number !== null && !number.startsWith('+') && country === null) {
    if (!(countryPath in errors)) errors[countryPath] = 'The PhoneNumberCountry field is required when PhoneNumber is in local format.';
  }
}

/** The rules that depend on the whole user: required fields, OWNER-only requirements. */
export function checkLegal(
  d: LegalData,
  category: UserCategory,
  email: string | null,
  errors: FieldErrors,
  shape: Shape,
  era: Era = { precategory: false },
): void {
  const rep = d.LegalRepresentative;
  const owner = category !== 'PAYER';
  if (!email) required(errors, 'Email');
  if (blank(d.Name)) required(errors, 'Name');
  if (!d.LegalPersonType) required(errors, 'LegalPersonType');
  if (!rep.FirstName) required(errors, representativePath(shape, 'FirstName'));
  if (!rep.LastName) required(errors, representativePath(shape, 'LastName'));
  if (owner) {
    if (rep.Birthday === null) required(errors, representativePath(shape, 'Birthday'));
    if (!rep.Nationality) required(errors, representativePath(shape, 'Nationality'));
    if (!rep.CountryOfResidence) required(errors, representativePath(shape, 'CountryOfResidence'));
    // SCA enrollment is done by the representative, so the SCA object needs their e-mail.
    if (!rep.Email && shape === 'sca') {
      const path = representativePath(shape, 'Email');
      if (!(path in errors)) errors[path] = "'Email' must not be empty.";
    }
    if (!era.precategory) {
      if (!d.HeadquartersAddress) required(errors, 'HeadquartersAddress');
      if (d.LegalPersonType === 'BUSINESS' && blank(d.CompanyNumber)) required(errors, 'CompanyNumber');
    }
  }
  checkPhone(errors, rep.PhoneNumber, rep.PhoneNumberCountry, representativePath(shape, 'PhoneNumberCountry'));
}

export interface NaturalPatch {
  FirstName?: string | null;
  LastName?: string | null;
  Birthday?: number;
  Nationality?: string;
  CountryOfResidence?: string;
  Occupation?: string | null;
  IncomeRange?: number;
  PhoneNumber?: string | null;
  PhoneNumberCountry?: string;
  Address?: Address;
}

function parseIncomeRange(i: Input): number | undefined {
  const v = i.raw('IncomeRange');
  // Older integrations send the bracket as "R1".."R6".
  if (typeof v === 'string' && /^R[1-6]$/i.test(v.trim())) return Number(v.trim().slice(1));
  return i.int('IncomeRange', { min: 1, max: 6 });
}

export function parseNatural(i: Input, shape: Shape): NaturalPatch {
  return {
    FirstName: i.str('FirstName', { min: 1, max: 100 }),
    LastName: i.str('LastName', { min: 1, max: 100 }),
    Birthday: i.int('Birthday'),
    Nationality: nationality(i, 'Nationality'),
    CountryOfResidence: i.country('CountryOfResidence'),
    Occupation: i.str('Occupation', { max: 255 }),
    IncomeRange: parseIncomeRange(i),
    ...(shape === 'sca' ? parsePhone(i) : {}),
    Address: shape === 'legacy' ? legacyAddress(i, 'Address') : parseAddress(i, 'Address'),
  };
}

export function applyNatural(base: NaturalData, p: NaturalPatch): NaturalData {
  const next: NaturalData = structuredClone(base);
  assignDefined(next, p);
  return next;
}

export function checkNatural(d: NaturalData, category: UserCategory, email: string | null, errors: FieldErrors): void {
  if (!email) required(errors, 'Email');
  if (!d.FirstName) required(errors, 'FirstName');
  if (!d.LastName) required(errors, 'LastName');
  if (category !== 'PAYER') {
    if (d.Birthday === null) required(errors, 'Birthday');
    if (!d.Nationality) required(errors, 'Nationality');
    if (!d.CountryOfResidence) required(errors, 'CountryOfResidence');
  }
  checkPhone(errors, d.PhoneNumber, d.PhoneNumberCountry, 'PhoneNumberCountry');
}
