import { MoneyField } from '../../ledger/money.js';
import { Body, NullableStr, Reply, Str, Type, type Static } from '../../lib/schema.js';
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

/**
 * `POST /payins/card/direct` (reference notes §3.1). The SDK's PaymentType and ExecutionType (and any
 * other unknown property) are dropped by the normalizer before validation.
 */
export const CardDirectPayInCreate = Body(
  {
    AuthorId: Str({ maxLength: MAX_TEXT, description: "The card's owner, who pays" }),
    CreditedUserId: Type.Optional(Str({ maxLength: MAX_TEXT, description: "The credited wallet's owner (the default), checked when given" })),
    CreditedWalletId: Str({ maxLength: MAX_TEXT }),
    DebitedFunds: MoneyField(1, { description: 'What the card is charged' }),
    Fees: MoneyField(0, { description: "Taken out of DebitedFunds for the client's fee wallet" }),
    CardId: Str({ maxLength: MAX_TEXT }),
    SecureModeReturnURL: ReturnUrlField(255),
    BrowserInfo: BrowserInfoField,
    IpAddress: IpAddressField,
    ...CardPaymentExtras,
  },
  { required: ['AuthorId', 'CreditedWalletId', 'DebitedFunds', 'Fees', 'CardId', 'SecureModeReturnURL', 'BrowserInfo', 'IpAddress'] },
);
export type CardDirectPayInCreate = Static<typeof CardDirectPayInCreate>;

/** The direct card pay-in object, in Mangopay's key order (reference notes §3.3). */
export const CardDirectPayInReply = Reply(
  {
    ...TransactionFields,
    PaymentType: Type.Literal('CARD'),
    ExecutionType: Type.Literal('DIRECT'),
    SecureMode: Str(),
    CardId: Str(),
    SecureModeReturnURL: Str(),
    SecureModeRedirectURL: NullableStr({ description: 'The 3-D Secure page, while the pay-in waits for it' }),
    SecureModeNeeded: Type.Boolean(),
    Culture: Str(),
    SecurityInfo: SecurityInfoReply,
    StatementDescriptor: NullableStr(),
    BrowserInfo: BrowserInfoReply,
    IpAddress: NullableStr(),
    Billing: PartyReply,
    Shipping: PartyReply,
    Requested3DSVersion: NullableStr(),
    Applied3DSVersion: NullableStr(),
    RecurringPayinRegistrationId: NullableStr(),
    PreferredCardNetwork: NullableStr(),
    PaymentCategory: NullableStr(),
    CardInfo: CardInfoReply,
  },
  { title: 'CardDirectPayIn', description: 'A direct card pay-in' },
);
export type CardDirectPayInReply = Static<typeof CardDirectPayInReply>;
