import { setTimeout as delay } from 'node:timers/promises';
import {
  apiError,
  MangopayAbortError,
  MangopayNetworkError,
  type MangopayErrorBody,
} from './errors.js';
import { RateGate, retryAfterMs, type Sleep, type WaitInfo } from './rate.js';
import type { PersonType, TokenReply, User, Wallet } from './types.js';

export interface MangopayClientOptions {
  /** `https://api.sandbox.mangopay.com`, `https://api.mangopay.com` or a Mangrove's URL (a trailing `/v2.01` is fine). */
  baseUrl: string;
  clientId: string;
  apiKey: string;
  /** Retries of a network error or a 5xx answer (default 4), with exponential backoff. */
  maxRetries?: number;
  /** How many 429 answers one call waits out before giving up (default 10). */
  maxRateLimitRetries?: number;
  /** First backoff delay in ms (default 500; doubled each retry, with jitter, at most 30 s). */
  backoffMs?: number;
  /** Per-request timeout in ms (default 30 s); a timeout counts as a network error. */
  timeoutMs?: number;
  /** Renew the token this many seconds before it expires (default 60, at most a tenth of its lifetime). */
  tokenRenewSeconds?: number;
  /** Calls left untouched in every rate-limit window (default 0), e.g. for the platform's own traffic. */
  rateLimitReserve?: number;
  /** Spread the last calls of a window over the time to its reset below this share of its limit left (default 0: off). */
  rateLimitPaceBelow?: number;
  /** Told each time the client waits (rate limit, Retry-After, backoff). */
  onWait?: (info: WaitInfo) => void;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: Sleep;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Stops waiting (rate limit, backoff) with MangopayAbortError; a request already sent still completes. */
  signal?: AbortSignal;
  idempotencyKey?: string;
}

export interface ClientStats {
  /** API calls sent (each attempt counts). */
  requests: number;
  /** POST /v2.01/oauth/token sent. */
  tokenRequests: number;
  retries: number;
  /** 429 answers received. */
  rateLimited: number;
}

