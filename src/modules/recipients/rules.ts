import type { FieldErrors } from '../../core/errors.js';
import { isValidIban } from '../bankaccounts/rules.js';
import { isCountryCode } from '../../lib/countries.js';
import type { Address } from '../users/model.js';
import { addressRules, toAddress } from '../users/rules.js';
import type { ScaContext } from '../users/sca-auth.js';
import type { AddressBody } from '../users/schemas.js';
import type { AccountFields, PayoutMethodsQuery, RecipientCreate, SchemaQuery } from './schemas.js';

export const PAYOUT_METHOD_TYPES = ['LocalBankTransfer', 'InternationalBankTransfer'] as const;
export type PayoutMethodType = (typeof PAYOUT_METHOD_TYPES)[number];
export const RECIPIENT_TYPES = ['Individual', 'Business'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];
export const RECIPIENT_SCOPES = ['PAYOUT', 'PAYIN'] as const;
export type RecipientScope = (typeof RECIPIENT_SCOPES)[number];
export const RECIPIENT_STATUSES = ['PENDING', 'CANCELED', 'ACTIVE', 'DEACTIVATED'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

/** The countries of the SEPA schemes, where EUR goes by local transfer. */
const SEPA = (
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK IS LI NO CH GB MC SM AD VA'
).split(' ');

type FieldKind = 'IBAN' | 'BIC' | 'SortCode' | 'GBAccountNumber' | 'USAccountNumber' | 'ABA' | 'AccountType' |
  'InstitutionNumber' | 'BranchCode' | 'CAAccountNumber' | 'AccountNumber';

interface FieldRule {
  required: boolean;
  kind: FieldKind;
}

const IBAN_LOCAL: Record<string, FieldRule> = { IBAN: { required: true, kind: 'IBAN' }, BIC: { required: false, kind: 'BIC' } };

/**
 * The local rails Mangrove knows, by currency: the countries they reach and the account fields they
 * take. Other currency/country pairs have only InternationalBankTransfer (SWIFT).
 */
const LOCAL: Record<string, { countries: string[]; fields: Record<string, FieldRule> }> = {
  EUR: { countries: SEPA, fields: IBAN_LOCAL },
  GBP: {
    countries: ['GB'],
    fields: { AccountNumber: { required: true, kind: 'GBAccountNumber' }, SortCode: { required: true, kind: 'SortCode' } },
  },
  USD: {
    countries: ['US'],
    fields: {
      AccountNumber: { required: true, kind: 'USAccountNumber' },
      ABA: { required: true, kind: 'ABA' },
      AccountType: { required: false, kind: 'AccountType' },
    },
  },
  CAD: {
    countries: ['CA'],
    fields: {
      InstitutionNumber: { required: true, kind: 'InstitutionNumber' },
      BranchCode: { required: true, kind: 'BranchCode' },
      AccountNumber: { required: true, kind: 'CAAccountNumber' },
    },
  },
  CHF: { countries: ['CH', 'LI'], fields: IBAN_LOCAL },
  DKK: { countries: ['DK'], fields: IBAN_LOCAL },
  SEK: { countries: ['SE'], fields: IBAN_LOCAL },
  NOK: { countries: ['NO'], fields: IBAN_LOCAL },
  PLN: { countries: ['PL'], fields: IBAN_LOCAL },
  CZK: { countries: ['CZ'], fields: IBAN_LOCAL },
};
export const LOCAL_CURRENCIES = Object.keys(LOCAL);

/** SWIFT: a BIC and either an IBAN or an account number. */
const INTERNATIONAL: Record<string, FieldRule> = {
  IBAN: { required: false, kind: 'IBAN' },
  AccountNumber: { required: false, kind: 'AccountNumber' },
  BIC: { required: true, kind: 'BIC' },
};

export function payoutMethods(country: string, currency: string): PayoutMethodType[] {
  const local = LOCAL[currency];
  return local && local.countries.includes(country) ? ['LocalBankTransfer', 'InternationalBankTransfer'] : ['InternationalBankTransfer'];
}

const PATTERNS: Record<FieldKind, { pattern: string; min: number; max: number; label: string }> = {
  IBAN: { pattern: '^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$', min: 15, max: 34, label: 'IBAN' },
  BIC: { pattern: '^[a-zA-Z]{6}\\w{2}(\\w{3})?$', min: 8, max: 11, label: 'BIC / SWIFT code' },
  SortCode: { pattern: '^\\d{6}$', min: 6, max: 6, label: 'Sort code' },
  GBAccountNumber: { pattern: '^\\d{8}$', min: 8, max: 8, label: 'Account number' },
  USAccountNumber: { pattern: '^\\d{1,17}$', min: 1, max: 17, label: 'Account number' },
  ABA: { pattern: '^\\d{9}$', min: 9, max: 9, label: 'ABA routing number' },
  AccountType: { pattern: '^(CHECKING|SAVINGS)$', min: 0, max: 8, label: 'Account type' },
  InstitutionNumber: { pattern: '^\\d{3,4}$', min: 3, max: 4, label: 'Institution number' },
  BranchCode: { pattern: '^\\d{5}$', min: 5, max: 5, label: 'Branch code' },
  CAAccountNumber: { pattern: '^\\d{1,20}$', min: 1, max: 20, label: 'Account number' },
  AccountNumber: { pattern: '^[A-Za-z0-9]{1,50}$', min: 1, max: 50, label: 'Account number' },
};

/** A failure recorder: the first message for a path wins. */
function recorder(errors: FieldErrors) {
  return (path: string, message: string) => {
    if (!(path in errors)) errors[path] = message;
  };
}
type Fail = ReturnType<typeof recorder>;

function readAccountField(fields: AccountFields, prefix: string, name: string, rule: FieldRule, fail: Fail): string | null {
  const raw = fields[name as keyof AccountFields];
  if (!raw) {
    if (rule.required) fail(prefix + name, `The ${name} field is required.`);
    return null;
  }
  let v = raw.replace(/\s+/g, '');
  if (rule.kind === 'IBAN' || rule.kind === 'BIC' || rule.kind === 'AccountType') v = v.toUpperCase();
  const p = PATTERNS[rule.kind];
  if (rule.kind === 'IBAN') {
    if (v.length > 34) fail(prefix + name, 'The field IBAN must be a string with a maximum length of 34.');
    else if (!isValidIban(v)) fail(prefix + name, 'The value is not a valid IBAN');
    return v;
  }
  if (!new RegExp(p.pattern).test(v)) {
    // Mangopay's wording for recipients (release notes 2026-05-19).
    fail(prefix + name, `INVALID_FORMAT. Regex validation: ${p.pattern}`);
    return null;
  }
  return v;
}

function readAccount(fields: AccountFields, prefix: string, rules: Record<string, FieldRule>, fail: Fail): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [name, rule] of Object.entries(rules)) out[name] = readAccountField(fields, prefix, name, rule, fail);
  return out;
}

