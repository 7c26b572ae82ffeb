-- Card payments (issue #12): card registrations, cards, card validations, pre-authorizations,
-- 3-D Secure and payment-page sessions; transactions learn cards and refunds.
-- No card number or CVC is stored anywhere: a card keeps its fingerprint, masked alias, BIN facts
-- and expiry only.

CREATE TABLE card_registrations (
  id                    text PRIMARY KEY,
  client_id             text NOT NULL REFERENCES clients(id),
  seq                   bigserial NOT NULL,
  user_id               text NOT NULL REFERENCES users(id),
  currency              text NOT NULL,
  card_type             text NOT NULL,
  access_key            text NOT NULL,
  preregistration_data  text NOT NULL,
  -- What the tokenizer answered for this registration: the token (`data=` value) it handed out, with
  -- the card facts it read (never the number), until the registration is updated with it.
  token                 text,
  token_card            jsonb,
  registration_data     text,
  card_id               text,
  result_code           text,
  result_message        text,
  status                text NOT NULL CHECK (status IN ('CREATED', 'VALIDATED', 'ERROR')),
  tag                   text,
  creation_date         bigint NOT NULL
);
CREATE INDEX card_registrations_by_client ON card_registrations (client_id, creation_date, seq);

CREATE TABLE cards (
  id                 text PRIMARY KEY,
  client_id          text NOT NULL REFERENCES clients(id),
  seq                bigserial NOT NULL,
  user_id            text NOT NULL REFERENCES users(id),
  registration_id    text NOT NULL,
  -- Masked number: the first six and last four digits, X between (497010XXXXXX1119).
  alias              text NOT NULL CHECK (alias ~ '^[0-9]{6}X+[0-9]{4}$'),
  expiration_date    text NOT NULL CHECK (expiration_date ~ '^[0-9]{4}$'),
  card_type          text NOT NULL,
  card_provider      text NOT NULL,
  country            text,
  currency           text NOT NULL,
  -- HMAC of the number under a per-installation key: the same number gives the same fingerprint.
  fingerprint        text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{32}$'),
  card_holder_name   text,
  active             boolean NOT NULL DEFAULT true,
  validity           text NOT NULL DEFAULT 'UNKNOWN' CHECK (validity IN ('UNKNOWN', 'VALID', 'INVALID')),
  -- BIN facts shown as CardInfo on payments ({BIN, IssuingBank, IssuerCountryCode, Type, Brand, SubType}).
  card_info          jsonb NOT NULL,
  tag                text,
  creation_date      bigint NOT NULL
);
CREATE INDEX cards_by_user ON cards (client_id, user_id, creation_date, seq);
CREATE INDEX cards_by_fingerprint ON cards (client_id, fingerprint, creation_date, seq);
CREATE UNIQUE INDEX cards_one_per_registration ON cards (client_id, registration_id);

CREATE TABLE card_validations (
  id                 text PRIMARY KEY,
  client_id          text NOT NULL REFERENCES clients(id),
  seq                bigserial NOT NULL,
  card_id            text NOT NULL REFERENCES cards(id),
  author_id          text NOT NULL REFERENCES users(id),
  status             text NOT NULL CHECK (status IN ('CREATED', 'SUCCEEDED', 'FAILED')),
  result_code        text,
  result_message     text,
  details            jsonb NOT NULL DEFAULT '{}',
  tag                text,
  creation_date      bigint NOT NULL,
  authorization_date bigint
);
CREATE INDEX card_validations_by_card ON card_validations (client_id, card_id, creation_date, seq);

CREATE TABLE preauthorizations (
  id                  text PRIMARY KEY,
  client_id           text NOT NULL REFERENCES clients(id),
  seq                 bigserial NOT NULL,
  author_id           text NOT NULL REFERENCES users(id),
  card_id             text NOT NULL REFERENCES cards(id),
  currency            text NOT NULL,
  debited_amount      bigint NOT NULL CHECK (debited_amount > 0 AND debited_amount <= 9007199254740991),
  remaining_amount    bigint NOT NULL CHECK (remaining_amount >= 0 AND remaining_amount <= debited_amount),
  status              text NOT NULL CHECK (status IN ('CREATED', 'SUCCEEDED', 'FAILED')),
  payment_status      text NOT NULL CHECK (payment_status IN ('WAITING', 'CANCELED', 'EXPIRED', 'VALIDATED')),
  result_code         text,
  result_message      text,
  authorization_date  bigint,
  expiration_date     bigint,
  pay_in_id           text,
  details             jsonb NOT NULL DEFAULT '{}',
  tag                 text,
  creation_date       bigint NOT NULL
);
CREATE INDEX preauthorizations_by_author ON preauthorizations (client_id, author_id, creation_date, seq);
CREATE INDEX preauthorizations_by_card ON preauthorizations (client_id, card_id, creation_date, seq);
-- Holds still waiting (the expiry sweep looks for these).
CREATE INDEX preauthorizations_waiting ON preauthorizations (client_id, expiration_date) WHERE payment_status = 'WAITING';

-- A browser step Mangrove hosts for a payment: a 3-D Secure challenge (of a direct pay-in, a
-- pre-authorization or a card validation) or a web payment page. The id is the secret in its URL.
CREATE TABLE secure_sessions (
  id             text PRIMARY KEY,
  client_id      text NOT NULL REFERENCES clients(id),
  kind           text NOT NULL CHECK (kind IN ('PAYIN', 'PREAUTHORIZATION', 'CARD_VALIDATION', 'WEB_PAYIN')),
  resource_id    text NOT NULL,
  return_url     text NOT NULL,
  state          text NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'APPROVED', 'REFUSED', 'EXPIRED', 'CANCELED')),
  data           jsonb NOT NULL DEFAULT '{}',
  creation_date  bigint NOT NULL,
  expires_at     bigint NOT NULL,
  decided_at     bigint
);
CREATE INDEX secure_sessions_by_resource ON secure_sessions (client_id, kind, resource_id);
CREATE INDEX secure_sessions_open ON secure_sessions (client_id, expires_at) WHERE state = 'OPEN';

-- Card pay-ins name their card; refunds their initial transaction (the refund lists and caps).
ALTER TABLE transactions ADD COLUMN card_id text;
CREATE INDEX transactions_by_card ON transactions (client_id, card_id, creation_date, seq) WHERE card_id IS NOT NULL;
CREATE INDEX transactions_refunds_of ON transactions (client_id, (details->>'InitialTransactionId'), creation_date, seq)
  WHERE nature = 'REFUND';
CREATE INDEX transactions_by_preauthorization ON transactions (client_id, (details->>'PreauthorizationId'), creation_date, seq)
  WHERE payment_type = 'PREAUTHORIZED';
-- A refund's Fees are signed: negative hands the fees back (Mangopay's refund objects show Fees −50).
ALTER TABLE transactions DROP CONSTRAINT IF EXISTS transactions_fees_amount_check;
ALTER TABLE transactions ADD CONSTRAINT transactions_fees_sign CHECK (nature = 'REFUND' OR fees_amount >= 0);
ALTER TABLE transactions ADD CONSTRAINT transactions_fees_exact CHECK (fees_amount >= -9007199254740991);

-- The key card fingerprints are computed with (an HMAC of the number): made on first use, so each
-- installation has its own even when its database began as a copy of the migrated template.
CREATE TABLE card_fingerprint_key (
  id   int PRIMARY KEY CHECK (id = 1),
  key  text NOT NULL
);
