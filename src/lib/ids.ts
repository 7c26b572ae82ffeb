import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 10 characters of millisecond time then 16 of randomness, Crockford base32. */
export function ulid(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD[bytes[i] % 32];
  return time + rand;
}

export const ID_PREFIX = {
  user: 'user_m_',
  wallet: 'wlt_m_',
  payin: 'payin_m_',
  transfer: 'xfer_m_',
  payout: 'po_m_',
  kyc: 'kyc_m_',
  ubo: 'ubo_m_',
  uboDeclaration: 'udecl_m_',
  bankAccount: 'bankacc_m_',
  hook: 'hook_m_',
  cardRegistration: 'cardreg_m_',
  card: 'card_m_',
  cardValidation: 'cardval_m_',
  preauthorization: 'preauth_m_',
  refund: 'refund_m_',
  client: 'mgv_',
} as const;

export function newId(kind: keyof typeof ID_PREFIX): string {
  return ID_PREFIX[kind] + ulid();
}

/** A secret with 160 bits of entropy, URL-safe. */
export function secret(): string {
  return randomBytes(20).toString('hex');
}
