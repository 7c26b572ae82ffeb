import { renderAddress, type Address } from '../users/model.js';
import type { BankAccountReply } from './schemas.js';

export const BANK_ACCOUNT_TYPES = ['IBAN', 'GB', 'US', 'CA', 'OTHER'] as const;
export type BankAccountType = (typeof BANK_ACCOUNT_TYPES)[number];

export const DEPOSIT_ACCOUNT_TYPES = ['CHECKING', 'SAVINGS'] as const;
export type DepositAccountType = (typeof DEPOSIT_ACCOUNT_TYPES)[number];

/** The fields of each type, in the order Mangopay renders them (between OwnerAddress and UserId). */
export const DETAIL_FIELDS = {
  IBAN: ['IBAN', 'BIC'],
  GB: ['AccountNumber', 'SortCode'],
  US: ['AccountNumber', 'ABA', 'DepositAccountType'],
  CA: ['BankName', 'InstitutionNumber', 'BranchCode', 'AccountNumber'],
  OTHER: ['Country', 'BIC', 'AccountNumber'],
} as const satisfies Record<BankAccountType, readonly string[]>;

export type BankAccountDetails = Record<string, string | null>;

export interface BankAccount {
  id: string;
  clientId: string;
  /** null for the client's own accounts (POST /clients/bankaccounts/iban). */
  userId: string | null;
  type: BankAccountType;
  ownerName: string;
  ownerAddress: Address;
  details: BankAccountDetails;
  active: boolean;
  tag: string | null;
  creationDate: number;
}

/** The BankAccount object, flat (type fields at the top level), keys in Mangopay's order. */
export function renderBankAccount(b: BankAccount): BankAccountReply {
  const details: Record<string, string | null> = {};
  for (const f of DETAIL_FIELDS[b.type]) details[f] = b.details[f] ?? null;
  return {
    OwnerAddress: renderAddress(b.ownerAddress),
    // One reply schema per type (BANK_ACCOUNT_REPLIES): the detail fields are that type's.
    ...details,
    // The client's own account shows the ClientId, as the client's own pay-ins and payouts do.
    UserId: b.userId ?? b.clientId,
    OwnerName: b.ownerName,
    Type: b.type,
    Id: b.id,
    Tag: b.tag,
    CreationDate: b.creationDate,
    Active: b.active,
  } as BankAccountReply;
}
