import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Routes that still parse their input by hand (issue #11 moves them to schemas module by module).
 * Each entry is `METHOD url`; the list may only shrink.
 */
const NOT_YET: string[] = [
];

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => s?.close());

function apiRoutes() {
  return s.app.registeredRoutes.filter((r) => !r.url.startsWith('/docs') && r.url !== '/openapi.json');
}

function documentedRoutes() {
  return apiRoutes().filter((r) => !r.schema?.hide);
}

describe('route schemas', () => {
  it('every route declares its params, body, query and success response', () => {
    const missing: string[] = [];
    for (const r of apiRoutes()) {
      const name = `${r.method} ${r.url}`;
      if (NOT_YET.includes(name)) continue;
      const schema = r.schema ?? {};
      const lacks: string[] = [];
      if (schema.hide) {
        // Left out of the document (the OAuth path's other methods): they only ever answer an error.
        if (!Object.keys(schema.response ?? {}).some((k) => /^4/.test(k))) missing.push(`${name}: hidden without its error`);
        continue;
      }
      if (r.url.includes(':') && !schema.params) lacks.push('params');
      if ((r.method === 'POST' || r.method === 'PUT') && !schema.body && !schema.consumes) lacks.push('body');
      if (r.method === 'GET' && r.url.startsWith('/v2.01/:clientId/') && !schema.querystring) lacks.push('querystring');
      const success = Object.keys(schema.response ?? {}).filter((k) => /^2/.test(k));
      if (success.length === 0) lacks.push('response');
      if (lacks.length) missing.push(`${name}: ${lacks.join(', ')}`);
    }
    expect(missing).toEqual([]);
  });

  it('has no stale entry in the list of routes not yet converted', () => {
    const known = new Set(apiRoutes().map((r) => `${r.method} ${r.url}`));
    expect(NOT_YET.filter((n) => !known.has(n))).toEqual([]);
  });
});

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document covering every route, with auth and the sandbox tagged apart', async () => {
    const res = await s.fetch('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);

    const documented = new Set<string>();
    for (const [path, ops] of Object.entries<any>(doc.paths)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const toOpenApi = (url: string) => url.replace(/:(\w+)/g, '{$1}').replace(/\/$/, '') || '/';
    const undocumented = documentedRoutes()
      .map((r) => `${r.method} ${toOpenApi(r.url)}`)
      .filter((n) => !documented.has(n) && !documented.has(`${n}/`));
    expect(undocumented).toEqual([]);

    const create = doc.paths['/v2.01/{clientId}/hooks'].post;
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(create.responses['400']).toBeDefined();
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const sandboxOps = Object.entries<any>(doc.paths)
      .filter(([p]) => p.includes('/sandbox/'))
      .flatMap(([, ops]) => Object.values<any>(ops));
    expect(sandboxOps.length).toBeGreaterThan(0);
    for (const op of sandboxOps) expect(op.tags).toEqual(['Sandbox']);
  });

  it('is what `mangrove openapi FILE` (npm run openapi) writes', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      const run = spawnSync(process.execPath, ['dist/cli.js', 'openapi', file], { encoding: 'utf8', timeout: 100_000 });
      expect(run.status, run.stderr).toBe(0);
      const written = JSON.parse(fs.readFileSync(file, 'utf8'));
      const served = (await s.fetch('GET', '/openapi.json')).body;
      expect(written.openapi).toBe('3.1.0');
      expect(Object.keys(written.paths).sort()).toEqual(Object.keys(served.paths).sort());
      expect(written.components).toEqual(served.components);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds no server URL from the Host header', async () => {
    const res = await s.fetch('GET', '/openapi.json', { headers: { host: 'evil.example' } });
    expect(JSON.stringify(res.body)).not.toContain('evil.example');
  });
});

describe('/docs', () => {
  it('serves the reference page and its scripts from Mangrove itself', async () => {
    const page = await s.fetch('GET', '/docs/');
    expect(page.status).toBe(200);
    expect(String(page.body)).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[^"']*\.(js|css)/);
  });

  it.skipIf(!fs.existsSync(CHROMIUM))('renders the operations in Chromium with no network beyond Mangrove', { timeout: 120_000 }, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      // Swagger UI renders an operation only once it is near the viewport: a page tall enough for all of them.
      const page = await browser.newPage({ viewport: { width: 1280, height: 40_000 } });
      const outside: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(s.url)) return route.continue();
        outside.push(url);
        return route.abort();
      });
      await page.goto(`${s.url}/docs/`);
      await page.waitForSelector('.opblock', { timeout: 90_000 });
      await page.waitForFunction(() => document.querySelectorAll('.opblock').length > 100, undefined, { timeout: 30_000 });
      // Every group of operations is there, the card ones included.
      expect(await page.locator('.opblock-tag').count()).toBeGreaterThan(15);
      expect(await page.locator('.opblock', { hasText: '/payins/card/direct' }).count()).toBeGreaterThan(0);
      expect(await page.locator('.opblock-tag', { hasText: 'Sandbox' }).count()).toBe(1);
      expect(outside).toEqual([]);
    } finally {
      await browser.close();
    }
  });
  if (!fs.existsSync(CHROMIUM)) console.warn(`SKIPPED: /docs browser test needs Chromium at ${CHROMIUM}`);
});
