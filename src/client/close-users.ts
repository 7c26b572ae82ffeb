import fs from 'node:fs';
import path from 'node:path';
import type { MangopayClient } from './client.js';
import { MangopayAbortError, MangopayApiError, MangopayAuthError, MangopayNotFoundError } from './errors.js';

/**
 * The work of `mangrove close-users` (SPEC §7): the id file, each user's closure, the report.
 * Outcomes: `closed`, `already_closed`, `not_possible` (with the balances of the wallets holding money),
 * `not_found`, `error`; a dry run answers `would_close` instead of closing.
 */
export type Outcome = 'closed' | 'already_closed' | 'not_possible' | 'not_found' | 'error' | 'would_close';
export const OUTCOMES: readonly Outcome[] = ['closed', 'already_closed', 'would_close', 'not_possible', 'not_found', 'error'];
/** Users a resumed run skips: nothing more can be done for them. */
export const DONE: ReadonlySet<Outcome> = new Set(['closed', 'already_closed', 'not_found']);
/** Users that make the exit status non-zero. */
export const FAILED: ReadonlySet<Outcome> = new Set(['not_possible', 'not_found', 'error']);

export interface Balance {
  WalletId: string;
  Currency: string;
  /** Minor units (cents), as the API gives it. */
  Amount: number;
}

export interface UserResult {
  Id: string;
  Outcome: Outcome;
  Message?: string;
  Balances?: Balance[];
  /** ISO 8601 time of the outcome. */
  At: string;
}

export interface Report {
  BaseUrl: string;
  ClientId: string;
  DryRun: boolean;
  StartedAt: string;
  FinishedAt: string | null;
  Interrupted: boolean;
  Summary: Record<Outcome | 'pending', number>;
  TokenRequests: number;
  Requests: number;
  Users: UserResult[];
}

// ---- the id file ----

const ID_HEADERS = ['id', 'userid', 'user_id', 'user id', 'user-id', 'resourceid', 'ressourceid'];

/** Splits one CSV line (`,` `;` or tab, double quotes with "" inside). */
export function csvFields(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

/**
 * The user ids of FILE: one a line, or a CSV whose header names an id column (`Id`, `UserId`, `user_id`...).
 * Blank lines and lines starting with `#` are skipped; an id listed twice counts once.
 */
export function parseIdFile(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  if (lines.length === 0) return [];
  const sep = [',', ';', '\t'].find((s) => lines[0].includes(s));
  let ids: string[];
  if (sep) {
    const header = csvFields(lines[0], sep).map((h) => h.toLowerCase());
    const col = header.findIndex((h) => ID_HEADERS.includes(h));
    if (col < 0) throw new Error(`no id column in the CSV header (one of: Id, UserId, User_Id): ${lines[0].slice(0, 200)}`);
    ids = lines.slice(1).map((l) => csvFields(l, sep)[col] ?? '');
  } else {
    ids = lines.map((l) => l.trim().replace(/^"(.*)"$/, '$1'));
    if (ID_HEADERS.includes(ids[0].toLowerCase())) ids.shift();
  }
  const seen = new Set<string>();
  const out: string[] = [];
  ids.forEach((id, i) => {
    if (!id) throw new Error(`line ${i + 2}: no id`);
    if (!seen.has(id)) seen.add(id), out.push(id);
  });
  return out;
}

// ---- the report ----

export function reportFormat(file: string): 'json' | 'csv' {
  return path.extname(file).toLowerCase() === '.csv' ? 'csv' : 'json';
}

const CSV_COLUMNS = ['Id', 'Outcome', 'Message', 'Balances', 'At'] as const;

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Balances in one CSV cell: `WALLET_ID:EUR:1234` separated by spaces (amounts in cents). */
function balancesCell(b: Balance[] | undefined): string {
  return (b ?? []).map((w) => `${w.WalletId}:${w.Currency}:${w.Amount}`).join(' ');
}

export function renderReport(report: Report, format: 'json' | 'csv'): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  const rows = report.Users.map((u) =>
    [u.Id, u.Outcome, u.Message ?? '', balancesCell(u.Balances), u.At].map(csvCell).join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** Writes the whole report at once (a rename), so a reader never sees half of one. */
export function writeReport(file: string, report: Report): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, renderReport(report, reportFormat(file)));
  fs.renameSync(tmp, file);
}

