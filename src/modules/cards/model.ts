/*
 * Cards: what Mangrove keeps of a card (never its number or CVC), the facts its number gives away
 * (brand, BIN, the sandbox's documented test cards) and the checks a tokenizer makes.
 */
import { createHmac } from 'node:crypto';

export const CARD_TYPES = ['CB_VISA_MASTERCARD', 'AMEX', 'MAESTRO', 'BCMC'] as const;
export type CardType = (typeof CARD_TYPES)[number];

export type CardValidity = 'UNKNOWN' | 'VALID' | 'INVALID';

/** CardInfo as payments show it (reference notes §3.3). */
export interface CardInfo {
  BIN: string;
  IssuingBank: string | null;
  IssuerCountryCode: string | null;
  Type: 'DEBIT' | 'CREDIT' | 'CHARGE CARD' | null;
  Brand: string | null;
  SubType: string | null;
}

export interface Card {
  id: string;
  clientId: string;
  userId: string;
  registrationId: string;
  alias: string;
  /** MMYY. */
  expirationDate: string;
  cardType: CardType;
  cardProvider: string;
  /** ISO 3166-1 alpha-3, as Mangopay shows a card's country. */
  country: string | null;
  currency: string;
  fingerprint: string;
  cardHolderName: string | null;
  active: boolean;
  validity: CardValidity;
  cardInfo: CardInfo;
  tag: string | null;
  creationDate: number;
}

/** How the sandbox's issuer treats a card's payments (reference notes §3.5). */
export type ThreeDsBehaviour = 'FRICTIONLESS' | 'CHALLENGE';

interface KnownCard {
  behaviour: ThreeDsBehaviour;
  provider: string;
  info: Omit<CardInfo, 'BIN'>;
  country: string;
  /** Only these currencies are accepted (the Maestro and AMEX test cards are EUR only). */
  currencies?: string[];
}

/** Mangopay's documented sandbox test cards, by number. */
const TEST_CARDS: Record<string, KnownCard> = {
  '4970107111111119': {
    behaviour: 'FRICTIONLESS',
    provider: 'VISA',
    info: { IssuingBank: 'LA BANQUE POSTALE', IssuerCountryCode: 'MA', Type: 'CREDIT', Brand: 'VISA', SubType: null },
    country: 'FRA',
  },
  '4970105181818183': {
    behaviour: 'CHALLENGE',
    provider: 'VISA',
    info: { IssuingBank: 'LA BANQUE POSTALE', IssuerCountryCode: 'FR', Type: 'DEBIT', Brand: 'VISA', SubType: null },
    country: 'FRA',
  },
  '5033951000000004': {
    behaviour: 'CHALLENGE',
    provider: 'MAESTRO',
    info: { IssuingBank: 'BNP PARIBAS FORTIS', IssuerCountryCode: 'BE', Type: 'DEBIT', Brand: 'MAESTRO', SubType: null },
    country: 'BEL',
    currencies: ['EUR'],
  },
  '375989111111119': {
    behaviour: 'CHALLENGE',
    provider: 'AMEX',
    info: { IssuingBank: 'AMERICAN EXPRESS', IssuerCountryCode: 'US', Type: 'CHARGE CARD', Brand: 'AMEX', SubType: null },
    country: 'USA',
    currencies: ['EUR'],
  },
};

/** A test card is recognised by its alias (first six and last four digits), since the number is not kept. */
const TEST_CARDS_BY_ALIAS = new Map(Object.entries(TEST_CARDS).map(([n, c]) => [maskNumber(n), c]));

export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let d = number.charCodeAt(number.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The brand a number's prefix belongs to (the networks' published ranges, simplified). */
export function providerOf(number: string): string {
  const two = Number(number.slice(0, 2));
  const four = Number(number.slice(0, 4));
  if (TEST_CARDS[number]) return TEST_CARDS[number].provider;
  if (number.startsWith('6703')) return 'BCMC';
  if (two === 34 || two === 37) return 'AMEX';
  if (number.startsWith('4')) return 'VISA';
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return 'MASTERCARD';
  if (two === 50 || (two >= 56 && two <= 69)) return 'MAESTRO';
  if (two === 35) return 'JCB';
  if (number.startsWith('6011') || two === 65) return 'DISCOVER';
  return 'CB';
}

/** First six digits, X for the middle, last four: 497010XXXXXX1119. */
export function maskNumber(number: string): string {
  return number.slice(0, 6) + 'X'.repeat(number.length - 10) + number.slice(-4);
}

/**
 * The card's fingerprint: 32 hex characters of an HMAC of the number under this installation's key
 * (kept in the database), so the same number always gives the same fingerprint and the fingerprint
 * gives nothing back.
 */
export function fingerprintOf(number: string, key: string): string {
  return createHmac('sha256', key).update(number).digest('hex').slice(0, 32);
}

/** What a tokenized number tells: its masked alias, brand, BIN facts and country. Never the number itself. */
export interface CardFacts {
  alias: string;
  provider: string;
  country: string | null;
  info: CardInfo;
}

export function factsOf(number: string): CardFacts {
  const known = TEST_CARDS[number];
  const provider = providerOf(number);
  return {
    alias: maskNumber(number),
    provider,
    country: known?.country ?? null,
    info: known
      ? { BIN: number.slice(0, 6), ...known.info }
      : { BIN: number.slice(0, 6), IssuingBank: null, IssuerCountryCode: null, Type: null, Brand: provider, SubType: null },
  };
}

/** How the sandbox issuer answers this card: the documented test cards as documented, any other card frictionless. */
export function threeDsBehaviour(card: Pick<Card, 'alias'>): ThreeDsBehaviour {
  return TEST_CARDS_BY_ALIAS.get(card.alias)?.behaviour ?? 'FRICTIONLESS';
}

