/** Files sent as Base64 text in JSON bodies (KYC pages, the client's logo). */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export type Base64Problem = 'not_base64' | 'bad_length' | 'too_large';

/**
 * Decodes Base64 text, or says why it cannot. Whitespace is ignored: some SDKs send it line-wrapped
 * (Ruby's `Base64.encode64`). The size is checked before decoding, so a huge body costs no decoding.
 */
export function decodeBase64(raw: string, maxBytes: number): { bytes: Buffer } | { problem: Base64Problem } {
  const text = raw.replace(/\s+/g, '');
  if (text.length > Math.ceil(maxBytes / 3) * 4) return { problem: 'too_large' };
  if (!BASE64.test(text)) return { problem: 'not_base64' };
  if (text.length % 4 !== 0) return { problem: 'bad_length' };
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length > maxBytes) return { problem: 'too_large' };
  return { bytes };
}

/** The media type read from the file's first bytes, or null when it is none of PDF, JPEG, PNG. */
export function sniffMediaType(b: Buffer): 'application/pdf' | 'image/jpeg' | 'image/png' | null {
  if (b.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}
