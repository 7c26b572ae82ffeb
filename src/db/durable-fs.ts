import fs from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/**
 * PGlite's Node filesystem with a working fsync. Emscripten's NODEFS writes through to the OS
 * (fs.writeSync) but gives its files no fsync operation, so PostgreSQL's fsync calls return at once
 * and a commit lives in the page cache only; fdatasync is a stub that never reaches the files at
 * all, hence wal_sync_method=fsync beside this (see openDb).
 */
export class DurableNodeFS extends NodeFS {
  async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const preRun = [
      ...(emscriptenOpts.preRun ?? []),
      (mod: any) => {
        const nodefs = mod.NODEFS;
        nodefs.stream_ops.fsync = (stream: { nfd: number }) => nodefs.tryFSOperation(() => fs.fsyncSync(stream.nfd));
      },
    ];
    return { emscriptenOpts: { ...emscriptenOpts, preRun } };
  }
}

/** Start parameters that make each commit wait for its WAL to reach the disk. */
export function durableStartParams(defaults: readonly string[]): string[] {
  // -F is PostgreSQL's "fsync off", which PGlite passes by default.
  return [...defaults.filter((p) => p !== '-F'), '-c', 'fsync=on', '-c', 'synchronous_commit=on', '-c', 'wal_sync_method=fsync'];
}
