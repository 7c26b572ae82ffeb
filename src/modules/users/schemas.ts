import {
  Body,
  Bool,
  Country,
  Email,
  Enum,
  Int,
  NullableStr,
  OrNull,
  PagingQuery,
  Reply,
  Str,
  Type,
  type Static,
  type TSchema,
} from '../../lib/schema.js';
import { LEGAL_PERSON_TYPES } from './model.js';

/*
 * The wire shapes of users: the SCA objects, the deprecated flat ("legacy") objects of the seed, the
 * category change, the SCA steps, the list and the company-number check. Rules a schema cannot say (a
 * field required by the category, a Region for US/CA/MX, spaces that do not fill a field, phone formats)
 * are in rules.ts, on these types.
 */

const TEXT = 255;
const NAME = 100;
const SCA_CONTEXTS = ['USER_PRESENT', 'USER_NOT_PRESENT'] as const;

export { UserParams } from '../../lib/schema.js';
import { UserParams } from '../../lib/schema.js';
export type UserParams = Static<typeof UserParams>;

/** A string the caller clears by sending "" (null means "not sent"); "" reaches the rules as "". */
function Clearable(maxLength: number, description?: string) {
  return Str({ maxLength, 'x-empty': 'keep', ...(description ? { description } : {}) });
}

/**
 * A name that is always required: "" clears it, which its rules refuse with the required message
 * (minLength says so), and the length message names both bounds as the hand-written parser did.
 */
function RequiredName(description?: string) {
  return Str({
    minLength: 1,
    maxLength: NAME,
    'x-empty': 'keep',
    messages: { minLength: 'The {name} field is required.' },
    ...(description ? { description } : {}),
  });
}

function LongName(description?: string) {
  return Str({
    minLength: 1,
    maxLength: TEXT,
    'x-empty': 'keep',
    messages: { minLength: 'The {name} field is required.', maxLength: `The field {name} must be a string with a maximum length of ${TEXT}.` },
    ...(description ? { description } : {}),
  });
}

const POSTAL_CODE_PATTERN = '^[A-Za-z0-9 -]+$';

function addressProperties(postalCode: boolean) {
  return {
    AddressLine1: Str({ maxLength: TEXT }),
    AddressLine2: Type.Optional(Str({ maxLength: TEXT })),
    City: Str({ maxLength: TEXT }),
    Region: Type.Optional(Str({ maxLength: TEXT, description: 'Required for US, CA and MX' })),
    PostalCode: postalCode
      ? Str({ maxLength: TEXT, pattern: POSTAL_CODE_PATTERN, messages: { pattern: 'The PostalCode may only contain letters, digits, dashes and spaces.' } })
      : Type.Optional(
          Str({ maxLength: TEXT, pattern: POSTAL_CODE_PATTERN, messages: { pattern: 'The PostalCode may only contain letters, digits, dashes and spaces.' } }),
        ),
    Country: Country(),
  };
}

/**
 * An address sent whole: its rules apply as soon as one of its fields is filled (an object of empty
 * values counts as not sent). PostalCode is required unless `postalCode: 'optional'` (bank-account owners).
 */
export function AddressBody(opts: { postalCode?: 'required' | 'optional'; description?: string } = {}) {
  const required = opts.postalCode !== 'optional';
  return Body(addressProperties(required), opts.description ? { description: opts.description } : {});
}
export const UserAddress = AddressBody();
export type AddressBody = {
  AddressLine1: string;
  AddressLine2?: string;
  City: string;
  Region?: string;
  PostalCode?: string;
  Country: string;
};

/**
 * The legacy objects' addresses: an object, or (older API versions and SDKs) one string kept as its
 * first line.
 */
const LegacyAddress = Type.Unsafe<AddressBody | string>({
  ...AddressBody({ description: 'An address object, or one string (older clients) kept as AddressLine1' }),
  type: ['object', 'string'],
  maxLength: TEXT,
});

/** Older integrations send the income bracket as "R1".."R6"; its range is checked by the rules. */
const IncomeRange = Type.Unsafe<string>({
  type: 'string',
  'x-upper': true,
  pattern: '^\\s*(R[1-6]|-?\\d+)\\s*$',
  'x-messages': { type: 'The field {name} must be a whole number.', pattern: 'The field {name} must be a whole number.' },
  description: 'Income bracket 1 to 6 (or "R1" to "R6")',
});

const Phone = () => Clearable(50, 'E.164 (+33611111111), or a local number with PhoneNumberCountry');

const common = {
  Email: Type.Optional(Email()),
  Tag: Type.Optional(Clearable(TEXT, 'Custom data; "" clears it')),
  TermsAndConditionsAccepted: Type.Optional(Bool()),
  UserCategory: Type.Optional(Enum(['PAYER', 'OWNER'] as const)),
  ScaContext: Type.Optional(Enum(SCA_CONTEXTS, { description: 'USER_NOT_PRESENT changes an OWNER\'s SCA contact under its consent' })),
};

