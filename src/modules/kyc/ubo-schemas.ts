import { Body, Bool, Country, Enum, Int, NullableEnum, NullableStr, OrNull, PagingQuery, Reply, Str, Type, type Static } from '../../lib/schema.js';
import { AddressReply, UserAddress } from '../users/schemas.js';
import { TagChange } from './schemas.js';

// The closed lists of UBO declarations live with the wire shapes (ubo-model.ts re-exports them with their types).
export const UBO_DECLARATION_STATUSES = ['CREATED', 'VALIDATION_ASKED', 'INCOMPLETE', 'VALIDATED', 'REFUSED'] as const;

export const UBO_DECLARATION_REASONS = [
  'MISSING_UBO',
  'DECLARATION_DO_NOT_MATCH_UBO_INFORMATION',
  'WRONG_UBO_INFORMATION',
  'UBO_IDENTITY_NEEDED',
  'SHAREHOLDERS_DECLARATION_NEEDED',
  'ORGANIZATION_CHART_NEEDED',
  'DOCUMENTS_NEEDED',
  'SPECIFIC_CASE',
] as const;

const MAX_TEXT = 255;
const MAX_NAME = 100;

export { UserParams } from '../../lib/schema.js';
export const DeclarationParams = Type.Object({
  id: Str({ description: 'The user id' }),
  declarationId: Str({ description: 'The UBO declaration id' }),
});
export const DeclarationOnlyParams = Type.Object({ declarationId: Str({ description: 'The UBO declaration id' }) });
export const UboParams = Type.Object({
  id: Str({ description: 'The user id' }),
  declarationId: Str({ description: 'The UBO declaration id' }),
  uboId: Str({ description: 'The UBO id' }),
});

export const DeclarationCreate = Body({ Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })) });
export type DeclarationCreate = Static<typeof DeclarationCreate>;

export const DeclarationUpdate = Body({
  Status: Type.Optional(
    Enum(UBO_DECLARATION_STATUSES, {
      description: 'VALIDATION_ASKED submits the declaration; its current status sent back is no change',
      messages: { enum: 'The field Status must be VALIDATION_ASKED.' },
    }),
  ),
  Tag: Type.Optional(TagChange()),
});
export type DeclarationUpdate = Static<typeof DeclarationUpdate>;

/** A sandbox answer to a submitted declaration (REFUSED or INCOMPLETE); a missing Reason takes the outcome's default. */
export const DeclarationDecision = Body({
  Reason: Type.Optional(Enum(UBO_DECLARATION_REASONS)),
  Message: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
});
export type DeclarationDecision = Static<typeof DeclarationDecision>;

export const DeclarationListQuery = Type.Object({ ...PagingQuery });
export type DeclarationListQuery = Static<typeof DeclarationListQuery>;

const BirthplaceBody = Body({ City: Str({ maxLength: MAX_TEXT }), Country: Country() }, { required: ['City', 'Country'] });

const Name = () => Str({ maxLength: MAX_NAME, 'x-empty': 'keep' });
// A Unix time the database and JavaScript both hold exactly; beyond it the old parser said the same.
const Birthday = () =>
  Int({
    minimum: -Number.MAX_SAFE_INTEGER,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'Unix time, in the past',
    messages: { minimum: 'The field {name} must be a whole number.', maximum: 'The field {name} must be a whole number.' },
  });

const UBO_FIELDS = {
  FirstName: Name(),
  LastName: Name(),
  Birthday: Birthday(),
  Nationality: Country(),
  // The users' address: sent whole, its rules (blank lines, Region for US, CA, MX) in users/rules.ts.
  Address: UserAddress,
  Birthplace: BirthplaceBody,
};

export const UboCreate = Body(
  { ...UBO_FIELDS, Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })) },
  { required: ['FirstName', 'LastName', 'Birthday', 'Nationality', 'Address', 'Birthplace'] },
);
export type UboCreate = Static<typeof UboCreate>;

/** The fields sent change, the others stay; an address or birthplace is replaced whole. */
export const UboUpdate = Body({
  FirstName: Type.Optional(UBO_FIELDS.FirstName),
  LastName: Type.Optional(UBO_FIELDS.LastName),
  Birthday: Type.Optional(UBO_FIELDS.Birthday),
  Nationality: Type.Optional(UBO_FIELDS.Nationality),
  Address: Type.Optional(UserAddress),
  Birthplace: Type.Optional(BirthplaceBody),
  Tag: Type.Optional(TagChange()),
  IsActive: Type.Optional(Bool({ description: 'false deactivates the UBO, for good' })),
});
export type UboUpdate = Static<typeof UboUpdate>;

export const UboReply = Reply(
  {
    Id: Str(),
    CreationDate: Int(),
    LastName: NullableStr(),
    FirstName: NullableStr(),
    Birthday: OrNull(Int()),
    Nationality: NullableStr(),
    Address: OrNull(AddressReply),
    Birthplace: OrNull(Reply({ City: NullableStr(), Country: NullableStr() })),
    IsActive: Bool(),
    Tag: NullableStr(),
  },
  { title: 'Ubo', description: 'An ultimate beneficial owner' },
);
export type UboReply = Static<typeof UboReply>;

export const DeclarationReply = Reply(
  {
    Id: Str(),
    UserId: Str(),
    CreationDate: Int(),
    ProcessedDate: OrNull(Int()),
    Status: Enum(UBO_DECLARATION_STATUSES),
    Reason: NullableEnum(UBO_DECLARATION_REASONS),
    Message: NullableStr(),
    Ubos: Type.Array(UboReply),
    Tag: NullableStr(),
  },
  { title: 'UboDeclaration' },
);
export type DeclarationReply = Static<typeof DeclarationReply>;
