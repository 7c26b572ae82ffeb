import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDb } from '../../src/db/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: a dump of a migrated data dir that every test file loads. */
    pgliteTemplate: string;
    /** PostgreSQL: a migrated database every test file copies. */
    postgresTemplate: string;
  }
}

export function adminUrl(database?: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  if (database) url.pathname = `/${database}`;
  return url.toString();
}

/** Migrates one template per run; test files copy it instead of migrating again. */
export default async function setup(project: TestProject) {
  if (project.name === 'postgres') {
    const name = `mangrove_tmpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    const db = await openDb({ databaseUrl: adminUrl(name), poolSize: 1 });
    await db.close();
    project.provide('postgresTemplate', name);
    project.provide('pgliteTemplate', '');
    return async () => {
      const leftovers = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'mangrove_t_${process.pid}_%' OR datname = $1`,
        [name],
      );
      for (const { datname } of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin.end();
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mangrove-test-'));
  const db = await openDb({ dataDir: path.join(dir, 'template') });
  await db.close();
  const template = await PGlite.create({ dataDir: path.join(dir, 'template') });
  const dump = await template.dumpDataDir('none');
  await template.close();
  const file = path.join(dir, 'template.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  project.provide('postgresTemplate', '');
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
