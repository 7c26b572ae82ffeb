import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { hashToken, type NewClient } from '../src/modules/auth/service.js';
import { expectApiError, rateLimitHeaders } from './helpers/errors.js';
import { address, legacyLegalOwner, legalOwner, legalPayer, naturalOwner, naturalPayer, ubo } from './helpers/fixtures.js';
import { startServer, type CallOptions, type Reply, type TestServer } from './helpers/server.js';
import { routerRoutes } from './helpers/routes.js';
import { tokenize } from './helpers/cards.js';

/** Which of the client's users a route acts on: legal/natural PAYER, or legal/natural OWNER pending SCA. */
type Fixture = 'LP' | 'NP' | 'LO' | 'NO';

interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  user?: Fixture;
  /**
   * A body the route accepts for the fixture user (so that a refusal can only come from auth or isolation);
   * it gets the parameters `prepare` returned (empty in the refusal tests).
   */
  body?: (params: Record<string, string>) => unknown;
  /**
   * Creates, for the answers-200 test, what the route acts on besides the user (a KYC document, ...) and
   * returns the path parameters to fill in, e.g. {docId}. Parameters left unfilled get an unused id.
   */
  prepare?: (p: { clientId: string; token: string; userId?: string }) => Promise<Record<string, string>>;
  /** The success status when it is not 200 (e.g. 204). */
  status?: number;
  /** A query string the route needs to answer 200 (without the `?`). */
  query?: string;
}

const legacyNaturalOwner = () => ({
  FirstName: 'Lea',
  LastName: 'Legacy',
  Email: 'lea@example.com',
  Birthday: 631152000,
  Nationality: 'FR',
  CountryOfResidence: 'FR',
  UserCategory: 'OWNER',
  TermsAndConditionsAccepted: true,
  Address: address(),
});

