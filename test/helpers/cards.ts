import { expect } from 'vitest';
import type { TestServer } from './server.js';

/** Mangopay's documented sandbox test cards (reference notes §3.5). */
export const TEST_CARDS = {
  frictionless: '4970107111111119',
  challenge: '4970105181818183',
  maestro: '5033951000000004',
  amex: '375989111111119',
} as const;

/** The payer's browser as the official SDK's tests send it. */
export const BROWSER_INFO = {
  AcceptHeader: 'text/html, application/xhtml+xml, application/xml;q=0.9, /;q=0.8',
  JavaEnabled: true,
  Language: 'FR-FR',
  ColorDepth: 4,
  ScreenHeight: 1800,
  ScreenWidth: 400,
  JavascriptEnabled: true,
  TimeZoneOffset: '+60',
  UserAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 13_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
};
export const IP_ADDRESS = '2001:0620:0000:0000:0211:24FF:FE80:C12C';

/** Posts card details to a registration's CardRegistrationURL as a browser (or the SDKs' helpers) does: a form, no token. */
export async function tokenize(
  registration: { CardRegistrationURL: string; PreregistrationData: string; AccessKey: string },
  card: { number: string; expiry?: string; cvx?: string },
): Promise<{ status: number; text: string }> {
  const form = new URLSearchParams({
    data: registration.PreregistrationData,
    accessKeyRef: registration.AccessKey,
    cardNumber: card.number,
    cardExpirationDate: card.expiry ?? '1229',
    cardCvx: card.cvx ?? '123',
  });
  const res = await fetch(registration.CardRegistrationURL, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  return { status: res.status, text: await res.text() };
}

/**
 * Registers a card for a user through the real flow — create the registration, tokenize the number at
 * its CardRegistrationURL, update the registration with the answer — and returns the Card.
 */
export async function registerCard(
  s: TestServer,
  userId: string,
  opts: { number?: string; expiry?: string; cvx?: string; currency?: string; cardType?: string } = {},
): Promise<any> {
  const created = await s.call('POST', '/cardregistrations', {
    body: { UserId: userId, Currency: opts.currency ?? 'EUR', ...(opts.cardType ? { CardType: opts.cardType } : {}) },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const answer = await tokenize(created.body, { number: opts.number ?? TEST_CARDS.frictionless, expiry: opts.expiry, cvx: opts.cvx });
  expect(answer.status, answer.text).toBe(200);
  const updated = await s.call('PUT', `/cardregistrations/${created.body.Id}`, { body: { RegistrationData: answer.text } });
  expect(updated.status, JSON.stringify(updated.body)).toBe(200);
  expect(updated.body.Status, JSON.stringify(updated.body)).toBe('VALIDATED');
  const card = await s.call('GET', `/cards/${updated.body.CardId}`);
  expect(card.status, JSON.stringify(card.body)).toBe(200);
  return card.body;
}
