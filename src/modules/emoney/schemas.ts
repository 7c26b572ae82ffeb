import { Reply, Str, Type, type Static } from '../../lib/schema.js';
import { MoneyReply } from '../../ledger/money.js';

const Id = Str({ description: 'The user id' });
// Judged by the service, after the user is found (an unknown user is 404 whatever the period).
const Year = Str({ description: 'A year of four digits, like 2019' });
const Month = Str({ description: 'A month from 1 to 12 (or 01 to 12)' });

export const EMoneyParams = Type.Object({ id: Id });
export const EMoneyYearParams = Type.Object({ id: Id, year: Year });
export const EMoneyMonthParams = Type.Object({ id: Id, year: Year, month: Month });

export const EMoneyQuery = Type.Object({
  Currency: Type.Optional(Str({ description: 'The currency of the wallets counted (EUR by default); the Ruby SDK sends it in a body' })),
});

/** The Currency the Ruby SDK sends in the body of this GET. */
export const EMoneyBody = Type.Object({ Currency: Type.Optional(Str()) });

export const EMoneyReply = Reply(
  { UserId: Str(), CreditedEMoney: MoneyReply, DebitedEMoney: MoneyReply },
  { title: 'EMoney', description: "What a user's wallets of one currency received and paid out" },
);
export type EMoneyReply = Static<typeof EMoneyReply>;
