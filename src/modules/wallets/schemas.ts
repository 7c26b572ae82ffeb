import { CurrencyField, MoneyReply } from '../../ledger/money.js';
import { Body, Enum, NullableStr, PagingQuery, Reply, SortField, Str, Type, type Static } from '../../lib/schema.js';
import { SCA_CONTEXTS } from '../users/sca-auth.js';

const MAX_TEXT = 255;
const FUNDS_TYPES = ['DEFAULT', 'FEES', 'CREDIT'] as const;

export const WalletParams = Type.Object({ walletId: Str({ description: 'The wallet id' }) });
export { UserParams } from '../../lib/schema.js';
export const ClientWalletsParams = Type.Object({ fundsType: Str({ description: 'FEES or CREDIT' }) });
export const ClientWalletParams = Type.Object({
  fundsType: Str({ description: 'FEES or CREDIT' }),
  currency: Str({ description: 'An ISO 4217 currency code' }),
});

/** `ScaContext` of a wallet read: USER_PRESENT asks for the owner's SCA. */
export const ScaContextField = Enum(SCA_CONTEXTS, {
  description: "USER_PRESENT asks for the owner's recent SCA; absent or USER_NOT_PRESENT checks nothing",
  messages: { enum: `ScaContext must be one of: ${SCA_CONTEXTS.join(', ')}.` },
});

export const WalletReadQuery = Type.Object({ ScaContext: Type.Optional(ScaContextField) });
export type WalletReadQuery = Static<typeof WalletReadQuery>;
const Paging = { ...PagingQuery, Sort: Type.Optional(SortField(['CreationDate'])) };
export const UserWalletsQuery = Type.Object({ ...Paging, ScaContext: Type.Optional(ScaContextField) });
export type UserWalletsQuery = Static<typeof UserWalletsQuery>;
export const ClientWalletsQuery = Type.Object({ ...Paging });

export const WalletCreate = Body(
  {
    // A list or a bare string: which values are refused, and how, is ownerRule's (one id, a string, not empty).
    Owners: Type.Unsafe<string | unknown[]>({
      type: ['array', 'string'],
      description: 'The one owner: a list of exactly one user id (a bare id is accepted too)',
      'x-messages': { type: 'Owners must hold one user id.' },
    }),
    Currency: CurrencyField(),
    Description: Str({ maxLength: MAX_TEXT }),
    Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  },
  { required: ['Owners', 'Currency', 'Description'] },
);
export type WalletCreate = Static<typeof WalletCreate>;

/** Description and Tag only: SDKs send back the whole object, so the other properties are ignored. */
export const WalletUpdate = Body({
  Description: Type.Optional(
    Str({ maxLength: MAX_TEXT, minLength: 1, 'x-empty': 'keep', messages: { minLength: 'The Description field is required.' } }),
  ),
  Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
});
export type WalletUpdate = Static<typeof WalletUpdate>;

export const WalletReply = Reply(
  {
    Description: NullableStr(),
    Owners: Type.Array(Str()),
    Id: Str(),
    Balance: MoneyReply,
    Currency: Str(),
    FundsType: Enum(FUNDS_TYPES),
    Tag: NullableStr(),
    CreationDate: Type.Integer(),
  },
  { title: 'Wallet', description: "A user's wallet, or one of the client's own (FEES, CREDIT)" },
);
export type WalletReply = Static<typeof WalletReply>;
