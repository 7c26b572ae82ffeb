import type { BankAccount } from '../bankaccounts/model.js';
import { renderVerificationOfPayee, type VerificationOfPayee } from '../payouts/bank-checks.js';
import { scaLink, type ScaContext } from '../users/sca-auth.js';
import type { Holder, PayoutMethodType, RecipientScope, RecipientStatus, RecipientType } from './rules.js';

export interface Recipient {
  id: string;
  clientId: string;
  userId: string;
  status: RecipientStatus;
  scope: RecipientScope;
  scaContext: ScaContext | null;
  displayName: string;
  payoutMethodType: PayoutMethodType;
  recipientType: RecipientType;
  currency: string;
  country: string;
  holder: Holder;
  account: Record<string, unknown>;
  verification: VerificationOfPayee | null;
  scaToken: string | null;
  tag: string | null;
  creationDate: number;
}

/** The recipient's IBAN, if its account has one (local IBAN rails, or SWIFT to an IBAN). */
function ibanOf(r: Recipient): string | null {
  const fields = (r.payoutMethodType === 'LocalBankTransfer' ? r.account[r.currency] : r.account) as Record<string, unknown> | undefined;
  const iban = fields?.IBAN;
  return typeof iban === 'string' ? iban : null;
}

export function holderName(r: Pick<Recipient, 'recipientType' | 'holder'>): string {
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
    ownerAddress: r.holder.Address!,
    details: iban ? { IBAN: iban } : {},
    active: r.status === 'ACTIVE',
    tag: r.tag,
    creationDate: r.creationDate,
  };
}

function holderOut(r: Recipient) {
  const a = r.holder.Address;
  const address = a && {
    AddressLine1: a.AddressLine1 ?? null,
    AddressLine2: a.AddressLine2 ?? null,
    City: a.City ?? null,
    Region: a.Region ?? null,
    PostalCode: a.PostalCode ?? null,
    Country: a.Country ?? null,
  };
  return r.recipientType === 'Individual'
    ? { FirstName: r.holder.FirstName ?? null, LastName: r.holder.LastName ?? null, Address: address }
    : { BusinessName: r.holder.BusinessName ?? null, Address: address };
}

/** The Recipient object, in the order of Mangopay's examples (reference notes §4.5; docs create-recipient). */
export function renderRecipient(r: Recipient, baseUrl: string) {
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
    IndividualRecipient: r.recipientType === 'Individual' ? holderOut(r) : null,
    BusinessRecipient: r.recipientType === 'Business' ? holderOut(r) : null,
    LocalBankTransfer: r.payoutMethodType === 'LocalBankTransfer' ? r.account : null,
    InternationalBankTransfer: r.payoutMethodType === 'InternationalBankTransfer' ? r.account : null,
    // The link stays the same while the recipient waits for it; afterwards there is nothing to do.
    PendingUserAction: r.status === 'PENDING' && r.scaToken ? { RedirectUrl: scaLink(baseUrl, r.scaToken) } : null,
    RecipientVerificationOfPayee: renderVerificationOfPayee(r.verification),
  };
}

/** A row of GET /users/{Id}/recipients (docs list-recipients-user). */
export function renderRecipientSummary(r: Recipient) {
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