/** Every route under /v2.01/{ClientId}. A route missing here fails the completeness test below. */
const ROUTES: Route[] = [
  { method: 'POST', path: '/sca/users/legal', body: () => legalPayer() },
  { method: 'POST', path: '/sca/users/natural', body: () => naturalPayer() },
  { method: 'PUT', path: '/sca/users/legal/:id', user: 'LP', body: () => ({ Name: 'Taken over', TermsAndConditionsAccepted: false }) },
  { method: 'PUT', path: '/sca/users/natural/:id', user: 'NP', body: () => ({ FirstName: 'Taken', TermsAndConditionsAccepted: false }) },
  {
    method: 'PUT',
    path: '/sca/users/legal/:id/category',
    user: 'LP',
    body: () => ({
      UserCategory: 'OWNER',
      TermsAndConditionsAccepted: true,
      CompanyNumber: '552100554',
      HeadquartersAddress: address(),
      LegalRepresentative: { Birthday: 188352000, Nationality: 'FR', CountryOfResidence: 'FR', Email: 'rep@example.com' },
    }),
  },
  {
    method: 'PUT',
    path: '/sca/users/natural/:id/category',
    user: 'NP',
    body: () => ({ UserCategory: 'OWNER', TermsAndConditionsAccepted: true, Birthday: 631152000, Nationality: 'FR', CountryOfResidence: 'FR' }),
  },
  { method: 'GET', path: '/sca/users/legal/:id', user: 'LO' },
  { method: 'GET', path: '/sca/users/natural/:id', user: 'NO' },
  { method: 'GET', path: '/sca/users/:id', user: 'LO' },
  { method: 'GET', path: '/sca/users/:id/sca-status', user: 'NO' },
  { method: 'POST', path: '/sca/users/:id/enrollment', user: 'LO' },
  { method: 'POST', path: '/sca/users/:id/consent', user: 'NO' },
  { method: 'POST', path: '/users/legal', body: () => legacyLegalOwner() },
  { method: 'POST', path: '/users/natural', body: legacyNaturalOwner },
  { method: 'PUT', path: '/users/legal/:id', user: 'LP', body: () => ({ Name: 'Taken over' }) },
  { method: 'PUT', path: '/users/natural/:id', user: 'NP', body: () => ({ FirstName: 'Taken' }) },
  { method: 'GET', path: '/users/legal/:id', user: 'LP' },
  { method: 'GET', path: '/users/natural/:id', user: 'NP' },
  { method: 'GET', path: '/users' },
  { method: 'GET', path: '/users/:id', user: 'LO' },
  { method: 'POST', path: '/users/data-formats/validation', body: () => ({ CompanyNumber: { CompanyNumber: '552100554', CountryCode: 'FR' } }) },
  { method: 'GET', path: '/events' },
  { method: 'POST', path: '/sandbox/users/:id/sca/complete', user: 'NO' },
  // KYC documents
  { method: 'POST', path: '/users/:id/kyc/documents', user: 'LO', body: () => ({ Type: 'REGISTRATION_PROOF' }) },
  {
    method: 'POST',
    path: '/users/:id/kyc/documents/:docId/pages',
    user: 'LO',
    body: () => ({ File: kycPage() }),
    prepare: (p) => kycDocument(p),
    status: 204,
  },
  {
    method: 'PUT',
    path: '/users/:id/kyc/documents/:docId',
    user: 'LO',
    body: () => ({ Status: 'VALIDATION_ASKED' }),
    prepare: (p) => kycDocument(p, { page: true }),
  },
  { method: 'GET', path: '/users/:id/kyc/documents/:docId', user: 'LO', prepare: (p) => kycDocument(p) },
  { method: 'GET', path: '/users/:id/kyc/documents', user: 'LO' },
  { method: 'GET', path: '/kyc/documents' },
  { method: 'GET', path: '/kyc/documents/:docId', prepare: (p) => kycDocument(p) },
  { method: 'POST', path: '/sandbox/kyc/documents/:docId/validate', prepare: (p) => kycDocument(p, { submit: true }) },
  {
    method: 'POST',
    path: '/sandbox/kyc/documents/:docId/refuse',
    body: () => ({ RefusedReasonType: 'DOCUMENT_UNREADABLE' }),
    prepare: (p) => kycDocument(p, { submit: true }),
  },
  // UBO declarations
  { method: 'POST', path: '/users/:id/kyc/ubodeclarations', user: 'LO' },
  { method: 'GET', path: '/users/:id/kyc/ubodeclarations', user: 'LO' },
  { method: 'GET', path: '/users/:id/kyc/ubodeclarations/:declarationId', user: 'LO', prepare: (p) => uboDeclaration(p) },
  {
    method: 'PUT',
    path: '/users/:id/kyc/ubodeclarations/:declarationId',
    user: 'LO',
    body: () => ({ Status: 'VALIDATION_ASKED' }),
    prepare: (p) => uboDeclaration(p, { ubo: true }),
  },
  {
    method: 'POST',
    path: '/users/:id/kyc/ubodeclarations/:declarationId/ubos',
    user: 'LO',
    body: () => ubo(),
    prepare: (p) => uboDeclaration(p),
  },
  {
    method: 'GET',
    path: '/users/:id/kyc/ubodeclarations/:declarationId/ubos/:uboId',
    user: 'LO',
    prepare: (p) => uboDeclaration(p, { ubo: true }),
  },
  {
    method: 'PUT',
    path: '/users/:id/kyc/ubodeclarations/:declarationId/ubos/:uboId',
    user: 'LO',
    body: () => ({ LastName: 'Taken over' }),
    prepare: (p) => uboDeclaration(p, { ubo: true }),
  },
  { method: 'GET', path: '/kyc/ubodeclarations/:declarationId', prepare: (p) => uboDeclaration(p) },
  { method: 'POST', path: '/sandbox/kyc/ubodeclarations/:declarationId/validate', prepare: (p) => uboDeclaration(p, { submit: true }) },
  { method: 'POST', path: '/sandbox/kyc/ubodeclarations/:declarationId/refuse', prepare: (p) => uboDeclaration(p, { submit: true }) },
  { method: 'POST', path: '/sandbox/kyc/ubodeclarations/:declarationId/incomplete', prepare: (p) => uboDeclaration(p, { submit: true }) },
  // Bank accounts
  ...(['iban', 'gb', 'us', 'ca', 'other'] as const).map(
    (type): Route => ({ method: 'POST', path: `/users/:id/bankaccounts/${type}`, user: 'LO', body: () => bankAccountBody(type) }),
  ),
  { method: 'GET', path: '/users/:id/bankaccounts', user: 'LO' },
  { method: 'GET', path: '/users/:id/bankaccounts/:bankAccountId', user: 'LO', prepare: (p) => bankAccount(p) },
  { method: 'PUT', path: '/users/:id/bankaccounts/:bankAccountId', user: 'LO', body: () => ({ Active: false }), prepare: (p) => bankAccount(p) },
  // Regulatory
  { method: 'GET', path: '/users/:id/regulatory', user: 'LO' },
  { method: 'GET', path: '/users/:id/blockstatus', user: 'NP' },
  { method: 'POST', path: '/sandbox/users/:id/block', user: 'LO', body: () => ({ Inflows: true, Outflows: true, ActionCode: '008701' }) },
  { method: 'POST', path: '/sandbox/users/:id/unblock', user: 'NP', body: () => ({ Inflows: true, Outflows: true }) },
  // Direct card pay-ins
  {
    method: 'POST',
    path: '/payins/card/direct',
    body: (p) => ({
      ...preauthorizationBody(p),
      CreditedWalletId: p.walletId ?? 'wlt_m_01JUNUSED0000000000000000',
      Fees: { Currency: 'EUR', Amount: 0 },
    }),
    prepare: (p) => cardPayer(p),
  },
  // Card registrations, cards, fingerprints and card validations
  {
    method: 'POST',
    path: '/cardregistrations',
    body: (p) => ({ UserId: p.ownerId ?? 'user_m_01JUNUSED0000000000000000', Currency: 'EUR' }),
    prepare: (p) => wallet(p, { create: false }),
  },
  { method: 'GET', path: '/cardregistrations/:registrationId', prepare: (p) => cardPayer(p) },
  {
    method: 'PUT',
    path: '/cardregistrations/:registrationId',
    // The registration is already VALIDATED: sending its data again is a retry, answered as it is.
    body: (p) => ({ RegistrationData: p.registrationData ?? 'data=unused' }),
    prepare: (p) => cardPayer(p),
  },
  { method: 'GET', path: '/cards/:cardId', prepare: (p) => cardPayer(p) },
  { method: 'PUT', path: '/cards/:cardId', body: () => ({ Active: false }), prepare: (p) => cardPayer(p) },
  { method: 'GET', path: '/users/:id/cards', user: 'NP' },
  { method: 'GET', path: '/cards/:cardId/transactions', prepare: (p) => cardPayer(p) },
  { method: 'GET', path: '/cards/fingerprints/:fingerprint' },
  { method: 'GET', path: '/cards/fingerprints/:fingerprint/users' },
  { method: 'GET', path: '/cards/fingerprints/:fingerprint/transactions' },
  {
    method: 'POST',
    path: '/cards/:cardId/validation',
    body: validationBody,
    prepare: (p) => cardPayer(p),
  },
  {
    method: 'POST',
    path: '/cards/:cardId/validate',
    body: validationBody,
    prepare: (p) => cardPayer(p),
  },
  { method: 'GET', path: '/cards/:cardId/validation/:validationId', prepare: (p) => cardValidation(p) },
  // Pre-authorizations and their captures
  {
    method: 'POST',
    path: '/preauthorizations/card/direct',
    body: (p) => preauthorizationBody(p),
    prepare: (p) => cardPayer(p),
  },
  { method: 'GET', path: '/preauthorizations/:preauthorizationId', prepare: (p) => preauthorization(p) },
  { method: 'PUT', path: '/preauthorizations/:preauthorizationId', body: () => ({ PaymentStatus: 'CANCELED' }), prepare: (p) => preauthorization(p) },
  { method: 'GET', path: '/preauthorizations/:preauthorizationId/transactions', prepare: (p) => preauthorization(p) },
  { method: 'GET', path: '/users/:id/preauthorizations', user: 'NP' },
  { method: 'GET', path: '/cards/:cardId/preauthorizations', prepare: (p) => cardPayer(p) },
  { method: 'GET', path: '/cards/fingerprints/:fingerprint/preauthorizations' },
  {
    method: 'POST',
    path: '/payins/preauthorized/direct',
    body: (p) => ({
      PreauthorizationId: p.preauthorizationId ?? 'preauth_m_01JUNUSED0000000000000000',
      CreditedWalletId: p.walletId ?? 'wlt_m_01JUNUSED0000000000000000',
      DebitedFunds: { Currency: 'EUR', Amount: 500 },
      Fees: { Currency: 'EUR', Amount: 0 },
    }),
    prepare: (p) => preauthorization(p),
  },
  // Wallets and pay-ins
  {
    method: 'POST',
    path: '/wallets',
    body: (p) => ({ Owners: [p.ownerId ?? 'user_m_01JUNUSED0000000000000000'], Currency: 'EUR', Description: 'Wallet' }),
    prepare: (p) => wallet(p, { create: false }),
  },
  { method: 'GET', path: '/wallets/:walletId', prepare: (p) => wallet(p) },
  { method: 'PUT', path: '/wallets/:walletId', body: () => ({ Description: 'Taken over' }), prepare: (p) => wallet(p) },
  { method: 'GET', path: '/users/:id/wallets', user: 'LO' },
  { method: 'GET', path: '/wallets/:walletId/transactions', prepare: (p) => wallet(p) },
  { method: 'GET', path: '/users/:id/transactions', user: 'NP' },
  {
    method: 'POST',
    path: '/payins/bankwire/direct',
    body: (p) => ({
      AuthorId: p.ownerId ?? 'user_m_01JUNUSED0000000000000000',
      CreditedWalletId: p.walletId ?? 'wlt_m_01JUNUSED0000000000000000',
      DeclaredDebitedFunds: { Currency: 'EUR', Amount: 1000 },
      DeclaredFees: { Currency: 'EUR', Amount: 0 },
    }),
    prepare: (p) => wallet(p),
  },
  { method: 'GET', path: '/payins/:payInId', prepare: (p) => payIn(p) },
  { method: 'POST', path: '/sandbox/payins/:payInId/settle', prepare: (p) => payIn(p) },
  { method: 'POST', path: '/sandbox/payins/:payInId/fail', prepare: (p) => payIn(p) },
  // Web card pay-ins
  {
    method: 'POST',
    path: '/payins/card/web',
    body: (p) => ({
      AuthorId: p.ownerId ?? 'user_m_01JUNUSED0000000000000000',
      CreditedWalletId: p.walletId ?? 'wlt_m_01JUNUSED0000000000000000',
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      Fees: { Currency: 'EUR', Amount: 0 },
      ReturnURL: 'https://merchant.example/back',
      CardType: 'CB_VISA_MASTERCARD',
      Culture: 'EN',
    }),
    prepare: (p) => wallet(p),
  },
  { method: 'GET', path: '/payins/card/web/:payInId/extended', prepare: (p) => webPayIn(p) },
  // Closure
  { method: 'DELETE', path: '/users/legal/:id', user: 'LP', status: 204 },
  { method: 'DELETE', path: '/users/natural/:id', user: 'NP', status: 204 },
  { method: 'POST', path: '/sandbox/users/:id/close', user: 'NO', status: 204 },
  // Transfers
  {
    method: 'POST',
    path: '/transfers',
    body: (p) => ({
      AuthorId: p.ownerId ?? 'user_m_01JUNUSED0000000000000000',
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      Fees: { Currency: 'EUR', Amount: 0 },
      DebitedWalletId: p.walletId ?? 'wlt_m_01JUNUSED0000000000000000',
      CreditedWalletId: p.creditedWalletId ?? 'wlt_m_01JUNUSED0000000000000001',
    }),
    prepare: (p) => transferWallets(p),
  },
  { method: 'GET', path: '/transfers/:transferId', prepare: (p) => transfer(p) },
  { method: 'GET', path: '/transfers/:transferId/refunds', prepare: (p) => transfer(p) },
  // Refunds
  {
    method: 'POST',
    path: '/transfers/:transferId/refunds',
    body: (p) => ({ AuthorId: p.ownerId ?? 'user_m_01JUNUSED0000000000000000' }),
    prepare: (p) => refundableTransfer(p),
  },
  {
    method: 'POST',
    path: '/payins/:payInId/refunds',
    body: (p) => ({ AuthorId: p.ownerId ?? 'user_m_01JUNUSED0000000000000000' }),
    prepare: (p) => refundablePayIn(p),
  },
  { method: 'GET', path: '/payins/:payInId/refunds', prepare: (p) => payIn(p) },
  { method: 'GET', path: '/refunds/:refundId', prepare: (p) => refund(p) },
  // Payouts and client wallets
  {
    method: 'POST',
    path: '/payouts/bankwire',
    body: (p) => ({
      AuthorId: p.ownerId ?? 'user_m_01JUNUSED0000000000000000',
      DebitedWalletId: p.walletId ?? 'wlt_m_01JUNUSED0000000000000000',
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      Fees: { Currency: 'EUR', Amount: 0 },
      BankAccountId: p.bankAccountId ?? 'bankacc_m_01JUNUSED0000000000000000',
    }),
    prepare: (p) => payOutSource(p),
  },
  { method: 'GET', path: '/payouts/:payOutId', prepare: (p) => payOut(p) },
  { method: 'GET', path: '/payouts/bankwire/:payOutId', prepare: (p) => payOut(p) },
  { method: 'GET', path: '/payouts/:payOutId/refunds', prepare: (p) => payOut(p) },
  { method: 'POST', path: '/sandbox/payouts/:payOutId/settle', prepare: (p) => payOut(p) },
  { method: 'POST', path: '/sandbox/payouts/:payOutId/fail', prepare: (p) => payOut(p) },
  { method: 'POST', path: '/sandbox/payouts/:payOutId/refund', prepare: (p) => settledPayOut(p) },
  // Recipients
  { method: 'POST', path: '/users/:id/recipients', user: 'LO', body: () => recipientBody() },
  { method: 'POST', path: '/users/:id/recipients/validate', user: 'NP', body: () => recipientBody() },
  { method: 'GET', path: '/users/:id/recipients', user: 'NO' },
  { method: 'GET', path: '/recipients/:recipientId', prepare: (p) => recipient(p) },
  { method: 'PUT', path: '/recipients/:recipientId', body: () => ({ Status: 'DEACTIVATED' }), prepare: (p) => recipient(p) },
  {
    method: 'GET',
    path: '/recipients/schema',
    query: 'payoutMethodType=LocalBankTransfer&recipientType=Individual&currency=EUR&country=FR',
  },
  { method: 'GET', path: '/recipients/payout-methods', query: 'country=FR&currency=EUR' },
  // Small endpoints the SDKs call (issue 10 item 7)
  { method: 'GET', path: '/bankaccounts/:bankAccountId/transactions', prepare: (p) => payOutSource(p) },
  { method: 'GET', path: '/users/:id/emoney', user: 'LO' },
  { method: 'GET', path: '/users/:id/emoney/:year', user: 'LO', prepare: async () => ({ year: '2024' }) },
  { method: 'GET', path: '/users/:id/emoney/:year/:month', user: 'NO', prepare: async () => ({ year: '2024', month: '05' }) },
  { method: 'POST', path: '/kyc/documents/:docId/consult', prepare: (p) => kycDocument(p, { page: true }) },
  {
    method: 'POST',
    path: '/payouts/reachability',
    body: (p) => ({
      AuthorId: p.ownerId ?? 'user_m_01JUNUSED0000000000000000',
      DebitedWalletId: p.walletId ?? 'wlt_m_01JUNUSED0000000000000000',
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      BankAccountId: p.bankAccountId ?? 'bankacc_m_01JUNUSED0000000000000000',
      PayoutModeRequested: 'INSTANT_PAYMENT',
    }),
    prepare: (p) => payOutSource(p),
  },
  { method: 'GET', path: '/clients/wallets' },
  { method: 'GET', path: '/clients/wallets/:fundsType', prepare: async () => ({ fundsType: 'FEES' }) },
  { method: 'GET', path: '/clients/wallets/:fundsType/:currency', prepare: (p) => feeWallet(p) },
  { method: 'GET', path: '/clients/wallets/:fundsType/:currency/transactions', prepare: (p) => feeWallet(p) },
  { method: 'GET', path: '/clients' },
  { method: 'PUT', path: '/clients', body: () => ({ PrimaryThemeColour: '#0a0b0c' }) },
  { method: 'PUT', path: '/clients/logo', body: () => ({ File: kycPage() }), status: 204 },
  {
    method: 'POST',
    path: '/clients/payins/bankwire/direct',
    body: () => ({ CreditedWalletId: 'CREDIT_EUR', DeclaredDebitedFunds: { Currency: 'EUR', Amount: 100 } }),
  },
  { method: 'POST', path: '/clients/bankaccounts/iban', body: () => bankAccountBody('iban') },
  {
    method: 'POST',
    path: '/clients/payouts',
    // Unfunded CREDIT_EUR: answered as created (it FAILS 121003 behind the answer).
    body: (p) => ({
      DebitedWalletId: 'CREDIT_EUR',
      DebitedFunds: { Currency: 'EUR', Amount: 12 },
      BankAccountId: p.bankAccountId ?? 'bankacc_m_01JUNUSED0000000000000000',
    }),
    prepare: (p) => clientBankAccount(p),
  },
  { method: 'GET', path: '/clients/transactions' },
  { method: 'POST', path: '/hooks', body: () => ({ EventType: 'PAYIN_NORMAL_CREATED', Url: 'https://example.com/hook' }) },
  { method: 'GET', path: '/hooks' },
  { method: 'GET', path: '/hooks/:hookId', prepare: (p) => hook(p) },
  { method: 'PUT', path: '/hooks/:hookId', prepare: (p) => hook(p), body: () => ({ Url: 'https://example.com/moved' }) },
  { method: 'GET', path: '/responses/:key', prepare: (p) => storedResponse(p) },
  { method: 'GET', path: '/sandbox/clock' },
  { method: 'POST', path: '/sandbox/clock/advance', body: () => ({ Seconds: 1 }) },
  { method: 'GET', path: '/sandbox/webhooks/deliveries' },
  // Last: it wipes the calling client's data.
  { method: 'POST', path: '/sandbox/reset', status: 204 },
];

