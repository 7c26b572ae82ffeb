#!/usr/bin/env node
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDb, type Db } from './db/index.js';
import { countClients, createClient, ensureClient } from './modules/auth/service.js';
import { buildServer } from './server.js';
import { createLinkToken, LINK_TTL_SECONDS, signedLinkToken } from './dashboard/session.js';
import { findClientKey } from './modules/auth/store.js';

const USAGE = `usage:
  mangrove serve [--port N] [--host H] [--data-dir DIR] [--database-url URL]
  mangrove clients create [--id ID] [--name NAME] [--key KEY] [--data-dir DIR] [--database-url URL]
  mangrove dashboard-link --client-id ID [--data-dir DIR] [--database-url URL]
                              print a one-time sign-in link to the Dashboard (/dashboard)
  mangrove openapi [FILE]     write the OpenAPI 3.1 document (GET /openapi.json) to FILE, or print it
  mangrove close-users FILE --base-url URL --client-id ID [--report PATH] [--concurrency N] [--dry-run] [--resume]
                              close the users listed in FILE (ids or a CSV with an id column) on Mangrove or
                              Mangopay, the API key read from MANGOPAY_API_KEY; a JSON or CSV report

Environment: PORT, HOST, DATA_DIR, DATABASE_URL, MANGROVE_CLIENT_ID, MANGROVE_API_KEY,
MANGROVE_TOKEN_TTL, MANGROVE_LEGACY_USERS, MANGROVE_SANDBOX, MANGROVE_RATE_LIMITS,
MANGROVE_TOKEN_BUDGET, MANGROVE_TOKEN_BUDGET_WINDOW, MANGROVE_PUBLIC_URL, MANGROVE_BODY_LIMIT,
MANGROVE_WEBHOOKS, MANGROVE_WEBHOOK_RETRY_SCALE, MANGROVE_WEBHOOK_POLL_MS, MANGROVE_UNSAFE_NO_FSYNC,
LOG_LEVEL (see README).`;

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

/** A listening socket that only answers "someone holds this"; it never keeps the process alive. */
function holdSocket(address: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((conn) => conn.destroy());
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      server.unref();
      resolve(server);
    });
  });
}

/** Whether a process still listens on the socket file: a refused connection means it died without closing it. */
function socketAnswers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(address);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code !== 'ECONNREFUSED' && err.code !== 'ENOENT'));
  });
}

const MAX_SOCKET_PATH = 100;

/**
 * One process per embedded data directory: PGlite is a single-writer database. The lock is a Unix
 * socket the OS releases when its process dies, however it dies, so no pid (stale, a zombie's, or
 * reused by another process) can refuse a start. On Linux an abstract socket named after the
 * directory is taken first: binding it is atomic and leaves no file behind. A socket file in the
 * directory is taken too, for processes in other network namespaces sharing the directory; a file
 * left by a dead process refuses connections and is replaced.
 */
/** The data directory is held by another process (a running server). */
class DataDirInUse extends ConfigError {}

async function lockDataDir(dir: string): Promise<() => void> {
  fs.mkdirSync(dir, { recursive: true });
  const inUse = () => new DataDirInUse(`${dir} is in use by another mangrove process; stop it or choose another DATA_DIR`);
  const held: net.Server[] = [];
  const release = () => {
    for (const server of held.splice(0)) server.close();
  };
  try {
    if (process.platform === 'linux') {
      const name = createHash('sha256').update(fs.realpathSync(dir)).digest('hex').slice(0, 40);
      held.push(
        await holdSocket(`\0mangrove-${name}`).catch((err) => {
          throw err.code === 'EADDRINUSE' ? inUse() : err;
        }),
      );
    }
    const file = path.join(dir, 'mangrove.lock');
    if (Buffer.byteLength(file) > MAX_SOCKET_PATH) {
      if (held.length) return release;
      throw new ConfigError(`${dir}: the path is too long for the data directory's lock socket; choose a shorter DATA_DIR`);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        held.push(await holdSocket(file));
        break;
      } catch (err: any) {
        if (err.code !== 'EADDRINUSE' || attempt > 0 || (await socketAnswers(file))) throw err.code === 'EADDRINUSE' ? inUse() : err;
        fs.rmSync(file, { force: true });
      }
    }
    // Left by versions that locked with a pid file.
    fs.rmSync(path.join(dir, 'mangrove.pid'), { force: true });
    return release;
  } catch (err: any) {
    release();
    throw err instanceof ConfigError ? err : new ConfigError(`cannot lock ${dir}: ${err.message}`);
  }
}

