-- The Dashboard (SPEC §8, issue #13): sessions, one-time sign-in links, wrong sign-ins counted, and the
-- indexes of its user search. Sessions and links are credentials: kept in the database (hashed) so that
-- every process serving one database knows them, and kept by a sandbox reset like API tokens.

CREATE TABLE dashboard_sessions (
  id_hash     text PRIMARY KEY,          -- SHA-256 of the cookie value
  client_id   text NOT NULL REFERENCES clients(id),
  csrf_token  text NOT NULL,             -- sent back in every form of the session
  created_at  bigint NOT NULL,           -- server seconds, not the sandbox clock
  expires_at  bigint NOT NULL
);
CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);

CREATE TABLE dashboard_links (
  token_hash  text PRIMARY KEY,          -- SHA-256 of the link's token
  client_id   text NOT NULL REFERENCES clients(id),
  created_at  bigint NOT NULL,
  expires_at  bigint NOT NULL,
  used_at     bigint                     -- a link signs in once
);

-- Wrong sign-ins per client id tried, in fixed windows (rate limit shared by all processes).
CREATE TABLE dashboard_sign_in_failures (
  attempted_id text PRIMARY KEY,
  window_start bigint NOT NULL,
  count        integer NOT NULL
);

-- The user search: e-mail and names by case-insensitive prefix, status/category/KYC level filters,
-- each within one client and newest first.
CREATE INDEX users_dash_email ON users (client_id, lower(email) text_pattern_ops);
CREATE INDEX users_dash_name ON users (client_id, lower(coalesce(data->>'Name', data->>'LastName', '')) text_pattern_ops);
CREATE INDEX users_dash_first_name ON users (client_id, lower(coalesce(data->>'FirstName', '')) text_pattern_ops);
CREATE INDEX users_dash_status ON users (client_id, status, creation_date, seq);
CREATE INDEX users_dash_category ON users (client_id, category, creation_date, seq);
CREATE INDEX users_dash_kyc ON users (client_id, kyc_level, creation_date, seq);
