/** The parts of Mangopay's objects the client's typed calls read (every other field is kept as sent). */

export type PersonType = 'NATURAL' | 'LEGAL';
export type UserStatus = 'PENDING_USER_ACTION' | 'ACTIVE' | 'CLOSED';

export interface Money {
  Currency: string;
  /** In the currency's minor unit (cents). */
  Amount: number;
}

export interface User {
  Id: string;
  PersonType: PersonType;
  /** Absent on some legacy answers; `CLOSED` once closed. */
  UserStatus?: UserStatus;
  Email?: string | null;
  Tag?: string | null;
  CreationDate?: number;
  [field: string]: unknown;
}

export interface Wallet {
  Id: string;
  Owners: string[];
  Currency: string;
  Balance: Money;
  Description?: string | null;
  Tag?: string | null;
  [field: string]: unknown;
}

export interface TokenReply {
  access_token: string;
  token_type: string;
  expires_in: number;
}
