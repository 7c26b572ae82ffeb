import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MangopayClient } from './client.js';
import {
  DONE,
  FAILED,
  OUTCOMES,
  parseIdFile,
  readReport,
  runClosures,
  writeReport,
  type Outcome,
  type Report,
  type UserResult,
} from './close-users.js';
import type { WaitInfo } from './rate.js';

const USAGE = `usage: mangrove close-users FILE --base-url URL --client-id ID [--report PATH] [--concurrency N] [--dry-run] [--resume]

Closes the users listed in FILE (one id a line, or a CSV with an Id / UserId column) against Mangrove
or Mangopay. The API key is read from MANGOPAY_API_KEY only.
  --report PATH      the report, JSON or CSV by PATH's extension (default: FILE's name with
                     .report.json next to FILE; .dry-run.report.json for a dry run)
  --concurrency N    users closed at a time (default 4, at most 64)
  --dry-run          close nothing: report who would be refused (balances), not found, already closed
  --resume           skip the users the report already has as closed, already closed or not found
Exit status: 0 all closed (or would be), 1 some could not be (not possible, not found, error),
2 a usage or credentials problem, 130 interrupted (Ctrl-C; the report has what was done).`;

/** Any flag that could carry the key: refused, since flags show in `ps`. Never echoed back. */
const KEY_FLAG = /^--?(api[-_]?key|key|apikey|secret|password|token)(=|$)/i;

export function defaultReportPath(file: string, dryRun: boolean): string {
  const base = path.basename(file, path.extname(file));
  return path.join(path.dirname(file), `${base}${dryRun ? '.dry-run' : ''}.report.json`);
}

const LABELS: Record<Outcome, string> = {
  closed: 'closed',
  already_closed: 'already closed',
  would_close: 'would close',
  not_possible: 'not possible',
  not_found: 'not found',
  error: 'errors',
};

function summaryLine(summary: Record<Outcome | 'pending', number>, dryRun: boolean): string {
  return OUTCOMES.filter((o) => summary[o] > 0 || o === (dryRun ? 'would_close' : 'closed'))
    .map((o) => `${LABELS[o]} ${summary[o]}`)
    .concat(summary.pending ? [`not done ${summary.pending}`] : [])
    .join(', ');
}

