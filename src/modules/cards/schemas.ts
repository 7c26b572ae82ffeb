import { CurrencyField } from '../../ledger/money.js';
import { Body, Bool, Enum, NullableInt, NullableStr, PagingQuery, Reply, SortField, Str, Type, type Static } from '../../lib/schema.js';
import { CARD_TYPES } from './model.js';
import {
  BrowserInfoField,
  BrowserInfoReply,
  CardInfoReply,
  IpAddressField,
  PAYMENT_CATEGORIES,
  PREFERRED_NETWORKS,
  ReturnUrlField,
  SecureModeField,
} from './payment.js';

const MAX_TEXT = 255;
const HOLDER_NAME = Str({
  minLength: 2,
  maxLength: MAX_TEXT,
  messages: {
    minLength: 'The field CardHolderName must be between 2 and 255 characters long.',
    maxLength: 'The field CardHolderName must be between 2 and 255 characters long.',
  },
  description: "The cardholder's name (2 to 255 characters; the first 45 reach the card network)",
});

// ---- Card registrations ----

export const RegistrationParams = Type.Object({ registrationId: Str({ description: 'The card registration id' }) });

export const CardRegistrationCreate = Body({
  UserId: Str({ maxLength: MAX_TEXT, description: 'The user the card will belong to' }),
  Currency: CurrencyField({ description: 'The currency the card will pay in' }),
  CardType: Type.Optional(Enum(CARD_TYPES, { description: 'CB_VISA_MASTERCARD (default), AMEX, MAESTRO or BCMC' })),
  Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT, description: 'Inherited by the card' })),
});
export type CardRegistrationCreate = Static<typeof CardRegistrationCreate>;

/** The SDKs send the whole registration back, with a nested `data`: only these two properties are read. */
export const CardRegistrationUpdate = Body({
  RegistrationData: Str({ description: 'The answer of the CardRegistrationURL, sent unchanged (`data=…` or `errorCode=…`)' }),
  CardHolderName: Type.Optional(HOLDER_NAME),
});
export type CardRegistrationUpdate = Static<typeof CardRegistrationUpdate>;

export const CardRegistrationReply = Reply(
  {
    Id: Str(),
    Tag: NullableStr(),
    CreationDate: Type.Integer(),
    UserId: Str(),
    AccessKey: Str(),
    PreregistrationData: Str(),
    RegistrationData: NullableStr(),
    CardId: NullableStr(),
    CardType: Str(),
    CardRegistrationURL: Str(),
    ResultCode: NullableStr(),
    ResultMessage: NullableStr(),
    Currency: Str(),
    Status: Str(),
  },
  { title: 'CardRegistration', description: 'A card registration: the steps that turn card details into a Card' },
);
export type CardRegistrationReply = Static<typeof CardRegistrationReply>;

/** The tokenizer's form (reference notes §1.3), read by its route: names in any case, `accessKey` for `accessKeyRef`. */
export const TokenizeForm = {
  content: {
    'application/x-www-form-urlencoded': {
      schema: Type.Object({
        data: Type.Optional(Str({ description: "The registration's PreregistrationData" })),
        accessKeyRef: Type.Optional(Str({ description: "The registration's AccessKey (also read as accessKey)" })),
        cardNumber: Type.Optional(Str({ description: 'The card number, digits only' })),
        cardExpirationDate: Type.Optional(Str({ description: 'MMYY' })),
        cardCvx: Type.Optional(Str({ description: 'The CVC: 3 digits, 3 or 4 for AMEX' })),
      }),
    },
  },
};
export const TokenizeParams = Type.Object({ registrationId: Str({ description: 'The card registration id' }) });
export const TOKENIZER_TEXT = {
  description: '`data=<token>` or `errorCode=<5 digits>`, as plain text (never JSON)',
  content: { 'text/plain': { schema: { type: 'string' } } },
};

// ---- Cards ----

