import type { FieldErrors } from '../../core/errors.js';
import type { AddressBody, LegalBody, LegalLegacyBody, LegalScaBody, NaturalBody, NaturalScaBody, UserBody } from './schemas.js';
import {
  emptyLegal,
  emptyNatural,
  type Address,
  type LegalData,
  type LegalPersonType,
  type PersonType,
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
const E164 = /^\+[1-9][0-9]{5,14}$/;
const LOCAL_PHONE = /^[0-9]{4,15}$/;

function required(errors: FieldErrors, path: string, label = path.slice(path.lastIndexOf('.') + 1)): void {
  if (!(path in errors)) errors[path] = `The ${label} field is required.`;
}

/** Spaces alone do not fill a required field. */
const blank = (s: string | null | undefined): boolean => !s || s.trim() === '';

/** What the schema cannot say about an address: spaces do not fill a field, US/CA/MX need a Region. */
export function addressRules(
  a: Partial<AddressBody> | undefined,
  path: string,
  errors: FieldErrors,
  opts: { postalCodeRequired?: boolean } = {},
): void {
  if (!a) return;
  const fail = (f: string, message: string) => {
    if (!(`${path}.${f}` in errors)) errors[`${path}.${f}`] = message;
  };
  const fields = opts.postalCodeRequired ?? true ? (['AddressLine1', 'City', 'PostalCode'] as const) : (['AddressLine1', 'City'] as const);
  for (const f of fields) if (a[f] !== undefined && blank(a[f])) fail(f, `The ${f} field is required.`);
  if (a.Country !== undefined && REGION_COUNTRIES.has(a.Country) && blank(a.Region)) {
    fail('Region', 'The Region is a required field for this Country');
  }
}

/** An address body as stored: every field, null where not sent. */
export function toAddress(a: Partial<AddressBody>): Address {
  return {
    AddressLine1: a.AddressLine1 ?? null,
    AddressLine2: a.AddressLine2 ?? null,
    City: a.City ?? null,
    Region: a.Region ?? null,
    PostalCode: a.PostalCode ?? null,
    Country: a.Country ?? null,
  };
}

/** "" clears an optional field (null); absent leaves it as it is (undefined). */
const cleared = (v: string | undefined): string | null | undefined => (v === '' ? null : v);

const PHONE_FORMAT = 'The PhoneNumber must be in international E.164 format (+33611111111) or a local number (0611111111).';
const compactPhone = (raw: string) => raw.replace(/[\s().-]/g, '');
const validPhone = (compact: string) => E164.test(compact) || LOCAL_PHONE.test(compact);

function phoneRules(phone: string | undefined, path: string, errors: FieldErrors): void {
  if (phone && !validPhone(compactPhone(phone)) && !(path in errors)) errors[path] = PHONE_FORMAT;
}

/** The phone as stored: compacted, "" clearing it; a number of the wrong format is not taken. */
function phonePatch(b: { PhoneNumber?: string; PhoneNumberCountry?: string }): { PhoneNumber?: string | null; PhoneNumberCountry?: string } {
  let PhoneNumber: string | null | undefined = cleared(b.PhoneNumber);
  if (PhoneNumber) PhoneNumber = validPhone(compactPhone(PhoneNumber)) ? compactPhone(PhoneNumber) : undefined;
  return { PhoneNumber, PhoneNumberCountry: b.PhoneNumberCountry };
}

const NAME_LENGTH = 'must be a string with a minimum length of 1 and a maximum length of 100.';

/** Names of spaces only: the schema's minLength counts them, the hand-written parser trimmed first. */
function nameRules(b: Record<string, unknown>, names: string[], prefix: string, errors: FieldErrors): void {
  for (const name of names) {
    const v = b[name];
    const path = prefix + name;
    if (typeof v === 'string' && v !== '' && v.trim() === '' && !(path in errors)) errors[path] = `The field ${name} ${NAME_LENGTH}`;
  }
}

/** The income bracket as a number: 1..6, or "R1".."R6" from older integrations. */
function incomeRange(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  const n = /^R[1-6]$/.test(t) ? Number(t.slice(1)) : Number(t);
  return Number.isSafeInteger(n) && n >= 1 && n <= 6 ? n : undefined;
}

/** What the caller may set on any user, whatever its person type. */
export interface CommonPatch {
  Email?: string;
  Tag?: string | null;
  TermsAndConditionsAccepted?: boolean;
  UserCategory?: 'PAYER' | 'OWNER';
  ScaContext?: 'USER_PRESENT' | 'USER_NOT_PRESENT';
}

export function commonPatch(b: UserBody): CommonPatch {
  return {
    Email: b.Email,
    Tag: cleared(b.Tag),
    TermsAndConditionsAccepted: b.TermsAndConditionsAccepted,
    UserCategory: b.UserCategory,
    ScaContext: b.ScaContext,
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
function legacyAddress(v: AddressBody | string | undefined): Address | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return toAddress(v);
  if (blank(v)) return undefined;
  return { AddressLine1: v.trim(), AddressLine2: null, City: null, Region: null, PostalCode: null, Country: null };
}

function anyAddress(v: AddressBody | string | undefined): Address | undefined {
  return typeof v === 'string' ? legacyAddress(v) : v && toAddress(v);
}

export function legalPatch(b: LegalBody, shape: Shape): LegalPatch {
  const rep: Partial<Representative> = {};
  if (shape === 'sca') {
    const r = (b as LegalScaBody).LegalRepresentative;
    if (r) {
      Object.assign(rep, {
        FirstName: cleared(r.FirstName),
        LastName: cleared(r.LastName),
        Birthday: r.Birthday,
        Nationality: r.Nationality,
        CountryOfResidence: r.CountryOfResidence,
        Email: r.Email,
        ...phonePatch(r),
      });
    }
  } else {
    const l = b as LegalLegacyBody;
    Object.assign(rep, {
      FirstName: cleared(l.LegalRepresentativeFirstName),
      LastName: cleared(l.LegalRepresentativeLastName),
      Birthday: l.LegalRepresentativeBirthday,
      Nationality: l.LegalRepresentativeNationality,
      CountryOfResidence: l.LegalRepresentativeCountryOfResidence,
      Email: l.LegalRepresentativeEmail,
    });
  }
  return {
    Name: cleared(b.Name),
    LegalPersonType: b.LegalPersonType,
    LegalRepresentative: rep,
    CompanyNumber: cleared(b.CompanyNumber),
    HeadquartersAddress: anyAddress(b.HeadquartersAddress),
    LegalRepresentativeAddress: anyAddress(b.LegalRepresentativeAddress),
  };
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

export function naturalPatch(b: NaturalBody, shape: Shape): NaturalPatch {
  return {
    FirstName: cleared(b.FirstName),
    LastName: cleared(b.LastName),
    Birthday: b.Birthday,
    Nationality: b.Nationality,
    CountryOfResidence: b.CountryOfResidence,
    Occupation: cleared(b.Occupation),
    IncomeRange: incomeRange(b.IncomeRange),
    ...(shape === 'sca' ? phonePatch(b as NaturalScaBody) : {}),
    Address: anyAddress(b.Address),
  };
}

/** The rules of a user body on its own (the schema said its types, lengths and values). */
export function bodyRules(personType: PersonType, shape: Shape, b: UserBody): FieldErrors {
  const errors: FieldErrors = {};
  const address = (v: AddressBody | string | undefined, path: string) => {
    if (v !== undefined && typeof v !== 'string') addressRules(v, path, errors);
  };
  if (personType === 'LEGAL') {
    const l = b as LegalBody;
    if (shape === 'sca') {
      const r = (l as LegalScaBody).LegalRepresentative;
      if (r) {
        nameRules(r, ['FirstName', 'LastName'], 'LegalRepresentative.', errors);
        phoneRules(r.PhoneNumber, 'LegalRepresentative.PhoneNumber', errors);
      }
    } else {
      nameRules(l, ['LegalRepresentativeFirstName', 'LegalRepresentativeLastName'], '', errors);
    }
    address(l.HeadquartersAddress, 'HeadquartersAddress');
    address(l.LegalRepresentativeAddress, 'LegalRepresentativeAddress');
  } else {
    const n = b as NaturalBody;
    nameRules(n, ['FirstName', 'LastName'], '', errors);
    if (n.IncomeRange !== undefined && incomeRange(n.IncomeRange) === undefined && !('IncomeRange' in errors)) {
      errors.IncomeRange = 'The field IncomeRange must be between 1 and 6.';
    }
    if (shape === 'sca') phoneRules((n as NaturalScaBody).PhoneNumber, 'PhoneNumber', errors);
    address(n.Address, 'Address');
  }
  return errors;
}

/** A new user as its creation body describes it, and everything wrong with it. */
export function draftUser(personType: PersonType, shape: Shape, era: Era, b: UserBody) {
  const errors = bodyRules(personType, shape, b);
  const common = commonPatch(b);
  // Mangopay made the users of platforms older than categories OWNERs.
  const category: UserCategory = common.UserCategory ?? (era.precategory ? 'OWNER' : 'PAYER');
  const data =
    personType === 'LEGAL'
      ? applyLegal(emptyLegal(), legalPatch(b as LegalBody, shape))
      : applyNatural(emptyNatural(), naturalPatch(b as NaturalBody, shape));
  if (personType === 'LEGAL') checkLegal(data as LegalData, category, common.Email || null, errors, shape, era);
  else checkNatural(data as NaturalData, category, common.Email || null, errors);
  return { common, category, data, errors };
}

/** `config.rules` of the creation routes: what the service would refuse besides the schema's refusal. */
export function creationRules(personType: PersonType, shape: Shape, era: Era) {
  return (b: UserBody): FieldErrors => draftUser(personType, shape, era, b).errors;
}

/** `config.rules` of the update routes: a change is checked against the stored user by the service. */
export function updateRules(personType: PersonType, shape: Shape) {
  return (b: UserBody): FieldErrors => bodyRules(personType, shape, b);
}

/** A category change takes a PAYER to OWNER, and nowhere else. */
export function categoryRules(personType: PersonType) {
  return (b: UserBody): FieldErrors => {
    const errors = bodyRules(personType, 'sca', b);
    if (b.UserCategory && b.UserCategory !== 'OWNER' && !('UserCategory' in errors)) errors.UserCategory = 'The UserCategory must be OWNER.';
    return errors;
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
