import { Body, Bool, Country, Enum, NullableStr, OrNull, PagingQuery, Reply, SortField, Str, Type, type Static } from '../../lib/schema.js';
import { AddressBody, AddressReply } from '../users/schemas.js';
import { DEPOSIT_ACCOUNT_TYPES, type BankAccountType } from './model.js';

/*
 * The wire shapes of bank accounts. The bank's own numbers (IBAN checksum, digits of sort codes and
 * routing numbers, a BIC's country) are judged by rules.ts on these types; so are the fields each type
 * requires, so that a closed or unknown user is the answer whatever the body (the routes check the user
 * before they report a refused body).
 */

const TEXT = 255;

export { UserParams } from '../../lib/schema.js';
export const AccountParams = Type.Object({
  id: Str({ description: 'The user id' }),
  bankAccountId: Str({ description: 'The bank account id' }),
});
export const BankAccountParams = Type.Object({ bankAccountId: Str({ description: 'The bank account id' }) });

// Mangopay's documented pattern and message for BIC fields.
export const BIC_PATTERN = '^[a-zA-Z]{6}\\w{2}(\\w{3})?$';
const Bic = (description: string) =>
  Str({ pattern: BIC_PATTERN, description, messages: { pattern: `The field BIC must match the regular expression '${BIC_PATTERN}'.` } });

const Digits = (description: string) => Str({ description: `${description} (spaces between digits are ignored)` });

const owner = {
  OwnerName: Str({ maxLength: TEXT }),
  OwnerAddress: AddressBody({ postalCode: 'optional', description: "The owner's address (PostalCode optional)" }),
  Tag: Type.Optional(NullableStr({ maxLength: TEXT })),
};

/** Each type's creation body. SDK models nest the type's fields in `Details`: they are read as the body's own. */
function create<P extends Record<string, any>>(type: BankAccountType, details: P, required: string[]) {
  return Body(
    { ...owner, ...details },
    {
      required: ['OwnerName', 'OwnerAddress', ...required],
      'x-flatten': 'Details',
      title: `BankAccount${type}Create`,
      description: `A ${type} bank account; its fields may also come nested in Details`,
    },
  );
}

export const IbanCreate = create(
  'IBAN',
  { IBAN: Str({ description: 'Spaces and case are ignored' }), BIC: Type.Optional(Bic('Optional')) },
  ['IBAN'],
);
export const GbCreate = create(
  'GB',
  { AccountNumber: Digits('8 digits'), SortCode: Digits('6 digits') },
  ['AccountNumber', 'SortCode'],
);
export const UsCreate = create(
  'US',
  {
    AccountNumber: Digits('1 to 17 digits'),
    ABA: Str({ description: 'The 9-digit routing number' }),
    DepositAccountType: Type.Optional(Enum(DEPOSIT_ACCOUNT_TYPES, { description: 'CHECKING when absent' })),
  },
  ['AccountNumber', 'ABA'],
);
export const CaCreate = create(
  'CA',
  {
    BankName: Str({ maxLength: 50, description: 'Letters, digits and spaces' }),
    InstitutionNumber: Digits('3 or 4 digits'),
    BranchCode: Digits('5 digits'),
    AccountNumber: Digits('1 to 20 digits'),
  },
  ['BankName', 'InstitutionNumber', 'BranchCode', 'AccountNumber'],
);
export const OtherCreate = create(
  'OTHER',
  { Country: Country(), BIC: Bic('Required'), AccountNumber: Str({ maxLength: 50, description: 'Letters and digits' }) },
  ['Country', 'BIC', 'AccountNumber'],
);

export const CREATE_BODIES = { IBAN: IbanCreate, GB: GbCreate, US: UsCreate, CA: CaCreate, OTHER: OtherCreate } as const;

/** Any type's creation body, as the rules read it (the schema's `required` not yet enforced: see the routes). */
export type BankAccountCreate = Partial<
  Static<typeof IbanCreate> & Static<typeof GbCreate> & Static<typeof UsCreate> & Static<typeof CaCreate> & Static<typeof OtherCreate>
>;

/** Only Active, and only false: SDKs send back the whole object, so the other properties are ignored. */
export const BankAccountUpdate = Body({ Active: Bool({ description: 'false deactivates the account, for good' }) }, { required: ['Active'] });
export type BankAccountUpdate = Static<typeof BankAccountUpdate>;

export const BankAccountListQuery = Type.Object({
  ...PagingQuery,
  Sort: Type.Optional(SortField(['CreationDate'])),
  Active: Type.Optional(Bool({ description: 'Only the active (true) or deactivated (false) accounts' })),
});
export type BankAccountListQuery = Static<typeof BankAccountListQuery>;

// ---- Replies ----

const NStr = () => NullableStr();
const REPLY_DETAILS = {
  IBAN: { IBAN: NStr(), BIC: NStr() },
  GB: { AccountNumber: NStr(), SortCode: NStr() },
  US: { AccountNumber: NStr(), ABA: NStr(), DepositAccountType: NStr() },
  CA: { BankName: NStr(), InstitutionNumber: NStr(), BranchCode: NStr(), AccountNumber: NStr() },
  OTHER: { Country: NStr(), BIC: NStr(), AccountNumber: NStr() },
};

/** The BankAccount object of a type: flat (the type's fields between OwnerAddress and UserId), keys in Mangopay's order. */
function reply<T extends BankAccountType>(type: T) {
  return Reply(
    {
      OwnerAddress: AddressReply,
      ...REPLY_DETAILS[type],
      UserId: Str({ description: "The owner's id (the ClientId for the client's own account)" }),
      OwnerName: Str(),
      Type: Type.Literal(type),
      Id: Str(),
      Tag: NStr(),
      CreationDate: Type.Integer(),
      Active: Type.Boolean(),
    },
    { title: `BankAccount${type}` },
  );
}

export const BANK_ACCOUNT_REPLIES = { IBAN: reply('IBAN'), GB: reply('GB'), US: reply('US'), CA: reply('CA'), OTHER: reply('OTHER') } as const;
export const BankAccountReply = Type.Union(Object.values(BANK_ACCOUNT_REPLIES), { title: 'BankAccount' });
export type BankAccountReply = Static<typeof BankAccountReply>;

/** Verification of Payee, on EUR payouts and recipients of SEPA IBANs; null elsewhere. */
export const VerificationOfPayeeReply = OrNull(
  Reply(
    {
      RecipientVerificationId: Str(),
      RecipientVerificationCheck: Enum(['MATCH', 'CLOSE_MATCH', 'NO_MATCH', 'MATCH_NOT_POSSIBLE'] as const),
      RecipientVerificationMessage: Str(),
    },
    { title: 'VerificationOfPayee' },
  ),
);
export type VerificationOfPayeeReply = Static<typeof VerificationOfPayeeReply>;
