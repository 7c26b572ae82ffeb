import type { Db } from '../db/index.js';
import { addCalls, findToken, type CallCounts, type TokenInfo } from '../modules/auth/service.js';

/**
 * Counts calls in the database with group commit: a call waits for the statement that adds
 * it, and calls arriving while one statement runs share the next. Every answer reflects a
 * committed count, while a busy server writes the counter row once per batch, not per call.
 */
export class CallCounter {
  private pending = new Map<string, number>();
  private waiters: Array<{ clientId: string; resolve: (c: CallCounts) => void; reject: (e: unknown) => void }> = [];
  private running = false;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
  ) {}

  count(clientId: string): Promise<CallCounts> {
    this.pending.set(clientId, (this.pending.get(clientId) ?? 0) + 1);
    const result = new Promise<CallCounts>((resolve, reject) => this.waiters.push({ clientId, resolve, reject }));
    if (!this.running) void this.flush();
    return result;
  }

  private async flush(): Promise<void> {
    this.running = true;
    while (this.waiters.length) {
      const calls = this.pending;
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      try {
        const totals = await addCalls(this.db, calls, this.clock());
        for (const w of waiters) {
          const t = totals.get(w.clientId);
          if (t) w.resolve(t);
          else w.reject(new Error(`client ${w.clientId} vanished while counting its calls`));
        }
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.running = false;
  }
}

const TOKEN_CACHE_SIZE = 10_000;

/**
 * Token rows never change once written, so a token seen valid stays valid until its expiry:
 * remembering it saves a query per call without any process holding state the others need.
 */
export class TokenCache {
  private readonly tokens = new Map<string, TokenInfo>();

  constructor(private readonly db: Db) {}

  async find(token: string, now: number): Promise<TokenInfo | null> {
    const hit = this.tokens.get(token);
    if (hit && hit.expiresAt > now) return hit;
    if (hit) this.tokens.delete(token);
    const found = await findToken(this.db, token, now);
    if (found) {
      if (this.tokens.size >= TOKEN_CACHE_SIZE) this.tokens.delete(this.tokens.keys().next().value!);
      this.tokens.set(token, found);
    }
    return found;
  }
}
