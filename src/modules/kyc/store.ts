import type { Queryable } from '../../db/index.js';
import { selectPage } from '../../db/paged.js';
import type { Paging } from '../../core/paging.js';
import type { KycDocument, KycStatus, KycType } from './model.js';

const COLUMNS = `id, client_id, user_id, type, status, tag, creation_date, processed_date,
  refused_reason_type, refused_reason_message, flags`;

function toDoc(r: any): KycDocument {
  return {
    id: r.id,
    clientId: r.client_id,
    userId: r.user_id,
    type: r.type,
    status: r.status,
    tag: r.tag,
    creationDate: r.creation_date,
    processedDate: r.processed_date,
    refusedReasonType: r.refused_reason_type,
    refusedReasonMessage: r.refused_reason_message,
    flags: r.flags,
  };
}

export async function insertDocument(q: Queryable, d: KycDocument): Promise<void> {
  await q.query(
    `INSERT INTO kyc_documents (id, client_id, user_id, type, status, tag, creation_date, processed_date,
       refused_reason_type, refused_reason_message, flags)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      d.id, d.clientId, d.userId, d.type, d.status, d.tag, d.creationDate, d.processedDate,
      d.refusedReasonType, d.refusedReasonMessage, JSON.stringify(d.flags),
    ],
  );
}

export async function findDocument(q: Queryable, clientId: string, id: string, lock = false): Promise<KycDocument | null> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM kyc_documents WHERE id = $1 AND client_id = $2${lock ? ' FOR UPDATE' : ''}`,
    [id, clientId],
  );
  return rows.length ? toDoc(rows[0]) : null;
}

export async function saveDocument(q: Queryable, d: KycDocument): Promise<void> {
  await q.query(
    `UPDATE kyc_documents SET status = $3, tag = $4, processed_date = $5, refused_reason_type = $6,
       refused_reason_message = $7, flags = $8
     WHERE id = $1 AND client_id = $2`,
    [d.id, d.clientId, d.status, d.tag, d.processedDate, d.refusedReasonType, d.refusedReasonMessage, JSON.stringify(d.flags)],
  );
}

/** The user's documents in the given statuses, locked, oldest first. */
export async function documentsOfUser(
  q: Queryable,
  clientId: string,
  userId: string,
  statuses: KycStatus[],
  lock = false,
): Promise<KycDocument[]> {
  const rows = await q.query(
    `SELECT ${COLUMNS} FROM kyc_documents WHERE client_id = $1 AND user_id = $2 AND status = ANY($3)
     ORDER BY creation_date, seq${lock ? ' FOR UPDATE' : ''}`,
    [clientId, userId, statuses],
  );
  return rows.map(toDoc);
}

export async function countPages(q: Queryable, documentId: string): Promise<number> {
  const [{ n }] = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM kyc_pages WHERE document_id = $1', [documentId]);
  return n;
}

export async function insertPage(
  q: Queryable,
  p: { documentId: string; clientId: string; pageNo: number; mediaType: string; content: Buffer; createdAt: number },
): Promise<void> {
  await q.query(
    `INSERT INTO kyc_pages (document_id, client_id, page_no, media_type, size, content, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [p.documentId, p.clientId, p.pageNo, p.mediaType, p.content.length, p.content, p.createdAt],
  );
}

export interface StoredPage {
  pageNo: number;
  mediaType: string;
  content: Buffer;
}

export async function pagesOf(q: Queryable, clientId: string, documentId: string): Promise<StoredPage[]> {
  const rows = await q.query<any>(
    'SELECT page_no, media_type, content FROM kyc_pages WHERE client_id = $1 AND document_id = $2 ORDER BY page_no',
    [clientId, documentId],
  );
  return rows.map((r) => ({ pageNo: r.page_no, mediaType: r.media_type, content: Buffer.from(r.content) }));
}

export interface DocumentFilter {
  userId?: string;
  statuses: KycStatus[] | null;
  types: KycType[] | null;
}

export async function listDocuments(
  q: Queryable,
  clientId: string,
  f: DocumentFilter,
  p: Paging,
): Promise<{ items: KycDocument[]; total: number }> {
  const { rows, total } = await selectPage(
    q,
    {
      table: 'kyc_documents',
      columns: COLUMNS,
      dateColumn: 'creation_date',
      filters: [
        ['client_id = ?', clientId],
        ['user_id = ?', f.userId],
        ['status = ANY(?)', f.statuses],
        ['type = ANY(?)', f.types],
      ],
    },
    p,
  );
  return { items: rows.map(toDoc), total };
}

export async function pageNumbers(q: Queryable, clientId: string, documentId: string): Promise<number[]> {
  const rows = await q.query<{ page_no: number }>(
    'SELECT page_no FROM kyc_pages WHERE client_id = $1 AND document_id = $2 ORDER BY page_no',
    [clientId, documentId],
  );
  return rows.map((r) => r.page_no);
}

export async function findPage(
  q: Queryable,
  clientId: string,
  documentId: string,
  pageNo: number,
): Promise<{ mediaType: string; content: Buffer } | null> {
  const [page] = await q.query<{ media_type: string; content: Uint8Array }>(
    'SELECT media_type, content FROM kyc_pages WHERE client_id = $1 AND document_id = $2 AND page_no = $3',
    [clientId, documentId, pageNo],
  );
  return page ? { mediaType: page.media_type, content: Buffer.from(page.content) } : null;
}

export interface ConsultLink {
  tokenHash: string;
  clientId: string;
  documentId: string;
  pageNo: number;
  expiresAt: number;
}

export async function insertConsult(q: Queryable, c: ConsultLink): Promise<void> {
  await q.query(
    'INSERT INTO kyc_consults (token_hash, client_id, document_id, page_no, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [c.tokenHash, c.clientId, c.documentId, c.pageNo, c.expiresAt],
  );
}

export async function deleteConsultsExpiredBefore(q: Queryable, clientId: string, before: number): Promise<void> {
  await q.query('DELETE FROM kyc_consults WHERE client_id = $1 AND expires_at < $2', [clientId, before]);
}

export async function findConsult(q: Queryable, tokenHash: string): Promise<ConsultLink | null> {
  const [r] = await q.query<{ client_id: string; document_id: string; page_no: number; expires_at: string }>(
    'SELECT client_id, document_id, page_no, expires_at FROM kyc_consults WHERE token_hash = $1',
    [tokenHash],
  );
  return r ? { tokenHash, clientId: r.client_id, documentId: r.document_id, pageNo: r.page_no, expiresAt: Number(r.expires_at) } : null;
}