export const CardParams = Type.Object({ cardId: Str({ description: 'The card id' }) });
export const FingerprintParams = Type.Object({ fingerprint: Str({ description: "The card number's fingerprint (32 hex characters)" }) });

export const CardUpdate = Body({
  Active: Type.Optional(Bool({ description: 'false deactivates the card, for good' })),
  CardHolderName: Type.Optional(HOLDER_NAME),
});
export type CardUpdate = Static<typeof CardUpdate>;

export const CardListQuery = Type.Object({
  ...PagingQuery,
  Sort: Type.Optional(SortField(['CreationDate'])),
  Active: Type.Optional(Bool({ description: 'Only the active (true) or deactivated (false) cards' })),
});
export type CardListQuery = Static<typeof CardListQuery>;

export const FingerprintListQuery = Type.Object({ ...PagingQuery, Sort: Type.Optional(SortField(['CreationDate'])) });
export type FingerprintListQuery = Static<typeof FingerprintListQuery>;

export const CardReply = Reply(
  {
    ExpirationDate: Str(),
    Alias: Str(),
    CardType: Str(),
    CardProvider: Str(),
    Country: NullableStr(),
    Product: NullableStr(),
    BankCode: NullableStr(),
    Active: Type.Boolean(),
    Currency: Str(),
    Validity: Str(),
    UserId: Str(),
    Id: Str(),
    Tag: NullableStr(),
    CreationDate: Type.Integer(),
    Fingerprint: Str(),
    CardHolderName: NullableStr(),
  },
  { title: 'Card', description: 'A registered card (never its number: a masked alias and a fingerprint)' },
);
export type CardReply = Static<typeof CardReply>;

// ---- Card validations ----

export const VALIDATION_USAGES = ['MIT', 'CIT'] as const;

export const ValidationParams = Type.Object({
  cardId: Str({ description: 'The card id' }),
  validationId: Str({ description: 'The card validation id' }),
});

export const CardValidationCreate = Body({
  AuthorId: Str({ maxLength: MAX_TEXT, description: "The card's owner" }),
  SecureModeReturnURL: ReturnUrlField(),
  IpAddress: IpAddressField,
  BrowserInfo: BrowserInfoField,
  Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  SecureMode: Type.Optional(SecureModeField),
  PreferredCardNetwork: Type.Optional(Enum(PREFERRED_NETWORKS)),
  // Mixed case, so matched exactly (Enum upper-cases what it reads).
  PaymentCategory: Type.Optional(Type.Unsafe<(typeof PAYMENT_CATEGORIES)[number]>({ type: 'string', enum: [...PAYMENT_CATEGORIES] })),
  ValidationUsage: Type.Optional(Enum(VALIDATION_USAGES, { description: 'MIT (default) or CIT' })),
  ProfilingAttemptReference: Type.Optional(Str({ maxLength: MAX_TEXT, description: 'Never returned' })),
});
export type CardValidationCreate = Static<typeof CardValidationCreate>;

export const CardValidationReply = Reply(
  {
    Id: Str(),
    AuthorId: Str(),
    Status: Str(),
    SecureModeReturnURL: Str(),
    SecureModeRedirectURL: NullableStr(),
    SecureModeNeeded: Type.Boolean(),
    IpAddress: NullableStr(),
    BrowserInfo: BrowserInfoReply,
    PreferredCardNetwork: NullableStr(),
    SecureMode: Str(),
    PaymentCategory: Str(),
    ValidationUsage: Str(),
    Validity: Str(),
    CreationDate: Type.Integer(),
    AuthorizationDate: NullableInt(),
    Type: Str(),
    Applied3DSVersion: NullableStr(),
    ResultCode: NullableStr(),
    ResultMessage: NullableStr(),
    Tag: NullableStr(),
    CardInfo: CardInfoReply,
  },
  { title: 'CardValidation', description: "A card's authentication without a debit" },
);
export type CardValidationReply = Static<typeof CardValidationReply>;