export interface Holder {
  FirstName?: string | null;
  LastName?: string | null;
  BusinessName?: string | null;
  Address: Address | null;
}

export interface NewRecipient {
  displayName: string;
  payoutMethodType: PayoutMethodType;
  recipientType: RecipientType;
  currency: string;
  country: string;
  scope: RecipientScope;
  scaContext: ScaContext | null;
  holder: Holder;
  /** LocalBankTransfer: `{<Currency>: fields}`; InternationalBankTransfer: the fields. */
  account: Record<string, unknown>;
  tag: string | null;
}

/** A case-insensitive enum whose answer keeps Mangopay's spelling (LocalBankTransfer, Individual). */
function spelled<T extends string>(v: string | undefined, name: string, allowed: readonly T[], fail: Fail): T | undefined {
  if (!v) return undefined;
  const found = allowed.find((a) => a.toLowerCase() === v.trim().toLowerCase());
  if (!found) fail(name, `The field ${name} must be one of: ${allowed.join(', ')}.`);
  return found;
}

const blank = (s: string | null | undefined) => !s || s.trim() === '';

/**
 * Judges a recipient body (creation or validation) as its schema let it through (a property it refused is
 * left out). Every violation is reported together under its dotted path (`IndividualRecipient.Address.City`,
 * `LocalBankTransfer.EUR.IBAN`); `value` is null when there is any.
 */
