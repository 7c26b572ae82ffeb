-- Wallets and the double-entry ledger (issue #4).
-- A wallet's balance is kept on its row, in the transaction that writes its postings, and can
-- never go below zero; the postings are the truth the balance is checked against.
CREATE TABLE wallets (
  id             text PRIMARY KEY,
  client_id      text NOT NULL REFERENCES clients(id),
  seq            bigserial NOT NULL,
  -- The one owner of a user wallet; null for the client's own (FEES, CREDIT) wallets.
  owner_id       text REFERENCES users(id),
  funds_type     text NOT NULL CHECK (funds_type IN ('DEFAULT', 'FEES', 'CREDIT')),
  currency       text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  description    text,
  tag            text,
  balance        bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
  creation_date  bigint NOT NULL,
  CHECK ((funds_type = 'DEFAULT') = (owner_id IS NOT NULL))
);
CREATE INDEX wallets_by_owner ON wallets (client_id, owner_id, creation_date, seq);
-- One fee wallet per client and currency: concurrent first fees settle on this constraint.
CREATE UNIQUE INDEX wallets_one_fee_wallet ON wallets (client_id, currency) WHERE funds_type = 'FEES';

-- Every movement of money is a set of postings summing to zero per currency. `account` is a
-- wallet id, or `external:<CUR>`: the client's account for money entering from (or leaving to) banks.
CREATE TABLE postings (
  seq          bigserial PRIMARY KEY,
  client_id    text NOT NULL REFERENCES clients(id),
  movement_id  text NOT NULL,
  account      text NOT NULL,
  currency     text NOT NULL,
  amount       bigint NOT NULL CHECK (amount <> 0),
  date         bigint NOT NULL
);
CREATE INDEX postings_by_account ON postings (client_id, account);
-- A movement posts to an account once: a second settlement of one pay-in could not commit even if
-- the row lock protecting it were forgotten.
CREATE UNIQUE INDEX postings_once_per_movement ON postings (client_id, movement_id, account);

-- Transactions (pay-ins for now; transfers and payouts later), with the fields every
-- Mangopay transaction shares; type-specific fields live in `details`.
CREATE TABLE transactions (
  id                  text PRIMARY KEY,
  client_id           text NOT NULL REFERENCES clients(id),
  seq                 bigserial NOT NULL,
  type                text NOT NULL CHECK (type IN ('PAYIN', 'TRANSFER', 'PAYOUT')),
  nature              text NOT NULL CHECK (nature IN ('REGULAR', 'REPUDIATION', 'REFUND', 'SETTLEMENT')),
  payment_type        text,
  execution_type      text,
  status              text NOT NULL CHECK (status IN ('CREATED', 'SUCCEEDED', 'FAILED')),
  result_code         text,
  result_message      text,
  author_id           text NOT NULL REFERENCES users(id),
  credited_user_id    text REFERENCES users(id),
  debited_wallet_id   text REFERENCES wallets(id),
  credited_wallet_id  text REFERENCES wallets(id),
  currency            text NOT NULL,
  -- Minor units; null until the transaction succeeds (Mangopay shows {XXX, 0} meanwhile).
  debited_amount      bigint CHECK (debited_amount >= 0),
  credited_amount     bigint CHECK (credited_amount >= 0),
  fees_amount         bigint CHECK (fees_amount >= 0),
  details             jsonb NOT NULL DEFAULT '{}',
  tag                 text,
  creation_date       bigint NOT NULL,
  execution_date      bigint,
  CHECK ((status = 'SUCCEEDED') = (execution_date IS NOT NULL))
);
CREATE INDEX transactions_by_client ON transactions (client_id, creation_date, seq);
CREATE INDEX transactions_by_credited_wallet ON transactions (client_id, credited_wallet_id, creation_date, seq);
CREATE INDEX transactions_by_debited_wallet ON transactions (client_id, debited_wallet_id, creation_date, seq);
CREATE INDEX transactions_by_author ON transactions (client_id, author_id, creation_date, seq);
CREATE INDEX transactions_by_credited_user ON transactions (client_id, credited_user_id, creation_date, seq);
-- Bank-wire pay-ins waiting for their funds (the lazy expiry after a month looks for these).
CREATE INDEX transactions_pending ON transactions (client_id, creation_date) WHERE status = 'CREATED';
