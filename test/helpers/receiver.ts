import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Notification {
  /** The path and query as received. */
  url: string;
  method: string;
  eventType: string | null;
  resourceId: string | null;
  date: number | null;
  /** When it arrived (ms). */
  at: number;
}

export interface Receiver {
  /** The base URL to register as a hook, with a path naming this receiver. */
  url: string;
  received: Notification[];
  /**
   * The status to answer with and how long to wait before answering, changeable between calls;
   * `statusFor`, when set, decides the status from the notification instead.
   */
  respond: { status: number; delayMs: number; statusFor?: (n: Notification) => number };
  /** Resolves once `n` notifications matching `filter` have arrived, or rejects after `timeoutMs`. */
  waitFor(n: number, filter?: (x: Notification) => boolean, timeoutMs?: number): Promise<Notification[]>;
  close(): Promise<void>;
}

/** A real local HTTP server that records every webhook call it gets. */
export async function startReceiver(): Promise<Receiver> {
  const received: Notification[] = [];
  const waiters = new Set<() => void>();
  const respond: Receiver['respond'] = { status: 200, delayMs: 0 };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://receiver');
    const date = u.searchParams.get('Date');
    const n: Notification = {
      url: req.url ?? '',
      method: req.method ?? '',
      eventType: u.searchParams.get('EventType'),
      resourceId: u.searchParams.get('RessourceId'),
      date: date === null ? null : Number(date),
      at: Date.now(),
    };
    received.push(n);
    for (const w of waiters) w();
    const status = respond.statusFor ? respond.statusFor(n) : respond.status;
    const delayMs = respond.delayMs;
    const answer = () => {
      if (!res.destroyed) res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    respond,
    waitFor(n, filter = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hits = received.filter(filter);
          if (hits.length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hits);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const urls = received.slice(-5).map((r) => r.url);
          reject(new Error(`expected ${n} notifications, got ${received.filter(filter).length} (last: ${JSON.stringify(urls)})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
