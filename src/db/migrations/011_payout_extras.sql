-- Small endpoints the SDKs call (issue 10 item 7). A payout's Verification of Payee lives in its
-- `details` like its other bank-wire fields, so payouts need no new column; what needs a table is
-- the KYC document consult: short-lived links to a document's pages, opened without a bearer token.
CREATE TABLE kyc_consults (
  -- SHA-256 of the secret token in the link, as bearer tokens are kept: the table never holds a usable link.
  token_hash   text PRIMARY KEY,
  client_id    text NOT NULL REFERENCES clients(id),
  -- No foreign keys to the document: a sandbox reset deletes documents and leaves the link dead (404).
  document_id  text NOT NULL,
  page_no      integer NOT NULL,
  -- On the client's clock, like every date of that client.
  expires_at   bigint NOT NULL
);
CREATE INDEX kyc_consults_by_expiry ON kyc_consults (expires_at);
