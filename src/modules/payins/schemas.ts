import { AmountField, MoneyField, MoneyReply } from '../../ledger/money.js';
import { Body, NullableStr, Reply, Str, Type, type Static } from '../../lib/schema.js';
import { TransactionFields } from '../transactions/schemas.js';

const MAX_TEXT = 255;

export const PayInParams = Type.Object({ payInId: Str({ description: 'The pay-in id' }) });

export const BankWirePayInCreate = Body(
  {
    AuthorId: Str({ maxLength: MAX_TEXT, description: "The credited wallet's owner" }),
    CreditedWalletId: Str({ maxLength: MAX_TEXT }),
    CreditedUserId: Type.Optional(Str({ maxLength: MAX_TEXT, description: "The credited wallet's owner, checked when given" })),
    DeclaredDebitedFunds: MoneyField(1, { description: 'What the user says they will wire' }),
    DeclaredFees: MoneyField(0, { description: "Taken out of the funds received, for the client's fee wallet" }),
    Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  },
  { required: ['AuthorId', 'CreditedWalletId', 'DeclaredDebitedFunds', 'DeclaredFees'] },
);
export type BankWirePayInCreate = Static<typeof BankWirePayInCreate>;

export const ClientBankWirePayInCreate = Body(
  {
    CreditedWalletId: Str({ maxLength: MAX_TEXT, description: "One of the client's CREDIT wallets, like CREDIT_EUR" }),
    DeclaredDebitedFunds: MoneyField(1),
    Tag: Type.Optional(NullableStr({ maxLength: MAX_TEXT })),
  },
  { required: ['CreditedWalletId', 'DeclaredDebitedFunds'] },
);
export type ClientBankWirePayInCreate = Static<typeof ClientBankWirePayInCreate>;

export const SandboxSettle = Body({
  Amount: Type.Optional(AmountField(1, { description: 'The amount received (minor units); the declared funds by default' })),
});
export type SandboxSettle = Static<typeof SandboxSettle>;

export const SandboxFail = Body({
  ResultCode: Type.Optional(Str({ pattern: '^\\d{6}$', messages: { pattern: 'ResultCode must be six digits, like 001999.' } })),
  ResultMessage: Type.Optional(Str({ maxLength: MAX_TEXT })),
});
export type SandboxFail = Static<typeof SandboxFail>;

const Address = Reply({
  AddressLine1: Str(),
  AddressLine2: NullableStr(),
  City: Str(),
  Region: NullableStr(),
  PostalCode: Str(),
  Country: Str(),
});

export const PayInReply = Reply(
  {
    ...TransactionFields,
    PaymentType: NullableStr(),
    ExecutionType: NullableStr(),
    DeclaredDebitedFunds: MoneyReply,
    DeclaredFees: MoneyReply,
    WireReference: Str(),
    BankAccount: Reply({ OwnerAddress: Address, Type: Str(), OwnerName: Str(), IBAN: Str(), BIC: Str() }),
    TransactionDetails: Type.Array(Type.Unknown()),
  },
  { title: 'PayIn', description: 'A bank-wire pay-in' },
);
export type PayInReply = Static<typeof PayInReply>;
