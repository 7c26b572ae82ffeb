import { describe, expect, it } from 'vitest';
import { hashApiKey, verifyApiKey } from '../src/modules/auth/service.js';

describe('API keys', () => {
  it('are stored as salted hashes that never contain the key', async () => {
    const a = await hashApiKey('a-secret-key-0001');
    const b = await hashApiKey('a-secret-key-0001');
    expect(a).toMatch(/^scrypt\$/);
    expect(a).not.toContain('a-secret-key-0001');
    expect(a).not.toBe(b);
  });

  it('still refuse a wrong key after the right one was verified and remembered', async () => {
    const stored = await hashApiKey('right-key-0001');
    expect(await verifyApiKey('right-key-0001', stored)).toBe(true);
    expect(await verifyApiKey('right-key-0001', stored)).toBe(true);
    expect(await verifyApiKey('wrong-key-0001', stored)).toBe(false);
    const rotated = await hashApiKey('next-key-0002');
    expect(await verifyApiKey('right-key-0001', rotated)).toBe(false);
    expect(await verifyApiKey('next-key-0002', rotated)).toBe(true);
    expect(await verifyApiKey('next-key-0002', 'not-a-hash')).toBe(false);
  });
});
