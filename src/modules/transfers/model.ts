import { renderTransaction, type Transaction } from '../transactions/model.js';
import type { TransferReply } from './schemas.js';

/** The ResultCodes transfers end with (reference notes §3.1, §3.2, §4.1, §4.3, §4.7). */
export const RESULTS = {
  success: { code: '000000', message: 'Success' },
  insufficientBalance: { code: '001001', message: 'Unsufficient wallet balance' },
  // A credit that would take a wallet above the ledger's MAX_BALANCE.
  balanceCap: { code: '001011', message: 'Transaction amount is higher than maximum permitted amount' },
  nothingCredited: { code: '001014', message: 'CreditedFunds must be more than 0 (DebitedFunds can not equal Fees)' },
  debitedUserClosed: { code: '002601', message: 'User owning debited wallet is closed and cannot transfer to another wallet' },
  creditedUserClosed: {
    code: '002602',
    message: 'User owning credited wallet is closed and and cannot receive funds from another wallet',
  },
  payerToPayer: { code: '002701', message: 'Users with category PAYER cannot make transfers to other users with category PAYER.' },
  blocked: { code: '008700', message: 'User blocked by Fraud policy' },
  sameWallet: { code: '101108', message: 'Transaction refused: the Debited Wallet and the Credited Wallet must be different' },
  // Mangopay's code for a transfer whose SCA session was not completed within its 10 minutes.
  scaExpired: { code: '007102', message: 'Transfer authentication expired. Please initiate a new request.' },
} as const;
export type Result = { code: string; message: string };

/**
 * Transfers between two OWNERs up to this amount (minor units, any currency) need no SCA: Mangopay
 * applies the regulation's low-value exemption without publishing its threshold; PSD2's is EUR 30.
 */
export const SCA_EXEMPT_MAX_AMOUNT = 3000;

/** What a transfer keeps besides the common transaction fields. */
export interface TransferDetails {
  scaContext: string | null;
}

/**
 * The Transfer object: the transaction fields, then ScaContext and PendingUserAction (reference notes
 * §4.3). The SCA link is only in the answer of the creation that asked for it; reads show null, as
 * user reads do.
 */
export function renderTransfer(t: Transaction, redirectUrl: string | null = null): TransferReply {
  const d = t.details as TransferDetails;
  return {
    ...renderTransaction(t),
    ScaContext: d.scaContext ?? null,
    PendingUserAction: redirectUrl ? { RedirectUrl: redirectUrl } : null,
  };
}
