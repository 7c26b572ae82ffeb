import { renderTransaction, type Transaction } from '../transactions/model.js';
import { renderBrowserInfo, renderCardInfo, type BrowserInfoField, type Party } from '../cards/payment.js';
import type { CardInfo } from '../cards/model.js';
import type { CardDirectPayInReply } from './card-direct-schemas.js';

/** What a direct card pay-in keeps besides the common transaction fields (never a card number). */
export interface CardDirectDetails {
  secureMode: string;
  /** As shown: the platform's URL with `transactionId` added. */
  secureModeReturnUrl: string;
  /** The 3-D Secure page; shown only while the pay-in is CREATED. */
  secureModeRedirectUrl: string | null;
  secureModeNeeded: boolean;
  culture: string;
  avsResult: string;
  statementDescriptor: string | null;
  browserInfo: BrowserInfoField;
  ipAddress: string;
  billing: Party;
  shipping: Party;
  /** 'V2_1' once the payment reached the issuer's 3-D Secure step (frictionless or challenge), else null. */
  applied3DSVersion: string | null;
  preferredCardNetwork: string | null;
  paymentCategory: string;
  /** The card's BIN facts when the pay-in was made. */
  cardInfo: CardInfo | null;
  /** The card's masked number, for the 3-D Secure page. */
  cardAlias: string;
}

export function isCardDirect(t: Transaction): boolean {
  return t.type === 'PAYIN' && t.nature === 'REGULAR' && t.paymentType === 'CARD' && t.executionType === 'DIRECT';
}

export function renderCardDirectPayIn(t: Transaction): CardDirectPayInReply {
  const d = t.details as CardDirectDetails;
  return {
    ...renderTransaction(t),
    PaymentType: 'CARD',
    ExecutionType: 'DIRECT',
    SecureMode: d.secureMode,
    CardId: t.cardId!,
    SecureModeReturnURL: d.secureModeReturnUrl,
    // Once decided, the challenge page is gone; SecureModeNeeded keeps saying it was asked for.
    SecureModeRedirectURL: t.status === 'CREATED' ? d.secureModeRedirectUrl : null,
    SecureModeNeeded: d.secureModeNeeded,
    Culture: d.culture,
    SecurityInfo: { AVSResult: d.avsResult },
    StatementDescriptor: d.statementDescriptor,
    BrowserInfo: renderBrowserInfo(d.browserInfo),
    IpAddress: d.ipAddress,
    Billing: d.billing,
    Shipping: d.shipping,
    Requested3DSVersion: null,
    Applied3DSVersion: d.applied3DSVersion,
    RecurringPayinRegistrationId: null,
    PreferredCardNetwork: d.preferredCardNetwork,
    PaymentCategory: d.paymentCategory,
    CardInfo: renderCardInfo(d.cardInfo),
  };
}
