import { renderTransaction, type Transaction } from '../transactions/model.js';
import type { RefundReply } from './schemas.js';

/** The ResultCodes refunds end with (reference notes §6.4, §7.2). */
export const RESULTS = {
  success: { code: '000000', message: 'Success' },
  insufficientBalance: { code: '001001', message: 'Unsufficient wallet balance' },
  // A credit that would take a wallet above the ledger's MAX_BALANCE.
  balanceCap: { code: '001011', message: 'Transaction amount is higher than maximum permitted amount' },
  alreadyRefunded: { code: '001401', message: 'Transaction has already been successfully refunded' },
  // Mangrove's choice for a refund that would credit a closed user's wallet: the wording pay-ins use.
  creditedUserClosed: { code: '002602', message: 'User owning credited wallet is closed and cannot receive funds' },
  aboveAmount: { code: '005403', message: 'The refund cannot exceed initial transaction amount' },
  aboveFees: { code: '005404', message: 'The refunded fees cannot exceed initial fee amount' },
  feeWalletShort: { code: '005405', message: 'Balance of client fee wallet unsufficient' },
} as const;
export type Result = { code: string; message: string };

export type RefundReasonType = 'INITIALIZED_BY_CLIENT' | 'OTHER' | (string & {});

/** What a refund keeps besides the common transaction fields (InitialTransactionId is indexed: the lists and caps). */
export interface RefundDetails {
  InitialTransactionId: string;
  InitialTransactionType: 'PAYIN' | 'TRANSFER' | 'PAYOUT';
  InitialTransactionNature?: string;
  RefundReason: { RefundReasonType: RefundReasonType; RefundReasonMessage?: string | null };
}

/** The Refund object (reference notes §6.3): the transaction fields, the initial transaction, the wallets, the reason. */
export function renderRefund(t: Transaction): RefundReply {
  const d = t.details as RefundDetails;
  const { CreditedWalletId, DebitedWalletId, ...common } = renderTransaction(t);
  return {
    ...common,
    InitialTransactionId: d.InitialTransactionId,
    InitialTransactionType: d.InitialTransactionType,
    InitialTransactionNature: d.InitialTransactionNature ?? 'REGULAR',
    DebitedWalletId,
    CreditedWalletId,
    RefundReason: { RefundReasonMessage: d.RefundReason?.RefundReasonMessage ?? null, RefundReasonType: d.RefundReason?.RefundReasonType ?? 'OTHER' },
    StatementDescriptor: null,
  };
}
