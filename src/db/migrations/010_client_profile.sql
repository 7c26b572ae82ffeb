-- The client object (issue 10): what PUT /clients edits, and the logo PUT /clients/logo uploads.
ALTER TABLE clients ADD COLUMN profile jsonb NOT NULL DEFAULT '{}';
ALTER TABLE clients ADD COLUMN logo bytea;
ALTER TABLE clients ADD COLUMN logo_type text;
-- Changes with every upload, so the Logo URL of a new logo is a new URL (no stale cached image).
ALTER TABLE clients ADD COLUMN logo_version integer NOT NULL DEFAULT 0;

-- Client wallets carry Mangopay's ids (FEES_EUR, CREDIT_EUR): every client has its own FEES_EUR, so a
-- wallet id is unique within its client, and transactions refer to a wallet of their own client.
ALTER TABLE transactions DROP CONSTRAINT transactions_debited_wallet_id_fkey;
ALTER TABLE transactions DROP CONSTRAINT transactions_credited_wallet_id_fkey;
ALTER TABLE wallets DROP CONSTRAINT wallets_pkey;
ALTER TABLE wallets ADD PRIMARY KEY (client_id, id);

-- Fee wallets created before this migration had random ids: they take the stable one.
UPDATE postings p SET account = w.funds_type || '_' || w.currency
  FROM wallets w WHERE w.client_id = p.client_id AND p.account = w.id AND w.funds_type <> 'DEFAULT';
UPDATE transactions t SET debited_wallet_id = w.funds_type || '_' || w.currency
  FROM wallets w WHERE w.client_id = t.client_id AND t.debited_wallet_id = w.id AND w.funds_type <> 'DEFAULT';
UPDATE transactions t SET credited_wallet_id = w.funds_type || '_' || w.currency
  FROM wallets w WHERE w.client_id = t.client_id AND t.credited_wallet_id = w.id AND w.funds_type <> 'DEFAULT';
UPDATE wallets SET id = funds_type || '_' || currency WHERE funds_type <> 'DEFAULT';

ALTER TABLE transactions ADD CONSTRAINT transactions_debited_wallet_fkey
  FOREIGN KEY (client_id, debited_wallet_id) REFERENCES wallets (client_id, id);
ALTER TABLE transactions ADD CONSTRAINT transactions_credited_wallet_fkey
  FOREIGN KEY (client_id, credited_wallet_id) REFERENCES wallets (client_id, id);
-- The client's own pay-ins (to a CREDIT wallet) have no user author: NULL here, the ClientId on the wire.
ALTER TABLE transactions ALTER COLUMN author_id DROP NOT NULL;

-- Every client has a FEES and a CREDIT wallet in every supported currency (src/ledger/money.ts
-- CURRENCIES; a test checks both lists agree), from its creation and again after a sandbox reset.
CREATE FUNCTION mangrove_client_wallets(cid text, at bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO wallets (id, client_id, owner_id, funds_type, currency, description, balance, creation_date)
  SELECT f.t || '_' || c.cur, cid, NULL, f.t, c.cur, initcap(f.t) || ' wallet ' || c.cur, 0, at
  FROM unnest(ARRAY['FEES', 'CREDIT']) WITH ORDINALITY AS f(t, n),
       unnest(ARRAY['AED', 'AUD', 'CAD', 'CHF', 'CZK', 'DKK', 'EUR', 'GBP', 'HKD', 'JPY', 'NOK', 'PLN', 'SEK', 'USD', 'ZAR'])
         WITH ORDINALITY AS c(cur, m)
  ORDER BY f.n, c.m
  ON CONFLICT DO NOTHING
$$;

CREATE FUNCTION mangrove_clients_have_wallets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM mangrove_client_wallets(NEW.id, NEW.created_at);
  RETURN NEW;
END
$$;
CREATE TRIGGER clients_have_wallets AFTER INSERT ON clients
  FOR EACH ROW EXECUTE FUNCTION mangrove_clients_have_wallets();

SELECT mangrove_client_wallets(id, created_at) FROM clients;
