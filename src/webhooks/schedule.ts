/**
 * Mangopay's retry schedule: after a failed call, every 10 minutes for the first hour, then every
 * 8 hours for the next 3 days. Entry n is the wait after the (n+1)-th failed attempt; past the end
 * the delivery has failed for good.
 */
export const RETRY_DELAYS_SECONDS: readonly number[] = [...Array(6).fill(600), ...Array(9).fill(8 * 3600)];

/** Attempts a delivery gets in all: the first call and its retries. */
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** A call that has not answered with its status line within this time has failed. */
export const CALL_TIMEOUT_MS = 2000;

/**
 * When the next attempt is due (server milliseconds) after `attempts` failed ones, or null when
 * there is none; `scale` shrinks the schedule for tests (0.001 turns 10 minutes into 0.6 s).
 */
export function nextAttemptAt(attempts: number, nowMs: number, scale: number): number | null {
  const delay = RETRY_DELAYS_SECONDS[attempts - 1];
  return delay === undefined ? null : nowMs + Math.max(1, Math.round(delay * 1000 * scale));
}