export function checkRecipient(input: Partial<RecipientCreate>): { value: NewRecipient | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const fail = recorder(errors);
  for (const name of ['DisplayName', 'PayoutMethodType', 'RecipientType', 'Currency'] as const) {
    if (input[name] === undefined) fail(name, `The ${name} field is required.`);
  }
  const name = (v: string | undefined, path: string) => {
    if (v === undefined) fail(path, `The ${path.slice(path.lastIndexOf('.') + 1)} field is required.`);
    else if (blank(v)) fail(path, `The ${path.slice(path.lastIndexOf('.') + 1)} field is required.`);
  };
  name(input.DisplayName, 'DisplayName');
  const payoutMethodType = spelled(input.PayoutMethodType, 'PayoutMethodType', PAYOUT_METHOD_TYPES, fail);
  const recipientType = spelled(input.RecipientType, 'RecipientType', RECIPIENT_TYPES, fail);
  const currency = input.Currency;

  let holder: Holder | null = null;
  if (recipientType) {
    const field = recipientType === 'Individual' ? 'IndividualRecipient' : 'BusinessRecipient';
    const h: { FirstName?: string; LastName?: string; BusinessName?: string; Address?: AddressBody } | undefined =
      recipientType === 'Individual' ? input.IndividualRecipient : input.BusinessRecipient;
    if (!h) fail(field, `The ${field} field is required.`);
    else {
      if (!h.Address) fail(`${field}.Address`, 'The Address field is required.');
      addressRules(h.Address, `${field}.Address`, errors, { postalCodeRequired: false });
      const address = h.Address ? toAddress(h.Address) : null;
      if (recipientType === 'Individual') {
        name(h.FirstName, `${field}.FirstName`);
        name(h.LastName, `${field}.LastName`);
        holder = { FirstName: h.FirstName ?? null, LastName: h.LastName ?? null, Address: address };
      } else {
        name(h.BusinessName, `${field}.BusinessName`);
        holder = { BusinessName: h.BusinessName ?? null, Address: address };
      }
    }
  }

  let account: Record<string, unknown> | null = null;
  let country = input.Country;
  if (payoutMethodType === 'LocalBankTransfer' && currency) {
    const local = LOCAL[currency];
    // A local rail of one currency reaches its own country; EUR's country is the IBAN's.
    country ??= local && currency !== 'EUR' ? local.countries[0] : undefined;
    if (!local || (country && !local.countries.includes(country))) {
      fail('PayoutMethodType', `LocalBankTransfer is not available for ${currency}${country ? ` in ${country}` : ''}: use InternationalBankTransfer.`);
    } else {
      const l = input.LocalBankTransfer;
      const c = l?.[currency];
      if (!l) fail('LocalBankTransfer', 'The LocalBankTransfer field is required.');
      else if (!c) fail(`LocalBankTransfer.${currency}`, `The LocalBankTransfer.${currency} field is required.`);
      else {
        const fields = readAccount(c, `LocalBankTransfer.${currency}.`, local.fields, fail);
        account = { [currency]: fields };
        const ibanCountry = typeof fields.IBAN === 'string' ? fields.IBAN.slice(0, 2) : undefined;
        if (!country && ibanCountry && local.countries.includes(ibanCountry)) country = ibanCountry;
      }
    }
  } else if (payoutMethodType === 'InternationalBankTransfer') {
    const t = input.InternationalBankTransfer;
    if (!t) fail('InternationalBankTransfer', 'The InternationalBankTransfer field is required.');
    else {
      const fields = readAccount(t, 'InternationalBankTransfer.', INTERNATIONAL, fail);
      if (t.IBAN === undefined && t.AccountNumber === undefined) fail('InternationalBankTransfer.IBAN', 'Either IBAN or AccountNumber is required.');
      account = fields;
      if (!country && typeof fields.IBAN === 'string' && isCountryCode(fields.IBAN.slice(0, 2))) country = fields.IBAN.slice(0, 2);
    }
  }
  if (!country) fail('Country', 'The Country field is required.');

  if (Object.keys(errors).length) return { value: null, errors };
  return {
    value: {
      displayName: input.DisplayName!,
      payoutMethodType: payoutMethodType!,
      recipientType: recipientType!,
      currency: currency!,
      country: country!,
      scope: input.RecipientScope ?? 'PAYOUT',
      scaContext: input.ScaContext ?? null,
      holder: holder!,
      account: account!,
      tag: input.Tag ?? null,
    },
    errors,
  };
}

/** checkRecipient's errors, merged into a schema refusal. */
export function recipientRules(input: Partial<RecipientCreate>): FieldErrors {
  return checkRecipient(input).errors;
}

// --- GET /recipients/schema: the fields a combination takes, described as Mangopay does. ---

