import { Body, Enum, Int, NullableEnum, NullableStr, OrNull, PagingQuery, Reply, Str, Type, type Static } from '../../lib/schema.js';

// The closed lists of the module live with the wire shapes (model.ts re-exports them with their types).
export const KYC_TYPES = [
  'IDENTITY_PROOF',
  'REGISTRATION_PROOF',
  'ARTICLES_OF_ASSOCIATION',
  'SHAREHOLDER_DECLARATION',
  'ADDRESS_PROOF',
] as const;

export const KYC_STATUSES = ['CREATED', 'VALIDATION_ASKED', 'VALIDATED', 'REFUSED', 'OUT_OF_DATE'] as const;

export const REFUSED_REASONS = [
  'DOCUMENT_UNREADABLE',
  'DOCUMENT_NOT_ACCEPTED',
  'DOCUMENT_HAS_EXPIRED',
  'DOCUMENT_INCOMPLETE',
  'DOCUMENT_MISSING',
  'DOCUMENT_DO_NOT_MATCH_USER_DATA',
  'DOCUMENT_DO_NOT_MATCH_ACCOUNT_DATA',
  'DOCUMENT_FALSIFIED',
  'UNDERAGE_PERSON',
  'SPECIFIC_CASE',
] as const;

const MAX_TEXT = 255;

/**
 * A Tag sent on a change: null (or leaving it out) keeps it, "" clears it — as the hand-written parser read it.
 * The empty string is kept by the pre-validation step for that reason; the service turns it into null.
 */
export const TagChange = () => Str({ maxLength: MAX_TEXT, 'x-empty': 'keep', description: 'Sent empty, it clears the tag' });

export { UserParams } from '../../lib/schema.js';
export const UserDocParams = Type.Object({ id: Str({ description: 'The user id' }), docId: Str({ description: 'The KYC document id' }) });
export const DocParams = Type.Object({ docId: Str({ description: 'The KYC document id' }) });

/** A body the route does not read (whatever is sent is ignored). */
export const NoBody = Body({}, { description: 'No body is read' });

export const KycDocumentCreate = Body(
  {
    Type: Enum(KYC_TYPES, { description: 'Natural users: IDENTITY_PROOF, ADDRESS_PROOF; legal users: the company documents' }),
    Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  },
  { required: ['Type'] },
);
export type KycDocumentCreate = Static<typeof KycDocumentCreate>;

export const KycPageCreate = Body(
  {
    File: Str({
      description: 'The page, a PDF, JPEG or PNG file of at most 7 MB, in Base64 (line breaks allowed)',
      messages: { type: 'The field File must be a Base-64 string.' },
    }),
  },
  { required: ['File'] },
);
export type KycPageCreate = Static<typeof KycPageCreate>;

export const KycDocumentSubmit = Body(
  {
    Status: Enum(['VALIDATION_ASKED'] as const, { messages: { enum: 'The Status can only be set to VALIDATION_ASKED.' } }),
    Tag: Type.Optional(TagChange()),
  },
  { required: ['Status'] },
);
export type KycDocumentSubmit = Static<typeof KycDocumentSubmit>;

export const KycRefusal = Body(
  {
    RefusedReasonType: Enum(REFUSED_REASONS),
    RefusedReasonMessage: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  },
  { required: ['RefusedReasonType'] },
);
export type KycRefusal = Static<typeof KycRefusal>;

/** A filter sent comma-separated or repeated (?Status=A,B or ?Status=A&Status=B), values in any case. */
const ListFilter = (values: readonly string[]) =>
  Type.Union([Str(), Type.Array(Str())], { description: `One or more of ${values.join(', ')}, comma-separated or repeated` });

export const KycListQuery = Type.Object({
  ...PagingQuery,
  Status: Type.Optional(ListFilter(KYC_STATUSES)),
  Type: Type.Optional(ListFilter(KYC_TYPES)),
});
export type KycListQuery = Static<typeof KycListQuery>;

export const KycDocumentReply = Reply(
  {
    Type: Enum(KYC_TYPES),
    UserId: Str(),
    Flags: Type.Array(Str()),
    Id: Str(),
    Tag: NullableStr(),
    CreationDate: Int(),
    ProcessedDate: OrNull(Int()),
    Status: Enum(KYC_STATUSES),
    RefusedReasonType: NullableEnum(REFUSED_REASONS),
    RefusedReasonMessage: NullableStr(),
  },
  { title: 'KycDocument', description: 'A KYC document; its pages are added separately and read through a consult' },
);
export type KycDocumentReply = Static<typeof KycDocumentReply>;

export const ConsultReply = Reply(
  {
    Url: Str({ description: 'Opens the page without a bearer token until ExpirationDate' }),
    ExpirationDate: Int(),
  },
  { title: 'KycDocumentConsult' },
);
export type ConsultReply = Static<typeof ConsultReply>;

export const ConsultPageParams = Type.Object({ token: Str({ description: 'The token of a consult link' }) });

/** The page itself, in the format it was sent in. */
export const ConsultPageReply = {
  description: 'The page, in the format it was sent in',
  content: Object.fromEntries(
    ['application/pdf', 'image/jpeg', 'image/png'].map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
  ),
};
