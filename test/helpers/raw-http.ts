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
