import { Body, Email, Enum, NullableStr, NoQuery, OrNull, Reply, Str, Type, type Static } from '../../lib/schema.js';
import { AddressReply, UserAddress } from '../users/schemas.js';
import { BUSINESS_TYPES, EMAIL_LISTS, PLATFORM_TYPES, SECTORS } from './model.js';

const TEXT = 255;
/** Mangopay: "Emails must be ≤ 40 characters" for the technical contacts. */
const MAX_TECH_EMAIL = 40;
const MAX_EMAILS = 20;
const COLOUR = '^#[0-9A-Fa-f]{6}$';
/** E.164 at most 15 characters; the SDKs' own tests send bare digits, which Mangopay takes too. */
const PHONE = '^\\+?[0-9]{1,15}$';

function emailList(name: string, maxLength: number) {
  return Type.Optional(
    Type.Array(
      Email({
        maxLength,
        messages: { maxLength: `An address of ${name} may hold at most ${maxLength} characters.` },
      }),
      {
        maxItems: MAX_EMAILS,
        'x-wrap': true,
        messages: { maxItems: `The field ${name} may hold at most ${MAX_EMAILS} addresses.`, type: `The field ${name} must be a list of addresses.` },
      },
    ),
  );
}

function colour(name: string) {
  return Type.Optional(
    NullableStr({ maxLength: 7, pattern: COLOUR, messages: { pattern: `The field ${name} must be a colour written #RRGGBB, like #1A2B3C.` } }),
  );
}

/**
 * PUT /clients: the documented editable fields; a field not sent stays as it was, one sent empty is cleared.
 * Read-only and unknown fields are ignored (SDKs send back the object they read).
 */
export const ClientUpdate = Body({
  TechEmails: emailList('TechEmails', MAX_TECH_EMAIL),
  AdminEmails: emailList('AdminEmails', TEXT),
  BillingEmails: emailList('BillingEmails', TEXT),
  FraudEmails: emailList('FraudEmails', TEXT),
  HeadquartersAddress: Type.Optional(UserAddress),
  HeadquartersPhoneNumber: Type.Optional(
    NullableStr({
      maxLength: 15,
      pattern: PHONE,
      messages: { pattern: 'The field HeadquartersPhoneNumber must be a phone number in E.164 format, like +33123456789.' },
    }),
  ),
  TaxNumber: Type.Optional(NullableStr({ maxLength: TEXT })),
  PlatformType: Type.Optional(NullableStr({ description: PLATFORM_TYPES.join(', ') })),
  PlatformCategorization: Type.Optional(
    Body({ BusinessType: Type.Optional(Enum(BUSINESS_TYPES)), Sector: Type.Optional(Enum(SECTORS)) }),
  ),
  PlatformURL: Type.Optional(NullableStr({ maxLength: TEXT, description: 'An http or https URL' })),
  PlatformDescription: Type.Optional(NullableStr({ maxLength: TEXT })),
  PrimaryThemeColour: colour('PrimaryThemeColour'),
  PrimaryButtonColour: colour('PrimaryButtonColour'),
});
export type ClientUpdate = Static<typeof ClientUpdate>;

export const LogoUpload = Body(
  { File: Str({ description: 'Base64 of a PNG or JPEG image of at most 2 MB', messages: { type: 'The field File must be a Base-64 string.' } }) },
  { required: ['File'] },
);
export type LogoUpload = Static<typeof LogoUpload>;

const emails = Type.Array(Str());

export const ClientReply = Reply(
  {
    PlatformType: NullableStr(),
    ClientId: Str(),
    Name: Str(),
    RegisteredName: Str(),
    TechEmails: emails,
    AdminEmails: emails,
    BillingEmails: emails,
    FraudEmails: emails,
    HeadquartersAddress: OrNull(AddressReply),
    HeadquartersPhoneNumber: NullableStr(),
    TaxNumber: NullableStr(),
    PlatformCategorization: OrNull(Reply({ BusinessType: NullableStr(), Sector: NullableStr() })),
    PlatformURL: NullableStr(),
    PlatformDescription: NullableStr(),
    CompanyReference: NullableStr(),
    PrimaryThemeColour: NullableStr(),
    PrimaryButtonColour: NullableStr(),
    Logo: NullableStr({ description: 'A public URL of the logo, a new one after each upload' }),
    Licensor: NullableStr(),
  },
  { title: 'Client' },
);
export type ClientReply = Static<typeof ClientReply>;

export const LogoParams = Type.Object({ clientId: Str() });
export { NoQuery, EMAIL_LISTS };
