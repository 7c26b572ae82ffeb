import type { Queryable } from '../../db/index.js';

export { advanceClock, clockOffset } from '../clock/store.js';

/**
 * Every table holding a client's data, children before parents. Credentials, tokens and call
 * counts are not data: they stay.
 */
const WIPE = [
  'DELETE FROM webhook_deliveries WHERE client_id = $1',
  'DELETE FROM hooks WHERE client_id = $1',
  'DELETE FROM events WHERE client_id = $1',
  'DELETE FROM idempotency_keys WHERE client_id = $1',
  'DELETE FROM postings WHERE client_id = $1',
  'DELETE FROM transactions WHERE client_id = $1',
  // Card payments (issue #12): their sessions, holds, validations, cards and registrations.
  'DELETE FROM secure_sessions WHERE client_id = $1',
  'DELETE FROM preauthorizations WHERE client_id = $1',
  'DELETE FROM card_validations WHERE client_id = $1',
  'DELETE FROM cards WHERE client_id = $1',
  'DELETE FROM card_registrations WHERE client_id = $1',
  'DELETE FROM wallets WHERE client_id = $1',
  'DELETE FROM bank_accounts WHERE client_id = $1',
  'DELETE FROM recipients WHERE client_id = $1',
  'DELETE FROM ubos WHERE declaration_id IN (SELECT id FROM ubo_declarations WHERE client_id = $1)',
  'DELETE FROM ubo_declarations WHERE client_id = $1',
  'DELETE FROM kyc_consults WHERE client_id = $1',
  'DELETE FROM kyc_pages WHERE client_id = $1',
  'DELETE FROM kyc_documents WHERE client_id = $1',
  'DELETE FROM sca_sessions WHERE client_id = $1',
  'DELETE FROM users WHERE client_id = $1',
  'UPDATE clients SET clock_offset = 0 WHERE id = $1',
];

/**
 * Deletes the client's data in one transaction. The client's users and hooks are locked first, in
 * id order as every writer locks them: a request already holding one finishes before the wipe starts
 * deleting (and its rows are deleted too), and one that comes later waits for the wipe and then finds
 * its user or hook gone. Otherwise a row written mid-wipe could point at a row deleted a statement
 * earlier and make the wipe fail.
 */
export async function wipeClient(q: Queryable, clientId: string): Promise<void> {
  await q.query('SELECT 1 FROM users WHERE client_id = $1 ORDER BY id COLLATE "C" FOR UPDATE', [clientId]);
  await q.query('SELECT 1 FROM hooks WHERE client_id = $1 ORDER BY id COLLATE "C" FOR UPDATE', [clientId]);
  for (const sql of WIPE) await q.query(sql, [clientId]);
}