function prop(required: boolean, label: string, extra: Partial<{ MaxLength: number; MinLength: number; Pattern: string; AllowedValues: string[] }> = {}) {
  return {
    Required: required,
    MaxLength: extra.MaxLength ?? 255,
    MinLength: extra.MinLength ?? (required ? 1 : 0),
    Pattern: extra.Pattern ?? null,
    AllowedValues: extra.AllowedValues ?? null,
    Label: label,
    EndUserDisplay: 'true',
  };
}

function addressSchema() {
  return {
    AddressLine1: prop(true, 'Address line 1'),
    AddressLine2: prop(false, 'Address line 2'),
    City: prop(true, 'City'),
    Region: prop(false, 'Region'),
    PostalCode: prop(false, 'Postal code', { Pattern: '^[A-Za-z0-9 -]*$' }),
    Country: prop(true, 'Country', { MaxLength: 2, MinLength: 2, Pattern: '^[A-Z]{2}$' }),
  };
}

function fieldsSchema(rules: Record<string, FieldRule>) {
  const out: Record<string, unknown> = {};
  for (const [field, rule] of Object.entries(rules)) {
    const p = PATTERNS[rule.kind];
    out[field] = prop(rule.required, p.label, {
      MaxLength: p.max,
      MinLength: rule.required ? p.min : 0,
      Pattern: p.pattern,
      AllowedValues: rule.kind === 'AccountType' ? ['CHECKING', 'SAVINGS'] : undefined,
    });
  }
  return out;
}

/** What the schema cannot say about GET /recipients/schema: the spelling of the enums, a local rail that exists. */
export function schemaQueryRules(_body: unknown, query: Partial<SchemaQuery>): FieldErrors {
  const errors: FieldErrors = {};
  const fail = recorder(errors);
  const method = spelled(query.payoutMethodType, 'payoutMethodType', PAYOUT_METHOD_TYPES, fail);
  spelled(query.recipientType, 'recipientType', RECIPIENT_TYPES, fail);
  const { currency, country } = query;
  const local = method === 'LocalBankTransfer' && currency ? LOCAL[currency] : undefined;
  if (method === 'LocalBankTransfer' && currency && (!local || (country && !local.countries.includes(country)))) {
    fail('payoutMethodType', `LocalBankTransfer is not available for ${currency}${country ? ` in ${country}` : ''}: use InternationalBankTransfer.`);
  }
  return errors;
}

/**
 * The schema of one combination, or the field errors of the query. Only the keys of the asked
 * payout method and recipient type are present, as on Mangopay.
 */
export function recipientSchema(query: SchemaQuery): { schema: Record<string, unknown> | null; errors: FieldErrors } {
  const errors = schemaQueryRules(undefined, query);
  if (Object.keys(errors).length) return { schema: null, errors };
  const method = spelled(query.payoutMethodType, 'payoutMethodType', PAYOUT_METHOD_TYPES, () => {})!;
  const type = spelled(query.recipientType, 'recipientType', RECIPIENT_TYPES, () => {})!;
  const { currency, country } = query;
  const local = method === 'LocalBankTransfer' ? LOCAL[currency] : undefined;
  const schema: Record<string, unknown> = {
    DisplayName: prop(true, 'Display name'),
    Currency: prop(true, 'Currency', { MaxLength: 3, MinLength: 3, AllowedValues: [currency] }),
    Country: prop(false, 'Country', { MaxLength: 2, MinLength: 2, AllowedValues: country ? [country] : local?.countries }),
    RecipientType: prop(true, 'Recipient type', { AllowedValues: [...RECIPIENT_TYPES] }),
    PayoutMethodType: prop(true, 'Payout method type', { AllowedValues: [...PAYOUT_METHOD_TYPES] }),
    RecipientScope: prop(false, 'Recipient scope', { AllowedValues: [...RECIPIENT_SCOPES] }),
    Tag: prop(false, 'Tag'),
  };
  if (method === 'LocalBankTransfer') schema.LocalBankTransfer = { [currency]: fieldsSchema(LOCAL[currency].fields) };
  else schema.InternationalBankTransfer = fieldsSchema(INTERNATIONAL);
  if (type === 'Individual') {
    schema.IndividualRecipient = { FirstName: prop(true, 'First name'), LastName: prop(true, 'Last name'), Address: addressSchema() };
  } else {
    schema.BusinessRecipient = { BusinessName: prop(true, 'Business name'), Address: addressSchema() };
  }
  return { schema, errors: {} };
}

export function availablePayoutMethods(query: PayoutMethodsQuery): PayoutMethodType[] {
  return payoutMethods(query.country, query.currency);
}
