import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrationFiles, migrationsDir, openDb } from './index.js';
import { defaultTemplateDir } from './template.js';

/** What a template depends on: the PGlite release that wrote it and the migrations it holds. */
export function templateStamp(migrations = migrationsDir()): string {
  // The package does not export its package.json: it sits one level above the entry point.
  const pkg = path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json');
  const hash = createHash('sha256').update(`pglite ${JSON.parse(fs.readFileSync(pkg, 'utf8')).version}\n`);
  for (const file of migrationFiles(migrations)) {
    hash.update(`${file}\n`).update(fs.readFileSync(path.join(migrations, file)));
  }
  return hash.digest('hex');
}

const stampFile = (dir: string) => `${dir}.stamp`;

export function templateIsCurrent(dir: string, migrations = migrationsDir()): boolean {
  try {
    return fs.existsSync(path.join(dir, 'PG_VERSION')) && fs.readFileSync(stampFile(dir), 'utf8') === templateStamp(migrations);
  } catch {
    return false;
  }
}

/** Builds a migrated cluster in `dir` unless the one there is current; returns whether it built one. */
export async function buildTemplate(dir = defaultTemplateDir(), migrations = migrationsDir()): Promise<boolean> {
  if (templateIsCurrent(dir, migrations)) return false;
  const work = `${dir}.building`;
  fs.rmSync(work, { recursive: true, force: true });
  const db = await openDb({ dataDir: work, template: null, migrationsDir: migrations });
  await db.close();
  fs.rmSync(stampFile(dir), { force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(work, dir);
  fs.writeFileSync(stampFile(dir), templateStamp(migrations));
  return true;
}

// `npm run build` runs this file to leave dist/db/template beside the compiled code.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const built = await buildTemplate();
  const dir = path.relative(process.cwd(), defaultTemplateDir());
  console.log(built ? `built ${dir} in ${Math.round(performance.now() - started)} ms` : `${dir} is current`);
}
