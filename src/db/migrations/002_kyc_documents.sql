-- KYC documents and their pages. Pages are kept in the database (bytea), never only in memory.
CREATE TABLE kyc_documents (
  id                      text PRIMARY KEY,
  client_id               text NOT NULL REFERENCES clients(id),
  seq                     bigserial NOT NULL,
  user_id                 text NOT NULL REFERENCES users(id),
  type                    text NOT NULL CHECK (type IN ('IDENTITY_PROOF', 'REGISTRATION_PROOF', 'ARTICLES_OF_ASSOCIATION',
                            'SHAREHOLDER_DECLARATION', 'ADDRESS_PROOF')),
  status                  text NOT NULL CHECK (status IN ('CREATED', 'VALIDATION_ASKED', 'VALIDATED', 'REFUSED', 'OUT_OF_DATE')),
  tag                     text,
  creation_date           bigint NOT NULL,
  processed_date          bigint,
  refused_reason_type     text,
  refused_reason_message  text,
  flags                   jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX kyc_documents_by_client ON kyc_documents (client_id, creation_date, seq);
CREATE INDEX kyc_documents_by_user ON kyc_documents (client_id, user_id, creation_date, seq);

CREATE TABLE kyc_pages (
  document_id  text NOT NULL REFERENCES kyc_documents(id),
  client_id    text NOT NULL REFERENCES clients(id),
  page_no      integer NOT NULL CHECK (page_no BETWEEN 1 AND 5),
  media_type   text NOT NULL,
  size         integer NOT NULL,
  content      bytea NOT NULL,
  created_at   bigint NOT NULL,
  PRIMARY KEY (document_id, page_no)
);
