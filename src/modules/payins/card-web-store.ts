import type { Queryable } from '../../db/index.js';

/** Records the card a web pay-in was paid with (transactions.card_id: the card's and fingerprint's transaction lists). */
export async function setPayInCard(q: Queryable, clientId: string, payInId: string, cardId: string): Promise<void> {
  await q.query(`UPDATE transactions SET card_id = $3 WHERE id = $1 AND client_id = $2 AND type = 'PAYIN'`, [payInId, clientId, cardId]);
}
