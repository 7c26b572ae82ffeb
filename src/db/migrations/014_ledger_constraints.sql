-- The ledger's rules enforced by the database itself (issue #11): postings name their transaction
-- by a column, each movement balances per currency at commit, and no amount or balance can reach a
-- value JavaScript numbers cannot hold exactly.

-- Movement ids are the transaction id, or `<transaction id>:<step>` for a payout's settle and fail.
ALTER TABLE postings ADD COLUMN transaction_id text;
UPDATE postings SET transaction_id = split_part(movement_id, ':', 1);
ALTER TABLE postings ALTER COLUMN transaction_id SET NOT NULL;
CREATE INDEX postings_by_transaction ON postings (client_id, transaction_id);

-- 2^53 - 1: the largest integer a JavaScript number holds exactly.
ALTER TABLE postings ADD CONSTRAINT postings_amount_exact CHECK (amount BETWEEN -9007199254740991 AND 9007199254740991);
ALTER TABLE wallets ADD CONSTRAINT wallets_balance_exact CHECK (balance <= 9007199254740991);
ALTER TABLE transactions ADD CONSTRAINT transactions_amounts_exact CHECK (
  debited_amount <= 9007199254740991 AND credited_amount <= 9007199254740991 AND fees_amount <= 9007199254740991
);

-- Checked at commit, once every posting of the transaction is written: a movement whose postings do
-- not sum to zero in a currency cannot commit, whatever code wrote them.
CREATE FUNCTION mangrove_movement_balances(cid text, mid text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT currency, sum(amount) AS total INTO bad FROM postings
  WHERE client_id = cid AND movement_id = mid GROUP BY currency HAVING sum(amount) <> 0 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger: movement % does not balance in % (%)', mid, bad.currency, bad.total
      USING ERRCODE = 'check_violation', CONSTRAINT = 'postings_movement_balances';
  END IF;
END
$$;

CREATE FUNCTION mangrove_postings_balance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    PERFORM mangrove_movement_balances(NEW.client_id, NEW.movement_id);
  END IF;
  IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR (OLD.client_id, OLD.movement_id) IS DISTINCT FROM (NEW.client_id, NEW.movement_id)) THEN
    PERFORM mangrove_movement_balances(OLD.client_id, OLD.movement_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER postings_movement_balances AFTER INSERT OR UPDATE OR DELETE ON postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mangrove_postings_balance();

-- When each hook was active (ENABLED and VALID), in event numbers: from_event is the last event
-- number handed out when it became active, to_event the last one when it stopped (null: still
-- active). An event numbered above from_event and up to to_event was recorded while the hook was
-- active, so it has an outbox row for it; the tests check this after every file.
CREATE TABLE hook_active_periods (
  hook_id     text NOT NULL REFERENCES hooks(id) ON DELETE CASCADE,
  from_event  bigint NOT NULL,
  to_event    bigint
);
CREATE INDEX hook_active_periods_by_hook ON hook_active_periods (hook_id);

CREATE FUNCTION mangrove_hook_activity() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was boolean := TG_OP = 'UPDATE' AND OLD.status = 'ENABLED' AND OLD.validity = 'VALID';
  now_active boolean := NEW.status = 'ENABLED' AND NEW.validity = 'VALID';
  mark bigint;
BEGIN
  IF was = now_active THEN
    RETURN NULL;
  END IF;
  SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO mark FROM events_seq_seq;
  IF now_active THEN
    INSERT INTO hook_active_periods (hook_id, from_event) VALUES (NEW.id, mark);
  ELSE
    UPDATE hook_active_periods SET to_event = mark WHERE hook_id = NEW.id AND to_event IS NULL;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER hooks_activity AFTER INSERT OR UPDATE OF status, validity ON hooks
  FOR EACH ROW EXECUTE FUNCTION mangrove_hook_activity();

-- Hooks active already: from now on (there is no history of their earlier periods).
INSERT INTO hook_active_periods (hook_id, from_event)
  SELECT h.id, CASE WHEN s.is_called THEN s.last_value ELSE 0 END FROM hooks h, events_seq_seq s
  WHERE h.status = 'ENABLED' AND h.validity = 'VALID';
