import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from './errors.js';
import type { Paging } from '../core/paging.js';

export type { Paging } from '../core/paging.js';

export const MAX_PER_PAGE = 100;

/** Paging of a list whose query the route's schema already read (PagingQuery): only Sort is left to check. */
export function pagingOf(
  query: { page?: number; per_page?: number; Sort?: string; BeforeDate?: number; AfterDate?: number },
  opts: { sortFields: string[]; defaultSort: string; defaultDir?: 'ASC' | 'DESC' },
): Paging {
  let sortField = opts.defaultSort;
  let sortDir: 'ASC' | 'DESC' = opts.defaultDir ?? 'ASC';
  if (query.Sort) {
    const [field, dir = 'ASC', ...extra] = query.Sort.split(':');
    const known = opts.sortFields.find((f) => f.toLowerCase() === field.trim().toLowerCase());
    if (!known || !/^(asc|desc)$/i.test(dir.trim()) || extra.length) {
      throw ERRORS.paramError({ Sort: `Sort must be ${opts.sortFields.map((f) => `${f}:ASC or ${f}:DESC`).join(', ')}` });
    }
    sortField = known;
    sortDir = dir.trim().toUpperCase() as 'ASC' | 'DESC';
  }
  return {
    page: Math.max(1, query.page ?? 1),
    perPage: query.per_page ?? 10,
    sortField,
    sortDir,
    before: query.BeforeDate,
    after: query.AfterDate,
  };
}

export function pageCount(total: number, perPage: number): number {
  return Math.max(1, Math.ceil(total / perPage));
}

/**
 * Query names a Link carries on, besides those the route's query schema declares: paging, and the filters the
 * lists read. Anything else a caller sent is left out, so that the links stay short whatever the query held.
 */
const LINK_PARAMS = new Set(
  ['Sort', 'BeforeDate', 'AfterDate', 'EventType', 'Status', 'Type', 'Nature', 'ResultCode', 'Active', 'RecipientScope', 'ScaContext']
    .map((name) => name.toLowerCase()),
);
/** Recognised filters can still be long (EventType is not checked against a list): past this, no Link is sent. */
const MAX_LINK_HEADER = 8 * 1024;

function declaredQueryNames(req: FastifyRequest): Set<string> {
  const schema = req.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
  return new Set(Object.keys(schema?.properties ?? {}).map((name) => name.toLowerCase()));
}

/** Sends one page with X-Number-Of-Pages, X-Number-Of-Items and a Link header. */
export function sendPage<T>(req: FastifyRequest, reply: FastifyReply, items: T[], total: number, p: Paging): T[] {
  const pages = pageCount(total, p.perPage);
  // The public base URL when one is configured: the Host header is wrong behind a proxy.
  const url = new URL(req.ctx.baseUrl + req.url);
  const declared = declaredQueryNames(req);
  const kept = [...url.searchParams].filter(([key]) => {
    const name = key.toLowerCase();
    return name !== 'page' && name !== 'per_page' && (LINK_PARAMS.has(name) || declared.has(name));
  });
  const link = (page: number, rel: string) => {
    url.search = new URLSearchParams([...kept, ['page', String(page)], ['per_page', String(p.perPage)]]).toString();
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links = [link(1, 'first')];
  if (p.page > 1) links.push(link(Math.min(p.page - 1, pages), 'prev'));
  if (p.page < pages) links.push(link(p.page + 1, 'next'));
  links.push(link(pages, 'last'));
  reply.header('X-Number-Of-Pages', String(pages));
  reply.header('X-Number-Of-Items', String(total));
  const header = links.join(', ');
  if (header.length <= MAX_LINK_HEADER) reply.header('Link', header);
  return items;
}
