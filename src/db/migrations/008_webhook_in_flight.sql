-- Calls in flight per hook (claimed rows), counted on every claim to keep a failing hook within
-- the failures it has left.
CREATE INDEX webhook_deliveries_in_flight ON webhook_deliveries (hook_id, due_at) WHERE status = 'PENDING' AND claim IS NOT NULL;
