import { MoneyField, MoneyReply } from '../../ledger/money.js';
import { Body, Enum, NullableStr, OrNull, PagingQuery, Reply, SortField, Str, Type, type Static } from '../../lib/schema.js';
import {
  BrowserInfoField,
  BrowserInfoReply,
  CardInfoReply,
  CardPaymentExtras,
  IpAddressField,
  PartyReply,
  ReturnUrlField,
  SecurityInfoReply,
} from '../cards/payment.js';
import { TransactionFields } from '../transactions/schemas.js';

const MAX_TEXT = 255;

export const PreauthorizationParams = Type.Object({ preauthorizationId: Str({ description: 'The pre-authorization id' }) });
export const CardParams = Type.Object({ cardId: Str({ description: 'The card id' }) });
export const FingerprintParams = Type.Object({ fingerprint: Str({ description: "A card's Fingerprint" }) });

export const PreauthorizationCreate = Body(
  {
    AuthorId: Str({ maxLength: MAX_TEXT, description: "The card's owner" }),
    DebitedFunds: MoneyField(1, { description: 'The amount held on the card' }),
    CardId: Str({ maxLength: MAX_TEXT }),
    SecureModeReturnURL: ReturnUrlField(),
    BrowserInfo: BrowserInfoField,
    IpAddress: IpAddressField,
    ...CardPaymentExtras,
  },
  { required: ['AuthorId', 'DebitedFunds', 'CardId', 'SecureModeReturnURL', 'BrowserInfo', 'IpAddress'] },
);
export type PreauthorizationCreate = Static<typeof PreauthorizationCreate>;

/** The SDKs send the whole object back; only PaymentStatus is read. */
export const PreauthorizationUpdate = Body(
  {
    PaymentStatus: Enum(['CANCELED', 'VALIDATED'] as const, {
      description: 'CANCELED (before any capture) or VALIDATED (after at least one)',
      messages: { enum: 'PaymentStatus must be CANCELED or VALIDATED' },
    }),
  },
  { required: ['PaymentStatus'] },
);
export type PreauthorizationUpdate = Static<typeof PreauthorizationUpdate>;

export const PreauthorizationListQuery = Type.Object({
  ...PagingQuery,
  Sort: Type.Optional(SortField(['CreationDate'])),
  Status: Type.Optional(Enum(['CREATED', 'SUCCEEDED', 'FAILED'] as const)),
  PaymentStatus: Type.Optional(Enum(['WAITING', 'CANCELED', 'EXPIRED', 'VALIDATED'] as const)),
  ResultCode: Type.Optional(Str({ pattern: '^\\d{6}$', messages: { pattern: 'ResultCode must be six digits, like 000000.' } })),
});
export type PreauthorizationListQuery = Static<typeof PreauthorizationListQuery>;

export const PreauthorizationReply = Reply(
  {
    Id: Str(),
    Tag: NullableStr(),
    CreationDate: Type.Integer(),
    AuthorId: Str(),
    DebitedFunds: MoneyReply,
    RemainingFunds: MoneyReply,
    AuthorizationDate: OrNull(Type.Integer()),
    Status: Str(),
    PaymentStatus: Str(),
    ExpirationDate: OrNull(Type.Integer()),
    PayInId: NullableStr(),
    ResultCode: NullableStr(),
    ResultMessage: NullableStr(),
    SecureMode: Str(),
    CardId: Str(),
    SecureModeReturnURL: Str(),
    SecureModeRedirectURL: NullableStr(),
    SecureModeNeeded: Type.Boolean(),
    PaymentType: Str(),
    ExecutionType: Str(),
    StatementDescriptor: NullableStr(),
    Culture: NullableStr(),
    SecurityInfo: SecurityInfoReply,
    MultiCapture: Type.Boolean(),
    BrowserInfo: BrowserInfoReply,
    IpAddress: NullableStr(),
    Billing: PartyReply,
    Shipping: PartyReply,
    Requested3DSVersion: NullableStr(),
    Applied3DSVersion: NullableStr(),
    PreferredCardNetwork: NullableStr(),
    PaymentCategory: NullableStr(),
    CardInfo: CardInfoReply,
  },
  { title: 'PreAuthorization', description: 'A hold on a card, captured by pre-authorized pay-ins' },
);
export type PreauthorizationReply = Static<typeof PreauthorizationReply>;

/** A capture as `GET /preauthorizations/{Id}/transactions` lists it: a Transaction, plus Mangopay's DepositId (null). */
export const PreauthorizationTransactionReply = Reply(
  { ...TransactionFields, DepositId: NullableStr() },
  { title: 'PreAuthorizationTransaction', description: 'A capture of a pre-authorization' },
);
export type PreauthorizationTransactionReply = Static<typeof PreauthorizationTransactionReply>;
