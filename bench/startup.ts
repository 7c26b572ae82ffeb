/**
 * Start-up time of `mangrove serve` on embedded PGlite: spawn → first successful token, on a new data
 * directory (first start) and on the same directory again (restart). Medians of RUNS runs.
 *   npm run build && npx tsx bench/startup.ts [runs] [path/to/cli.js …]
 * With several CLIs the runs alternate between them, so a busy machine weighs on each alike.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const RUNS = Number(process.argv[2] ?? 3);
const CLIS = process.argv.length > 3 ? process.argv.slice(3).map((p) => path.resolve(p)) : [path.resolve('dist/cli.js')];
const CLIENT = 'bench';
const KEY = 'bench-startup-key-0001';

async function token(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2.01/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${CLIENT}:${KEY}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Milliseconds from spawn to the first 200 from the token endpoint, then a clean stop. */
async function start(cli: string, dataDir: string): Promise<{ listening: number; firstToken: number }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', MANGROVE_CLIENT_ID: CLIENT, MANGROVE_API_KEY: KEY, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
  const listening = performance.now() - t0;
  while (!(await token(url)));
  const firstToken = performance.now() - t0;
  proc.kill('SIGTERM');
  await exited;
  return { listening, firstToken };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => `median ${Math.round(median(xs))} ms (${xs.map((x) => Math.round(x)).join(', ')})`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-startup-'));
const results = CLIS.map(() => ({ first: [] as number[], firstListen: [] as number[], restart: [] as number[], restartListen: [] as number[] }));
try {
  for (let i = 0; i < RUNS; i++) {
    for (const [n, cli] of CLIS.entries()) {
      const dir = path.join(tmp, `run-${n}-${i}`);
      const a = await start(cli, dir);
      results[n].first.push(a.firstToken);
      results[n].firstListen.push(a.listening);
      const b = await start(cli, dir);
      results[n].restart.push(b.firstToken);
      results[n].restartListen.push(b.listening);
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
for (const [n, cli] of CLIS.entries()) {
  const r = results[n];
  if (CLIS.length > 1) console.log(path.relative(process.cwd(), cli));
  console.log(`  first start, spawn → listening:   ${fmt(r.firstListen)}`);
  console.log(`  first start, spawn → first token: ${fmt(r.first)}`);
  console.log(`  restart,     spawn → listening:   ${fmt(r.restartListen)}`);
  console.log(`  restart,     spawn → first token: ${fmt(r.restart)}`);
}
