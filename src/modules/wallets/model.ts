import { renderMoney } from '../../ledger/money.js';
import type { WalletReply } from './schemas.js';

export interface Wallet {
  id: string;
  clientId: string;
  /** null for the client's own wallets (FEES, CREDIT). */
  ownerId: string | null;
  fundsType: 'DEFAULT' | 'FEES' | 'CREDIT';
  currency: string;
  description: string | null;
  tag: string | null;
  /** Minor units, never negative. */
  balance: number;
  creationDate: number;
}

/** Mangopay's Wallet object, keys in its order (reference notes §4.2). */
export function renderWallet(w: Wallet): WalletReply {
  return {
    Description: w.description,
    Owners: w.ownerId ? [w.ownerId] : [],
    Id: w.id,
    Balance: renderMoney(w.currency, w.balance),
    Currency: w.currency,
    FundsType: w.fundsType,
    Tag: w.tag,
    CreationDate: w.creationDate,
  };
}
