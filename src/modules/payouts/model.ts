import { renderTransaction, type Transaction } from '../transactions/model.js';
import { renderVerificationOfPayee, type VerificationOfPayee } from '../bankaccounts/checks.js';
import type { PayOutReply } from './schemas.js';

/** The ResultCodes bank-wire payouts end with (reference notes §3.2, §4.1, §4.6, §4.7). */
export const RESULTS = {
  success: { code: '000000', message: 'Success' },
  // Fees that would take the client's fee wallet above the ledger's MAX_BALANCE.
  balanceCap: { code: '001011', message: 'Transaction amount is higher than maximum permitted amount' },
  nothingCredited: { code: '001014', message: 'CreditedFunds must be more than 0 (DebitedFunds can not equal Fees)' },
  generic: { code: '001999', message: 'Generic Operation error' },
  payer: { code: '002701', message: 'Users with category PAYER cannot make payouts' },
  kyc: { code: '002999', message: "Blocked due to the Debited Wallet Owner's KYC limitations" },
  blocked: { code: '008700', message: 'User blocked by Fraud policy' },
  insufficientBalance: { code: '121003', message: 'Insufficient wallet balance' },
  bankAccountInactive: { code: '121006', message: 'The associated bank account is not active' },
  notBankAccountOwner: { code: '121007', message: 'The author is not the bank account owner' },
} as const;
export type Result = { code: string; message: string };

/** Only STANDARD payouts exist here: instant and RTGS payments are refused as disabled. */
export const PAYOUT_MODES = ['STANDARD', 'INSTANT_PAYMENT', 'INSTANT_PAYMENT_ONLY', 'RTGS_PAYMENT'] as const;

/** What a bank-wire payout keeps besides the common transaction fields. */
export interface PayOutDetails {
  bankAccountId: string;
  /** Set when the payout named its account by RecipientId (the same id as bankAccountId). */
  recipientId?: string | null;
  bankWireRef: string | null;
  modeRequested: string;
  /** Absent on payouts stored before Verification of Payee existed. */
  verificationOfPayee?: VerificationOfPayee | null;
}

/** The PayOut object: the transaction fields, then the bank-wire ones (reference notes §4.6, SDK notes §4.8). */
export function renderPayOut(t: Transaction): PayOutReply {
  const d = t.details as PayOutDetails;
  return {
    ...renderTransaction(t),
    PaymentType: t.paymentType,
    BankAccountId: d.bankAccountId,
    RecipientId: d.recipientId ?? null,
    BankWireRef: d.bankWireRef,
    PaymentRef: null,
    ModeRequested: d.modeRequested,
    ModeApplied: 'STANDARD',
    FallbackReason: null,
    EndToEndId: null,
    ChargeBearer: null,
    RecipientVerificationOfPayee: renderVerificationOfPayee(d.verificationOfPayee),
  };
}
