/*
 * What every card payment shares — direct pay-ins, web pay-ins, pre-authorizations, card
 * validations: the request parts (BrowserInfo, Billing, Shipping, SecureMode, ...), the sandbox
 * issuer's decision (3-D Secure or not, the documented amount triggers), the ResultCodes, and the
 * parts of the reply (CardInfo, SecurityInfo, the return URL with the resource's id).
 */
import type { FieldErrors } from '../../core/errors.js';
import { Bool, Country, Enum, Int, NullableStr, OrNull, Reply, Str, Type, type Static } from '../../lib/schema.js';
import { AddressReply } from '../users/schemas.js';
import { renderAddress } from '../users/model.js';
import { currenciesOf, expiryNotPast, threeDsBehaviour, type Card, type CardInfo } from './model.js';

export const SECURE_MODES = ['DEFAULT', 'FORCE', 'NO_CHOICE'] as const;
export type SecureMode = (typeof SECURE_MODES)[number];

/** A 3-D Secure challenge left unanswered fails after this long (not documented; reference notes §3.4). */
export const CHALLENGE_TIMEOUT_SECONDS = 10 * 60;

export const RESULT = {
  success: { code: '000000', message: 'Success' },
  notOwner: { code: '001023', message: 'Author is not the card owner' },
  expiredCard: { code: '101105', message: 'The card has expired' },
  inactiveCard: { code: '101410', message: 'The card is not active' },
  secureFailed: { code: '101301', message: 'Secure mode: The 3DSecure authentication has failed' },
  secureExpired: { code: '101304', message: 'The 3DSecure authentication session has expired' },
  blocked: { code: '008700', message: 'User blocked by Fraud policy' },
  closed: { code: '002602', message: 'User owning credited wallet is closed and cannot receive funds' },
  balanceCap: { code: '001011', message: 'Transaction amount is higher than maximum permitted amount' },
  nothingCredited: { code: '001014', message: 'CreditedFunds must be more than 0 (DebitedFunds can not equal Fees)' },
  currency: { code: '101102', message: 'Transaction refused by the bank (Amount limit)' },
} as const;
export type Result = { code: string; message: string };

/** The sandbox's amount triggers (reference notes §3.5): these DebitedFunds amounts fail with these codes. */
export const AMOUNT_TRIGGERS: Record<number, Result> = {
  33305: { code: '101101', message: 'Transaction refused by the bank (Do not honor)' },
  33351: { code: '101102', message: 'Transaction refused by the bank (Amount limit)' },
  33363: { code: '008005', message: 'Security violation' },
  33334: { code: '008006', message: 'Fraud suspected by the bank' },
  33313: { code: '001013', message: 'Invalid transaction amount' },
  33314: { code: '105101', message: 'Invalid card number' },
  33355: { code: '105103', message: 'Invalid PIN code' },
  33358: { code: '101103', message: 'Transaction refused by the terminal' },
  33338: { code: '101111', message: 'Maximum number of attempts reached' },
  33361: { code: '101115', message: 'Debit limit exceeded' },
  33303: { code: '009103', message: 'PSP configuration error' },
  33394: { code: '009199', message: 'PSP technical error' },
  33391: { code: '009499', message: 'Bank technical error' },
};

/**
 * Before any 3-D Secure: what stops a payment with this card at once (the card itself), or null.
 * The author must own the card; the card must be active, unexpired on the client's clock and, for the
 * test cards limited to one currency, used in it.
 */
export function cardRefusal(card: Card, authorId: string, currency: string, now: number): Result | null {
  if (card.userId !== authorId) return RESULT.notOwner;
  if (!card.active) return RESULT.inactiveCard;
  if (!expiryNotPast(card.expirationDate, now)) return RESULT.expiredCard;
  const only = currenciesOf(card);
  if (only && !only.includes(currency)) return RESULT.currency;
  return null;
}

/**
 * Whether the issuer asks for a challenge (reference notes §3.5): the challenge test cards always
 * do; any other card does when the platform sends FORCE.
 */
export function needsChallenge(card: Pick<Card, 'alias'>, secureMode: SecureMode): boolean {
  return threeDsBehaviour(card) === 'CHALLENGE' || secureMode === 'FORCE';
}

/** The authorization itself, once 3-D Secure (if any) passed: an amount trigger's failure, or success. */
export function authorizationResult(amount: number): Result {
  return AMOUNT_TRIGGERS[amount] ?? RESULT.success;
}

