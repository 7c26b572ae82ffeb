/** Small helpers for the few HTML pages Mangrove serves itself (SCA, 3-D Secure, payment page). */

/** Text made safe inside HTML, attribute values included. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An http(s) URL, or null: only those are followed or linked, so a page cannot be made to run a script. */
export function httpUrl(raw: string | null | undefined): URL | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
