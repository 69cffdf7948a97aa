/**
 * Read-modify-write of a JSON file shared by several processes (gateways and the command line on one tree):
 * under the file's lock (`<file>.lock`), so concurrent writers never lose each other's change, and written
 * atomically, so readers without the lock never see half a file. Each update first removes what a writer
 * killed under the lock left beside the file: its temporary (atomic-temp.ts) and a breaker's asides.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { sweepAtomicTemps } from './atomic-temp.js';
import { withFileLock, type LockOptions } from './file-lock.js';
import { writeJsonFile, type JsonWriteOptions } from './json-file.js';
import { sweepLockAsides } from './lock-asides.js';

/** How to read, change and write the document. */
export interface JsonUpdate<T, R> {
  /** Reads the current document; a missing file is the caller's empty document. */
  read(file: string): Promise<T>;
  /** Changes the document in place and returns a result; throwing leaves the file as it was. */
  change(doc: T): R | Promise<R>;
  /** How the new document is written. */
  write?: JsonWriteOptions;
  /** How long to wait for the lock, and when it counts as abandoned. */
  lock?: LockOptions;
}

/** Reads, changes and writes `file` under its lock; resolves with `change`'s result once the file is written. */
export function updateJsonFile<T, R>(file: string, update: JsonUpdate<T, R>): Promise<R> {
  return withFileLock(`${file}.lock`, async () => {
    await sweepLeftovers(file);
    const doc = await update.read(file);
    const result = await update.change(doc);
    await writeJsonFile(file, doc, update.write);
    return result;
  }, update.lock);
}

// Every writer of `file` holds its lock (this function is its only writer): any temporary of it found now is a dead
// one's. One readdir per update: these files are changed rarely, and their directories are small.
async function sweepLeftovers(file: string): Promise<void> {
  const dir = dirname(file);
  const names = await readdir(dir).catch(() => [] as string[]);
  await sweepAtomicTemps(dir, { target: basename(file), graceMs: 0, names });
  await sweepLockAsides(dir, `${basename(file)}.lock`, { names });
}
