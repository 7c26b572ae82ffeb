/** Wall-clock time. Injected so that tests can fix it; the sandbox's business time (ctx.now) is layered on top. */
export interface Clock {
  nowMs(): number;
  nowSeconds(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  nowSeconds: () => Math.floor(Date.now() / 1000),
};

/** A clock that only moves when told to (tests). */
export function fixedClock(startMs: number): Clock & { advance(ms: number): void; set(ms: number): void } {
  let ms = startMs;
  return {
    nowMs: () => ms,
    nowSeconds: () => Math.floor(ms / 1000),
    advance: (by) => void (ms += by),
    set: (to) => void (ms = to),
  };
}

export function nowSeconds(): number {
  return systemClock.nowSeconds();
}
