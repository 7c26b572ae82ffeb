import { CurrencyField } from '../../ledger/money.js';
import { Body, Bool, Country, Enum, Int, NullableStr, OrNull, PagingQuery, Reply, SortField, Str, Type, type Static } from '../../lib/schema.js';
import { VerificationOfPayeeReply } from '../bankaccounts/schemas.js';
import { SCA_CONTEXTS } from '../users/sca-auth.js';
import { AddressBody, AddressReply } from '../users/schemas.js';
import { LOCAL_CURRENCIES, PAYOUT_METHOD_TYPES, RECIPIENT_SCOPES, RECIPIENT_STATUSES, RECIPIENT_TYPES } from './rules.js';

/*
 * The wire shapes of recipients. Which account fields a currency's local rail takes, their formats, the
 * holder a RecipientType needs and the country a recipient reaches depend on each other: rules.ts judges
 * them on these types (checkRecipient).
 */

const TEXT = 255;

export { UserParams } from '../../lib/schema.js';
export const RecipientParams = Type.Object({ recipientId: Str({ description: "The recipient's (or a legacy bank account's) id" }) });

const Spelled = (values: readonly string[]) => Str({ description: `${values.join(' or ')} (any case)` });
const Name = () => Str({ maxLength: TEXT });

const holderAddress = AddressBody({ postalCode: 'optional', description: "The holder's address (PostalCode optional)" });

const AccountFields = Body({
  IBAN: Type.Optional(Str({ description: 'Spaces and case are ignored' })),
  BIC: Type.Optional(Str()),
  AccountNumber: Type.Optional(Str()),
  SortCode: Type.Optional(Str()),
  ABA: Type.Optional(Str()),
  AccountType: Type.Optional(Str({ description: 'CHECKING or SAVINGS' })),
  InstitutionNumber: Type.Optional(Str()),
  BranchCode: Type.Optional(Str()),
});
export type AccountFields = Static<typeof AccountFields>;

export const RecipientCreate = Body(
  {
    DisplayName: Name(),
    PayoutMethodType: Spelled(PAYOUT_METHOD_TYPES),
    RecipientType: Spelled(RECIPIENT_TYPES),
    Currency: CurrencyField(),
    Country: Type.Optional(Country({ description: "The rail's country when absent: a local rail's own, or the IBAN's" })),
    RecipientScope: Type.Optional(Enum(RECIPIENT_SCOPES, { description: 'PAYOUT when absent' })),
    ScaContext: Type.Optional(
      Enum(SCA_CONTEXTS, { description: 'USER_PRESENT (default for PAYOUT) or USER_NOT_PRESENT', messages: { enum: `ScaContext must be one of: ${SCA_CONTEXTS.join(', ')}.` } }),
    ),
    Tag: Type.Optional(NullableStr({ maxLength: TEXT })),
    IndividualRecipient: Type.Optional(
      Body({ FirstName: Name(), LastName: Name(), Address: holderAddress }, { description: 'Required for RecipientType Individual' }),
    ),
    BusinessRecipient: Type.Optional(Body({ BusinessName: Name(), Address: holderAddress }, { description: 'Required for RecipientType Business' })),
    LocalBankTransfer: Type.Optional(
      Type.Unsafe<Partial<Record<string, AccountFields>>>(
        Body(Object.fromEntries(LOCAL_CURRENCIES.map((c) => [c, Type.Optional(AccountFields)])), {
          description: 'The account under its currency, like {"EUR": {"IBAN": ...}} (see GET /recipients/schema)',
        }),
      ),
    ),
    InternationalBankTransfer: Type.Optional(Body({ IBAN: Type.Optional(Str()), AccountNumber: Type.Optional(Str()), BIC: Type.Optional(Str()) })),
  },
  { required: ['DisplayName', 'PayoutMethodType', 'RecipientType', 'Currency'] },
);
export type RecipientCreate = Static<typeof RecipientCreate>;

/** The endpoint only deactivates: older Ruby SDKs send an empty body, the others Status DEACTIVATED. */
export const RecipientUpdate = Body({ Status: Type.Optional(Str({ description: 'DEACTIVATED' })) });
export type RecipientUpdate = Static<typeof RecipientUpdate>;

export const RecipientListQuery = Type.Object({
  ...PagingQuery,
  Sort: Type.Optional(SortField(['CreationDate'])),
  RecipientScope: Type.Optional(Enum([...RECIPIENT_SCOPES, 'ALL'] as const, { description: 'PAYOUT when absent; ALL lifts the filter' })),
  Status: Type.Optional(Enum(RECIPIENT_STATUSES)),
});
export type RecipientListQuery = Static<typeof RecipientListQuery>;

