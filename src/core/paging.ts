/** One page request as services and stores see it; src/http/paging.ts reads it from the query. */
export interface Paging {
  page: number;
  perPage: number;
  sortField: string;
  sortDir: 'ASC' | 'DESC';
  before?: number;
  after?: number;
}
