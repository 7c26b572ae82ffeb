-- The client's own bank accounts (POST /clients/bankaccounts/iban, issue 10): they belong to no user,
-- so user_id is NULL there; the wire shows the ClientId, as for the client's own pay-ins and payouts.
ALTER TABLE bank_accounts ALTER COLUMN user_id DROP NOT NULL;
