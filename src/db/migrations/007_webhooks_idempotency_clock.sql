-- Webhooks, idempotency keys and the sandbox clock (issue #5).

-- The client's sandbox clock: seconds added to the server's clock for everything this client
-- sees and does (creation dates, expiries, token lifetimes). Only ever moves forward, except
-- that a sandbox reset puts it back to zero.
ALTER TABLE clients ADD COLUMN clock_offset bigint NOT NULL DEFAULT 0 CHECK (clock_offset >= 0);

CREATE TABLE hooks (
  id                    text PRIMARY KEY,
  client_id             text NOT NULL REFERENCES clients(id),
  seq                   bigserial NOT NULL,
  event_type            text NOT NULL,
  url                   text NOT NULL,
  status                text NOT NULL CHECK (status IN ('ENABLED', 'DISABLED')),
  validity              text NOT NULL CHECK (validity IN ('VALID', 'INVALID')),
  tag                   text,
  creation_date         bigint NOT NULL,
  -- Failed calls since the last successful one; at 100 the hook becomes INVALID.
  consecutive_failures  integer NOT NULL DEFAULT 0
);
-- One hook per EventType and client: two concurrent creations settle on this constraint.
CREATE UNIQUE INDEX hooks_one_per_event_type ON hooks (client_id, event_type);
CREATE INDEX hooks_by_client ON hooks (client_id, creation_date, seq);

-- The transactional outbox: one row per event and hook, written in the transaction that
-- records the event. A dispatcher claims due rows with FOR UPDATE SKIP LOCKED and pushes
-- due_at forward by a lease while it calls, so a process dying mid-call only delays the row.
CREATE TABLE webhook_deliveries (
  id                  bigserial PRIMARY KEY,
  client_id           text NOT NULL REFERENCES clients(id),
  hook_id             text NOT NULL REFERENCES hooks(id),
  event_seq           bigint NOT NULL REFERENCES events(seq),
  status              text NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  -- Milliseconds since the epoch, on the server's clock (advancing a client's sandbox clock
  -- moves its pending rows' due_at back by the same amount).
  due_at              bigint NOT NULL,
  -- Who holds the row while calling; a result is only written by the holder of the claim.
  claim               text,
  attempts            integer NOT NULL DEFAULT 0,
  last_attempt_date   bigint,
  last_status_code    integer,
  last_error          text,
  creation_date       bigint NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (due_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_by_client ON webhook_deliveries (client_id, creation_date, id);

-- Idempotency keys: claimed before the request runs, completed with its response.
CREATE TABLE idempotency_keys (
  client_id      text NOT NULL REFERENCES clients(id),
  key            text NOT NULL,
  request_hash   text NOT NULL,
  created_at     bigint NOT NULL,
  -- Null while the first request is still running.
  status_code    integer,
  content_type   text,
  body           text,
  request_url    text,
  completed_at   bigint,
  PRIMARY KEY (client_id, key)
);
