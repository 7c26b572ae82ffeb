import type { Db } from '../db/index.js';

/** What an authenticated request carries into the services. */
export interface RequestCtx {
  db: Db;
  clientId: string;
  now: number;
  baseUrl: string;
}
