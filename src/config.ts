import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  /** Set: PostgreSQL. Unset: embedded PGlite in dataDir. */
  databaseUrl: string | null;
  dataDir: string;
  clientId: string | null;
  apiKey: string | null;
  tokenTtl: number;
  /** `uncategorized`: `allow` for a platform older than user categories (SPEC §3.4). */
  legacyUsers: 'reject' | 'allow' | 'uncategorized';
  sandbox: boolean;
  /** Calls allowed per client in the 15 min, 30 min, 60 min and 24 h windows. */
  rateLimits: [number, number, number, number];
  /** Token requests allowed per client per tokenBudgetWindow seconds. */
  tokenBudget: number;
  tokenBudgetWindow: number;
  bodyLimit: number;
  /** Base URL printed in links (SCA enrollment pages, Link headers fall back to the Host header). */
  publicUrl: string | null;
  logLevel: string;
  /** Whether this process sends webhook deliveries (they are queued either way). */
  webhooks: boolean;
  /** Multiplies Mangopay's retry schedule (10 min, then 8 h); tests use a small factor. */
  webhookRetryScale: number;
  /** How often an idle process looks for due deliveries, in milliseconds. */
  webhookPollMs: number;
  /**
   * MANGROVE_UNSAFE_NO_FSYNC=1: the embedded database does not wait for the disk on commit. Faster,
   * and an OS crash or power loss may lose committed data: for throwaway data (CI) only.
   */
  unsafeNoFsync: boolean;
}

export class ConfigError extends Error {}

const DEFAULT_RATE_LIMITS: [number, number, number, number] = [2300, 4500, 8800, 105600];

function int(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min) throw new ConfigError(`${name} must be at least ${min}, got ${value}`);
  return value;
}

function oneOf<T extends string>(env: Record<string, string | undefined>, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase() as T;
  if (!allowed.includes(value)) throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return value;
}

function positive(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.trim());
  if (!/^\d*\.?\d+(e-?\d+)?$/i.test(raw.trim()) || !(value > 0)) throw new ConfigError(`${name} must be a positive number, got "${raw}"`);
  return value;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const clientId = env.MANGROVE_CLIENT_ID?.trim() || null;
  const apiKey = env.MANGROVE_API_KEY?.trim() || null;
  if ((clientId === null) !== (apiKey === null)) {
    throw new ConfigError('MANGROVE_CLIENT_ID and MANGROVE_API_KEY must be set together');
  }
  if (clientId !== null && !/^[A-Za-z0-9_-]{1,64}$/.test(clientId)) {
    throw new ConfigError('MANGROVE_CLIENT_ID may only hold letters, digits, "_" and "-" (at most 64)');
  }
  let rateLimits = DEFAULT_RATE_LIMITS;
  if (env.MANGROVE_RATE_LIMITS) {
    const parts = env.MANGROVE_RATE_LIMITS.split(',').map((p) => p.trim());
    if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
      throw new ConfigError('MANGROVE_RATE_LIMITS must be four positive whole numbers (15 min, 30 min, 60 min, 24 h)');
    }
    rateLimits = parts.map(Number) as [number, number, number, number];
  }
  return {
    port: int(env, 'PORT', 8080, 0),
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl: env.DATABASE_URL?.trim() || null,
    dataDir: path.resolve(env.DATA_DIR?.trim() || './.mangrove'),
    clientId,
    apiKey,
    // SDKs refresh 60 s before expiry: a TTL of 60 or less makes them loop on the token endpoint.
    tokenTtl: int(env, 'MANGROVE_TOKEN_TTL', 3600, 61),
    legacyUsers: oneOf(env, 'MANGROVE_LEGACY_USERS', ['reject', 'allow', 'uncategorized'] as const, 'reject'),
    sandbox: oneOf(env, 'MANGROVE_SANDBOX', ['on', 'off'] as const, 'on') === 'on',
    rateLimits,
    tokenBudget: int(env, 'MANGROVE_TOKEN_BUDGET', 60, 1),
    tokenBudgetWindow: int(env, 'MANGROVE_TOKEN_BUDGET_WINDOW', 3600, 1),
    bodyLimit: int(env, 'MANGROVE_BODY_LIMIT', 12 * 1024 * 1024, 1024),
    publicUrl: env.MANGROVE_PUBLIC_URL?.trim().replace(/\/+$/, '') || null,
    logLevel: env.LOG_LEVEL?.trim() || 'warn',
    webhooks: oneOf(env, 'MANGROVE_WEBHOOKS', ['on', 'off'] as const, 'on') === 'on',
    webhookRetryScale: positive(env, 'MANGROVE_WEBHOOK_RETRY_SCALE', 1),
    webhookPollMs: int(env, 'MANGROVE_WEBHOOK_POLL_MS', 100, 1),
    unsafeNoFsync: oneOf(env, 'MANGROVE_UNSAFE_NO_FSYNC', ['0', '1'] as const, '0') === '1',
  };
}
