import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../core/paging.js';
import type { UboDeclarationRecord, UboRecord } from './ubo-model.js';

/** Whether the user's latest UBO declaration is VALIDATED (a KYC requirement of BUSINESS and PARTNERSHIP users). */
export async function hasValidatedUboDeclaration(q: Queryable, clientId: string, userId: string): Promise<boolean> {
  const rows = await q.query<{ status: string }>(
    `SELECT status FROM ubo_declarations WHERE client_id = $1 AND user_id = $2 ORDER BY creation_date DESC, seq DESC LIMIT 1`,
    [clientId, userId],
  );
  return rows[0]?.status === 'VALIDATED';
}

const DECL_COLUMNS = 'id, client_id, user_id, status, reason, message, tag, creation_date, processed_date';
const UBO_COLUMNS = 'id, declaration_id, tag, creation_date, is_active, data';

function toDeclaration(r: any): UboDeclarationRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    userId: r.user_id,
    status: r.status,
    reason: r.reason,
    message: r.message,
    tag: r.tag,
    creationDate: r.creation_date,
    processedDate: r.processed_date,
  };
}

function toUbo(r: any): UboRecord {
  return {
    id: r.id,
    declarationId: r.declaration_id,
    tag: r.tag,
    creationDate: r.creation_date,
    isActive: r.is_active,
    data: r.data,
  };
}

/** Name of the index that allows one declaration in progress per user (a violation means a concurrent creation won). */
export const ONE_IN_PROGRESS_INDEX = 'ubo_declarations_one_in_progress';

export async function insertDeclaration(q: Queryable, d: UboDeclarationRecord): Promise<void> {
  await q.query(
    `INSERT INTO ubo_declarations (id, client_id, user_id, status, reason, message, tag, creation_date, processed_date)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [d.id, d.clientId, d.userId, d.status, d.reason, d.message, d.tag, d.creationDate, d.processedDate],
  );
}

export async function saveDeclaration(q: Queryable, d: UboDeclarationRecord): Promise<void> {
  await q.query(
    `UPDATE ubo_declarations SET status = $3, reason = $4, message = $5, tag = $6, processed_date = $7
     WHERE id = $1 AND client_id = $2`,
    [d.id, d.clientId, d.status, d.reason, d.message, d.tag, d.processedDate],
  );
}

/** One of the client's declarations; `lock` takes its row lock. */
export async function findDeclaration(q: Queryable, clientId: string, id: string, lock = false): Promise<UboDeclarationRecord | null> {
  const rows = await q.query(
    `SELECT ${DECL_COLUMNS} FROM ubo_declarations WHERE id = $1 AND client_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [id, clientId],
  );
  return rows.length ? toDeclaration(rows[0]) : null;
}

export async function findInProgress(q: Queryable, clientId: string, userId: string): Promise<UboDeclarationRecord | null> {
  const rows = await q.query(
    `SELECT ${DECL_COLUMNS} FROM ubo_declarations
     WHERE client_id = $1 AND user_id = $2 AND status IN ('CREATED', 'VALIDATION_ASKED', 'INCOMPLETE') LIMIT 1`,
    [clientId, userId],
  );
  return rows.length ? toDeclaration(rows[0]) : null;
}

export async function listDeclarations(
  q: Queryable,
  clientId: string,
  userId: string,
  p: Paging,
): Promise<{ items: UboDeclarationRecord[]; total: number }> {
  const { rows, total } = await selectPage(
    q,
    {
      table: 'ubo_declarations',
      columns: DECL_COLUMNS,
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['user_id = ?', userId],
      ],
    },
    p,
  );
  return { items: rows.map(toDeclaration), total };
}

export async function insertUbo(q: Queryable, u: UboRecord): Promise<void> {
  await q.query(
    `INSERT INTO ubos (id, declaration_id, tag, creation_date, is_active, data) VALUES ($1, $2, $3, $4, $5, $6)`,
    [u.id, u.declarationId, u.tag, u.creationDate, u.isActive, JSON.stringify(u.data)],
  );
}

export async function saveUbo(q: Queryable, u: UboRecord): Promise<void> {
  await q.query(`UPDATE ubos SET tag = $2, is_active = $3, data = $4 WHERE id = $1`, [
    u.id,
    u.tag,
    u.isActive,
    JSON.stringify(u.data),
  ]);
}

export async function findUbo(q: Queryable, declarationId: string, id: string): Promise<UboRecord | null> {
  const rows = await q.query(`SELECT ${UBO_COLUMNS} FROM ubos WHERE id = $1 AND declaration_id = $2`, [id, declarationId]);
  return rows.length ? toUbo(rows[0]) : null;
}

/** The UBOs of several declarations, each list in creation order. */
export async function ubosOf(q: Queryable, declarationIds: string[]): Promise<Map<string, UboRecord[]>> {
  const out = new Map<string, UboRecord[]>(declarationIds.map((id) => [id, []]));
  if (!declarationIds.length) return out;
  const rows = await q.query(
    `SELECT ${UBO_COLUMNS} FROM ubos WHERE declaration_id = ANY($1::text[]) ORDER BY creation_date, seq`,
    [declarationIds],
  );
  for (const r of rows) out.get(r.declaration_id)!.push(toUbo(r));
  return out;
}