async function open(config: Config): Promise<{ db: Db; release: () => void }> {
  const release = config.databaseUrl ? () => {} : await lockDataDir(config.dataDir);
  try {
    const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'pgdata'), durable: !config.unsafeNoFsync });
    return { db, release };
  } catch (err) {
    release();
    throw err;
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Settings loadConfig leaves to the CLI: checked before anything is opened. */
function checkServeConfig(config: Config): void {
  if (config.port > 65535) throw new ConfigError(`PORT must be between 0 and 65535, got ${config.port}`);
  if (!LOG_LEVELS.includes(config.logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${config.logLevel}"`);
  }
}

/** Why the server could not listen, in one line. */
function listenError(err: NodeJS.ErrnoException, config: Config): Error {
  const where = `${config.host}:${config.port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new ConfigError(`cannot listen on ${where}: the port is already in use (choose another PORT)`);
    case 'EACCES':
    case 'EPERM':
      return new ConfigError(`cannot listen on ${where}: permission denied (choose a PORT above 1023)`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigError(`cannot listen on ${where}: HOST is not an address of this machine`);
  }
  return new ConfigError(`cannot listen on ${where}: ${err.message}`);
}

async function serve(config: Config): Promise<void> {
  checkServeConfig(config);
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
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // The data directory is free again for the next attempt.
    await app.close().catch(() => {});
    await ready?.catch(() => {});
    await db.close().catch(() => {});
    release();
    throw listenError(err as NodeJS.ErrnoException, config);
  }
  await ready;
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
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
  // Only now: a supervisor that signals as soon as it reads this line must find the handlers installed
  // (stdout to a pipe is written synchronously, so the signal may arrive before the next statement).
  console.log(config.databaseUrl ? 'database: PostgreSQL (DATABASE_URL)' : `data: ${config.dataDir}`);
  console.log(`listening on http://${config.host}:${port}`);
}

async function clientsCreate(config: Config, values: Record<string, unknown>): Promise<void> {
  const id = values.id as string | undefined;
  if (id !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new ConfigError(`invalid client id "${id}": use 1 to 64 letters, digits, "_" or "-"`);
  }
  const { db, release } = await open(config);
  try {
    const client = await createClient(db, {
      id,
      name: values.name as string | undefined,
      apiKey: values.key as string | undefined,
    }).catch((err) => {
      if (err?.code === '23505') throw new ConfigError(`a client with id "${id}" already exists`);
      if (/invalid client id/.test(err?.message)) throw new ConfigError(`${err.message}: that name is reserved for a path`);
      throw err;
    });
    console.log(`client id: ${client.id}`);
    console.log(`api key:   ${client.apiKey}`);
  } finally {
    await db.close();
    release();
  }
}

/**
 * `mangrove dashboard-link --client-id ID`: prints a one-time sign-in link to the Dashboard, valid a
 * few minutes, for the configured database; the link's base is MANGROVE_PUBLIC_URL or http://HOST:PORT.
 * When a running server holds the embedded database, the link is signed with DATA_DIR's link key instead.
 */
async function dashboardLink(config: Config, values: Record<string, unknown>): Promise<void> {
  const clientId = values['client-id'];
  if (typeof clientId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(clientId)) {
    throw new ConfigError('dashboard-link needs --client-id ID (1 to 64 letters, digits, "_" or "-")');
  }
  let token: string;
  try {
    const { db, release } = await open(config);
    try {
      if ((await findClientKey(db, clientId)) === null) throw new ConfigError(`there is no client "${clientId}"`);
      token = await createLinkToken(db, clientId);
    } finally {
      await db.close();
      release();
    }
  } catch (err) {
    if (!(err instanceof DataDirInUse)) throw err;
    token = signedLinkToken(config.dataDir, clientId);
  }
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
  const base = config.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  console.log(`${base.replace(/\/+$/, '')}/dashboard/link?token=${token}`);
  console.log(`(signs in as ${clientId} once, within ${LINK_TTL_SECONDS / 60} minutes)`);
}

/** The OpenAPI document, built from the route schemas on a throwaway in-memory database. */
async function openapi(file: string | undefined): Promise<void> {
  const db = await openDb({});
  try {
    const app = await buildServer({ db, config: loadConfig({ ...process.env, MANGROVE_WEBHOOKS: 'off' }) });
    await app.ready();
    const doc = `${JSON.stringify(app.swagger(), null, 2)}\n`;
    await app.close();
    if (file) {
      fs.writeFileSync(file, doc);
      console.log(`wrote ${file}`);
    } else {
      process.stdout.write(doc);
    }
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<void> {
  // close-users has flags of its own and needs no database: it talks to a server (Mangrove or Mangopay).
  if (argv[0] === 'close-users') {
    const { runCloseUsers } = await import('./client/close-users-command.js');
    process.exitCode = await runCloseUsers(argv.slice(1));
    return;
  }
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
      'client-id': { type: 'string' },
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
  if (command === 'openapi') return openapi(sub);
  if (command === 'dashboard-link') return dashboardLink(config, values);
  throw new ConfigError(`unknown command "${positionals.join(' ')}" (mangrove --help lists them)`);
}

// Failures are one line on stderr, never a stack trace: what went wrong and, where it helps, what to change.
main(process.argv.slice(2)).catch((err) => {
  const known = err instanceof ConfigError || /^ERR_PARSE_ARGS_/.test(err?.code ?? '');
  const message = String(err?.message ?? err).split('\n')[0];
  console.error(`mangrove: ${known ? message : `unexpected error: ${message}${err?.code ? ` (${err.code})` : ''}`}`);
  process.exit(1);
});
