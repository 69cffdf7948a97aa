/** Small JSON state files written whole or not at all (write aside, fsync, rename), and read back leniently. */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { errnoOf } from '../paths/errno.js';

/**
 * Writes `value` as JSON to `path` atomically: a reader sees the old file or the new one, never half of it.
 * With `fsync`, the data is durable before the rename (the caller syncs the directory if the name matters).
 * Fails with the rename's error (ENOENT when the directory has gone), leaving no temporary file behind.
 */
export async function writeJsonFile(path: string, value: unknown, fsync: boolean): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(JSON.stringify(value));
    if (fsync) await fh.sync();
    await fh.close();
    await rename(tmp, path);
  } catch (e) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

/** The parsed JSON at `path`, or undefined when the file is missing (or its directory is) or unreadable as JSON. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // a torn file cannot exist (atomic writes); anything else is not ours to trust
  }
}

/** fsync a directory, so that names created or renamed in it survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
