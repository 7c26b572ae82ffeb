-- UBO declarations of BUSINESS and PARTNERSHIP legal users, and the beneficial owners they list.
CREATE TABLE ubo_declarations (
  id              text PRIMARY KEY,
  client_id       text NOT NULL REFERENCES clients(id),
  user_id         text NOT NULL REFERENCES users(id),
  seq             bigserial NOT NULL,
  status          text NOT NULL CHECK (status IN ('CREATED', 'VALIDATION_ASKED', 'INCOMPLETE', 'VALIDATED', 'REFUSED')),
  reason          text,
  message         text,
  tag             text,
  creation_date   bigint NOT NULL,
  processed_date  bigint
);
CREATE INDEX ubo_declarations_by_user ON ubo_declarations (client_id, user_id, creation_date, seq);
-- One declaration in progress per user: two concurrent creations cannot both commit.
CREATE UNIQUE INDEX ubo_declarations_one_in_progress ON ubo_declarations (client_id, user_id)
  WHERE status IN ('CREATED', 'VALIDATION_ASKED', 'INCOMPLETE');

CREATE TABLE ubos (
  id              text PRIMARY KEY,
  declaration_id  text NOT NULL REFERENCES ubo_declarations(id),
  seq             bigserial NOT NULL,
  tag             text,
  creation_date   bigint NOT NULL,
  is_active       boolean NOT NULL DEFAULT true,
  -- FirstName, LastName, Birthday, Nationality, Address, Birthplace
  data            jsonb NOT NULL
);
CREATE INDEX ubos_by_declaration ON ubos (declaration_id, creation_date, seq);
