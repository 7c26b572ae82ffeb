import net from 'node:net';
import type { Reply } from './server.js';

/** Writes raw bytes on a socket and returns everything the server answers before closing. */
export function rawExchange(url: string, request: string): Promise<string> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (out += d));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer; got ${JSON.stringify(out)}`)));
  });
}

/** An HTTP/1.1 answer read off the socket: status, headers, and its JSON body (null when empty). */
export function parseRaw(text: string): Reply {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = new Headers(headerLines.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
  let body = rest.join('\r\n\r\n');
  // Chunked answers: one chunk is all a small JSON body takes here.
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) body = body.split('\r\n')[1] ?? '';
  return { status: Number(statusLine.split(' ')[1]), headers, body: body ? JSON.parse(body) : null };
}

export interface UploadResult {
  /** The answer as read off the socket (complete: its head and Content-Length bytes). */
  text: string;
  /** A socket error met while sending or reading (EPIPE, ECONNRESET), if any. */
  error: string | null;
}

/**
 * Sends a request head, then `size` bytes of body written as fast as the socket takes them, and reads the answer
 * only then, as clients that write the whole body before reading do (Python's urllib, curl without Expect).
 */
export function uploadThenRead(url: string, head: string, size: number): Promise<UploadResult> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let text = '';
    let settled = false;
    let written = false;
    const answered = () => {
      const end = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
      return end >= 0 && length !== null && text.length >= end + 4 + Number(length[1]);
    };
    const settle = (error: string | null) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ text, error });
    };
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      text += d;
      if (written && answered()) settle(null);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => settle(err.code ?? err.message));
    socket.on('close', () => settle(written ? null : 'closed before the body was sent'));
    socket.setTimeout(20_000, () => settle('no answer'));
    socket.write(head);
    const chunk = Buffer.alloc(64 * 1024, ' ');
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        const last = sent === size;
        const flushed = socket.write(chunk.subarray(0, n), (err) => {
          if (!last || err) return;
          written = true;
          if (answered()) settle(null);
        });
        if (!flushed) return void socket.once('drain', pump);
      }
    };
    pump();
  });
}
