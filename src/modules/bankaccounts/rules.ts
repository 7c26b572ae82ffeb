import type { FieldErrors } from '../../core/errors.js';
import { Input } from '../../core/input.js';
import { isCountryCode } from '../../lib/countries.js';
import type { Address } from '../users/model.js';
import { parseAddress } from '../users/rules.js';
import { DEPOSIT_ACCOUNT_TYPES, type BankAccountDetails, type BankAccountType } from './model.js';

/** IBAN length per country, from the SWIFT IBAN registry (ISO 13616). */
export const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18,
  FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23,
  IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27,
  MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28,
  PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27,
  SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/** ISO 13616: the registry's length for the country, then the remainder mod 97 of the rearranged number is 1. */
export function isValidIban(iban: string): boolean {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(iban)) return false;
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  let rest = 0;
  for (const ch of iban.slice(4) + iban.slice(0, 4)) {
    const digits = ch >= 'A' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  }
  return rest === 1;
}

// Mangopay's documented pattern and message for BIC fields.
const BIC_PATTERN = '^[a-zA-Z]{6}\\w{2}(\\w{3})?$';
const BIC = new RegExp(BIC_PATTERN);

function bic(i: Input, required: boolean): string | undefined {
  const v = i.str('BIC', { required });
  if (!v) return undefined;
  if (!BIC.test(v)) {
    i.fail('BIC', `The field BIC must match the regular expression '${BIC_PATTERN}'.`);
    return undefined;
  }
  const upper = v.toUpperCase();
  const country = upper.slice(4, 6);
  if (!isCountryCode(country) && country !== 'XK') {
    i.fail('BIC', 'The value is not a valid BIC');
    return undefined;
  }
  return upper;
}

/** A string of digits (spaces allowed between them) whose length is within the bounds; null when absent or wrong. */
function digits(i: Input, name: string, min: number, max: number, errors: FieldErrors): string | null {
  const v = i.str(name, { required: true });
  if (!v) return null;
  const compact = v.replace(/\s+/g, '');
  if (!/^[0-9]+$/.test(compact) || compact.length < min || compact.length > max) {
    const what = min === max ? `${min} digits` : `${min} to ${max} digits`;
    if (!(i.path(name) in errors)) errors[i.path(name)] = `${name} is invalid: ${what} expected`;
    return null;
  }
  return compact;
}

const blank = (s: string | null | undefined): boolean => !s || s.trim() === '';
/** OwnerAddress: required for every type; PostalCode may be left out (Mangopay documents it optional here). */
function ownerAddress(i: Input): Address | null {
  const address = parseAddress(i, 'OwnerAddress', { postalCodeRequired: false });
  if (!address) i.fail('OwnerAddress', 'The OwnerAddress field is required.');
  return address ?? null;
}

export interface NewBankAccount {
  ownerName: string;
  ownerAddress: Address;
  details: BankAccountDetails;
  tag: string | null;
}

/**
 * Reads a creation body of the given type. The SDK sends a model's details both nested in `Details`
 * and flattened; the top-level fields win. Two maps come back: `params` for missing or malformed
 * fields (param_error) and `account` for the bank's own numbers that are wrong (bankaccount_error,
 * as the API answers for GB sort codes).
 */
export function parseBankAccount(
  type: BankAccountType,
  body: unknown,
): { value: NewBankAccount | null; params: FieldErrors; account: FieldErrors } {
  const source: Record<string, unknown> = {};
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const nested = Object.entries(body).find(([k]) => k.toLowerCase() === 'details')?.[1];
    if (nested && typeof nested === 'object' && !Array.isArray(nested)) Object.assign(source, nested);
    Object.assign(source, body);
  }
  const i = new Input(source);
  const account: FieldErrors = {};
  const ownerName = i.str('OwnerName', { required: true, max: 255 });
  if (ownerName !== undefined && ownerName !== null && blank(ownerName)) i.fail('OwnerName', 'The OwnerName field is required.');
  const address = ownerAddress(i);
  const tag = i.str('Tag', { max: 255 }) ?? null;
  const details: BankAccountDetails = {};

  switch (type) {
    case 'IBAN': {
      const raw = i.str('IBAN', { required: true });
      if (raw) {
        const iban = raw.replace(/\s+/g, '').toUpperCase();
        if (iban.length > 34) i.fail('IBAN', 'The field IBAN must be a string with a maximum length of 34.');
        else if (!isValidIban(iban)) i.fail('IBAN', 'The value is not a valid IBAN');
        details.IBAN = iban;
      }
      details.BIC = bic(i, false) ?? null;
      break;
    }
    case 'GB':
      details.AccountNumber = digits(i, 'AccountNumber', 8, 8, account);
      details.SortCode = digits(i, 'SortCode', 6, 6, account);
      break;
    case 'US': {
      details.AccountNumber = digits(i, 'AccountNumber', 1, 17, i.errors);
      const aba = i.str('ABA', { required: true });
      if (aba) {
        // Only the format: Mangopay's sandbox accepts routing numbers whose check digit is wrong
        // (the official SDK's own tests use one), so refusing them would break integrations.
        if (!/^[0-9]{9}$/.test(aba)) i.fail('ABA', 'The ABA must be 9 digits');
      }
      details.ABA = aba ?? null;
      details.DepositAccountType = i.enum('DepositAccountType', DEPOSIT_ACCOUNT_TYPES) ?? 'CHECKING';
      break;
    }
    case 'CA': {
      const bankName = i.str('BankName', { required: true, max: 50 });
      if (bankName && bankName.length <= 50 && !/^[A-Za-z0-9 ]+$/.test(bankName)) {
        i.fail('BankName', 'The BankName may only contain letters, digits and spaces.');
      }
      details.BankName = bankName ?? null;
      details.InstitutionNumber = digits(i, 'InstitutionNumber', 3, 4, i.errors);
      details.BranchCode = digits(i, 'BranchCode', 5, 5, i.errors);
      details.AccountNumber = digits(i, 'AccountNumber', 1, 20, i.errors);
      break;
    }
    case 'OTHER': {
      details.Country = i.country('Country', { required: true }) ?? null;
      details.BIC = bic(i, true) ?? null;
      const number = i.str('AccountNumber', { required: true, max: 50 });
      if (number && number.length <= 50 && !/^[A-Za-z0-9]+$/.test(number)) {
        i.fail('AccountNumber', 'The AccountNumber may only contain letters and digits.');
      }
      details.AccountNumber = number ?? null;
      break;
    }
  }
  const ok = i.ok && Object.keys(account).length === 0;
  return {
    value: ok ? { ownerName: ownerName!, ownerAddress: address!, details, tag } : null,
    params: i.errors,
    account,
  };
}