const HOOK_TYPES = ['KYC_CREATED', 'KYC_FAILED', 'KYC_SUCCEEDED', 'PAYOUT_NORMAL_CREATED', 'TRANSFER_NORMAL_FAILED'];
let hooksMade = 0;

/** A hook of the client, for an EventType no other call of this file registers. */
async function hook(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const EventType = HOOK_TYPES[hooksMade++ % HOOK_TYPES.length];
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/hooks`, { token: p.token, body: { EventType, Url: 'https://example.com/h' } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { hookId: r.body.Id };
}

/** The key of a POST made with an Idempotency-Key. */
async function storedResponse(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const key = randomBytes(12).toString('hex');
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/sca/users/natural`, {
    token: p.token,
    body: naturalPayer(),
    headers: { 'Idempotency-Key': key },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { key };
}

/** A legal OWNER made REGULAR directly in the database, with a EUR wallet holding 5000 and an IBAN account. */
async function payOutSource(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const { ownerId, walletId } = await wallet(p);
  await s.db.query("UPDATE users SET kyc_level = 'REGULAR' WHERE id = $1", [ownerId]);
  const base = `/v2.01/${p.clientId}`;
  const payIn = await s.fetch('POST', `${base}/payins/bankwire/direct`, {
    token: p.token,
    body: { AuthorId: ownerId, CreditedWalletId: walletId, DeclaredDebitedFunds: { Currency: 'EUR', Amount: 5000 }, DeclaredFees: { Currency: 'EUR', Amount: 10 } },
  });
  expect(payIn.status, JSON.stringify(payIn.body)).toBe(200);
  const settled = await s.fetch('POST', `${base}/sandbox/payins/${payIn.body.Id}/settle`, { token: p.token });
  expect(settled.body.Status).toBe('SUCCEEDED');
  const { bankAccountId } = await bankAccount({ ...p, userId: ownerId });
  return { ownerId, walletId, bankAccountId, payInId: payIn.body.Id };
}

/** A CREATED payout of 1000 EUR. */
async function payOut(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const { ownerId, walletId, bankAccountId } = await payOutSource(p);
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/payouts/bankwire`, {
    token: p.token,
    body: { AuthorId: ownerId, DebitedWalletId: walletId, DebitedFunds: { Currency: 'EUR', Amount: 1000 }, Fees: { Currency: 'EUR', Amount: 0 }, BankAccountId: bankAccountId },
  });
  expect(r.body.Status, JSON.stringify(r.body)).toBe('CREATED');
  return { payOutId: r.body.Id };
}

/** A recipient body any user may register (RecipientScope PAYIN: no OWNER, no SCA). */
function recipientBody(): Record<string, unknown> {
  return {
    DisplayName: 'EUR account',
    PayoutMethodType: 'LocalBankTransfer',
    RecipientType: 'Individual',
    Currency: 'EUR',
    Country: 'FR',
    RecipientScope: 'PAYIN',
    IndividualRecipient: { FirstName: 'Ann', LastName: 'Lee', Address: address() },
    LocalBankTransfer: { EUR: { IBAN: 'FR7630004000031234567890143' } },
  };
}

/** An ACTIVE (PAYIN) recipient of a new natural PAYER. */
async function recipient(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const user = await makeUser({ id: p.clientId } as NewClient, p.token, 'NP');
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/users/${user.Id}/recipients`, { token: p.token, body: recipientBody() });
  expect(r.body.Status, JSON.stringify(r.body)).toBe('ACTIVE');
  return { recipientId: r.body.Id };
}

