import type { BankAccount } from '../bankaccounts/model.js';
import { renderVerificationOfPayee, type VerificationOfPayee } from '../bankaccounts/checks.js';
import { renderAddress } from '../users/model.js';
import { scaLink, type ScaContext } from '../users/sca-auth.js';
import type { Holder, PayoutMethodType, RecipientScope, RecipientStatus, RecipientType } from './rules.js';
import type { RecipientReply, RecipientSummaryReply } from './schemas.js';

export interface Recipient {
  id: string;
  clientId: string;
  userId: string;
  status: RecipientStatus;
  scope: RecipientScope;
  scaContext: ScaContext | null;
  /** null only for a legacy bank account seen as a recipient. */
  displayName: string | null;
  payoutMethodType: PayoutMethodType;
  recipientType: RecipientType;
  /** null only for a legacy OTHER bank account (it has no currency). */
  currency: string | null;
  country: string | null;
  /** null only for a legacy bank account: Mangrove does not guess names from its OwnerName. */
  holder: Holder | null;
  account: Record<string, unknown>;
  verification: VerificationOfPayee | null;
  scaToken: string | null;
  tag: string | null;
  creationDate: number;
  /** A legacy bank account read through the recipient endpoints (docs: its BankAccountId works there). */
  legacy?: boolean;
}

/** The recipient's IBAN, if its account has one (local IBAN rails, or SWIFT to an IBAN). */
function ibanOf(r: Recipient): string | null {
  const fields = (r.payoutMethodType === 'LocalBankTransfer' ? r.account[r.currency ?? ''] : r.account) as Record<string, unknown> | undefined;
  const iban = fields?.IBAN;
  return typeof iban === 'string' ? iban : null;
}

export function holderName(r: Pick<Recipient, 'recipientType' | 'holder'>): string {
  if (!r.holder) return '';
  return r.recipientType === 'Individual' ? `${r.holder.FirstName ?? ''} ${r.holder.LastName ?? ''}`.trim() : (r.holder.BusinessName ?? '');
}

/**
 * The recipient seen as a legacy bank account, for the checks bank-wire payouts share with bank
 * accounts (Verification of Payee): an IBAN account only for EUR local transfers, where VOP applies.
 */
export function asBankAccount(r: Recipient): BankAccount {
  const iban = r.payoutMethodType === 'LocalBankTransfer' && r.currency === 'EUR' ? ibanOf(r) : null;
  return {
    id: r.id,
    clientId: r.clientId,
    userId: r.userId,
    type: iban ? 'IBAN' : 'OTHER',
    ownerName: holderName(r),
    ownerAddress: r.holder!.Address!,
    details: iban ? { IBAN: iban } : {},
    active: r.status === 'ACTIVE',
    tag: r.tag,
    creationDate: r.creationDate,
  };
}

function individualOut(r: Recipient): RecipientReply['IndividualRecipient'] {
  if (!r.holder || r.recipientType !== 'Individual') return null;
  const a = r.holder.Address;
  return { FirstName: r.holder.FirstName ?? null, LastName: r.holder.LastName ?? null, Address: a && renderAddress(a) };
}

function businessOut(r: Recipient): RecipientReply['BusinessRecipient'] {
  if (!r.holder || r.recipientType !== 'Business') return null;
  const a = r.holder.Address;
  return { BusinessName: r.holder.BusinessName ?? null, Address: a && renderAddress(a) };
}

/** The legacy fields of each bank-account type under their recipient names. */
function legacyAccount(b: BankAccount): { method: PayoutMethodType; currency: string | null; country: string | null; fields: Record<string, unknown> } {
  const d = b.details;
  switch (b.type) {
    case 'IBAN': {
      const fields = { IBAN: d.IBAN ?? null, BIC: d.BIC ?? null };
      return { method: 'LocalBankTransfer', currency: 'EUR', country: String(d.IBAN ?? '').slice(0, 2) || null, fields };
    }
    case 'GB':
      return { method: 'LocalBankTransfer', currency: 'GBP', country: 'GB', fields: { AccountNumber: d.AccountNumber ?? null, SortCode: d.SortCode ?? null } };
    case 'US': {
      const fields = { AccountNumber: d.AccountNumber ?? null, ABA: d.ABA ?? null, AccountType: d.DepositAccountType ?? null };
      return { method: 'LocalBankTransfer', currency: 'USD', country: 'US', fields };
    }
    case 'CA': {
      const fields = { InstitutionNumber: d.InstitutionNumber ?? null, BranchCode: d.BranchCode ?? null, AccountNumber: d.AccountNumber ?? null };
      return { method: 'LocalBankTransfer', currency: 'CAD', country: 'CA', fields };
    }
    case 'OTHER':
      return { method: 'InternationalBankTransfer', currency: null, country: d.Country ?? null, fields: { AccountNumber: d.AccountNumber ?? null, BIC: d.BIC ?? null } };
  }
}

/**
 * A user's legacy bank account as the recipient endpoints show it: PAYOUT scope, ACTIVE or
 * DEACTIVATED, DisplayName null and RecipientType Individual as in the docs' list example.
 */
export function legacyRecipient(b: BankAccount): Recipient {
  const a = legacyAccount(b);
  return {
    id: b.id,
    clientId: b.clientId,
    userId: b.userId!,
    status: b.active ? 'ACTIVE' : 'DEACTIVATED',
    scope: 'PAYOUT',
    scaContext: null,
    displayName: null,
    payoutMethodType: a.method,
    recipientType: 'Individual',
    currency: a.currency,
    country: a.country,
    holder: null,
    account: a.method === 'LocalBankTransfer' ? { [a.currency!]: a.fields } : a.fields,
    verification: null,
    scaToken: null,
    tag: b.tag,
    creationDate: b.creationDate,
    legacy: true,
  };
}

/** The Recipient object, in the order of Mangopay's examples (reference notes §4.5; docs create-recipient). */
export function renderRecipient(r: Recipient, baseUrl: string): RecipientReply {
  return {
    ScaContext: r.scaContext,
    Id: r.id,
    Status: r.status,
    CreationDate: r.creationDate,
    DisplayName: r.displayName,
    PayoutMethodType: r.payoutMethodType,
    RecipientType: r.recipientType,
    Currency: r.currency,
    Country: r.country,
    UserId: r.userId,
    RecipientScope: r.scope,
    Tag: r.tag,
    IndividualRecipient: individualOut(r),
    BusinessRecipient: businessOut(r),
    // `{<Currency>: fields}` (see Recipient.account).
    LocalBankTransfer: r.payoutMethodType === 'LocalBankTransfer' ? (r.account as Record<string, Record<string, unknown>>) : null,
    InternationalBankTransfer: r.payoutMethodType === 'InternationalBankTransfer' ? r.account : null,
    // The link stays the same while the recipient waits for it; afterwards there is nothing to do.
    PendingUserAction: r.status === 'PENDING' && r.scaToken ? { RedirectUrl: scaLink(baseUrl, r.scaToken) } : null,
    RecipientVerificationOfPayee: renderVerificationOfPayee(r.verification),
  };
}

/** A row of GET /users/{Id}/recipients (docs list-recipients-user). */
export function renderRecipientSummary(r: Recipient): RecipientSummaryReply {
  return {
    Id: r.id,
    CreationDate: r.creationDate,
    DisplayName: r.displayName,
    PayoutMethodType: r.payoutMethodType,
    RecipientType: r.recipientType,
    Currency: r.currency,
    Country: r.country,
    UserId: r.userId,
    Status: r.status,
    RecipientScope: r.scope,
  };
}
