import type { Card, CardRegistration, CardValidation } from './model.js';
import { renderBrowserInfo, renderCardInfo, type BrowserInfoField } from './payment.js';
import type { CardRegistrationReply, CardReply, CardValidationReply } from './schemas.js';

/** Where a registration's card details are posted: Mangrove's own tokenizer, outside the client's API. */
export function tokenizerUrl(baseUrl: string, registrationId: string): string {
  return `${baseUrl}/tokenizer/${registrationId}`;
}

export function renderRegistration(r: CardRegistration, baseUrl: string): CardRegistrationReply {
  return {
    Id: r.id,
    Tag: r.tag,
    CreationDate: r.creationDate,
    UserId: r.userId,
    AccessKey: r.accessKey,
    PreregistrationData: r.preregistrationData,
    RegistrationData: r.registrationData,
    CardId: r.cardId,
    CardType: r.cardType,
    CardRegistrationURL: tokenizerUrl(baseUrl, r.id),
    ResultCode: r.resultCode,
    ResultMessage: r.resultMessage,
    Currency: r.currency,
    Status: r.status,
  };
}

/** A card in Mangopay's key order (reference notes §2.2); Product and BankCode are what every sandbox card shows. */
export function renderCard(c: Card): CardReply {
  return {
    ExpirationDate: c.expirationDate,
    Alias: c.alias,
    CardType: c.cardType,
    CardProvider: c.cardProvider,
    Country: c.country,
    Product: 'I',
    BankCode: 'unknown',
    Active: c.active,
    Currency: c.currency,
    Validity: c.validity,
    UserId: c.userId,
    Id: c.id,
    Tag: c.tag,
    CreationDate: Number(c.creationDate),
    Fingerprint: c.fingerprint,
    CardHolderName: c.cardHolderName,
  };
}

/** A card validation in Mangopay's key order (reference notes §2.3). */
export function renderValidation(v: CardValidation): CardValidationReply {
  const d = v.details;
  return {
    Id: v.id,
    AuthorId: v.authorId,
    Status: v.status,
    SecureModeReturnURL: d.SecureModeReturnURL,
    SecureModeRedirectURL: d.SecureModeRedirectURL,
    SecureModeNeeded: d.SecureModeNeeded,
    IpAddress: d.IpAddress,
    BrowserInfo: renderBrowserInfo(d.BrowserInfo as BrowserInfoField),
    PreferredCardNetwork: d.PreferredCardNetwork,
    SecureMode: d.SecureMode,
    PaymentCategory: d.PaymentCategory,
    ValidationUsage: d.ValidationUsage,
    Validity: d.Validity,
    CreationDate: v.creationDate,
    AuthorizationDate: v.authorizationDate,
    Type: 'CARD_VALIDATION',
    Applied3DSVersion: d.Applied3DSVersion,
    ResultCode: v.resultCode,
    ResultMessage: v.resultMessage,
    Tag: v.tag,
    CardInfo: renderCardInfo(d.CardInfo),
  };
}
