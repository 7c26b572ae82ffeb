-- Recipients (the API that replaces bank accounts for payouts). Never deleted: a canceled or
-- deactivated recipient stays readable, and payouts keep pointing at it.
CREATE TABLE recipients (
  id                  text PRIMARY KEY,
  client_id           text NOT NULL REFERENCES clients(id),
  seq                 bigserial NOT NULL,
  user_id             text NOT NULL REFERENCES users(id),
  status              text NOT NULL CHECK (status IN ('PENDING', 'CANCELED', 'ACTIVE', 'DEACTIVATED')),
  scope               text NOT NULL CHECK (scope IN ('PAYOUT', 'PAYIN')),
  sca_context         text CHECK (sca_context IN ('USER_PRESENT', 'USER_NOT_PRESENT')),
  display_name        text NOT NULL,
  payout_method_type  text NOT NULL CHECK (payout_method_type IN ('LocalBankTransfer', 'InternationalBankTransfer')),
  recipient_type      text NOT NULL CHECK (recipient_type IN ('Individual', 'Business')),
  currency            text NOT NULL,
  country             text NOT NULL,
  -- IndividualRecipient or BusinessRecipient, by their Mangopay names.
  holder              jsonb NOT NULL,
  -- The account details: LocalBankTransfer's {<Currency>: {...}} or InternationalBankTransfer's {...}.
  account             jsonb NOT NULL,
  -- Verification of Payee at creation (EUR local transfers to SEPA IBANs), else null.
  verification        jsonb,
  -- The SCA session (kind AUTHENTICATION) whose completion activates a PENDING recipient. Deferred, as
  -- the sessions' own keys are: a sandbox reset deletes sessions and recipients in one transaction.
  sca_token           text REFERENCES sca_sessions(token) DEFERRABLE INITIALLY DEFERRED,
  tag                 text,
  creation_date       bigint NOT NULL
);
CREATE INDEX recipients_by_user ON recipients (client_id, user_id, creation_date, seq);
CREATE INDEX recipients_by_session ON recipients (sca_token) WHERE sca_token IS NOT NULL;
