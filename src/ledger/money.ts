import type { FieldErrors } from '../core/errors.js';
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

/** Money in a response: {Currency, Amount}. */
export const MoneyReply = Reply({ Currency: Str(), Amount: Type.Integer() });

export function renderMoney(currency: string, amount: number) {
  return { Currency: currency, Amount: amount };
}

