-- The client's own bank accounts (POST /clients/bankaccounts/iban, issue 10): they belong to no user,
-- so user_id is NULL there; the wire shows the ClientId, as for the client's own pay-ins and payouts.
ALTER TABLE bank_accounts ALTER COLUMN user_id DROP NOT NULL;

-- Client wallets list FEES_EUR and CREDIT_EUR first (then the other currencies, FEES before CREDIT),
-- as Mangopay's own List Client Wallets example does: EUR is every platform's currency, and the
-- SDKs' suites take the first listed wallet for EUR payouts. All share one CreationDate, so the
-- order is the insertion order (seq) this function gives; existing clients' EUR pair moves first.
CREATE OR REPLACE FUNCTION mangrove_client_wallets(cid text, at bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO wallets (id, client_id, owner_id, funds_type, currency, description, balance, creation_date)
  SELECT f.t || '_' || c.cur, cid, NULL, f.t, c.cur, initcap(f.t) || ' wallet ' || c.cur, 0, at
  FROM unnest(ARRAY['FEES', 'CREDIT']) WITH ORDINALITY AS f(t, n),
       unnest(ARRAY['AED', 'AUD', 'CAD', 'CHF', 'CZK', 'DKK', 'EUR', 'GBP', 'HKD', 'JPY', 'NOK', 'PLN', 'SEK', 'USD', 'ZAR'])
         WITH ORDINALITY AS c(cur, m)
  ORDER BY c.cur <> 'EUR', f.n, c.m
  ON CONFLICT DO NOTHING
$$;

UPDATE wallets w SET seq = first.seq - CASE w.funds_type WHEN 'FEES' THEN 2 ELSE 1 END
  FROM (SELECT client_id, min(seq) AS seq FROM wallets WHERE owner_id IS NULL GROUP BY client_id) first
  WHERE w.client_id = first.client_id AND w.owner_id IS NULL AND w.currency = 'EUR';
