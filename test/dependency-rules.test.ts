import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

/** Runs the CLI as `npm run lint:deps` does: its exit code and the names of the rules it reports. */
async function cruise(cwd: string, config: string): Promise<{ code: number; rules: string[] }> {
  const names = (out: string) => [...out.matchAll(/^\s*error (\S+):/gm)].map((m) => m[1]);
  try {
    const { stdout } = await run(DEPCRUISE, ['src', '--config', config, '--output-type', 'err'], { cwd, maxBuffer: 64 << 20 });
    return { code: 0, rules: names(stdout) };
  } catch (err: any) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, rules: names(String(err.stdout)) };
  }
}

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-deps-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('hold on the source tree', async () => {
    const r = await cruise(ROOT, CONFIG);
    expect(r.rules).toEqual([]);
    expect(r.code).toBe(0);
  }, 120_000);

  it('catch each kind of backwards import', async () => {
    // A small tree breaking every rule once, cruised with the project's rules.
    const files: Record<string, string> = {
      'src/http/thing.ts': 'export const x = 1;',
      'src/lib/ok.ts': 'export const ok = 1;',
      'src/modules/a/routes.ts': "export const r = 1;",
      'src/modules/a/store.ts': "import { x } from '../../http/thing';\nexport const s = x;",
      'src/modules/a/service.ts': "import { r } from './routes';\nimport Fastify from 'fastify';\nexport const v = [r, Fastify];",
      'src/core/bad.ts': "import { s } from '../modules/a/store';\nimport { ok } from '../lib/ok';\nexport const b = [s, ok];",
      'src/ledger/index.ts': "import { v } from '../modules/a/service';\nexport const l = v;",
      'src/modules/b/service.ts': "import { c } from '../c/store';\nexport const b = c;",
      'src/modules/b/store.ts': 'export const bs = 1;',
      'src/modules/c/service.ts': "import { bs } from '../b/store';\nexport const cv = bs;",
      'src/modules/c/store.ts': 'export const c = 1;',
      'src/modules/d/x.ts': "import { y } from './y';\nexport const x = () => y;",
      'src/modules/d/y.ts': "import { x } from './x';\nexport const y = () => x;",
      'src/client/api.ts': "import { ok } from '../lib/ok';\nexport const api = ok;",
    };
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(tmp, file)), { recursive: true });
      fs.writeFileSync(path.join(tmp, file), text);
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'), 'dir');
    const config = path.join(tmp, 'rules.cjs');
    // The project's rules; only the tsconfig (which names the real tree) is left out.
    fs.writeFileSync(
      config,
      `const base = require(${JSON.stringify(CONFIG)});\nmodule.exports = { ...base, options: { ...base.options, tsConfig: undefined } };\n`,
    );
    const r = await cruise(tmp, config);
    expect(r.code).not.toBe(0);
    expect(new Set(r.rules)).toEqual(
      new Set([
        'http-only-from-the-http-side',
        'stores-hold-sql-only',
        'services-do-not-call-routes',
        'fastify-only-on-the-http-side',
        'core-is-the-bottom',
        'ledger-below-modules',
        'no-module-cycles',
        'no-circular',
        'client-stands-alone',
      ]),
    );
  }, 120_000);
});
