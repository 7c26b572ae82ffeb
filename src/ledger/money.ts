import type { FieldErrors } from '../core/errors.js';
import type { Input } from '../core/input.js';
import { Enum, Int, Reply, Str, Type, type WireOptions } from '../lib/schema.js';

/** ISO 4217 currencies Mangopay supports across its features (reference notes §4.1). */
export const CURRENCIES = [
  'AED', 'AUD', 'CAD', 'CHF', 'CZK', 'DKK', 'EUR', 'GBP', 'HKD', 'JPY', 'NOK', 'PLN', 'SEK', 'USD', 'ZAR',
] as const;
export type Currency = (typeof CURRENCIES)[number];

/**
 * The largest amount one request may move, in minor units (10 billion EUR). Far below 2^53, so that
 * sums of many amounts stay exact in JavaScript numbers and in int8.
 */
export const MAX_AMOUNT = 1_000_000_000_000;

export interface Money {
  currency: Currency;
  /** Minor units, a whole number. */
  amount: number;
}

export function isCurrency(v: string): v is Currency {
  return (CURRENCIES as readonly string[]).includes(v);
}

/** A currency property of a request: one of CURRENCIES in any case (Mangopay's message for the others). */
export function CurrencyField(opts: WireOptions = {}) {
  return Enum(CURRENCIES, { ...opts, messages: { enum: '{name}: The currency {value} is not available', ...opts.messages } });
}

/**
 * An amount in minor units: a JSON integer or a string of digits (the normalizer reads those), never a
 * fraction, negative or beyond MAX_AMOUNT; a number too large to be exact is out of range, not rounded.
 */
export function AmountField(min: number, opts: WireOptions = {}) {
  return Int({
    minimum: min,
    maximum: MAX_AMOUNT,
    ...opts,
    messages: { type: 'The field {name} must be a whole number of minor units (cents): {value} is not one.', ...opts.messages },
  });
}

/** A Money object {Currency, Amount} of a request; `min` bounds the amount (1 for funds, 0 for fees). */
export function MoneyField(min: number, opts: WireOptions = {}) {
  return Type.Object({ Currency: CurrencyField(), Amount: AmountField(min) }, opts);
}

/** Money as a request carries it, and as a rule may see it (a property the schema refused is left out). */
export interface MoneyIn {
  Currency?: string;
  Amount?: number;
}

/** Fees are taken out of the funds: same currency, and never more than the funds. Judged only when both are whole. */
export function feesRule(funds: MoneyIn | undefined, fees: MoneyIn | undefined, names = { funds: 'DebitedFunds', fees: 'Fees' }): FieldErrors {
  if (funds?.Currency === undefined || funds.Amount === undefined || fees?.Currency === undefined || fees.Amount === undefined) return {};
  if (fees.Currency !== funds.Currency) {
    return { [`${names.fees}.Currency`]: `The currency of ${names.fees} must be the currency of ${names.funds} (${funds.Currency}).` };
  }
  if (fees.Amount > funds.Amount) return { [`${names.fees}.Amount`]: `${names.fees} cannot be more than ${names.funds}.` };
  return {};
}

// The Input readers below are left for the modules still parsing by hand (payouts, recipients).

/** A currency field: required, one of CURRENCIES (Mangopay's message for the others). */
export function parseCurrency(i: Input, name: string): Currency | undefined {
  const v = i.str(name, { required: true });
  if (v === undefined || v === null) return undefined;
  const code = v.toUpperCase();
  if (!isCurrency(code)) {
    i.fail(name, `${name}: The currency ${v} is not available`);
    return undefined;
  }
  return code;
}

/**
 * An amount in minor units: a JSON integer (or a string of digits), never a fraction, negative or
 * beyond MAX_AMOUNT. Parsed from the text form, so no float ever carries money.
 */
export function parseAmount(i: Input, name: string, opts: { required?: boolean; min: number }): number | undefined {
  const v = i.raw(name);
  if (v === undefined || v === '') {
    if (opts.required) i.fail(name, `The ${name} field is required.`);
    return undefined;
  }
  // A whole number too large to be exact reads as "too many digits"; anything else not digits is refused.
  const fromNumber = (n: number) => (Number.isSafeInteger(n) ? String(n) : Number.isInteger(n) ? '9'.repeat(20) : 'x');
  const text = typeof v === 'number' ? fromNumber(v) : typeof v === 'string' ? v.trim() : 'x';
  if (!/^-?\d+$/.test(text)) {
    i.fail(name, `The field ${name} must be a whole number of minor units (cents): ${JSON.stringify(v)} is not one.`);
    return undefined;
  }
  const range = () => i.fail(name, `The field ${name} must be between ${opts.min} and ${MAX_AMOUNT}.`);
  // Too many digits is out of range before any conversion could lose precision.
  if (text.replace(/^-?0*/, '').length > String(MAX_AMOUNT).length) {
    range();
    return undefined;
  }
  const n = Number(text);
  if (n < opts.min || n > MAX_AMOUNT) {
    range();
    return undefined;
  }
  return n === 0 ? 0 : n;
}

/** A Money object {Currency, Amount}; `min` bounds the amount (1 for funds, 0 for fees). */
export function parseMoney(i: Input, name: string, min: number): Money | undefined {
  const m = i.obj(name);
  if (!m) {
    i.fail(name, `The ${name} field is required.`);
    return undefined;
  }
  const currency = parseCurrency(m, 'Currency');
  const amount = parseAmount(m, 'Amount', { required: true, min });
  return currency !== undefined && amount !== undefined ? { currency, amount } : undefined;
}

/** Money in a response: {Currency, Amount}. */
export const MoneyReply = Reply({ Currency: Str(), Amount: Type.Integer() });

export function renderMoney(currency: string, amount: number) {
  return { Currency: currency, Amount: amount };
}

/** Fees are taken out of the funds: same currency, and never more than the funds. */
export function checkFees(i: Input, funds: Money | undefined, fees: Money | undefined, names = { funds: 'DebitedFunds', fees: 'Fees' }): void {
  if (!funds || !fees) return;
  if (fees.currency !== funds.currency) {
    i.fail(`${names.fees}.Currency`, `The currency of ${names.fees} must be the currency of ${names.funds} (${funds.currency}).`);
  } else if (fees.amount > funds.amount) {
    i.fail(`${names.fees}.Amount`, `${names.fees} cannot be more than ${names.funds}.`);
  }
}
