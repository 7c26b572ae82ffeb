-- Users' bank accounts (legacy Mangopay bank accounts: IBAN, GB, US, CA, OTHER). Never deleted:
-- a deactivated account stays readable, and payouts keep pointing at it.
CREATE TABLE bank_accounts (
  id             text PRIMARY KEY,
  client_id      text NOT NULL REFERENCES clients(id),
  seq            bigserial NOT NULL,
  user_id        text NOT NULL REFERENCES users(id),
  type           text NOT NULL CHECK (type IN ('IBAN', 'GB', 'US', 'CA', 'OTHER')),
  owner_name     text NOT NULL,
  owner_address  jsonb NOT NULL,
  -- The type's own fields (IBAN and BIC, AccountNumber and SortCode, ...), by their Mangopay names.
  details        jsonb NOT NULL,
  active         boolean NOT NULL DEFAULT true,
  tag            text,
  creation_date  bigint NOT NULL
);
CREATE INDEX bank_accounts_by_user ON bank_accounts (client_id, user_id, creation_date, seq);
