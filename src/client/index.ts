/** The typed Mangopay client, for users' own scripts: `import { MangopayClient } from 'mangrove/client'`. */
export { MangopayClient, type ClientStats, type MangopayClientOptions, type RequestOptions } from './client.js';
export {
  MangopayAbortError,
  MangopayApiError,
  MangopayAuthError,
  MangopayNetworkError,
  MangopayNotFoundError,
  MangopayRateLimitError,
  MangopayRequestError,
  MangopayServerError,
  type MangopayErrorBody,
} from './errors.js';
export { parseRateHeaders, retryAfterMs, type RateWindow, type WaitInfo } from './rate.js';
export type { Money, PersonType, User, UserStatus, Wallet } from './types.js';