const naturalProperties = {
  FirstName: Type.Optional(RequiredName()),
  LastName: Type.Optional(RequiredName()),
  Birthday: Type.Optional(Int({ description: 'Unix timestamp (seconds)' })),
  Nationality: Type.Optional(Country({ nationality: true })),
  CountryOfResidence: Type.Optional(Country()),
  Occupation: Type.Optional(Clearable(TEXT)),
  IncomeRange: Type.Optional(IncomeRange),
};

export const NaturalScaBody = Body({
  ...common,
  ...naturalProperties,
  PhoneNumber: Type.Optional(Phone()),
  PhoneNumberCountry: Type.Optional(Country()),
  Address: Type.Optional(UserAddress),
});
export const NaturalLegacyBody = Body({ ...common, ...naturalProperties, Address: Type.Optional(LegacyAddress) });

const Representative = Body({
  FirstName: Type.Optional(RequiredName()),
  LastName: Type.Optional(RequiredName()),
  Birthday: Type.Optional(Int()),
  Nationality: Type.Optional(Country({ nationality: true })),
  CountryOfResidence: Type.Optional(Country()),
  Email: Type.Optional(Email({ description: 'Required for OWNERs: the SCA enrollment goes to the representative' })),
  PhoneNumber: Type.Optional(Phone()),
  PhoneNumberCountry: Type.Optional(Country()),
});

const legalProperties = {
  Name: Type.Optional(LongName()),
  LegalPersonType: Type.Optional(Enum(LEGAL_PERSON_TYPES)),
  CompanyNumber: Type.Optional(Clearable(TEXT, 'Required for BUSINESS OWNERs')),
};

export const LegalScaBody = Body({
  ...common,
  ...legalProperties,
  LegalRepresentative: Type.Optional(Representative),
  HeadquartersAddress: Type.Optional(UserAddress),
  LegalRepresentativeAddress: Type.Optional(UserAddress),
});
export const LegalLegacyBody = Body({
  ...common,
  ...legalProperties,
  LegalRepresentativeFirstName: Type.Optional(RequiredName()),
  LegalRepresentativeLastName: Type.Optional(RequiredName()),
  LegalRepresentativeBirthday: Type.Optional(Int()),
  LegalRepresentativeNationality: Type.Optional(Country({ nationality: true })),
  LegalRepresentativeCountryOfResidence: Type.Optional(Country()),
  LegalRepresentativeEmail: Type.Optional(Email()),
  HeadquartersAddress: Type.Optional(LegacyAddress),
  LegalRepresentativeAddress: Type.Optional(LegacyAddress),
});

export type NaturalScaBody = Static<typeof NaturalScaBody>;
export type NaturalLegacyBody = Static<typeof NaturalLegacyBody>;
export type LegalScaBody = Static<typeof LegalScaBody>;
export type LegalLegacyBody = Static<typeof LegalLegacyBody>;
export type NaturalBody = NaturalScaBody | NaturalLegacyBody;
export type LegalBody = LegalScaBody | LegalLegacyBody;
export type UserBody = NaturalBody | LegalBody;

/** The same body with some of its properties required (which ones depends on the route and the era). */
export function requiring<T extends TSchema>(schema: T, names: string[]): T {
  return { ...schema, required: names } as T;
}

/** POST /sca/users/{Id}/enrollment and /consent read no body. */
export { EmptyBody } from '../../lib/schema.js';

export const UserListQuery = Type.Object({ ...PagingQuery });
export type UserListQuery = Static<typeof UserListQuery>;

export const CompanyNumberCheck = Body(
  {
    CompanyNumber: Body(
      { CompanyNumber: Str({ maxLength: TEXT }), CountryCode: Country() },
      { description: 'The number, in any punctuation, and the country of registration' },
    ),
  },
  { required: ['CompanyNumber'] },
);
export type CompanyNumberCheck = Static<typeof CompanyNumberCheck>;

// ---- Replies ----

const NStr = () => NullableStr();
const NInt = () => OrNull(Int());

export const AddressReply = Reply(
  { AddressLine1: NStr(), AddressLine2: NStr(), City: NStr(), Region: NStr(), PostalCode: NStr(), Country: NStr() },
  { title: 'Address' },
);

const Pending = OrNull(Reply({ RedirectUrl: Str() }));

const tail = {
  Id: Str(),
  Tag: NStr(),
  CreationDate: Int(),
  PersonType: Enum(['NATURAL', 'LEGAL'] as const),
  Email: Str(),
  KYCLevel: Enum(['LIGHT', 'REGULAR'] as const),
  TermsAndConditionsAccepted: Bool(),
  TermsAndConditionsAcceptedDate: NInt(),
  UserCategory: Enum(['PAYER', 'OWNER', 'PLATFORM'] as const),
  UserStatus: Enum(['PENDING_USER_ACTION', 'ACTIVE', 'CLOSED'] as const),
};

