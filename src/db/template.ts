import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A migrated PGlite data directory made at build time (src/db/build-template.ts). Creating a
 * cluster (initdb inside WebAssembly) and migrating it takes seconds; copying this directory is
 * much cheaper, so a first start on a new data directory begins from a copy and `migrate` only adds
 * what is newer than the build.
 */
export function defaultTemplateDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'template');
}

// fs.cpSync checks more per file than a plain cluster needs; this costs about a fifth less.
function copyTree(from: string, to: string): void {
  fs.mkdirSync(to, { mode: 0o700 });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, entry.name);
    const b = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(a, b);
    else fs.copyFileSync(a, b);
  }
}

/**
 * Makes `dataDir` a copy of the template when it holds nothing yet; returns whether it did. The
 * copy is made beside it and renamed into place, so a start killed halfway leaves no half-written
 * cluster for the next start to take for a database.
 */
export function seedFromTemplate(dataDir: string, template: string): boolean {
  if (!fs.existsSync(path.join(template, 'PG_VERSION'))) return false;
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) return false;
  const work = `${dataDir}.seeding`;
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  copyTree(template, work);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.renameSync(work, dataDir);
  return true;
}

/** Flushes a seeded data directory to the disk, its name in its parent included. */
export async function syncSeeded(dataDir: string): Promise<void> {
  await syncTree(dataDir);
  await syncFile(path.dirname(dataDir));
}

/** Flushes every file and directory under `dir` to the disk, on the thread pool. */
async function syncTree(dir: string): Promise<void> {
  const entries = await fs.promises.readdir(dir, { withFileTypes: true });
  await Promise.all(
    entries.map((e) => (e.isDirectory() ? syncTree(path.join(dir, e.name)) : syncFile(path.join(dir, e.name)))),
  );
  await syncFile(dir);
}

async function syncFile(file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