/** The client's EUR fee wallet (made to exist by a settled pay-in with fees). */
async function feeWallet(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  await payOutSource(p);
  return { fundsType: 'FEES', currency: 'EUR' };
}

/** Two EUR wallets of two legal OWNERs, for a transfer from the first (unfunded: it FAILS with HTTP 200). */
async function transferWallets(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const from = await wallet(p);
  const to = await wallet(p);
  return { ...from, creditedWalletId: to.walletId };
}

/** A (FAILED, unfunded) transfer between two new wallets. */
async function transfer(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const { ownerId, walletId, creditedWalletId } = await transferWallets(p);
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/transfers`, {
    token: p.token,
    body: {
      AuthorId: ownerId,
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      Fees: { Currency: 'EUR', Amount: 0 },
      DebitedWalletId: walletId,
      CreditedWalletId: creditedWalletId,
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { transferId: r.body.Id };
}

/** A SUCCEEDED bank-wire pay-in of 5000 EUR (fees 10), with its author. */
async function refundablePayIn(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const { ownerId, payInId } = await payOutSource(p);
  return { ownerId, payInId };
}

/** A SUCCEEDED transfer of 1000 EUR from a funded wallet, with its author. */
async function refundableTransfer(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const { ownerId, walletId } = await payOutSource(p);
  const to = await wallet(p);
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/transfers`, {
    token: p.token,
    body: { AuthorId: ownerId, DebitedFunds: { Currency: 'EUR', Amount: 1000 }, Fees: { Currency: 'EUR', Amount: 0 }, DebitedWalletId: walletId, CreditedWalletId: to.walletId },
  });
  expect(r.body.Status, JSON.stringify(r.body)).toBe('SUCCEEDED');
  return { ownerId, transferId: r.body.Id };
}

