import type { Card, CardFacts, CardType } from '../cards/model.js';
import type { Party, SecureMode } from '../cards/payment.js';
import { sessionUrl } from '../secure-mode/service.js';
import { renderTransaction, type Transaction } from '../transactions/model.js';
import type { CardWebExtendedReply, CardWebPayInReply, Culture } from './card-web-schemas.js';

/** The payer has this long on the payment page, on the client's clock (reference notes §4: a 15-minute session). */
export const WEB_SESSION_SECONDS = 15 * 60;

/** The ResultCodes only a web card pay-in ends with (reference notes §4, §7.2). */
export const WEB_RESULTS = {
  cancelled: { code: '101002', message: 'The transaction has been cancelled by the user' },
  expired: { code: '101109', message: 'The payment period has expired' },
} as const;

/** What a web card pay-in keeps besides the common transaction fields. */
export interface CardWebDetails {
  /** The platform's ReturnURL with `transactionId` added. */
  returnUrl: string;
  cardType: CardType;
  culture: Culture;
  secureMode: SecureMode;
  billing: Party;
  shipping: Party;
  statementDescriptor: string | null;
  /** The payment page's session (its secret id); null when the pay-in failed at creation. */
  sessionId: string | null;
}

/**
 * The card the payer typed on the page, as kept until the session is decided (in the session's data
 * while a 3-D Secure challenge is pending): never the number or the CVC.
 */
export interface EnteredCard {
  alias: string;
  fingerprint: string;
  facts: CardFacts;
  /** MMYY. */
  expiry: string;
  holderName: string | null;
}

export function isCardWeb(t: Pick<Transaction, 'type' | 'paymentType' | 'executionType' | 'nature'>): boolean {
  return t.type === 'PAYIN' && t.nature === 'REGULAR' && t.paymentType === 'CARD' && t.executionType === 'WEB';
}

export function renderCardWebPayIn(t: Transaction, baseUrl: string): CardWebPayInReply {
  const d = t.details as CardWebDetails;
  return {
    ...renderTransaction(t),
    PaymentType: 'CARD',
    ExecutionType: 'WEB',
    RedirectURL: d.sessionId ? sessionUrl(baseUrl, { id: d.sessionId, kind: 'WEB_PAYIN' }) : null,
    ReturnURL: d.returnUrl,
    TemplateURL: null,
    CardType: d.cardType,
    Culture: d.culture,
    SecureMode: d.secureMode,
    Billing: d.billing,
    Shipping: d.shipping,
    StatementDescriptor: d.statementDescriptor,
    BankName: null,
  };
}

/** The card a web pay-in was paid with (nulls while none was used). */
export function renderExtended(t: Transaction, card: Card | null): CardWebExtendedReply {
  return {
    Id: t.id,
    PaymentType: 'CARD',
    ExecutionType: 'WEB',
    ExpirationDate: card?.expirationDate ?? null,
    Alias: card?.alias ?? null,
    CardType: card?.cardType ?? null,
    Country: card?.country ?? null,
    Fingerprint: card?.fingerprint ?? null,
  };
}