/** The currencies a test card is limited to (the Maestro and AMEX test cards: EUR), or null for any. */
export function currenciesOf(card: Pick<Card, 'alias'>): string[] | null {
  return TEST_CARDS_BY_ALIAS.get(card.alias)?.currencies ?? null;
}

/** Whether a card registered for a CardType may carry a number of this brand. */
export function providerFitsType(provider: string, type: CardType): boolean {
  switch (type) {
    case 'AMEX':
      return provider === 'AMEX';
    case 'MAESTRO':
      return provider === 'MAESTRO';
    case 'BCMC':
      return provider === 'BCMC' || provider === 'MAESTRO';
    default:
      return provider !== 'AMEX';
  }
}

/** MMYY is at or after this month (UTC), on the given clock (seconds). */
export function expiryNotPast(mmyy: string, now: number): boolean {
  if (!/^\d{4}$/.test(mmyy)) return false;
  const month = Number(mmyy.slice(0, 2));
  if (month < 1 || month > 12) return false;
  const year = 2000 + Number(mmyy.slice(2));
  const d = new Date(now * 1000);
  const current = d.getUTCFullYear() * 12 + d.getUTCMonth();
  return year * 12 + (month - 1) >= current;
}

// ---- Card registrations ---------------------------------------------------------------------

export type RegistrationStatus = 'CREATED' | 'VALIDATED' | 'ERROR';

export interface CardRegistration {
  id: string;
  clientId: string;
  userId: string;
  currency: string;
  cardType: CardType;
  accessKey: string;
  preregistrationData: string;
  registrationData: string | null;
  cardId: string | null;
  resultCode: string | null;
  resultMessage: string | null;
  status: RegistrationStatus;
  tag: string | null;
  creationDate: number;
}

/** What the tokenizer keeps of a card with the token it hands out: never the number or the CVC. */
export interface TokenCard {
  alias: string;
  provider: string;
  country: string | null;
  info: CardInfo;
  fingerprint: string;
  /** MMYY. */
  expirationDate: string;
}

/** The tokenizer's refusals (`errorCode=…`), and what a registration updated with one of them shows. */
export const TOKENIZER_ERRORS = {
  cardNumber: '02625',
  expiry: '02626',
  cvx: '02627',
  input: '09101',
} as const;

export const REGISTRATION_RESULT = {
  success: { code: '000000', message: 'Success' },
  '02625': { code: '105202', message: 'Card number: invalid format' },
  '02626': { code: '105203', message: 'Expiry date: missing or invalid format' },
  '02627': { code: '105204', message: 'CVV: missing or invalid format' },
  badData: { code: '105206', message: 'Registration data : Invalid format' },
  tokenInput: { code: '105299', message: 'Token input Error' },
} as const;

/** The result a registration takes from what the platform passed on from the tokenizer (anything but a valid token). */
export function registrationError(registrationData: string): { code: string; message: string } {
  const m = /^errorCode=(\d{5})$/.exec(registrationData);
  if (!m) return REGISTRATION_RESULT.badData;
  const known = REGISTRATION_RESULT[m[1] as '02625' | '02626' | '02627'];
  return known ?? REGISTRATION_RESULT.tokenInput;
}

/** Which tokenizer check a card fails for a registration of this type, or null when it passes (reference notes §1.3). */
export function tokenizerRefusal(
  card: { number: string; expiry: string; cvx: string },
  type: CardType,
  now: number,
): (typeof TOKENIZER_ERRORS)[keyof typeof TOKENIZER_ERRORS] | null {
  if (!luhnValid(card.number) || !providerFitsType(providerOf(card.number), type)) return TOKENIZER_ERRORS.cardNumber;
  if (!expiryNotPast(card.expiry, now)) return TOKENIZER_ERRORS.expiry;
  if (type === 'AMEX' ? !/^\d{3,4}$/.test(card.cvx) : type !== 'MAESTRO' && !/^\d{3}$/.test(card.cvx)) return TOKENIZER_ERRORS.cvx;
  return null;
}

/**
 * Text a caller sent back to us with any run of 12–19 digits that passes the Luhn check masked (first six,
 * X, last four): a card number pasted where it does not belong is neither stored nor echoed.
 */
export function scrubCardNumbers(text: string): string {
  return text.replace(/\d{12,19}/g, (run) => (luhnValid(run) ? maskNumber(run) : run));
}

/** A card left unused this long after its registration is INVALID (reference notes §2.2). */
export const UNUSED_CARD_SECONDS = 24 * 3600;

// ---- Card validations -----------------------------------------------------------------------

export type ValidationStatus = 'CREATED' | 'SUCCEEDED' | 'FAILED';

/** What a validation keeps besides its columns, in reply order (reference notes §2.3). */
export interface ValidationDetails {
  SecureModeReturnURL: string;
  SecureModeRedirectURL: string | null;
  SecureModeNeeded: boolean;
  IpAddress: string;
  BrowserInfo: Record<string, unknown>;
  PreferredCardNetwork: string | null;
  SecureMode: string;
  PaymentCategory: string;
  ValidationUsage: string;
  /** The card's validity this validation led to (UNKNOWN while it runs, or when it expired). */
  Validity: CardValidity;
  Applied3DSVersion: string | null;
  CardInfo: CardInfo;
}

export interface CardValidation {
  id: string;
  clientId: string;
  cardId: string;
  authorId: string;
  status: ValidationStatus;
  resultCode: string | null;
  resultMessage: string | null;
  details: ValidationDetails;
  tag: string | null;
  creationDate: number;
  authorizationDate: number | null;
}

/** A card validation waits this long for its 3-D Secure challenge, then FAILS (101304) (reference notes §2.3). */
export const VALIDATION_CHALLENGE_SECONDS = 5 * 60;
