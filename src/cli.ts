#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDb, type Db } from './db/index.js';
import { countClients, createClient, ensureClient } from './modules/auth/service.js';
import { buildServer } from './server.js';

const USAGE = `usage:
  mangrove serve [--port N] [--host H] [--data-dir DIR] [--database-url URL]
  mangrove clients create [--id ID] [--name NAME] [--key KEY] [--data-dir DIR] [--database-url URL]

Environment: PORT, HOST, DATA_DIR, DATABASE_URL, MANGROVE_CLIENT_ID, MANGROVE_API_KEY,
MANGROVE_TOKEN_TTL, MANGROVE_LEGACY_USERS, MANGROVE_SANDBOX, MANGROVE_RATE_LIMITS,
MANGROVE_TOKEN_BUDGET, MANGROVE_TOKEN_BUDGET_WINDOW, MANGROVE_PUBLIC_URL, MANGROVE_BODY_LIMIT,
MANGROVE_WEBHOOKS, MANGROVE_WEBHOOK_RETRY_SCALE, MANGROVE_WEBHOOK_POLL_MS, LOG_LEVEL (see README).`;

const FLAG_ENV: Record<string, string> = {
  port: 'PORT',
  host: 'HOST',
  'data-dir': 'DATA_DIR',
  'database-url': 'DATABASE_URL',
};

function configFrom(values: Record<string, unknown>): Config {
  const env = { ...process.env };
  for (const [flag, name] of Object.entries(FLAG_ENV)) {
    if (typeof values[flag] === 'string') env[name] = values[flag] as string;
  }
  return loadConfig(env);
}

/** One process per embedded data directory: PGlite is a single-writer database. */
function lockDataDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'mangrove.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err: any) {
      if (err.code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      let alive = false;
      try {
        alive = pid > 0 && pid !== process.pid && process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (alive) throw new ConfigError(`${dir} is in use by process ${pid}; stop it or choose another DATA_DIR`);
      fs.rmSync(file, { force: true });
    }
  }
  throw new ConfigError(`cannot lock ${dir}`);
}

async function open(config: Config): Promise<{ db: Db; release: () => void }> {
  const release = config.databaseUrl ? () => {} : lockDataDir(config.dataDir);
  try {
    const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pgdata') });
    return { db, release };
  } catch (err) {
    release();
    throw err;
  }
}

async function serve(config: Config): Promise<void> {
  const { db, release } = await open(config);
  let ready: Promise<unknown> | undefined;
  if (config.clientId && config.apiKey) {
    // Checking the key is a slow hash on the thread pool: let it run while the server starts.
    ready = ensureClient(db, config.clientId, config.apiKey).then((outcome) => {
      if (outcome !== 'unchanged') console.log(`client ${config.clientId}: ${outcome}`);
    });
  } else if ((await countClients(db)) === 0) {
    const client = await createClient(db, { name: 'first client' });
    console.log(`created the first API client (the key is shown only this once):`);
    console.log(`  client id: ${client.id}`);
    console.log(`  api key:   ${client.apiKey}`);
  }
  const app = await buildServer({ db, config, logger: { level: config.logLevel }, ready });
  await app.listen({ port: config.port, host: config.host });
  await ready;
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  console.log(config.databaseUrl ? 'database: PostgreSQL (DATABASE_URL)' : `data: ${config.dataDir}`);
  console.log(`listening on http://${config.host}:${port}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    try {
      await app.close();
      await db.close();
    } finally {
      release();
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function clientsCreate(config: Config, values: Record<string, unknown>): Promise<void> {
  const { db, release } = await open(config);
  try {
    const client = await createClient(db, {
      id: values.id as string | undefined,
      name: values.name as string | undefined,
      apiKey: values.key as string | undefined,
    });
    console.log(`client id: ${client.id}`);
    console.log(`api key:   ${client.apiKey}`);
  } finally {
    await db.close();
    release();
  }
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  const config = configFrom(values);
  if (command === 'serve') return serve(config);
  if (command === 'clients' && sub === 'create') return clientsCreate(config, values);
  throw new ConfigError(`unknown command "${positionals.join(' ')}"\n${USAGE}`);
}

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof ConfigError || err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') console.error(`mangrove: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
