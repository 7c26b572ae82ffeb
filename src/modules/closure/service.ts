import type { RequestCtx } from '../../core/context.js';
import { ERRORS } from '../../core/errors.js';
import { lockWallets } from '../../ledger/index.js';
import { recordEvent } from '../events/store.js';
import { hasPendingPayOut } from '../transactions/store.js';
import { blockAll } from '../regulatory/service.js';
import type { PersonType } from '../users/model.js';
import { findUser, saveUser } from '../users/store.js';
import { walletIdsOfOwner } from '../wallets/store.js';

/**
 * The ActionCode a closed user's blocks carry. Mangopay documents none for closure (reference notes
 * §3.1), nor a distinct one for a closure "by Mangopay", so both use 008703 "General issue".
 */
export const CLOSURE_ACTION_CODE = '008703';

const ENTITY: Record<PersonType, string> = { LEGAL: 'UserLegal', NATURAL: 'UserNatural' };

/**
 * Closes a user for good (SPEC §3.5): `DELETE /users/{legal|natural}/{Id}` (personType given) or the
 * sandbox's closure "by Mangopay" (any person type). Locking protocol (src/ledger): the user FOR UPDATE,
 * then its wallets FOR UPDATE in ascending id order; every balance must be zero and no payout of the
 * user may be pending. The status change,
 * the blocks and their events commit together.
 */
export async function closeUser(ctx: RequestCtx, id: string, personType: PersonType | null): Promise<void> {
  await ctx.db.tx(async (q) => {
    const user = await findUser(q, ctx.clientId, id, true);
    if (!user || (personType && user.personType !== personType)) {
      throw ERRORS.notFound(personType ? ENTITY[personType] : 'User', id);
    }
    if (user.status === 'CLOSED') throw ERRORS.userClosureFailed();
    const wallets = await lockWallets(q, ctx.clientId, await walletIdsOfOwner(q, ctx.clientId, id));
    for (const w of wallets.values()) if (w.balance !== 0) throw ERRORS.userClosureNotPossible();
    // A payout the bank may still reject would bring its funds back to a closed user: wait for its outcome.
    // Creating a payout takes the user FOR SHARE, so none can appear between this check and the commit.
    if (await hasPendingPayOut(q, ctx.clientId, id)) throw ERRORS.userClosurePayOutPending();
    user.status = 'CLOSED';
    await saveUser(q, user);
    await recordEvent(q, ctx.clientId, 'USER_ACCOUNT_CLOSED', id, ctx.now);
    await blockAll(q, ctx.clientId, id, ctx.now, CLOSURE_ACTION_CODE);
  });
}
