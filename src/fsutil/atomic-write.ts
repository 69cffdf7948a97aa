/**
 * Files written whole or not at all: the content goes to a temporary file beside the target (same directory,
 * so the same file system), is optionally fsynced, and is renamed over the target. A reader sees the old file
 * or the new one, never half of either.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { atomicTempOf } from './atomic-temp.js';
import { ownerTag } from './lock-owner.js';
import { syncDir } from './sync-dir.js';

/** How a file is written. */
export interface AtomicWriteOptions {
  /** fsync the content before the rename, so a crash never leaves a renamed but empty file (default true). */
  fsync?: boolean;
  /** fsync the directory after the rename, so the new name itself survives a crash (default false). */
  syncDir?: boolean;
  /** The file's permission bits (default 0o666, less the umask). */
  mode?: number;
  /** Create the directory when it is missing; a number is the mode it gets (default: the directory must exist). */
  mkdir?: boolean | number;
  /**
   * Write the temporary file in this directory (on the same file system, created when missing) rather than beside
   * the target: where a sweep already looks, when the target's directory is one no sweep reads (a store of
   * thousands of small files). Named `atomic-<random>.<owner>` there, as staging files are (their sweep's rule).
   */
  tempDir?: string;
}

// Beside the target: `<path>.<random>.<owner>.tmp` (atomic-temp.ts), so a crash's leftover is recognisable, never
// parsed as JSON, and swept once its writer is gone.
function tempName(path: string, opts: AtomicWriteOptions): string {
  return opts.tempDir === undefined ? atomicTempOf(path) : `${opts.tempDir}/atomic-${randomBytes(6).toString('hex')}.${ownerTag()}`;
}

function mkdirOptions(m: boolean | number): { recursive: true; mode?: number } {
  return typeof m === 'number' ? { recursive: true, mode: m } : { recursive: true };
}

/**
 * Writes `data` to `path` atomically. Fails with the first error (the rename's ENOENT when the directory has
 * gone), leaving no temporary file behind.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const tmp = tempName(path, opts);
  const mode = opts.mode ?? 0o666;
  const fh = await open(tmp, 'wx', mode).catch(async (e: unknown) => {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    if (opts.tempDir !== undefined) await mkdir(opts.tempDir, { recursive: true });
    else if (opts.mkdir) await mkdir(dirname(path), mkdirOptions(opts.mkdir));
    else throw e;
    return open(tmp, 'wx', mode);
  });
  try {
    await fh.writeFile(data);
    if (opts.fsync ?? true) await fh.sync();
    await fh.close();
    await rename(tmp, path).catch(async (e: unknown) => {
      // Written aside in tempDir: the target's own directory may not be there yet.
      if (opts.tempDir === undefined || !opts.mkdir || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await mkdir(dirname(path), mkdirOptions(opts.mkdir));
      await rename(tmp, path);
    });
  } catch (e) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  if (opts.syncDir) await syncDir(dirname(path));
}

/** writeFileAtomic, blocking: for start-up, before there is anything else to do. */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, opts: Omit<AtomicWriteOptions, 'syncDir' | 'tempDir'> = {}): void {
  const tmp = tempName(path, {});
  if (opts.mkdir) mkdirSync(dirname(path), mkdirOptions(opts.mkdir));
  const fd = openSync(tmp, 'wx', opts.mode ?? 0o666);
  try {
    writeFileSync(fd, data);
    if (opts.fsync ?? true) fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try { closeSync(fd); } catch { /* closed already */ }
    try { unlinkSync(tmp); } catch { /* not there */ }
    throw e;
  }
}
