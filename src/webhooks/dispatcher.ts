import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { systemClock, type Clock } from '../core/clock.js';
import type { Db } from '../db/index.js';
import { CALL_TIMEOUT_MS, nextAttemptAt } from './schedule.js';
import { cancelDelivery, claimDue, recordAttempt, type AttemptResult, type ClaimedDelivery } from './store.js';

export interface DispatcherOptions {
  /** Multiplies the retry schedule (tests shrink it). */
  retryScale: number;
  /** How often an idle dispatcher looks for due deliveries. */
  pollMs: number;
  /** Calls in flight at most, per process. */
  concurrency?: number;
  /** How long a claimed row stays away from other processes; longer than a call. */
  leaseMs?: number;
  /** Where failures are reported (the server's pino logger): the dispatcher does not depend on Fastify. */
  log?: { warn(obj: object, msg: string): void };
  /** When deliveries fall due and are retried (the retry schedule is wall-clock time, not a client's sandbox clock). */
  clock?: Clock;
}

/** Outcome writes in progress at most, per process (see Dispatcher.writing). */
const WRITERS = 4;

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

type CallOutcome = { ok: boolean; statusCode: number | null; error: string | null };

/**
 * The notification call: GET url?EventType=…&RessourceId=…&Date=…; success is a 2xx status line
 * within 2 s. Plain node:http rather than fetch, which refuses some ports a receiver may use.
 */
function call(d: ClaimedDelivery): Promise<CallOutcome> {
  const url = new URL(d.url);
  url.searchParams.append('EventType', d.eventType);
  url.searchParams.append('RessourceId', d.resourceId);
  url.searchParams.append('Date', String(d.date));
  const protocol = url.protocol as keyof typeof agents;
  return new Promise((resolve) => {
    let timedOut = false;
    const req = (protocol === 'https:' ? https : http).request(
      url,
      { method: 'GET', agent: agents[protocol], headers: { 'user-agent': 'Mangrove-Webhooks/1' } },
      (res) => {
        clearTimeout(timer);
        // Only the status counts; the body is read and dropped so the connection can be reused.
        res.resume();
        res.on('error', () => {});
        const code = res.statusCode ?? 0;
        const ok = code >= 200 && code < 300;
        resolve({ ok, statusCode: code, error: ok ? null : `HTTP ${code}` });
      },
    );
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, CALL_TIMEOUT_MS);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, statusCode: null, error: timedOut ? `No answer within ${CALL_TIMEOUT_MS} ms` : err.code ?? err.message });
    });
    req.end();
  });
}

/**
 * Sends the outbox's due deliveries. Every process runs one; rows are claimed in the database
 * (FOR UPDATE SKIP LOCKED, then a lease), so each attempt is made by exactly one process and a
 * row queued before a crash is sent after the restart. Calls run outside any transaction and
 * never on an API request's path.
 */
export class Dispatcher {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private writers = 0;
  private readonly writeQueue: Array<() => void> = [];
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly db: Db,
    private readonly opts: DispatcherOptions,
  ) {
    this.concurrency = opts.concurrency ?? 64;
    this.leaseMs = opts.leaseMs ?? 10 * CALL_TIMEOUT_MS;
    this.clock = opts.clock ?? systemClock;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming and waits for the calls in flight; whatever is not due yet stays queued. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      const room = this.concurrency - this.inFlight.size;
      if (room > 0) {
        try {
          const claim = randomBytes(8).toString('hex');
          const due = await claimDue(this.db, claim, this.clock.nowMs(), room, this.leaseMs);
          claimed = due.length;
          for (const d of due) this.track(this.attempt(d, claim));
        } catch (err) {
          // The database may be restarting or closing; the rows wait in the outbox.
          if (this.running) this.opts.log?.warn({ err }, 'webhook dispatcher could not claim deliveries');
        }
      }
      // A full batch means more may be due: look again at once. Otherwise wait for the next poll
      // (or for a call to finish when every slot is taken).
      if (!this.running) break;
      if (room <= 0) await Promise.race([...this.inFlight, this.sleep(this.opts.pollMs)]);
      else if (claimed < room) await this.sleep(this.opts.pollMs);
    }
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async attempt(d: ClaimedDelivery, claim: string): Promise<void> {
    try {
      if (d.hookStatus !== 'ENABLED' || d.hookValidity !== 'VALID') {
        const reason = `The hook is ${d.hookStatus !== 'ENABLED' ? d.hookStatus : d.hookValidity}`;
        await this.writing(() => cancelDelivery(this.db, d.id, claim, reason));
        return;
      }
      const outcome = await call(d);
      const nowMs = this.clock.nowMs();
      const result: AttemptResult = {
        ...outcome,
        date: Math.floor(nowMs / 1000) + d.clockOffset,
        nextDueAt: outcome.ok ? null : nextAttemptAt(d.attempts + 1, nowMs, this.opts.retryScale),
      };
      await this.writing(() => recordAttempt(this.db, d.id, claim, result));
    } catch (err) {
      // Not recorded: the lease runs out and the row is tried again.
      this.opts.log?.warn({ err, delivery: d.id }, 'webhook attempt could not be recorded');
    }
  }

  /**
   * Runs a write of an outcome, at most WRITERS at a time: the calls may be many, but the database
   * connections they share with the API are few, and API requests must not queue behind outcomes.
   */
  private async writing<T>(write: () => Promise<T>): Promise<T> {
    while (this.writers >= WRITERS) await new Promise<void>((resolve) => this.writeQueue.push(resolve));
    this.writers++;
    try {
      return await write();
    } finally {
      this.writers--;
      this.writeQueue.shift()?.();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
