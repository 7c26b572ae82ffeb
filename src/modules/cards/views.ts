import type { Card, CardRegistration } from './model.js';
import type { CardRegistrationReply, CardReply } from './schemas.js';

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
