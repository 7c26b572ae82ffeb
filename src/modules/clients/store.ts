import type { Queryable } from '../../db/index.js';
import { emptyProfile, type ClientProfile, type ClientRecord } from './model.js';

function toClient(r: any): ClientRecord {
  return { id: r.id, name: r.name, profile: { ...emptyProfile(), ...r.profile }, logoVersion: Number(r.logo_version) };
}

/** The client's row; `lock` takes it FOR UPDATE (concurrent updates of the profile apply one after the other). */
export async function findClient(q: Queryable, id: string, lock = false): Promise<ClientRecord | null> {
  const rows = await q.query(`SELECT id, name, profile, logo_version FROM clients WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows.length ? toClient(rows[0]) : null;
}

export async function saveProfile(q: Queryable, id: string, profile: ClientProfile): Promise<void> {
  await q.query('UPDATE clients SET profile = $2 WHERE id = $1', [id, JSON.stringify(profile)]);
}

export async function saveLogo(q: Queryable, id: string, bytes: Buffer, mediaType: string): Promise<void> {
  await q.query('UPDATE clients SET logo = $2, logo_type = $3, logo_version = logo_version + 1 WHERE id = $1', [id, bytes, mediaType]);
}

export async function findLogo(q: Queryable, id: string): Promise<{ bytes: Buffer; mediaType: string; version: number } | null> {
  const rows = await q.query<{ logo: Buffer; logo_type: string; logo_version: number }>(
    'SELECT logo, logo_type, logo_version FROM clients WHERE id = $1 AND logo IS NOT NULL',
    [id],
  );
  return rows.length ? { bytes: rows[0].logo, mediaType: rows[0].logo_type, version: Number(rows[0].logo_version) } : null;
}