/** `mangrove close-users ...` (SPEC §7). Returns the exit status. */
export async function runCloseUsers(argv: string[]): Promise<number> {
  if (argv.some((a) => KEY_FLAG.test(a))) {
    console.error('mangrove close-users: the API key is read from the MANGOPAY_API_KEY environment variable only (a flag would show in ps)');
    return 2;
  }
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'base-url': { type: 'string' },
        'client-id': { type: 'string' },
        report: { type: 'string' },
        concurrency: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        resume: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`mangrove close-users: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const problems: string[] = [];
  if (positionals.length !== 1) problems.push('give exactly one FILE');
  if (!values['base-url']) problems.push('--base-url is required');
  if (!values['client-id']) problems.push('--client-id is required');
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) problems.push('--concurrency must be a whole number from 1 to 64');
  const apiKey = process.env.MANGOPAY_API_KEY;
  if (!apiKey) problems.push('set MANGOPAY_API_KEY to the API key');
  if (values['base-url']) {
    try {
      if (!/^https?:$/.test(new URL(values['base-url']).protocol)) problems.push('--base-url must be an http(s) URL');
    } catch {
      problems.push('--base-url must be an http(s) URL');
    }
  }
  if (problems.length) {
    console.error(`mangrove close-users: ${problems.join('; ')}\n${USAGE}`);
    return 2;
  }
  const file = positionals[0];
  const dryRun = values['dry-run']!;
  const reportPath = values.report ?? defaultReportPath(file, dryRun);
  if (path.resolve(reportPath) === path.resolve(file)) {
    console.error('mangrove close-users: the report would overwrite FILE; give another --report');
    return 2;
  }

  let ids: string[];
  let earlier: UserResult[] = [];
  try {
    ids = parseIdFile(fs.readFileSync(file, 'utf8'));
    if (values.resume) earlier = readReport(reportPath);
  } catch (err) {
    console.error(`mangrove close-users: ${(err as Error).message}`);
    return 2;
  }

  // The report: earlier outcomes kept for the users skipped, new ones as they come, in FILE's order.
  const results = new Map<string, UserResult>();
  for (const r of earlier) if (DONE.has(r.Outcome)) results.set(r.Id, r);
  const todo = ids.filter((id) => !results.has(id));
  const skipped = ids.length - todo.length;

  const progress = new Progress(todo.length, skipped);
  const client = new MangopayClient({
    baseUrl: values['base-url']!,
    clientId: values['client-id']!,
    apiKey: apiKey!,
    onWait: (w) => progress.waiting(w),
  });
  const startedAt = new Date().toISOString();
  const report = (finished: boolean, interrupted: boolean, pending: number): Report => {
    const listed = new Set(ids);
    const users = [...ids.filter((id) => results.has(id)), ...[...results.keys()].filter((id) => !listed.has(id))].map((id) => results.get(id)!);
    const summary = Object.fromEntries([...OUTCOMES, 'pending'].map((o) => [o, 0])) as Record<Outcome | 'pending', number>;
    for (const u of users) summary[u.Outcome]++;
    summary.pending = pending;
    return {
      BaseUrl: values['base-url']!,
      ClientId: values['client-id']!,
      DryRun: dryRun,
      StartedAt: startedAt,
      FinishedAt: finished ? new Date().toISOString() : null,
      Interrupted: interrupted,
      Summary: summary,
      TokenRequests: client.stats.tokenRequests,
      Requests: client.stats.requests,
      Users: users,
    };
  };

  // Ctrl-C: no new user is started, calls under way finish, the report is written. Twice: quit now.
  const stop = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      progress.line('stopping: no new users; the calls under way finish (Ctrl-C again to quit now)');
      stop.abort();
      return;
    }
    writeReport(reportPath, report(false, true, ids.length - results.size));
    progress.line(`report: ${reportPath}`);
    process.exit(130);
  };
  process.on('SIGINT', onSigint);

  let lastWrite = Date.now();
  if (skipped) progress.line(`resuming: ${skipped} users already done in ${reportPath}`);
  progress.line(`${dryRun ? 'checking' : 'closing'} ${todo.length} users, ${concurrency} at a time`);
  let outcome;
  try {
    outcome = await runClosures({
      client,
      ids: todo,
      concurrency,
      dryRun,
      signal: stop.signal,
      onResult: (r) => {
        results.set(r.Id, r);
        progress.add(r);
        // Written now and then too, so that even a killed run leaves its progress behind.
        if (Date.now() - lastWrite > 2000) {
          lastWrite = Date.now();
          writeReport(reportPath, report(false, false, ids.length - results.size));
        }
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const interrupted = stop.signal.aborted;
  const final = report(!interrupted && !outcome.fatal, interrupted, outcome.pending.length);
  writeReport(reportPath, final);
  progress.end();
  if (outcome.fatal) console.error(`mangrove close-users: stopped: ${outcome.fatal.message}`);
  console.log(`${dryRun ? 'dry run: ' : ''}${summaryLine(final.Summary, dryRun)} (token requests ${client.stats.tokenRequests}, calls ${client.stats.requests})`);
  console.log(`report: ${reportPath}`);
  if (outcome.fatal) return 2;
  if (interrupted) return 130;
  return final.Users.some((u) => FAILED.has(u.Outcome)) ? 1 : 0;
}

/** A progress bar on a terminal (stderr); plain lines every few users otherwise. */
class Progress {
  private done = 0;
  private readonly counts = new Map<Outcome, number>();
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly every: number;
  private lastWait = { detail: '', at: 0 };
  private barShown = false;

  constructor(
    private readonly total: number,
    private readonly skipped: number,
  ) {
    this.every = Math.max(1, Math.min(100, Math.ceil(total / 20)));
  }

  add(r: UserResult): void {
    this.done++;
    this.counts.set(r.Outcome, (this.counts.get(r.Outcome) ?? 0) + 1);
    if (this.tty) this.bar();
    else if (this.done % this.every === 0 || this.done === this.total) process.stderr.write(`${this.status()}\n`);
  }

  waiting(w: WaitInfo): void {
    const now = Date.now();
    // Several workers wait for the same reason at once: said once, then at most every 10 s.
    if (w.detail === this.lastWait.detail && now - this.lastWait.at < 10_000) return;
    this.lastWait = { detail: w.detail, at: now };
    this.line(`waiting ${Math.ceil(w.ms / 1000)} s: ${w.detail}`);
  }

  line(text: string): void {
    if (this.barShown) process.stderr.write('\r\x1b[2K');
    process.stderr.write(`${text}\n`);
    if (this.barShown) this.bar();
  }

  end(): void {
    if (this.barShown) process.stderr.write('\n');
    this.barShown = false;
  }

  private status(): string {
    const parts = OUTCOMES.filter((o) => this.counts.get(o)).map((o) => `${LABELS[o]} ${this.counts.get(o)}`);
    return `${this.done}/${this.total} users${this.skipped ? ` (+${this.skipped} skipped)` : ''}: ${parts.join(', ')}`;
  }

  private bar(): void {
    const width = 30;
    const filled = this.total ? Math.round((this.done / this.total) * width) : width;
    process.stderr.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.status()}`);
    this.barShown = true;
  }
}
