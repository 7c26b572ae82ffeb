/** A Mangopay error body: `{ Message, Type, Id, Date, errors }` (the token endpoint adds `error`). */
export interface MangopayErrorBody {
  Message?: string;
  Type?: string;
  Id?: string;
  Date?: number;
  errors?: Record<string, string> | null;
  error?: string;
  error_description?: string;
}

/** An error answer of the API (4xx/5xx with or without a Mangopay body). */
export class MangopayApiError extends Error {
  override name = 'MangopayApiError';
  /** Mangopay's `Type` (e.g. `user_closure_not_possible`), or `http_<status>` when the body had none. */
  readonly type: string;
  readonly errors: Record<string, string> | null;
  /** Mangopay's error `Id`, useful when asking their support. */
  readonly errorId: string | undefined;

  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: MangopayErrorBody | null,
  ) {
    const type = body?.Type ?? body?.error ?? `http_${status}`;
    const detail = body?.errors ? Object.values(body.errors).filter(Boolean).join('; ') : body?.error_description;
    super(`${method} ${path}: ${status} ${type}: ${body?.Message ?? 'no message'}${detail ? ` (${detail})` : ''}`);
    this.type = type;
    this.errors = body?.errors ?? null;
    this.errorId = body?.Id;
  }
}

/** 401: wrong client id or API key, or a token refused. */
export class MangopayAuthError extends MangopayApiError {
  override name = 'MangopayAuthError';
}
/** 404 `ressource_not_found`. */
export class MangopayNotFoundError extends MangopayApiError {
  override name = 'MangopayNotFoundError';
}
/** 429 that outlasted the client's patience (maxRetries). */
export class MangopayRateLimitError extends MangopayApiError {
  override name = 'MangopayRateLimitError';
}
/** Any other 4xx: the request itself was refused (param_error, user_closure_not_possible, ...). */
export class MangopayRequestError extends MangopayApiError {
  override name = 'MangopayRequestError';
}
/** 5xx still failing after the retries. */
export class MangopayServerError extends MangopayApiError {
  override name = 'MangopayServerError';
}

/** The network failed (connection refused, reset, timeout) on every attempt. */
export class MangopayNetworkError extends Error {
  override name = 'MangopayNetworkError';
  constructor(
    readonly method: string,
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`${method} ${path}: network error: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** The caller's AbortSignal fired while the client waited (rate limit, backoff). */
export class MangopayAbortError extends Error {
  override name = 'MangopayAbortError';
  constructor() {
    super('aborted');
  }
}

export function apiError(status: number, method: string, path: string, body: MangopayErrorBody | null): MangopayApiError {
  if (status === 401) return new MangopayAuthError(status, method, path, body);
  if (status === 404) return new MangopayNotFoundError(status, method, path, body);
  if (status === 429) return new MangopayRateLimitError(status, method, path, body);
  if (status >= 500) return new MangopayServerError(status, method, path, body);
  return new MangopayRequestError(status, method, path, body);
}