/** A SUCCEEDED refund of part of a pay-in. */
async function refund(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const { ownerId, payInId } = await refundablePayIn(p);
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/payins/${payInId}/refunds`, {
    token: p.token,
    body: { AuthorId: ownerId, DebitedFunds: { Currency: 'EUR', Amount: 100 }, Fees: { Currency: 'EUR', Amount: 0 } },
  });
  expect(r.body.Status, JSON.stringify(r.body)).toBe('SUCCEEDED');
  return { refundId: r.body.Id };
}

/** A payout the sandbox settled (SUCCEEDED), which can come back. */
async function settledPayOut(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const { payOutId } = await payOut(p);
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/sandbox/payouts/${payOutId}/settle`, { token: p.token });
  expect(r.body.Status, JSON.stringify(r.body)).toBe('SUCCEEDED');
  return { payOutId };
}

/** A EUR wallet of the user (a new legal OWNER when none is given), or only its owner when `create` is false. */
async function wallet(
  p: { clientId: string; token: string; userId?: string },
  opts: { create?: boolean } = {},
): Promise<Record<string, string>> {
  const ownerId = p.userId ?? (await makeUser({ id: p.clientId } as NewClient, p.token, 'LO')).Id;
  if (opts.create === false) return { ownerId };
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/wallets`, {
    token: p.token,
    body: { Owners: [ownerId], Currency: 'EUR', Description: 'Wallet' },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { ownerId, walletId: r.body.Id };
}

/** A CREATED bank-wire pay-in into a new wallet. */
async function payIn(p: { clientId: string; token: string; userId?: string }): Promise<Record<string, string>> {
  const { ownerId, walletId } = await wallet(p);
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/payins/bankwire/direct`, {
    token: p.token,
    body: { AuthorId: ownerId, CreditedWalletId: walletId, DeclaredDebitedFunds: { Currency: 'EUR', Amount: 1000 }, DeclaredFees: { Currency: 'EUR', Amount: 10 } },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { payInId: r.body.Id };
}

/** A CREATED web card pay-in into a new wallet. */
async function webPayIn(p: { clientId: string; token: string; userId?: string }): Promise<Record<string, string>> {
  const { ownerId, walletId } = await wallet(p);
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/payins/card/web`, {
    token: p.token,
    body: {
      AuthorId: ownerId,
      CreditedWalletId: walletId,
      DebitedFunds: { Currency: 'EUR', Amount: 1000 },
      Fees: { Currency: 'EUR', Amount: 0 },
      ReturnURL: 'https://merchant.example/back',
      CardType: 'CB_VISA_MASTERCARD',
      Culture: 'EN',
    },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { payInId: r.body.Id };
}

/** A 2 KB PNG page, base64 (only the signature is read; 1 KB is the minimum of non-identity documents). */
function kycPage(): string {
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2048, 7)]).toString('base64');
}

/** A wallet and a registered card (the frictionless test card) of a new legal OWNER. */
async function cardPayer(p: { clientId: string; token: string; userId?: string }): Promise<Record<string, string>> {
  const { ownerId, walletId } = await wallet(p);
  const base = `/v2.01/${p.clientId}/cardregistrations`;
  const reg = await s.fetch('POST', base, { token: p.token, body: { UserId: ownerId, Currency: 'EUR' } });
  expect(reg.status, JSON.stringify(reg.body)).toBe(200);
  const data = await tokenize(reg.body, { number: '4970107111111119' });
  const done = await s.fetch('PUT', `${base}/${reg.body.Id}`, { token: p.token, body: { RegistrationData: data.text } });
  expect(done.body.Status, JSON.stringify(done.body)).toBe('VALIDATED');
  return { ownerId, walletId, cardId: done.body.CardId, registrationId: reg.body.Id, registrationData: data.text };
}

/** A frictionless validation of a card payer's card. */
async function cardValidation(p: { clientId: string; token: string; userId?: string }): Promise<Record<string, string>> {
  const payer = await cardPayer(p);
  const body = validationBody(payer);
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/cards/${payer.cardId}/validation`, { token: p.token, body });
  expect(r.body.Status, JSON.stringify(r.body)).toBe('SUCCEEDED');
  return { ...payer, validationId: r.body.Id };
}

/** A pre-authorization's creation body for a card payer's card (unused ids when none). */
function preauthorizationBody(p: Record<string, string>): Record<string, unknown> {
  return {
    AuthorId: p.ownerId ?? 'user_m_01JUNUSED0000000000000000',
    DebitedFunds: { Currency: 'EUR', Amount: 1000 },
    CardId: p.cardId ?? 'card_m_01JUNUSED0000000000000000',
    SecureModeReturnURL: 'https://merchant.example/back',
    BrowserInfo: {
      AcceptHeader: 'text/html',
      JavaEnabled: false,
      Language: 'EN',
      ColorDepth: 24,
      ScreenHeight: 800,
      ScreenWidth: 600,
      TimeZoneOffset: 0,
      UserAgent: 'security-test',
      JavascriptEnabled: false,
    },
    IpAddress: '192.0.2.1',
  };
}

