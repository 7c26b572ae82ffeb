import type { FieldErrors } from '../../core/errors.js';
import { isCountryCode } from '../../lib/countries.js';
import type { Address } from '../users/model.js';
import { addressRules, toAddress } from '../users/rules.js';
import type { BankAccountDetails, BankAccountType } from './model.js';
import type { BankAccountCreate } from './schemas.js';

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

type Field = keyof BankAccountCreate;

/** The fields each type requires besides OwnerName and OwnerAddress (the schema's `required`, checked here). */
const REQUIRED: Record<BankAccountType, Field[]> = {
  IBAN: ['IBAN'],
  GB: ['AccountNumber', 'SortCode'],
  US: ['AccountNumber', 'ABA'],
  CA: ['BankName', 'InstitutionNumber', 'BranchCode', 'AccountNumber'],
  OTHER: ['Country', 'BIC', 'AccountNumber'],
};

const blank = (s: string | null | undefined): boolean => !s || s.trim() === '';

export interface NewBankAccount {
  ownerName: string;
  ownerAddress: Address;
  details: BankAccountDetails;
  tag: string | null;
}

export interface CheckedBankAccount {
  value: NewBankAccount | null;
  /** Missing or malformed fields: param_error. */
  params: FieldErrors;
  /** The bank's own numbers that are wrong: bankaccount_error, as the API answers for GB sort codes. */
  account: FieldErrors;
}

/**
 * Judges a creation body of the given type, as the schema let it through (a property it refused is left
 * out): the required fields, spaces that do not fill a field, the owner's Region, and each type's numbers.
 * Returns the account to store when nothing is wrong, with the IBAN and BIC upper-cased and digits compacted.
 */
export function checkBankAccount(type: BankAccountType, input: BankAccountCreate): CheckedBankAccount {
  const params: FieldErrors = {};
  const account: FieldErrors = {};
  const fail = (errors: FieldErrors, name: string, message: string) => {
    if (!(name in errors)) errors[name] = message;
  };
  for (const name of ['OwnerName', 'OwnerAddress', ...REQUIRED[type]]) {
    if (input[name as Field] === undefined) fail(params, name, `The ${name} field is required.`);
  }
  if (input.OwnerName !== undefined && blank(input.OwnerName)) fail(params, 'OwnerName', 'The OwnerName field is required.');
  // OwnerAddress: PostalCode may be left out (Mangopay documents it optional here).
  addressRules(input.OwnerAddress, 'OwnerAddress', params, { postalCodeRequired: false });

  /** A string of digits (spaces allowed between them) whose length is within the bounds; null when absent or wrong. */
  const digits = (name: Field, min: number, max: number, errors: FieldErrors): string | null => {
    const v = input[name] as string | undefined;
    if (!v) return null;
    const compact = v.replace(/\s+/g, '');
    if (!/^[0-9]+$/.test(compact) || compact.length < min || compact.length > max) {
      fail(errors, name, `${name} is invalid: ${min === max ? `${min} digits` : `${min} to ${max} digits`} expected`);
      return null;
    }
    return compact;
  };
  const bic = (): string | null => {
    if (!input.BIC) return null;
    const upper = input.BIC.toUpperCase();
    const country = upper.slice(4, 6);
    if (!isCountryCode(country) && country !== 'XK') {
      fail(params, 'BIC', 'The value is not a valid BIC');
      return null;
    }
    return upper;
  };

  const details: BankAccountDetails = {};
  switch (type) {
    case 'IBAN': {
      if (input.IBAN) {
        const iban = input.IBAN.replace(/\s+/g, '').toUpperCase();
        if (iban.length > 34) fail(params, 'IBAN', 'The field IBAN must be a string with a maximum length of 34.');
        else if (!isValidIban(iban)) fail(params, 'IBAN', 'The value is not a valid IBAN');
        details.IBAN = iban;
      }
      details.BIC = bic();
      break;
    }
    case 'GB':
      details.AccountNumber = digits('AccountNumber', 8, 8, account);
      details.SortCode = digits('SortCode', 6, 6, account);
      break;
    case 'US':
      details.AccountNumber = digits('AccountNumber', 1, 17, params);
      // Only the format: Mangopay's sandbox accepts routing numbers whose check digit is wrong
      // (the official SDK's own tests use one), so refusing them would break integrations.
      if (input.ABA && !/^[0-9]{9}$/.test(input.ABA)) fail(params, 'ABA', 'The ABA must be 9 digits');
      details.ABA = input.ABA ?? null;
      details.DepositAccountType = input.DepositAccountType ?? 'CHECKING';
      break;
    case 'CA':
      if (input.BankName && !/^[A-Za-z0-9 ]+$/.test(input.BankName)) {
        fail(params, 'BankName', 'The BankName may only contain letters, digits and spaces.');
      }
      details.BankName = input.BankName ?? null;
      details.InstitutionNumber = digits('InstitutionNumber', 3, 4, params);
      details.BranchCode = digits('BranchCode', 5, 5, params);
      details.AccountNumber = digits('AccountNumber', 1, 20, params);
      break;
    case 'OTHER':
      details.Country = input.Country ?? null;
      details.BIC = bic();
      if (input.AccountNumber && !/^[A-Za-z0-9]+$/.test(input.AccountNumber)) {
        fail(params, 'AccountNumber', 'The AccountNumber may only contain letters and digits.');
      }
      details.AccountNumber = input.AccountNumber ?? null;
      break;
  }
  const ok = !Object.keys(params).length && !Object.keys(account).length;
  return {
    value: ok ? { ownerName: input.OwnerName!, ownerAddress: toAddress(input.OwnerAddress!), details, tag: input.Tag ?? null } : null,
    params,
    account,
  };
}

/** The request's own errors of a type, merged into a schema refusal (the bank's numbers are judged once the request is whole). */
export function bankAccountRules(type: BankAccountType): (input: BankAccountCreate) => FieldErrors {
  return (input) => checkBankAccount(type, input).params;
}