/** The return URL with the resource's id added (`?transactionId=…`, or `&…` when it has a query already). */
export function withIdParam(url: string, name: string, id: string): string {
  const hash = url.indexOf('#');
  const base = hash >= 0 ? url.slice(0, hash) : url;
  const fragment = hash >= 0 ? url.slice(hash) : '';
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}${encodeURIComponent(name)}=${encodeURIComponent(id)}${fragment}`;
}

// ---- Request parts ----------------------------------------------------------------------------

const URL_TEXT = { messages: { maxLength: 'The field {name} must be a string with a maximum length of {limit}.' } };

export const SecureModeField = Enum(SECURE_MODES, { description: 'DEFAULT, FORCE or NO_CHOICE' });
export const ReturnUrlField = (max = 255) => Str({ maxLength: max, minLength: 1, pattern: '^https?://', ...URL_TEXT, description: 'An http(s) URL' });
export const IpAddressField = Str({
  maxLength: 45,
  // IPv4 dotted quad, or IPv6 (full, compressed or with an embedded IPv4), as Mangopay accepts them.
  pattern: '^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$',
  messages: { pattern: 'The IpAddress field is not a valid IPv4 or IPv6 address.' },
  description: "The payer's IPv4 or IPv6 address",
});
export const StatementDescriptorField = Str({
  maxLength: 22,
  pattern: '^[A-Za-z0-9 ]*$',
  messages: {
    pattern: 'The StatementDescriptor may only hold letters, digits and spaces.',
    maxLength: 'The StatementDescriptor must be at most 22 characters long.',
  },
});
export const PAYMENT_CATEGORIES = ['ECommerce', 'TelephoneOrder'] as const;
export const PREFERRED_NETWORKS = ['VISA', 'MASTERCARD', 'CB', 'MAESTRO'] as const;

/** The payer's browser (all nine keys required). TimeZoneOffset: minutes, a number or a signed numeric string ("+60"). */
export const BrowserInfoField = Type.Object(
  {
    AcceptHeader: Str({ maxLength: 255, minLength: 1 }),
    JavaEnabled: Bool(),
    Language: Str({ pattern: '^[a-zA-Z]{2}(-[a-zA-Z]{2})?$', messages: { pattern: 'The Language must be like FR or FR-FR.' } }),
    ColorDepth: Int({ minimum: 0, maximum: 999 }),
    ScreenHeight: Int({ minimum: 0, maximum: 999999 }),
    ScreenWidth: Int({ minimum: 0, maximum: 999999 }),
    TimeZoneOffset: Str({ pattern: '^[+-]?\\d{1,4}$', messages: { pattern: 'The TimeZoneOffset is a number of minutes, like +60 or -300.' } }),
    UserAgent: Str({ maxLength: 255, minLength: 1 }),
    JavascriptEnabled: Bool(),
  },
  { description: "The payer's browser, for 3-D Secure" },
);
export type BrowserInfoField = Static<typeof BrowserInfoField>;

const REGION_COUNTRIES = new Set(['US', 'CA', 'MX']);

const PaymentAddress = (city: 'required' | 'optional') =>
  Type.Object(
    {
      AddressLine1: Str({ maxLength: 255 }),
      AddressLine2: Type.Optional(NullableStr({ maxLength: 255 })),
      City: city === 'required' ? Str({ maxLength: 255 }) : Type.Optional(NullableStr({ maxLength: 255 })),
      Region: Type.Optional(NullableStr({ maxLength: 255 })),
      PostalCode: Str({ maxLength: 50 }),
      Country: Country(),
    },
    { 'x-keep-empty-object': true },
  );

/** Who pays: defaults to Shipping, else the author. Its Address, when sent, needs AddressLine1, PostalCode and Country. */
export const BillingField = Type.Object({
  FirstName: Type.Optional(NullableStr({ maxLength: 255 })),
  LastName: Type.Optional(NullableStr({ maxLength: 255 })),
  Address: Type.Optional(PaymentAddress('optional')),
});
export type BillingField = Static<typeof BillingField>;

/** Where the goods go: its Address is required, City included. */
export const ShippingField = Type.Object({
  FirstName: Type.Optional(NullableStr({ maxLength: 255 })),
  LastName: Type.Optional(NullableStr({ maxLength: 255 })),
  Address: PaymentAddress('required'),
});
export type ShippingField = Static<typeof ShippingField>;

/** What the schema cannot say about Billing and Shipping: Region is required for the US, Canada and Mexico. */
export function addressRules(input: { Billing?: BillingField; Shipping?: ShippingField }): FieldErrors {
  const errors: FieldErrors = {};
  for (const key of ['Billing', 'Shipping'] as const) {
    const a = input[key]?.Address;
    if (a?.Country && REGION_COUNTRIES.has(a.Country) && !a.Region) errors[`${key}.Address.Region`] = 'The Region is a required field for this Country';
  }
  return errors;
}

/** The request properties every card payment shares (pay-ins, pre-authorizations, validations), all optional here. */
export const CardPaymentExtras = {
  SecureMode: Type.Optional(SecureModeField),
  StatementDescriptor: Type.Optional(StatementDescriptorField),
  Billing: Type.Optional(BillingField),
  Shipping: Type.Optional(ShippingField),
  Culture: Type.Optional(Str({ pattern: '^[A-Za-z]{2}$', messages: { pattern: 'The Culture is a two-letter language code, like FR.' } })),
  PreferredCardNetwork: Type.Optional(Enum(PREFERRED_NETWORKS)),
  // Mixed case, so matched exactly (Enum upper-cases what it reads).
  PaymentCategory: Type.Optional(Type.Unsafe<(typeof PAYMENT_CATEGORIES)[number]>({ type: 'string', enum: [...PAYMENT_CATEGORIES] })),
  ProfilingAttemptReference: Type.Optional(Str({ maxLength: 255 })),
  Tag: Type.Optional(NullableStr({ maxLength: 255 })),
};

// ---- Reply parts ------------------------------------------------------------------------------

export const CardInfoReply = OrNull(
  Reply({ BIN: Str(), IssuingBank: NullableStr(), IssuerCountryCode: NullableStr(), Type: NullableStr(), Brand: NullableStr(), SubType: NullableStr() }),
);
export const SecurityInfoReply = OrNull(Reply({ AVSResult: Str() }));
export const BrowserInfoReply = OrNull(
  Reply({
    AcceptHeader: Str(),
    JavaEnabled: Type.Boolean(),
    Language: Str(),
    ColorDepth: Type.Integer(),
    ScreenHeight: Type.Integer(),
    ScreenWidth: Type.Integer(),
    TimeZoneOffset: Str(),
    UserAgent: Str(),
    JavascriptEnabled: Type.Boolean(),
  }),
);
export const PartyReply = OrNull(Reply({ FirstName: NullableStr(), LastName: NullableStr(), Address: AddressReply }));

/**
 * CardInfo as shown: null when the issuer is not known (the docs: "null if unknown"), not an object with a
 * null IssuerCountryCode, which the .NET SDK reads into a non-nullable CountryIso and throws on.
 */
export function renderCardInfo(info: CardInfo | null): Static<typeof CardInfoReply> {
  return info?.IssuerCountryCode ? { BIN: info.BIN, IssuingBank: info.IssuingBank, IssuerCountryCode: info.IssuerCountryCode, Type: info.Type, Brand: info.Brand, SubType: info.SubType } : null;
}

/** BrowserInfo in Mangopay's reply order. */
export function renderBrowserInfo(b: BrowserInfoField | null | undefined): Static<typeof BrowserInfoReply> {
  if (!b) return null;
  return {
    AcceptHeader: b.AcceptHeader,
    JavaEnabled: b.JavaEnabled,
    Language: b.Language,
    ColorDepth: b.ColorDepth,
    ScreenHeight: b.ScreenHeight,
    ScreenWidth: b.ScreenWidth,
    TimeZoneOffset: b.TimeZoneOffset,
    UserAgent: b.UserAgent,
    JavascriptEnabled: b.JavascriptEnabled,
  };
}

export interface Party {
  FirstName: string | null;
  LastName: string | null;
  Address: ReturnType<typeof renderAddress>;
}

/** The names Billing and Shipping fall back to: a natural author's own, a legal author's representative's. */
function authorNames(author: { personType: string; data: unknown } | null): { FirstName: string | null; LastName: string | null } {
  const d = (author?.data ?? {}) as { FirstName?: string | null; LastName?: string | null; LegalRepresentative?: { FirstName?: string | null; LastName?: string | null } };
  const who = author?.personType === 'LEGAL' ? d.LegalRepresentative : d;
  return { FirstName: who?.FirstName ?? null, LastName: who?.LastName ?? null };
}

/**
 * Billing and Shipping as stored and shown: each defaults to the other, then to the author's name
 * (reference notes §3.1; `author` is the author's user record, null when unknown).
 */
export function resolveParties(
  input: { Billing?: BillingField; Shipping?: ShippingField },
  author: { personType: string; data: unknown } | null,
): { billing: Party; shipping: Party } {
  const names = authorNames(author);
  const party = (p: BillingField | ShippingField | undefined): Party | null =>
    p ? { FirstName: p.FirstName ?? names.FirstName, LastName: p.LastName ?? names.LastName, Address: renderAddress(p.Address ?? null) } : null;
  const fallback: Party = { ...names, Address: renderAddress(null) };
  const billing = party(input.Billing);
  const shipping = party(input.Shipping);
  return { billing: billing ?? shipping ?? fallback, shipping: shipping ?? billing ?? fallback };
}

/** The AVS mock (reference notes §3.6): GBP only, by the first two digits of the billing postal code. */
export function avsResult(currency: string, billing: Party | null): string {
  if (currency !== 'GBP') return 'NO_CHECK';
  const two = (billing?.Address.PostalCode ?? '').slice(0, 2);
  if (two === '22') return 'FULL_MATCH';
  if (['12', '42', '82'].includes(two)) return 'ADDRESS_MATCH_ONLY';
  if (['21', '24', '28'].includes(two)) return 'POSTAL_CODE_MATCH_ONLY';
  if (['14', '18', '41', '44', '48', '81', '84', '88'].includes(two)) return 'NO_MATCH';
  return 'NO_CHECK';
}