/** A card validation's body: a pre-authorization's without its amount and card. */
function validationBody(p: Record<string, string>): Record<string, unknown> {
  return { ...preauthorizationBody(p), DebitedFunds: undefined, CardId: undefined };
}

/** A SUCCEEDED pre-authorization (WAITING, 1000 EUR) on a new card payer's card, with the payer's wallet. */
async function preauthorization(p: { clientId: string; token: string; userId?: string }): Promise<Record<string, string>> {
  const payer = await cardPayer(p);
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/preauthorizations/card/direct`, { token: p.token, body: preauthorizationBody(payer) });
  expect(r.body.Status, JSON.stringify(r.body)).toBe('SUCCEEDED');
  return { ...payer, preauthorizationId: r.body.Id };
}

/** A REGISTRATION_PROOF of the user (a new legal OWNER when none is given), with a page and submitted when asked. */
async function kycDocument(
  p: { clientId: string; token: string; userId?: string },
  opts: { page?: boolean; submit?: boolean } = {},
): Promise<Record<string, string>> {
  const userId = p.userId ?? (await makeUser({ id: p.clientId } as NewClient, p.token, 'LO')).Id;
  const base = `/v2.01/${p.clientId}/users/${userId}/kyc/documents`;
  const doc = await s.fetch('POST', base, { token: p.token, body: { Type: 'REGISTRATION_PROOF' } });
  expect(doc.status, JSON.stringify(doc.body)).toBe(200);
  if (opts.page || opts.submit) {
    const page = await s.fetch('POST', `${base}/${doc.body.Id}/pages`, { token: p.token, body: { File: kycPage() } });
    expect(page.status, JSON.stringify(page.body)).toBe(204);
  }
  if (opts.submit) {
    const submitted = await s.fetch('PUT', `${base}/${doc.body.Id}`, { token: p.token, body: { Status: 'VALIDATION_ASKED' } });
    expect(submitted.body.Status).toBe('VALIDATION_ASKED');
  }
  return { docId: doc.body.Id };
}

/** A valid creation body of each bank-account type. */
function bankAccountBody(type: 'iban' | 'gb' | 'us' | 'ca' | 'other'): Record<string, unknown> {
  const owner = { OwnerName: 'Owner Name', OwnerAddress: address() };
  return {
    iban: { ...owner, IBAN: 'FR7630004000031234567890143', BIC: 'BNPAFRPP' },
    gb: { ...owner, AccountNumber: '55779911', SortCode: '200000' },
    us: { ...owner, AccountNumber: '234234234234', ABA: '071000288' },
    ca: { ...owner, BankName: 'TestBankName', InstitutionNumber: '123', BranchCode: '12345', AccountNumber: '234234234234' },
    other: { ...owner, Country: 'FR', BIC: 'BINAADADXXX', AccountNumber: '234234234234' },
  }[type];
}

/** An IBAN account of the user. */
async function bankAccount(p: { clientId: string; token: string; userId?: string }): Promise<Record<string, string>> {
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/users/${p.userId}/bankaccounts/iban`, { token: p.token, body: bankAccountBody('iban') });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { bankAccountId: r.body.Id };
}

/** The client's own IBAN account. */
async function clientBankAccount(p: { clientId: string; token: string }): Promise<Record<string, string>> {
  const r = await s.fetch('POST', `/v2.01/${p.clientId}/clients/bankaccounts/iban`, { token: p.token, body: bankAccountBody('iban') });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return { bankAccountId: r.body.Id };
}

const PREFIX = '/v2.01/:clientId';

function registeredRoutes(app: FastifyInstance): string[] {
  return routerRoutes(app).map((r) => `${r.method} ${r.path}`);
}

const key = (r: Route) => `${r.method} ${r.path}`;

let s: TestServer;
let A: NewClient;
let B: NewClient;
let C: NewClient;
let tokenA: string;
let tokenB: string;
let tokenC: string;
let expiredA: string;
/** Client A's users, created once; nothing B does may change them. */
const usersA = {} as Record<Fixture, any>;
let eventsA: any[];

const basic = (c: { id: string; apiKey: string }) => `Basic ${Buffer.from(`${c.id}:${c.apiKey}`).toString('base64')}`;

async function requestToken(server: TestServer, c: { id: string; apiKey: string }, opts: CallOptions = {}): Promise<Reply> {
  return server.fetch('POST', '/v2.01/oauth/token', {
    raw: 'grant_type=client_credentials',
    contentType: 'application/x-www-form-urlencoded',
    ...opts,
    headers: { authorization: basic(c), ...opts.headers },
  });
}