/** The users of an earlier report (JSON or CSV by extension); none when the file does not exist. */
export function readReport(file: string): UserResult[] {
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  if (reportFormat(file) === 'json') {
    const parsed = JSON.parse(text) as Partial<Report>;
    if (!Array.isArray(parsed.Users)) throw new Error(`${file}: not a close-users report (no Users)`);
    return parsed.Users;
  }
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  const header = csvFields(lines[0] ?? '', ',');
  if (header[0] !== 'Id' || header[1] !== 'Outcome') throw new Error(`${file}: not a close-users report (header ${header.join(',')})`);
  return lines.slice(1).map((l) => {
    const [Id, Outcome, Message, Balances, At] = csvFields(l, ',');
    const balances = Balances
      ? Balances.split(' ').map((b) => {
          const [WalletId, Currency, Amount] = b.split(':');
          return { WalletId, Currency, Amount: Number(Amount) };
        })
      : undefined;
    return { Id, Outcome: Outcome as Outcome, At, ...(Message ? { Message } : {}), ...(balances ? { Balances: balances } : {}) };
  });
}

// ---- closing ----

async function balancesOf(client: MangopayClient, id: string, signal?: AbortSignal): Promise<Balance[]> {
  const wallets = await client.allUserWallets(id, { signal });
  return wallets
    .filter((w) => w.Balance && w.Balance.Amount !== 0)
    .map((w) => ({ WalletId: w.Id, Currency: w.Balance.Currency, Amount: w.Balance.Amount }));
}

/**
 * One user's outcome. Reads the user (its PersonType chooses the DELETE; CLOSED is already closed),
 * then closes it, or in a dry run reads its wallets for balances instead. Throws only when the run must
 * stop: MangopayAbortError (interrupted while waiting) and MangopayAuthError (wrong credentials).
 */
export async function closeOne(client: MangopayClient, id: string, dryRun: boolean, signal?: AbortSignal): Promise<UserResult> {
  const result = (Outcome: Outcome, extra: Partial<UserResult> = {}): UserResult => ({ Id: id, Outcome, ...extra, At: new Date().toISOString() });
  try {
    let user;
    try {
      user = await client.getUser(id, { signal });
    } catch (err) {
      if (err instanceof MangopayNotFoundError) return result('not_found', { Message: err.body?.Message ?? 'The ressource does not exist' });
      throw err;
    }
    if (user.UserStatus === 'CLOSED') return result('already_closed');
    if (dryRun) {
      const balances = await balancesOf(client, id, signal);
      return balances.length
        ? result('not_possible', { Message: 'one or several wallets are not empty', Balances: balances })
        : result('would_close');
    }
    try {
      await client.closeUser(id, user.PersonType, { signal });
      return result('closed');
    } catch (err) {
      if (!(err instanceof MangopayApiError) || err instanceof MangopayAuthError) throw err;
      if (err.type === 'user_closure_not_possible') {
        const balances = await balancesOf(client, id, signal);
        return result('not_possible', { Message: err.body?.Message ?? err.message, ...(balances.length ? { Balances: balances } : {}) });
      }
      if (err.type === 'user_closure_failed') {
        // Closed meanwhile (by someone else, or by an earlier attempt of this request whose answer was lost).
        const again = await client.getUser(id, { signal });
        if (again.UserStatus === 'CLOSED') return result('already_closed', { Message: 'closed while this run was closing it' });
      }
      if (err instanceof MangopayNotFoundError) return result('not_found', { Message: err.body?.Message ?? err.message });
      throw err;
    }
  } catch (err) {
    if (err instanceof MangopayAbortError || err instanceof MangopayAuthError) throw err;
    return result('error', { Message: err instanceof Error ? err.message : String(err) });
  }
}

export interface RunOptions {
  client: MangopayClient;
  ids: string[];
  concurrency: number;
  dryRun: boolean;
  /** Aborted: no new user is started, calls under way finish, waits stop. */
  signal: AbortSignal;
  onResult: (r: UserResult) => void;
}

/** Closes the users with at most `concurrency` at a time. Resolves with the ids not done (interrupted). */
export async function runClosures(opts: RunOptions): Promise<{ pending: string[]; fatal: Error | null }> {
  let next = 0;
  let fatal: Error | null = null;
  const unfinished: string[] = [];
  const stop = () => opts.signal.aborted || fatal !== null;
  async function worker() {
    while (!stop() && next < opts.ids.length) {
      const id = opts.ids[next++];
      try {
        opts.onResult(await closeOne(opts.client, id, opts.dryRun, opts.signal));
      } catch (err) {
        unfinished.push(id);
        if (!(err instanceof MangopayAbortError)) fatal ??= err as Error;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, opts.ids.length) }, worker));
  const pending = new Set([...unfinished, ...opts.ids.slice(next)]);
  return { pending: opts.ids.filter((id) => pending.has(id)), fatal };
}
