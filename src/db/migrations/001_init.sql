-- API clients and their credentials. Keys and tokens are stored as hashes only.
CREATE TABLE clients (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  api_key_hash  text NOT NULL,
  created_at    bigint NOT NULL
);

CREATE TABLE api_tokens (
  token_hash  text PRIMARY KEY,
  client_id   text NOT NULL REFERENCES clients(id),
  created_at  bigint NOT NULL,
  expires_at  bigint NOT NULL
);
CREATE INDEX api_tokens_expiry ON api_tokens (expires_at);

-- Calls per client in windows of 15 min, 30 min, 60 min and 24 h, aligned on the client's
-- creation time; one row per client, which every server process adds to.
CREATE TABLE rate_limits (
  client_id  text PRIMARY KEY REFERENCES clients(id),
  w0_start bigint NOT NULL, w0_count integer NOT NULL,
  w1_start bigint NOT NULL, w1_count integer NOT NULL,
  w2_start bigint NOT NULL, w2_count integer NOT NULL,
  w3_start bigint NOT NULL, w3_count integer NOT NULL
);

CREATE TABLE token_budget (
  client_id     text PRIMARY KEY REFERENCES clients(id),
  window_start  bigint NOT NULL,
  count         integer NOT NULL
);

CREATE TABLE users (
  id              text PRIMARY KEY,
  client_id       text NOT NULL REFERENCES clients(id),
  seq             bigserial NOT NULL,
  person_type     text NOT NULL CHECK (person_type IN ('NATURAL', 'LEGAL')),
  category        text NOT NULL CHECK (category IN ('PAYER', 'OWNER', 'PLATFORM')),
  status          text NOT NULL CHECK (status IN ('PENDING_USER_ACTION', 'ACTIVE', 'CLOSED')),
  kyc_level       text NOT NULL DEFAULT 'LIGHT' CHECK (kyc_level IN ('LIGHT', 'REGULAR')),
  email           text NOT NULL,
  tag             text,
  creation_date   bigint NOT NULL,
  tc_accepted     boolean NOT NULL,
  tc_date         bigint,
  -- created through the legacy endpoints: no SCA, flat representative fields
  legacy          boolean NOT NULL DEFAULT false,
  sca_enrolled_at bigint,
  consent_at      bigint,
  -- the person-type specific attributes (names, addresses, representative, ...)
  data            jsonb NOT NULL
);
CREATE INDEX users_by_client ON users (client_id, creation_date, seq);

-- Every state change records one event in the transaction that makes the change;
-- webhook deliveries will hang off this table (one outbox row per event and hook).
CREATE TABLE events (
  seq          bigserial PRIMARY KEY,
  client_id    text NOT NULL REFERENCES clients(id),
  event_type   text NOT NULL,
  resource_id  text NOT NULL,
  date         bigint NOT NULL
);
CREATE INDEX events_by_client_date ON events (client_id, date, seq);
CREATE INDEX events_by_client_type ON events (client_id, event_type, date, seq);

-- Pending SCA steps (enrollment, consent) behind a RedirectUrl.
CREATE TABLE sca_sessions (
  token         text PRIMARY KEY,
  client_id     text NOT NULL REFERENCES clients(id),
  user_id       text NOT NULL REFERENCES users(id) DEFERRABLE INITIALLY DEFERRED,
  kind          text NOT NULL CHECK (kind IN ('ENROLLMENT', 'CONSENT')),
  created_at    bigint NOT NULL,
  expires_at    bigint NOT NULL,
  completed_at  bigint
);
CREATE INDEX sca_sessions_by_user ON sca_sessions (user_id);
