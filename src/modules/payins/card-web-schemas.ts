import { MoneyField } from '../../ledger/money.js';
import { Body, Enum, NullableStr, Reply, Str, Type, type Static } from '../../lib/schema.js';
import { CARD_TYPES } from '../cards/model.js';
import { BillingField, PartyReply, ReturnUrlField, SecureModeField, ShippingField, StatementDescriptorField } from '../cards/payment.js';
import { TransactionFields } from '../transactions/schemas.js';

const MAX_TEXT = 255;

/** The languages of the hosted payment page (reference notes §4). */
export const CULTURES = ['CS', 'DA', 'DE', 'EL', 'EN', 'ES', 'FI', 'FR', 'HU', 'IT', 'NL', 'NO', 'PL', 'PT', 'SK', 'SV'] as const;
export type Culture = (typeof CULTURES)[number];

/**
 * `POST /payins/card/web`. The SDKs send CardType, ReturnURL, SecureMode and Culture flat and again nested
 * (PaymentDetails, ExecutionDetails), with a TemplateURL: the flat ones are read, the rest is dropped as unknown.
 */
export const CardWebPayInCreate = Body(
  {
    AuthorId: Str({ maxLength: MAX_TEXT, description: "The credited wallet's owner" }),
    CreditedUserId: Type.Optional(Str({ maxLength: MAX_TEXT, description: "The credited wallet's owner, checked when given" })),
    DebitedFunds: MoneyField(1, { description: 'What the card is charged' }),
    Fees: MoneyField(0, { description: "Taken out of DebitedFunds, for the client's fee wallet" }),
    CreditedWalletId: Str({ maxLength: MAX_TEXT }),
    ReturnURL: ReturnUrlField(220),
    CardType: Enum(CARD_TYPES, { description: CARD_TYPES.join(', ') }),
    Culture: Enum(CULTURES, {
      description: 'The language of the payment page, in any case (returned upper-case)',
      messages: { enum: `The Culture must be one of ${CULTURES.join(', ')}.` },
    }),
    SecureMode: Type.Optional(SecureModeField),
    Billing: Type.Optional(BillingField),
    Shipping: Type.Optional(ShippingField),
    StatementDescriptor: Type.Optional(StatementDescriptorField),
    TemplateURLOptions: Type.Optional(
      Type.Object(
        {
          PaylineV2: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
          Payline: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
        },
        { description: 'Deprecated: accepted and not used' },
      ),
    ),
    ProfilingAttemptReference: Type.Optional(Str({ maxLength: MAX_TEXT })),
    Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  },
  { required: ['AuthorId', 'DebitedFunds', 'Fees', 'CreditedWalletId', 'ReturnURL', 'CardType', 'Culture'] },
);
export type CardWebPayInCreate = Static<typeof CardWebPayInCreate>;

/** The web card pay-in, in Mangopay's key order (reference notes §4). */
export const CardWebPayInReply = Reply(
  {
    ...TransactionFields,
    PaymentType: Str(),
    ExecutionType: Str(),
    RedirectURL: NullableStr({ description: 'The hosted payment page (null once the pay-in is decided)' }),
    ReturnURL: Str({ description: 'Where the payer is sent back, with ?transactionId=' }),
    TemplateURL: NullableStr(),
    CardType: Str(),
    Culture: Str(),
    SecureMode: Str(),
    Billing: PartyReply,
    Shipping: PartyReply,
    StatementDescriptor: NullableStr(),
    BankName: NullableStr(),
  },
  { title: 'PayInCardWeb', description: 'A web card pay-in (the payer pays on the hosted payment page)' },
);
export type CardWebPayInReply = Static<typeof CardWebPayInReply>;

/** `GET /payins/card/web/{Id}/extended`: the card the payer used (nulls until one was used). */
export const CardWebExtendedReply = Reply(
  {
    Id: Str(),
    PaymentType: Str(),
    ExecutionType: Str(),
    ExpirationDate: NullableStr({ description: 'MMYY' }),
    Alias: NullableStr(),
    CardType: NullableStr(),
    Country: NullableStr({ description: 'ISO 3166-1 alpha-3' }),
    Fingerprint: NullableStr(),
  },
  { title: 'PayInCardWebExtended' },
);
export type CardWebExtendedReply = Static<typeof CardWebExtendedReply>;
