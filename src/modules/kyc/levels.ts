import type { Queryable } from '../../db/index.js';
import { recordEvent } from '../events/store.js';
import { emptyProofs, type LegalData, type NaturalData, type UserRecord } from '../users/model.js';
import { findUser, saveUser } from '../users/store.js';
import { needsUboDeclaration, PROOF_FIELD, requiredTypes, type KycDocument } from './model.js';
import { documentsOfUser, saveDocument } from './store.js';
import { hasValidatedUboDeclaration } from './ubo-store.js';

/**
 * Sets the user's proof fields (latest VALIDATED document of each type) and KYCLevel (REGULAR when an
 * OWNER who accepted the T&C has every required item validated), in memory, recording USER_KYC_REGULAR
 * or USER_KYC_LIGHT when the level changes. The caller holds the user's row lock and saves the user.
 */
export async function applyKycLevel(q: Queryable, user: UserRecord, now: number): Promise<boolean> {
  const validated: KycDocument[] = await documentsOfUser(q, user.clientId, user.id, ['VALIDATED']);
  const proofs = emptyProofs();
  // Oldest first, so the most recently processed document of a type wins.
  validated.sort((a, b) => (a.processedDate ?? 0) - (b.processedDate ?? 0));
  for (const d of validated) proofs[PROOF_FIELD[d.type]] = d.id;

  const legal = user.personType === 'LEGAL' ? (user.data as LegalData) : null;
  let regular =
    user.category === 'OWNER' &&
    user.tcAccepted &&
    requiredTypes(user.personType, legal).every((t) => proofs[PROOF_FIELD[t]] !== null);
  if (regular && legal?.LegalPersonType === 'BUSINESS' && legal.CompanyNumberValid !== true) regular = false;
  if (regular && needsUboDeclaration(legal)) regular = await hasValidatedUboDeclaration(q, user.clientId, user.id);

  const data = user.data as LegalData | NaturalData;
  const level = regular ? 'REGULAR' : 'LIGHT';
  const changed = level !== user.kycLevel || JSON.stringify(data.Proofs) !== JSON.stringify(proofs);
  data.Proofs = proofs;
  if (level !== user.kycLevel) {
    user.kycLevel = level;
    await recordEvent(q, user.clientId, regular ? 'USER_KYC_REGULAR' : 'USER_KYC_LIGHT', user.id, now);
  }
  return changed;
}

/** Loads the user FOR UPDATE and brings its KYCLevel and proof fields up to date (call after any KYC or UBO outcome). */
export async function recomputeKycLevel(q: Queryable, clientId: string, userId: string, now: number): Promise<void> {
  const user = await findUser(q, clientId, userId, true);
  if (!user) return;
  if (await applyKycLevel(q, user, now)) await saveUser(q, user);
}

const IDENTITY_FIELDS = ['FirstName', 'LastName', 'Birthday', 'Nationality'] as const;

function identityOf(u: UserRecord): Record<string, unknown> {
  const source = u.personType === 'LEGAL' ? (u.data as LegalData).LegalRepresentative : (u.data as NaturalData);
  return Object.fromEntries(IDENTITY_FIELDS.map((f) => [f, source[f]]));
}

/**
 * Downgrade (reference §5.7), in the transaction of a user update that holds the user's row lock:
 * a change of the natural user's or representative's identity outdates the IDENTITY_PROOF (validated or
 * awaiting validation) and, for legal users, the validated company documents; a change of LegalPersonType
 * outdates the validated REGISTRATION_PROOF. `after` gets its proof fields and KYCLevel recomputed; the
 * caller saves it.
 */
export async function outdateOnIdentityChange(
  q: Queryable,
  clientId: string,
  now: number,
  before: UserRecord,
  after: UserRecord,
): Promise<void> {
  const legal = after.personType === 'LEGAL';
  const identity = JSON.stringify(identityOf(before)) !== JSON.stringify(identityOf(after));
  const personType = legal && (before.data as LegalData).LegalPersonType !== (after.data as LegalData).LegalPersonType;
  if (!identity && !personType) return;
  const docs = await documentsOfUser(q, clientId, after.id, ['VALIDATED', 'VALIDATION_ASKED'], true);
  let outdated = 0;
  for (const d of docs) {
    const hit =
      (identity && d.type === 'IDENTITY_PROOF') ||
      (identity && legal && d.status === 'VALIDATED' && d.type !== 'ADDRESS_PROOF') ||
      (personType && d.status === 'VALIDATED' && d.type === 'REGISTRATION_PROOF');
    if (!hit) continue;
    d.status = 'OUT_OF_DATE';
    d.processedDate ??= now;
    await saveDocument(q, d);
    await recordEvent(q, clientId, 'KYC_OUTDATED', d.id, now);
    outdated++;
  }
  if (outdated || personType) await applyKycLevel(q, after, now);
}