const naturalReply = {
  FirstName: NStr(),
  LastName: NStr(),
  Birthday: NInt(),
  Nationality: NStr(),
  CountryOfResidence: NStr(),
  Occupation: NStr(),
  IncomeRange: NInt(),
  ProofOfIdentity: NStr(),
  ProofOfAddress: NStr(),
  Capacity: Str(),
};

export const NaturalScaReply = Reply(
  {
    ...naturalReply,
    PhoneNumber: NStr(),
    PhoneNumberCountry: NStr(),
    Address: AddressReply,
    PendingUserAction: Pending,
    ...tail,
  },
  { title: 'UserNaturalSca' },
);
export type NaturalScaReply = Static<typeof NaturalScaReply>;

export const NaturalLegacyReply = Reply(
  { Address: AddressReply, ...naturalReply, PhoneNumber: NStr(), PhoneNumberCountry: NStr(), ...tail },
  { title: 'UserNatural', description: 'The deprecated natural user object' },
);
export type NaturalLegacyReply = Static<typeof NaturalLegacyReply>;

// Not an enumeration here: a union reply picks its branch by validating, and a legal user may have none yet.
const LegalPersonTypeReply = NullableStr({ description: LEGAL_PERSON_TYPES.join(', ') });

export const LegalScaReply = Reply(
  {
    Name: NStr(),
    LegalPersonType: LegalPersonTypeReply,
    LegalRepresentative: Reply({
      FirstName: NStr(),
      LastName: NStr(),
      ProofOfIdentity: NStr(),
      Birthday: NInt(),
      Nationality: NStr(),
      CountryOfResidence: NStr(),
      Email: NStr(),
      PhoneNumber: NStr(),
      PhoneNumberCountry: NStr(),
    }),
    ProofOfRegistration: NStr(),
    ShareholderDeclaration: NStr(),
    Statute: NStr(),
    CompanyNumber: NStr(),
    PendingUserAction: Pending,
    HeadquartersAddress: AddressReply,
    LegalRepresentativeAddress: AddressReply,
    ...tail,
  },
  { title: 'UserLegalSca' },
);
export type LegalScaReply = Static<typeof LegalScaReply>;

export const LegalLegacyReply = Reply(
  {
    HeadquartersAddress: AddressReply,
    LegalRepresentativeAddress: AddressReply,
    Name: NStr(),
    LegalPersonType: LegalPersonTypeReply,
    LegalRepresentativeFirstName: NStr(),
    LegalRepresentativeLastName: NStr(),
    LegalRepresentativeEmail: NStr(),
    LegalRepresentativeBirthday: NInt(),
    LegalRepresentativeNationality: NStr(),
    LegalRepresentativeCountryOfResidence: NStr(),
    ProofOfRegistration: NStr(),
    ShareholderDeclaration: NStr(),
    Statute: NStr(),
    LegalRepresentativeProofOfIdentity: NStr(),
    CompanyNumber: NStr(),
    ...tail,
  },
  { title: 'UserLegal', description: 'The deprecated legal user object' },
);
export type LegalLegacyReply = Static<typeof LegalLegacyReply>;

/** GET /sca/users/{Id} and GET /users/{Id} answer either person type. */
export const ScaUserReply = Type.Union([LegalScaReply, NaturalScaReply]);
export const LegacyUserReply = Type.Union([LegalLegacyReply, NaturalLegacyReply]);

export const UserSummaryReply = Reply(tail, { title: 'UserSummary', description: 'A row of GET /users' });
export type UserSummaryReply = Static<typeof UserSummaryReply>;

export const ScaStatusReply = Reply(
  {
    UserStatus: Enum(['PENDING_USER_ACTION', 'ACTIVE', 'CLOSED'] as const),
    IsEnrolled: Bool(),
    LastEnrollmentDate: NInt(),
    LastConsentCollectionDate: NInt(),
    ConsentScope: Reply({
      ContactInformationUpdate: Bool(),
      RecipientRegistration: Bool(),
      Transfer: Bool(),
      ViewAccountInformation: Bool(),
    }),
  },
  { title: 'ScaStatus' },
);
export type ScaStatusReply = Static<typeof ScaStatusReply>;

export const ScaStepReply = Reply({ PendingUserAction: Reply({ RedirectUrl: Str() }) }, { title: 'ScaStep' });

export const CompanyNumberReply = Reply({
  CompanyNumber: Reply({ CompanyNumber: Str(), CountryCode: Str(), IsValid: Bool(), ValidationRules: Type.Array(Str()) }),
});
export type CompanyNumberReply = Static<typeof CompanyNumberReply>;

/**
 * `ScaContext` on the wallet reads, transfers and recipients (users/sca-auth.ts decides what it asks for).
 * For the modules that replace sca-auth's readScaContext: same values, same message.
 */
export const ScaContextField = Enum(SCA_CONTEXTS, {
  messages: { enum: `ScaContext must be one of: ${SCA_CONTEXTS.join(', ')}.` },
  description: 'USER_PRESENT asks an OWNER without SCA in the last 180 days to authenticate',
});
