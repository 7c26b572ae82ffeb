import { MangopayAbortError } from './errors.js';

/**
 * Client-side rate limiting from the `X-RateLimit-*` headers Mangopay (and Mangrove) send on every
 * answer: one comma-separated value per window (15 min, 30 min, 60 min, 24 h), `X-RateLimit-Remaining`
 * the calls left in each, `X-RateLimit-Reset` each window's end in epoch seconds, and `X-RateLimit`
 * (calls made) or `X-RateLimit-Limit` (calls allowed).
 */

export interface RateWindow {
  remaining: number;
  /** Epoch seconds. */
  reset: number;
  limit: number | null;
}

function numbers(value: string | null): number[] | null {
  if (value === null || value.trim() === '') return null;
  const list = value.split(',').map((v) => Number(v.trim()));
  return list.every((n) => Number.isFinite(n)) ? list : null;
}

/** The windows an answer's headers describe (empty when it sent none). */
export function parseRateHeaders(headers: Headers): RateWindow[] {
  const remaining = numbers(headers.get('x-ratelimit-remaining'));
  const reset = numbers(headers.get('x-ratelimit-reset'));
  if (!remaining || !reset) return [];
  const limit = numbers(headers.get('x-ratelimit-limit'));
  const made = numbers(headers.get('x-ratelimit'));
  return remaining.map((r, i) => ({
    remaining: r,
    reset: reset[i] ?? reset[reset.length - 1],
    limit: limit?.[i] ?? (made?.[i] !== undefined ? made[i] + r : null),
  }));
}

/** The seconds or HTTP date of a Retry-After header, in milliseconds (null when absent or unreadable). */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

export interface WaitInfo {
  reason: 'rate-limit' | 'retry-after' | 'backoff';
  ms: number;
  detail: string;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RateGateOptions {
  now?: () => number;
  sleep: Sleep;
  /** Calls left untouched in every window, e.g. for the platform's own traffic on the same client id. */
  reserve?: number;
  /**
   * Below this share of a window's limit left, calls are spread evenly over the time to its reset
   * (default 0: off; calls go at full speed until the window is spent, then wait for its reset).
   */
  paceBelow?: number;
  onWait?: (info: WaitInfo) => void;
}

/** `promise`, or a rejection with AbortError as soon as `signal` fires. */
function abortable(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new MangopayAbortError());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new MangopayAbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}

/** Margin after a window's announced reset before calling again (clocks differ a little). */
const RESET_MARGIN_MS = 1000;

/**
 * Admits calls while every known window has calls left, counting the calls in flight (their answers
 * have not told their count yet): the call that would go over waits for the window's reset instead.
 * Optionally (paceBelow), a nearly spent window's last calls are spread over the time left.
 * A 429 blocks all calls for its Retry-After.
 */
export class RateGate {
  private windows: RateWindow[] = [];
  private inFlight = 0;
  private nextSlot = 0;
  private blockedUntil = 0;
  /** Until a first answer tells the windows, one call at a time (the limit may be lower than the concurrency). */
  private firstAnswer: { promise: Promise<void>; resolve: () => void } | null;
  private readonly now: () => number;

  constructor(private readonly opts: RateGateOptions) {
    this.now = opts.now ?? Date.now;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.firstAnswer = { promise, resolve };
  }

  /** Waits until a call may be made; the caller must call `done` once it has its answer (or none). */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.firstAnswer && this.inFlight > 0) {
        await abortable(this.firstAnswer.promise, signal);
        continue;
      }
      const now = this.now();
      if (this.blockedUntil > now) {
        await this.wait('retry-after', this.blockedUntil - now, 'the server asked to retry later (429)', signal);
        continue;
      }
      const wait = this.windowWait(now);
      if (wait) {
        await this.wait('rate-limit', wait.ms, wait.detail, signal);
        continue;
      }
      const pace = this.paceMs(now);
      if (pace > 0) {
        const slot = Math.max(now, this.nextSlot);
        this.nextSlot = slot + pace;
        if (slot > now) {
          await this.wait('rate-limit', slot - now, `pacing calls ${Math.round(pace)} ms apart near the rate limit`, signal, slot - now > 1000);
          // Another caller may have spent the window meanwhile: check again, keeping this slot.
          if (this.windowWait(this.now())) continue;
        }
      }
      this.inFlight++;
      return;
    }
  }

  /** A call is over: `headers` of its answer, if any. */
  done(headers: Headers | null): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (headers) this.update(parseRateHeaders(headers));
    this.firstAnswer?.resolve();
    this.firstAnswer = null;
  }

  /** A 429: nobody calls before `ms` have passed. */
  block(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }

  /** What is known of the windows (for progress lines and tests). */
  get known(): readonly RateWindow[] {
    return this.windows;
  }

  private update(seen: RateWindow[]): void {
    seen.forEach((w, i) => {
      const cur = this.windows[i];
      // Answers arrive out of order: within one window the lowest remaining is the latest count.
      if (!cur || w.reset > cur.reset) this.windows[i] = w;
      else if (w.reset === cur.reset) cur.remaining = Math.min(cur.remaining, w.remaining);
    });
  }

  private windowWait(now: number): { ms: number; detail: string } | null {
    const reserve = this.opts.reserve ?? 0;
    let worst: { ms: number; detail: string } | null = null;
    for (const w of this.windows) {
      const resetMs = w.reset * 1000 + RESET_MARGIN_MS;
      if (resetMs <= now) continue;
      if (w.remaining - this.inFlight - reserve > 0) continue;
      const ms = resetMs - now;
      if (!worst || ms > worst.ms) {
        const of = w.limit !== null ? ` of ${w.limit}` : '';
        const left = Math.max(0, w.remaining - this.inFlight);
        worst = { ms, detail: `${left}${of} calls left in a rate-limit window until ${new Date(w.reset * 1000).toISOString()}` };
      }
    }
    return worst;
  }

  private paceMs(now: number): number {
    const share = this.opts.paceBelow ?? 0;
    const reserve = this.opts.reserve ?? 0;
    let pace = 0;
    for (const w of this.windows) {
      const resetMs = w.reset * 1000 + RESET_MARGIN_MS;
      if (resetMs <= now || w.limit === null) continue;
      const left = w.remaining - this.inFlight - reserve;
      if (share <= 0 || left >= w.limit * share) continue;
      pace = Math.max(pace, (resetMs - now) / Math.max(1, left));
    }
    return pace;
  }

  private async wait(reason: WaitInfo['reason'], ms: number, detail: string, signal: AbortSignal | undefined, tell = true): Promise<void> {
    if (tell) this.opts.onWait?.({ reason, ms, detail });
    await this.opts.sleep(ms, signal);
  }
}
