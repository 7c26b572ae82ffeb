import type { Paging } from '../core/paging.js';
import type { Queryable } from './index.js';

export interface PageQuery {
  table: string;
  columns: string;
  /** The column BeforeDate/AfterDate and the sort apply to; ties are broken by `seq`. */
  dateColumn: string;
  /** Conditions with one `?` each for their value; a condition whose value is undefined or null is left out. */
  filters: Array<[sql: string, value: unknown]>;
}

/** One page of a list, and how many rows the whole list has. */
export async function selectPage<R>(q: Queryable, spec: PageQuery, p: Paging): Promise<{ rows: R[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const filters: Array<[string, unknown]> = [
    ...spec.filters,
    [`${spec.dateColumn} < ?`, p.before],
    [`${spec.dateColumn} > ?`, p.after],
  ];
  for (const [sql, value] of filters) {
    if (value === undefined || value === null) continue;
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  }
  const cond = where.length ? where.join(' AND ') : 'true';
  const [{ total }] = await q.query<{ total: number }>(`SELECT count(*)::int AS total FROM ${spec.table} WHERE ${cond}`, params);
  const dir = p.sortDir === 'ASC' ? 'ASC' : 'DESC';
  const rows = await q.query<R>(
    `SELECT ${spec.columns} FROM ${spec.table} WHERE ${cond} ORDER BY ${spec.dateColumn} ${dir}, seq ${dir}
     LIMIT ${p.perPage} OFFSET ${(p.page - 1) * p.perPage}`,
    params,
  );
  return { rows, total };
}
