import { renderMoney } from '../../ledger/money.js';
import { TRANSACTION_NATURES, TRANSACTION_STATUSES, TRANSACTION_TYPES, type TransactionReply } from './schemas.js';

export { TRANSACTION_NATURES, TRANSACTION_STATUSES, TRANSACTION_TYPES };

export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];
export type TransactionType = (typeof TRANSACTION_TYPES)[number];
export type TransactionNature = (typeof TRANSACTION_NATURES)[number];

export interface Transaction {
  id: string;
  clientId: string;
  type: TransactionType;
  nature: TransactionNature;
  paymentType: string | null;
  executionType: string | null;
  status: TransactionStatus;
  resultCode: string | null;
  resultMessage: string | null;
  authorId: string;
  creditedUserId: string | null;
  debitedWalletId: string | null;
  creditedWalletId: string | null;
  currency: string;
  /** Minor units; null while not known (a pay-in until it succeeds; a transfer always has them). */
  debitedAmount: number | null;
  creditedAmount: number | null;
  feesAmount: number | null;
  /** Type-specific fields (a bank-wire pay-in's declared funds, wire reference, ...). */
  details: Record<string, any>;
  tag: string | null;
  creationDate: number;
  executionDate: number | null;
  /** The card a card payment used (card pay-ins, pre-authorized pay-ins); null otherwise. */
  cardId?: string | null;
}

/** Mangopay's placeholder for funds not known yet (a pay-in waiting for its wire). */
const PENDING = () => renderMoney('XXX', 0);

/** A pay-in shows placeholders until it succeeds; a transfer shows its amounts even when it failed. */
const funds = (t: Transaction, amount: number | null) => (amount !== null ? renderMoney(t.currency, amount) : PENDING());

/** The fields every transaction shares, in Mangopay's order (reference notes §4.1). */
export function renderTransaction(t: Transaction): TransactionReply {
  return {
    Id: t.id,
    Tag: t.tag,
    CreationDate: t.creationDate,
    AuthorId: t.authorId,
    CreditedUserId: t.creditedUserId,
    DebitedFunds: funds(t, t.debitedAmount),
    CreditedFunds: funds(t, t.creditedAmount),
    Fees: funds(t, t.feesAmount),
    Status: t.status,
    ResultCode: t.resultCode,
    ResultMessage: t.resultMessage,
    ExecutionDate: t.executionDate,
    Type: t.type,
    Nature: t.nature,
    CreditedWalletId: t.creditedWalletId,
    DebitedWalletId: t.debitedWalletId,
  };
}