/** Creates one user of the given fixture kind for a client. */
async function makeUser(client: NewClient, token: string, kind: Fixture): Promise<any> {
  const [path, body] = {
    LP: ['/sca/users/legal', legalPayer()],
    NP: ['/sca/users/natural', naturalPayer()],
    LO: ['/sca/users/legal', legalOwner()],
    NO: ['/sca/users/natural', naturalOwner()],
  }[kind] as [string, unknown];
  const r = await s.fetch('POST', `/v2.01/${client.id}${path}`, { token, body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

function pathFor(route: Route, clientId: string, userId?: string, params: Record<string, string> = {}): string {
  const path = route.path
    .replace(':id', userId ?? 'user_m_01JUNUSED0000000000000000')
    .replace(/:(\w+)/g, (_m, name: string) => params[name] ?? 'unused_m_01JUNUSED0000000000000000');
  return `/v2.01/${clientId}${path}${route.query ? `?${route.query}` : ''}`;
}

function send(route: Route, clientId: string, opts: CallOptions & { userId?: string; params?: Record<string, string> }): Promise<Reply> {
  return s.fetch(route.method, pathFor(route, clientId, opts.userId, opts.params), { ...opts, body: route.body?.(opts.params ?? {}) });
}

beforeAll(async () => {
  // Legacy endpoints allowed so that they reach their user lookups like every other route.
  s = await startServer({ env: { MANGROVE_LEGACY_USERS: 'allow', MANGROVE_TOKEN_TTL: '1200' } });
  A = s.client;
  B = await s.newClient();
  C = await s.newClient();
  [tokenA, tokenB, tokenC] = await Promise.all([s.tokenFor(A), s.tokenFor(B), s.tokenFor(C)]);
  const expired = await requestToken(s, A);
  expiredA = expired.body.access_token;
  await s.db.query('UPDATE api_tokens SET expires_at = $2 WHERE token_hash = $1', [hashToken(expiredA), Math.floor(Date.now() / 1000) - 1]);
  for (const kind of ['LP', 'NP', 'LO', 'NO'] as Fixture[]) usersA[kind] = await makeUser(A, tokenA, kind);
  eventsA = (await s.call('GET', '/events?per_page=100')).body;
  expect(eventsA.length).toBeGreaterThan(0);
});
afterAll(() => s?.close());

describe('the route table', () => {
  it('lists every route served under /v2.01/{ClientId}, and only those', () => {
    const served = registeredRoutes(s.app)
      .filter((r) => r.split(' ')[1].startsWith(`${PREFIX}/`))
      .map((r) => r.replace(PREFIX, ''))
      .sort();
    expect(served.length).toBeGreaterThan(10);
    expect(ROUTES.map(key).sort()).toEqual(served);
  });

  // Without this, a refusal below could come from a wrong body instead of from auth or isolation.
  it.each(ROUTES.map((r) => [key(r), r] as const))('%s answers 200 to its own client', async (_name, route) => {
    const user = route.user ? await makeUser(C, tokenC, route.user) : undefined;
    const params = await route.prepare?.({ clientId: C.id, token: tokenC, userId: user?.Id });
    const r = await send(route, C.id, { token: tokenC, userId: user?.Id, params });
    expect(r.status, JSON.stringify(r.body)).toBe(route.status ?? 200);
  });
});

describe.each(ROUTES.map((r) => [key(r), r] as const))('%s', (_name, route) => {
  it('refuses a call without Authorization', async () => {
    const r = await send(route, A.id, { userId: usersA[route.user ?? 'LO'].Id });
    expectApiError(r, 401, 'invalid_credentials');
    expect(r.headers.get('X-RateLimit')).toBeNull();
  });

  it('refuses a malformed Authorization header', async () => {
    for (const header of [
      'Bearer',
      `Bearer ${tokenA} extra`,
      tokenA,
      `Token ${tokenA}`,
      basic(A),
      `Bearer "${tokenA}"`,
    ]) {
      const r = await send(route, A.id, { headers: { authorization: header }, userId: usersA[route.user ?? 'LO'].Id });
      expectApiError(r, 401, 'invalid_credentials');
    }
  });

  it('refuses an unknown token', async () => {
    const r = await send(route, A.id, { token: randomBytes(20).toString('hex'), userId: usersA[route.user ?? 'LO'].Id });
    expectApiError(r, 401, 'invalid_credentials');
  });

  it('refuses an expired token', async () => {
    const r = await send(route, A.id, { token: expiredA, userId: usersA[route.user ?? 'LO'].Id });
    expectApiError(r, 401, 'invalid_credentials');
  });

  it("refuses client B's token on client A's path", async () => {
    const r = await send(route, A.id, { token: tokenB, userId: usersA[route.user ?? 'LO'].Id });
    expectApiError(r, 401, 'invalid_credentials');
    // The caller is known, so the call is counted and the headers tell it so.
    rateLimitHeaders(r);
  });

  if (route.user) {
    it("answers 404 to client B asking on its own path for client A's user", async () => {
      const victim = usersA[route.user!];
      const r = await send(route, B.id, { token: tokenB, userId: victim.Id });
      expectApiError(r, 404, 'ressource_not_found');
      expect(r.body.errors.RessourceNotFound).toContain(victim.Id);
      const text = JSON.stringify(r.body);
      for (const secret of [victim.Email, victim.Name, victim.FirstName, victim.LastName].filter(Boolean)) {
        expect(text).not.toContain(secret);
      }
    });
  }
});

describe("client A's data as seen by client B", () => {
  it("GET /users of B lists B's users only", async () => {
    const own = await makeUser(B, tokenB, 'NP');
    const r = await s.fetch('GET', `/v2.01/${B.id}/users?per_page=100`, { token: tokenB });
    expect(r.status).toBe(200);
    const ids = r.body.map((u: any) => u.Id);
    expect(ids).toContain(own.Id);
    for (const u of Object.values(usersA)) expect(ids).not.toContain(u.Id);
    expect(Number(r.headers.get('X-Number-Of-Items'))).toBe(ids.length);
  });

  it("GET /events of B shows none of A's events", async () => {
    await makeUser(B, tokenB, 'LO');
    const r = await s.fetch('GET', `/v2.01/${B.id}/events?per_page=100`, { token: tokenB });
    expect(r.status).toBe(200);
    expect(r.body.length).toBeGreaterThan(0);
    const mine = new Set(Object.values(usersA).map((u) => u.Id));
    for (const e of r.body) expect(mine.has(e.ResourceId)).toBe(false);
    const filtered = await s.fetch('GET', `/v2.01/${B.id}/events?EventType=USER_ACCOUNT_VALIDATION_ASKED&per_page=100`, { token: tokenB });
    for (const e of filtered.body) expect(mine.has(e.ResourceId)).toBe(false);
  });

  it("leaves A's users and events exactly as they were after everything B tried", async () => {
    for (const u of Object.values(usersA)) {
      const r = await s.call('GET', `/sca/users/${u.Id}`);
      expect(r.status).toBe(200);
      const { PendingUserAction: _p, ...now } = r.body;
      const { PendingUserAction: _q, ...before } = u;
      expect(now).toEqual(before);
    }
    const events = await s.call('GET', '/events?per_page=100');
    expect(events.body).toEqual(eventsA);
  });
});

describe('POST /v2.01/oauth/token', () => {
  it('issues a Bearer token with expires_in = MANGROVE_TOKEN_TTL', async () => {
    const r = await requestToken(s, A);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 1200 });
    const [row] = await s.db.query<{ created_at: number; expires_at: number }>(
      'SELECT created_at, expires_at FROM api_tokens WHERE token_hash = $1',
      [hashToken(r.body.access_token)],
    );
    expect(Number(row.expires_at) - Number(row.created_at)).toBe(1200);
  });

  it('issues a different token on each call, each of which works', async () => {
    const [r1, r2] = [await requestToken(s, A), await requestToken(s, A)];
    expect(r1.body.access_token).not.toBe(r2.body.access_token);
    for (const r of [r1, r2]) expect((await s.call('GET', '/users', { token: r.body.access_token })).status).toBe(200);
  });

  it('refuses a wrong API key with invalid_client', async () => {
    const r = await requestToken(s, { id: A.id, apiKey: `${A.apiKey}x` });
    expectApiError(r, 401, 'invalid_credentials');
    expect(r.body.error).toBe('invalid_client');
    // Ruby's suite compares its error message, built from Message and errors, with "invalid_client".
    expect(r.body).toMatchObject({ Message: 'invalid_client', errors: null, error_description: 'Unknown ClientId or wrong API key' });
  });

  it("refuses another client's key", async () => {
    const r = await requestToken(s, { id: A.id, apiKey: B.apiKey });
    expectApiError(r, 401, 'invalid_credentials');
    expect(r.body.error).toBe('invalid_client');
  });

  it('refuses an unknown client, and a client id no client can have', async () => {
    for (const id of ['mgv_nobody', 'a\u0000b', 'oauth', '../x']) {
      const r = await requestToken(s, { id, apiKey: A.apiKey });
      expectApiError(r, 401, 'invalid_credentials');
      expect(r.body.error).toBe('invalid_client');
    }
  });

  it('refuses a request without Basic credentials', async () => {
    for (const authorization of ['', `Bearer ${tokenA}`, 'Basic', 'Basic !!!', `Basic ${Buffer.from(A.id).toString('base64')}`]) {
      const r = await s.fetch('POST', '/v2.01/oauth/token', {
        raw: 'grant_type=client_credentials',
        contentType: 'application/x-www-form-urlencoded',
        headers: authorization ? { authorization } : {},
      });
      expectApiError(r, 401, 'invalid_credentials');
      expect(r.body.error).toBe('invalid_client');
    }
  });

  it('refuses another grant_type, or none', async () => {
    for (const raw of ['grant_type=password', 'grant_type=', '']) {
      const r = await requestToken(s, A, { raw });
      expectApiError(r, 400, 'param_error');
      expect(r.body.error).toBe('unsupported_grant_type');
      expect(r.body.errors).toHaveProperty('grant_type');
    }
  });

  it('matches its path case-insensitively and with a trailing slash', async () => {
    for (const path of ['/V2.01/OAuth/Token', '/v2.01/oauth/token/']) {
      const r = await s.fetch('POST', path, {
        raw: 'grant_type=client_credentials',
        contentType: 'application/x-www-form-urlencoded',
        headers: { authorization: basic(A) },
      });
      expect(r.status, path).toBe(200);
    }
  });

  it('accepts the grant as a JSON body', async () => {
    const r = await requestToken(s, A, { raw: JSON.stringify({ grant_type: 'client_credentials' }), contentType: 'application/json' });
    expect(r.status).toBe(200);
    expect(r.body.token_type).toBe('Bearer');
    expect((await s.call('GET', '/users', { token: r.body.access_token })).status).toBe(200);
  });

  it('never asks for a TTL the SDKs would loop on', () => {
    expect(() => loadConfig({ MANGROVE_TOKEN_TTL: '60' })).toThrow(/MANGROVE_TOKEN_TTL/);
    expect(loadConfig({}).tokenTtl).toBe(3600);
  });

  it('answers 429 with the reason and Retry-After past MANGROVE_TOKEN_BUDGET', async () => {
    const budget = await startServer({ db: s.db, keepDb: true, env: { MANGROVE_TOKEN_BUDGET: '3', MANGROVE_TOKEN_BUDGET_WINDOW: '86400' } });
    try {
      const c = budget.client;
      const issued: string[] = [];
      for (let i = 0; i < 3; i++) {
        const ok = await requestToken(budget, c);
        expect(ok.status).toBe(200);
        issued.push(ok.body.access_token);
      }
      const r = await requestToken(budget, c);
      expectApiError(r, 429, 'rate_limit');
      expect(r.body.Message).toMatch(/token requests/i);
      expect(r.body.Message).toMatch(/\b3\b/);
      expect(r.body.Message).toMatch(/reuse/i);
      const retryAfter = Number(r.headers.get('Retry-After'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(86400);
      // The budget is per client, and the tokens already issued keep working.
      expect((await requestToken(budget, await budget.newClient())).status).toBe(200);
      expect((await budget.call('GET', '/users', { token: issued[0] })).status).toBe(200);
      expectApiError(await requestToken(budget, c), 429, 'rate_limit');
    } finally {
      await budget.close();
    }
  });
});

describe('credentials at rest', () => {
  it('stores the API key only as a salted hash', async () => {
    const rows = await s.db.query<{ id: string; api_key_hash: string }>('SELECT id, api_key_hash FROM clients WHERE id = ANY($1)', [
      [A.id, B.id],
    ]);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const apiKey = row.id === A.id ? A.apiKey : B.apiKey;
      expect(row.api_key_hash).not.toBe(apiKey);
      expect(row.api_key_hash).not.toContain(apiKey);
      expect(row.api_key_hash).toMatch(/^scrypt\$/);
    }
    expect(rows[0].api_key_hash.split('$')[1]).not.toBe(rows[1].api_key_hash.split('$')[1]);
  });

  it('stores bearer tokens only as hashes', async () => {
    const rows = await s.db.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE client_id = $1', [A.id]);
    const hashes = rows.map((r) => r.token_hash);
    expect(hashes).toContain(hashToken(tokenA));
    expect(hashes).not.toContain(tokenA);
  });
});

/** A UBO declaration of the user (a new legal OWNER when none is given), with one UBO and submitted when asked. */
async function uboDeclaration(
  p: { clientId: string; token: string; userId?: string },
  opts: { ubo?: boolean; submit?: boolean } = {},
): Promise<Record<string, string>> {
  const userId = p.userId ?? (await makeUser({ id: p.clientId } as NewClient, p.token, 'LO')).Id;
  const base = `/v2.01/${p.clientId}/users/${userId}/kyc/ubodeclarations`;
  const decl = await s.fetch('POST', base, { token: p.token });
  expect(decl.status, JSON.stringify(decl.body)).toBe(200);
  const params: Record<string, string> = { declarationId: decl.body.Id };
  if (opts.ubo || opts.submit) {
    const added = await s.fetch('POST', `${base}/${decl.body.Id}/ubos`, { token: p.token, body: ubo() });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    params.uboId = added.body.Id;
  }
  if (opts.submit) {
    const submitted = await s.fetch('PUT', `${base}/${decl.body.Id}`, { token: p.token, body: { Status: 'VALIDATION_ASKED' } });
    expect(submitted.body.Status).toBe('VALIDATION_ASKED');
  }
  return params;
}
