-- Regulatory blocks of a user (SPEC §3.6): set by closure or by the sandbox operations.
-- They live on the user's row so that every change goes through the user's row lock.
ALTER TABLE users
  ADD COLUMN inflows_blocked   boolean NOT NULL DEFAULT false,
  ADD COLUMN outflows_blocked  boolean NOT NULL DEFAULT false,
  -- Mangopay's ActionCode ("008701", ...): the empty string when nothing is blocked.
  ADD COLUMN block_action_code text NOT NULL DEFAULT '',
  ADD CONSTRAINT users_action_code_when_blocked
    CHECK ((inflows_blocked OR outflows_blocked) OR block_action_code = '');
