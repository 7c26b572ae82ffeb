/*
 * 7-day pre-authorizations (reference notes §5): a hold on a card, captured later by pre-authorized
 * pay-ins. No money moves on the hold itself; the captures are pay-ins (src/modules/payins/preauthorized-*).
 */
import { renderMoney } from '../../ledger/money.js';
import type { CardInfo } from '../cards/model.js';
import { renderBrowserInfo, renderCardInfo, type BrowserInfoField, type Party, type SecureMode } from '../cards/payment.js';
import type { PreauthorizationReply } from './schemas.js';

export const PREAUTHORIZATION_STATUSES = ['CREATED', 'SUCCEEDED', 'FAILED'] as const;
export const PAYMENT_STATUSES = ['WAITING', 'CANCELED', 'EXPIRED', 'VALIDATED'] as const;
export type PreauthorizationStatus = (typeof PREAUTHORIZATION_STATUSES)[number];
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** How long a hold lasts once authorized: 6.5 days (every documented ExpirationDate − AuthorizationDate). */
export const HOLD_SECONDS = 561_600;

/** What a pre-authorization keeps besides its columns: the request's card-payment parts and the 3-D Secure state. */
export interface PreauthorizationDetails {
  secureMode: SecureMode;
  /** As sent, with `preAuthorizationId=<Id>` added. */
  secureModeReturnUrl: string;
  /** The challenge page while it waits for 3-D Secure; null otherwise. */
  secureModeRedirectUrl: string | null;
  secureModeNeeded: boolean;
  statementDescriptor: string | null;
  culture: string;
  browserInfo: BrowserInfoField;
  ipAddress: string;
  billing: Party;
  shipping: Party;
  preferredCardNetwork: string | null;
  paymentCategory: string;
  avsResult: string;
  cardInfo: CardInfo | null;
  applied3DSVersion: string | null;
}

export interface Preauthorization {
  id: string;
  clientId: string;
  authorId: string;
  cardId: string;
  currency: string;
  debitedAmount: number;
  /** What may still be captured: DebitedFunds once authorized, less each capture; 0 once the hold has ended. */
  remainingAmount: number;
  status: PreauthorizationStatus;
  paymentStatus: PaymentStatus;
  resultCode: string | null;
  resultMessage: string | null;
  authorizationDate: number | null;
  expirationDate: number | null;
  /** The first successful capture; null before it. */
  payInId: string | null;
  details: PreauthorizationDetails;
  tag: string | null;
  creationDate: number;
}

/** The PreAuthorization object, in Mangopay's key order (reference notes §5.3). */
export function renderPreauthorization(p: Preauthorization): PreauthorizationReply {
  const d = p.details;
  return {
    Id: p.id,
    Tag: p.tag,
    CreationDate: p.creationDate,
    AuthorId: p.authorId,
    DebitedFunds: renderMoney(p.currency, p.debitedAmount),
    RemainingFunds: renderMoney(p.currency, p.remainingAmount),
    AuthorizationDate: p.authorizationDate,
    Status: p.status,
    PaymentStatus: p.paymentStatus,
    ExpirationDate: p.expirationDate,
    PayInId: p.payInId,
    ResultCode: p.resultCode,
    ResultMessage: p.resultMessage,
    SecureMode: d.secureMode,
    CardId: p.cardId,
    SecureModeReturnURL: d.secureModeReturnUrl,
    SecureModeRedirectURL: d.secureModeRedirectUrl,
    SecureModeNeeded: d.secureModeNeeded,
    PaymentType: 'CARD',
    ExecutionType: 'DIRECT',
    StatementDescriptor: d.statementDescriptor,
    Culture: d.culture,
    SecurityInfo: { AVSResult: d.avsResult },
    MultiCapture: true,
    BrowserInfo: renderBrowserInfo(d.browserInfo),
    IpAddress: d.ipAddress,
    Billing: d.billing,
    Shipping: d.shipping,
    Requested3DSVersion: null,
    Applied3DSVersion: d.applied3DSVersion,
    PreferredCardNetwork: d.preferredCardNetwork,
    PaymentCategory: d.paymentCategory,
    CardInfo: renderCardInfo(d.cardInfo),
  };
}
