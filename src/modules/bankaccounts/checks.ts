import { randomUUID } from 'node:crypto';
import type { BankAccount } from './model.js';
import type { VerificationOfPayeeReply } from './schemas.js';

/**
 * Countries of the SEPA schemes (EU and EEA members, Switzerland, the United Kingdom, the
 * microstates), whose banks Mangrove treats as taking SEPA Instant Credit Transfers.
 */
const SEPA = new Set(
  ('AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK ' +
    'IS LI NO CH GB MC SM AD VA').split(' '),
);

/** The bank's country of an IBAN account, or null for the other types (GB, US, CA, OTHER accounts are not SEPA here). */
function sepaIbanCountry(account: BankAccount): string | null {
  if (account.type !== 'IBAN') return null;
  const country = String(account.details.IBAN ?? '').slice(0, 2).toUpperCase();
  return SEPA.has(country) ? country : null;
}

export const VOP_RESULTS = {
  MATCH: 'Account name fully matches account identifier.',
  CLOSE_MATCH:
    'Account name partially matches account identifier. Payment made to this account may not reach its intended counterparty.',
  NO_MATCH: 'Account name does not match account identifier. Payment made to this account may not reach its intended counterparty.',
  MATCH_NOT_POSSIBLE: 'The check could not be performed: the account name could not be matched against the account identifier.',
} as const;
export type VopCheck = keyof typeof VOP_RESULTS;

export interface VerificationOfPayee {
  id: string;
  check: VopCheck;
  message: string;
}

/**
 * Verification of Payee as Mangopay performs it on EUR payouts to SEPA IBANs (SCT, SCT Inst), with
 * Mangrove's sandbox rule on the account's OwnerName (Mangopay documents none), case-insensitive:
 * "close match" in it → CLOSE_MATCH, "no match" → NO_MATCH, "match not possible" → MATCH_NOT_POSSIBLE,
 * otherwise MATCH. Outside that scope there is no check: null.
 */
export function verifyPayee(account: BankAccount, currency: string): VerificationOfPayee | null {
  if (currency !== 'EUR' || !sepaIbanCountry(account)) return null;
  const name = account.ownerName.toLowerCase();
  const check: VopCheck = name.includes('match not possible')
    ? 'MATCH_NOT_POSSIBLE'
    : name.includes('close match')
      ? 'CLOSE_MATCH'
      : name.includes('no match')
        ? 'NO_MATCH'
        : 'MATCH';
  return { id: randomUUID(), check, message: VOP_RESULTS[check] };
}

export function renderVerificationOfPayee(v: VerificationOfPayee | null | undefined): VerificationOfPayeeReply {
  if (!v) return null;
  return { RecipientVerificationId: v.id, RecipientVerificationCheck: v.check, RecipientVerificationMessage: v.message };
}

export const UNREACHABLE = {
  currency: { code: '130001', message: 'Instant payouts are only available in EUR' },
  bank: { code: '130007', message: 'Destination Bank is not reachable' },
  generic: { code: '130010', message: 'Generic operation error' },
} as const;
export type Unreachable = { code: string; message: string };

/** The BankWireRef Mangopay's sandbox documents for a 130010 answer of the reachability check. */
export const SANDBOX_GENERIC_ERROR_REF = 'IP1070';

/**
 * Whether an instant payout (SCT Inst) could reach the account: only in EUR, only to an IBAN of a
 * SEPA country; the documented sandbox BankWireRef IP1070 gives 130010. null when reachable.
 */
export function instantUnreachable(account: BankAccount, currency: string, bankWireRef: string | null): Unreachable | null {
  if (bankWireRef === SANDBOX_GENERIC_ERROR_REF) return UNREACHABLE.generic;
  if (currency !== 'EUR') return UNREACHABLE.currency;
  if (!sepaIbanCountry(account)) return UNREACHABLE.bank;
  return null;
}