export const SchemaQuery = Type.Object(
  {
    payoutMethodType: Spelled(PAYOUT_METHOD_TYPES),
    recipientType: Spelled(RECIPIENT_TYPES),
    currency: CurrencyField(),
    country: Type.Optional(Country({ description: 'Optional: older SDKs send none' })),
  },
  { required: ['payoutMethodType', 'recipientType', 'currency'] },
);
export type SchemaQuery = Static<typeof SchemaQuery>;

export const PayoutMethodsQuery = Type.Object({ country: Country(), currency: CurrencyField() }, { required: ['country', 'currency'] });
export type PayoutMethodsQuery = Static<typeof PayoutMethodsQuery>;

// ---- Replies ----

const NStr = () => NullableStr();

/** A map of account fields (a legacy account may show some as null). */
const FieldMap = { type: 'object', additionalProperties: { type: ['string', 'null'] } };

export const RecipientReply = Reply(
  {
    ScaContext: NStr(),
    Id: Str(),
    Status: Enum(RECIPIENT_STATUSES),
    CreationDate: Type.Integer(),
    DisplayName: NStr(),
    PayoutMethodType: Str(),
    RecipientType: Str(),
    Currency: NStr(),
    Country: NStr(),
    UserId: Str(),
    RecipientScope: Str(),
    Tag: NStr(),
    IndividualRecipient: OrNull(Reply({ FirstName: NStr(), LastName: NStr(), Address: OrNull(AddressReply) })),
    BusinessRecipient: OrNull(Reply({ BusinessName: NStr(), Address: OrNull(AddressReply) })),
    LocalBankTransfer: Type.Unsafe<Record<string, Record<string, unknown>> | null>({
      type: ['object', 'null'],
      additionalProperties: FieldMap,
      description: 'The account under its currency',
    }),
    InternationalBankTransfer: Type.Unsafe<Record<string, unknown> | null>({ ...FieldMap, type: ['object', 'null'] }),
    PendingUserAction: OrNull(Reply({ RedirectUrl: Str() })),
    RecipientVerificationOfPayee: VerificationOfPayeeReply,
  },
  { title: 'Recipient' },
);
export type RecipientReply = Static<typeof RecipientReply>;

export const RecipientSummaryReply = Reply(
  {
    Id: Str(),
    CreationDate: Type.Integer(),
    DisplayName: NStr(),
    PayoutMethodType: Str(),
    RecipientType: Str(),
    Currency: NStr(),
    Country: NStr(),
    UserId: Str(),
    Status: Enum(RECIPIENT_STATUSES),
    RecipientScope: Str(),
  },
  { title: 'RecipientSummary', description: 'A row of GET /users/{Id}/recipients' },
);
export type RecipientSummaryReply = Static<typeof RecipientSummaryReply>;

/** How Mangopay describes one field of a combination. */
const FieldDescription = Reply(
  {
    Required: Bool(),
    MaxLength: Int(),
    MinLength: Int(),
    Pattern: NStr(),
    AllowedValues: OrNull(Type.Array(Str())),
    Label: Str(),
    EndUserDisplay: Str(),
  },
  { title: 'RecipientFieldDescription' },
);
const Fields = Type.Unsafe<Record<string, Static<typeof FieldDescription>>>({ type: 'object', additionalProperties: FieldDescription });

/** GET /recipients/schema: only the keys of the asked payout method and recipient type are present, as on Mangopay. */
export const RecipientSchemaReply = Reply(
  {
    DisplayName: FieldDescription,
    Currency: FieldDescription,
    Country: FieldDescription,
    RecipientType: FieldDescription,
    PayoutMethodType: FieldDescription,
    RecipientScope: FieldDescription,
    Tag: FieldDescription,
    LocalBankTransfer: Type.Optional(Type.Unsafe<Record<string, Record<string, Static<typeof FieldDescription>>>>({ type: 'object', additionalProperties: Fields })),
    InternationalBankTransfer: Type.Optional(Fields),
    IndividualRecipient: Type.Optional(Reply({ FirstName: FieldDescription, LastName: FieldDescription, Address: Fields })),
    BusinessRecipient: Type.Optional(Reply({ BusinessName: FieldDescription, Address: Fields })),
  },
  { title: 'RecipientSchema' },
);
export type RecipientSchemaReply = Static<typeof RecipientSchemaReply>;

export const PayoutMethodsReply = Reply({ AvailablePayoutMethods: Type.Array(Enum(PAYOUT_METHOD_TYPES)) }, { title: 'PayoutMethods' });