const abortableSleep: Sleep = async (ms, signal) => {
  if (signal?.aborted) throw new MangopayAbortError();
  try {
    await delay(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw new MangopayAbortError();
    throw err;
  }
};

interface Token {
  value: string;
  /** Epoch ms after which a new one is fetched. */
  renewAt: number;
}

/**
 * A small typed client of the Mangopay REST API v2.01 (and of Mangrove). One OAuth token is kept for its
 * whole lifetime and renewed shortly before it expires, never per call; concurrent callers share one
 * token request. Calls respect the `X-RateLimit-*` headers, wait out 429s (Retry-After), and retry
 * network errors and 5xx a bounded number of times.
 */
export class MangopayClient {
  readonly stats: ClientStats = { requests: 0, tokenRequests: 0, retries: 0, rateLimited: 0 };
  private readonly root: string;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly gate: RateGate;
  private readonly opts: Omit<MangopayClientOptions, 'apiKey'>;
  // Secrets in private fields: never in what console.log or util.inspect show of the client.
  readonly #basic: string;
  #token: Token | null = null;
  #tokenPending: Promise<Token> | null = null;

  constructor(options: MangopayClientOptions) {
    const { apiKey, ...opts } = options;
    if (!opts.clientId) throw new Error('MangopayClient: clientId is required');
    if (!apiKey) throw new Error('MangopayClient: apiKey is required');
    this.opts = opts;
    this.#basic = Buffer.from(`${opts.clientId}:${apiKey}`).toString('base64');
    const url = new URL(opts.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('MangopayClient: baseUrl must be http(s)');
    this.root = url.toString().replace(/\/+$/, '').replace(/\/v2\.01$/i, '');
    this.fetchFn = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? abortableSleep;
    this.gate = new RateGate({ now: this.now, sleep: this.sleep, reserve: opts.rateLimitReserve, paceBelow: opts.rateLimitPaceBelow, onWait: opts.onWait });
  }

  /** What the client knows of the rate-limit windows from the last answers. */
  get rateWindows() {
    return this.gate.known;
  }

  // ---- typed calls ----

  getUser(id: string, opts: RequestOptions = {}): Promise<User> {
    return this.request<User>('GET', `/users/${encodeURIComponent(id)}`, opts);
  }

  /** One page of a user's wallets (Mangopay pages at most 100). */
  listUserWallets(id: string, page = 1, perPage = 100, opts: RequestOptions = {}): Promise<Wallet[]> {
    return this.request<Wallet[]>('GET', `/users/${encodeURIComponent(id)}/wallets`, {
      ...opts,
      query: { ...opts.query, page, per_page: perPage },
    });
  }

  /** Every wallet of a user, page after page. */
  async allUserWallets(id: string, opts: RequestOptions = {}): Promise<Wallet[]> {
    const all: Wallet[] = [];
    for (let page = 1; ; page++) {
      const batch = await this.listUserWallets(id, page, 100, opts);
      all.push(...batch);
      if (batch.length < 100) return all;
    }
  }

  /**
   * Closes a user for good: `DELETE /users/natural|legal/{Id}`. Without `personType`, it is read first
   * (`GET /users/{Id}`). Refusals are MangopayRequestError with `type` `user_closure_not_possible`
   * (a wallet holds money, or a payout is pending) or `user_closure_failed` (already closed).
   */
  async closeUser(id: string, personType?: PersonType, opts: RequestOptions = {}): Promise<void> {
    const type = personType ?? (await this.getUser(id, opts)).PersonType;
    const segment = type === 'LEGAL' ? 'legal' : 'natural';
    await this.request<null>('DELETE', `/users/${segment}/${encodeURIComponent(id)}`, opts);
  }

  // ---- the machinery ----

  /** A call under `/v2.01/{ClientId}`: `path` starts with `/`. Answers the parsed JSON body (null when empty). */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(`${this.root}/v2.01/${encodeURIComponent(this.opts.clientId)}${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    let tokenRefused = false;
    for (let attempt = 0, limited = 0; ; ) {
      // The gate first: a call held for minutes then takes the token valid at that time.
      await this.gate.acquire(opts.signal);
      let token: Token;
      try {
        token = await this.bearer(opts.signal);
      } catch (err) {
        this.gate.done(null);
        throw err;
      }
      let res: Response;
      try {
        this.stats.requests++;
        res = await this.fetchFn(url, {
          method,
          headers: {
            authorization: `Bearer ${token.value}`,
            accept: 'application/json',
            ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
          },
          body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (err) {
        this.gate.done(null);
        if (attempt >= (this.opts.maxRetries ?? 4)) throw new MangopayNetworkError(method, path, err);
        await this.backoff(attempt++, `${method} ${path}: network error`, opts.signal);
        continue;
      }
      this.gate.done(res.headers);
      const text = await res.text().catch(() => '');
      if (res.ok) return (text ? JSON.parse(text) : null) as T;
      const body = parseBody(text);
      if (res.status === 429) {
        this.stats.rateLimited++;
        const wait = retryAfterMs(res.headers.get('retry-after'), this.now()) ?? this.backoffDelay(limited);
        if (limited++ >= (this.opts.maxRateLimitRetries ?? 10)) throw apiError(429, method, path, body);
        this.gate.block(wait);
        continue;
      }
      if (res.status === 401 && !tokenRefused) {
        // Expired early (a sandbox clock moved, a server restarted): one new token, once.
        tokenRefused = true;
        if (this.#token === token) this.#token = null;
        continue;
      }
      if (res.status >= 500 && attempt < (this.opts.maxRetries ?? 4)) {
        await this.backoff(attempt++, `${method} ${path}: ${res.status}`, opts.signal);
        continue;
      }
      throw apiError(res.status, method, path, body);
    }
  }

  /** The current token, fetched only when there is none or it is about to expire. */
  private async bearer(signal?: AbortSignal): Promise<Token> {
    if (this.#token && this.now() < this.#token.renewAt) return this.#token;
    // Every caller arriving meanwhile waits for the same token request.
    this.#tokenPending ??= this.fetchToken(signal).finally(() => (this.#tokenPending = null));
    this.#token = await this.#tokenPending;
    return this.#token;
  }

  private async fetchToken(signal?: AbortSignal): Promise<Token> {
    const path = '/oauth/token';
    for (let attempt = 0, limited = 0; ; ) {
      const sent = this.now();
      let res: Response;
      try {
        this.stats.tokenRequests++;
        res = await this.fetchFn(`${this.root}/v2.01/oauth/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${this.#basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: 'grant_type=client_credentials',
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
        });
      } catch (err) {
        if (attempt >= (this.opts.maxRetries ?? 4)) throw new MangopayNetworkError('POST', path, err);
        await this.backoff(attempt++, 'token: network error', signal);
        continue;
      }
      const text = await res.text().catch(() => '');
      if (res.ok) {
        const reply = JSON.parse(text) as TokenReply;
        if (typeof reply.access_token !== 'string' || !(reply.expires_in > 0)) {
          throw apiError(res.status, 'POST', path, { Message: 'the token answer has no access_token or expires_in' });
        }
        const lifetime = reply.expires_in * 1000;
        const margin = Math.min((this.opts.tokenRenewSeconds ?? 60) * 1000, lifetime / 10);
        return { value: reply.access_token, renewAt: sent + lifetime - margin };
      }
      const body = parseBody(text);
      if (res.status === 429 && limited++ < (this.opts.maxRateLimitRetries ?? 10)) {
        this.stats.rateLimited++;
        const wait = retryAfterMs(res.headers.get('retry-after'), this.now()) ?? this.backoffDelay(limited);
        this.opts.onWait?.({ reason: 'retry-after', ms: wait, detail: 'the token endpoint asked to retry later (429)' });
        await this.sleep(wait, signal);
        continue;
      }
      if (res.status >= 500 && attempt < (this.opts.maxRetries ?? 4)) {
        await this.backoff(attempt++, `token: ${res.status}`, signal);
        continue;
      }
      throw apiError(res.status, 'POST', path, body);
    }
  }

  private backoffDelay(attempt: number): number {
    const base = (this.opts.backoffMs ?? 500) * 2 ** attempt;
    return Math.min(30_000, base / 2 + Math.random() * (base / 2));
  }

  private async backoff(attempt: number, why: string, signal?: AbortSignal): Promise<void> {
    this.stats.retries++;
    const ms = this.backoffDelay(attempt);
    this.opts.onWait?.({ reason: 'backoff', ms, detail: `${why}, retry ${attempt + 1}` });
    await this.sleep(ms, signal);
  }
}

function parseBody(text: string): MangopayErrorBody | null {
  if (!text) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as MangopayErrorBody) : null;
  } catch {
    return { Message: text.slice(0, 200) };
  }
}

