import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { adminUrl } from './helpers/global-setup.js';
import { TEST_DB } from './helpers/server.js';

// The official Node SDK's own mocha suite (issue 10's twelve files and four more) against a fresh `mangrove serve`
// on this project's database; test/sdk-suite/run.ts holds the exclusions and their reasons.
describe("the Node SDK's own test suite", () => {
  it('passes against a fresh server, card-dependent tests excepted', { timeout: 240_000 }, async () => {
    const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: TEST_DB === 'postgres' ? adminUrl() : '' };
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', 'test/sdk-suite/run.ts', '--no-build'], { env });
      let out = '';
      proc.stdout.on('data', (d) => (out += d));
      proc.stderr.on('data', (d) => (out += d));
      proc.on('exit', (c) => resolve({ code: c, out }));
    });
    // The failures and the per-file counts are at the end of mocha's report.
    expect(code, out.slice(-12_000)).toBe(0);
    expect(out).toMatch(/\d+ passing/);
    expect(out).not.toMatch(/\d+ failing/);
  });
});
