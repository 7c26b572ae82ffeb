import { renderMoney } from '../../ledger/money.js';
import { PAYIN_EXPIRED, PAYIN_EXPIRY_SECONDS } from '../transactions/expiry.js';
import { renderTransaction, type Transaction } from '../transactions/model.js';
import type { PayInReply } from './schemas.js';

export { PAYIN_EXPIRY_SECONDS };

/** The ResultCodes pay-ins end with (reference notes §3.2, §4.4, §4.7). */
export const RESULTS = {
  success: { code: '000000', message: 'Success' },
  blocked: { code: '008700', message: 'User blocked by Fraud policy' },
  expired: PAYIN_EXPIRED,
  closed: { code: '002602', message: 'User owning credited wallet is closed and cannot receive funds' },
  generic: { code: '001999', message: 'Generic Operation error' },
  // Funds that would take the credited wallet (or the fee wallet) above the ledger's MAX_BALANCE.
  balanceCap: { code: '001011', message: 'Transaction amount is higher than maximum permitted amount' },
} as const;
export type Result = { code: string; message: string };

/** What a bank-wire pay-in keeps besides the common transaction fields. */
export interface BankWireDetails {
  declaredDebitedAmount: number;
  declaredFeesAmount: number;
  wireReference: string;
}

/** Where the user wires the money: Mangopay's own account (the IBAN of Mangopay's documentation examples). */
export const MANGOPAY_BANK_ACCOUNT = {
  OwnerAddress: {
    AddressLine1: '2 Avenue Amélie',
    AddressLine2: null,
    City: 'Luxembourg',
    Region: null,
    PostalCode: '1125',
    Country: 'LU',
  },
  Type: 'IBAN',
  OwnerName: 'MANGOPAY SA',
  IBAN: 'FR7618829754160173622224154',
  BIC: 'CMBRFR2BCME',
} as const;

/** Ends a pay-in with this result (in memory): SUCCEEDED with its execution date, or FAILED. */
export function conclude(t: Transaction, result: Result, now: number): void {
  t.status = result.code === RESULTS.success.code ? 'SUCCEEDED' : 'FAILED';
  t.resultCode = result.code;
  t.resultMessage = result.message;
  t.executionDate = t.status === 'SUCCEEDED' ? now : null;
}

/** The event a concluded pay-in records. */
export const endEvent = (t: Transaction) => (t.status === 'SUCCEEDED' ? 'PAYIN_NORMAL_SUCCEEDED' : 'PAYIN_NORMAL_FAILED');

/**
 * A card pay-in as it is first written (CREATED, its amounts known): a direct or web card pay-in, or
 * a capture of a pre-authorization, crediting `wallet` (whose owner is the credited user).
 */
export function newCardPayIn(p: {
  id: string;
  clientId: string;
  paymentType: 'CARD' | 'PREAUTHORIZED';
  executionType: 'DIRECT' | 'WEB';
  authorId: string;
  wallet: { id: string; ownerId: string | null; currency: string };
  amount: number;
  fees: number;
  details: Record<string, any>;
  tag: string | null | undefined;
  now: number;
  cardId: string | null;
}): Transaction {
  return {
    id: p.id,
    clientId: p.clientId,
    type: 'PAYIN',
    nature: 'REGULAR',
    paymentType: p.paymentType,
    executionType: p.executionType,
    status: 'CREATED',
    resultCode: null,
    resultMessage: null,
    authorId: p.authorId,
    creditedUserId: p.wallet.ownerId,
    debitedWalletId: null,
    creditedWalletId: p.wallet.id,
    currency: p.wallet.currency,
    debitedAmount: p.amount,
    creditedAmount: p.amount - p.fees,
    feesAmount: p.fees,
    details: p.details,
    tag: p.tag ?? null,
    creationDate: p.now,
    executionDate: null,
    cardId: p.cardId,
  };
}

export function isExpired(t: Transaction, now: number): boolean {
  return t.status === 'CREATED' && t.creationDate + PAYIN_EXPIRY_SECONDS <= now;
}

/** The PayIn object of a bank-wire pay-in: the transaction fields, then the bank-wire ones. */
export function renderPayIn(t: Transaction): PayInReply {
  const d = t.details as BankWireDetails;
  return {
    ...renderTransaction(t),
    PaymentType: t.paymentType,
    ExecutionType: t.executionType,
    DeclaredDebitedFunds: renderMoney(t.currency, d.declaredDebitedAmount),
    DeclaredFees: renderMoney(t.currency, d.declaredFeesAmount),
    WireReference: d.wireReference,
    BankAccount: MANGOPAY_BANK_ACCOUNT,
    TransactionDetails: [],
  };
}
