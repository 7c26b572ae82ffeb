-- SCA on wallet access and on transfers (issue 10 item 5).

-- The last time the user authenticated with SCA for an action (wallet access), on the client's
-- clock. The SCA validity window counts from the later of this and sca_enrolled_at.
ALTER TABLE users ADD COLUMN sca_authenticated_at bigint;

-- Two more kinds of session behind a RedirectUrl: an authentication for wallet access, and the
-- authentication of one transfer (which runs when the session completes).
ALTER TABLE sca_sessions DROP CONSTRAINT sca_sessions_kind_check;
ALTER TABLE sca_sessions ADD CONSTRAINT sca_sessions_kind_check
  CHECK (kind IN ('ENROLLMENT', 'CONSENT', 'AUTHENTICATION', 'TRANSFER'));
-- Deferred, as user_id is: a sandbox reset deletes transactions before sessions in one transaction.
ALTER TABLE sca_sessions ADD COLUMN transfer_id text REFERENCES transactions(id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE sca_sessions ADD CONSTRAINT sca_sessions_transfer_kind CHECK ((kind = 'TRANSFER') = (transfer_id IS NOT NULL));
-- A transfer has one session: concurrent creations cannot give it two.
CREATE UNIQUE INDEX sca_sessions_one_per_transfer ON sca_sessions (transfer_id) WHERE transfer_id IS NOT NULL;
