import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { buildTemplate, templateIsCurrent } from '../../src/db/build-template.js';
import { openDb } from '../../src/db/index.js';
import { seedFromTemplate } from '../../src/db/template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite: a dump of a migrated data dir that every test file loads. */
    pgliteTemplate: string;
    /** PGlite: the same, as a data directory that server processes start from a copy of. */
    pgliteTemplateDir: string;
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
    project.provide('pgliteTemplateDir', '');
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
  const templateDir = path.join(dir, 'template');
  // `npm run build` made one from the same migrations and PGlite: a copy saves creating a cluster.
  const built = path.resolve('dist/db/template');
  if (!(templateIsCurrent(built) && seedFromTemplate(templateDir, built))) await buildTemplate(templateDir);
  const template = await PGlite.create({ dataDir: templateDir });
  const dump = await template.dumpDataDir('none');
  await template.close();
  const file = path.join(dir, 'template.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  project.provide('pgliteTemplateDir', templateDir);
  project.provide('postgresTemplate', '');
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
