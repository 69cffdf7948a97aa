/** Opening a key's file (or directory) for reading, without ever leaving the bucket or opening a special file. */
import { constants, fstatSync, lstatSync, readlinkSync, type BigIntStats } from 'node:fs';
import { lstat, open, readlink, stat, type FileHandle } from 'node:fs/promises';
import type { FsAccess } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { asAccessDenied, errnoOf } from '../paths/errno.js';
import { parseKey } from '../paths/paths.js';

/**
 * The file-system check an open makes for a request's identity: search on every directory from the bucket down
 * (always), and read on the object itself (`read`: GET and copy sources; HEAD needs only the search).
 */
export interface OpenCheck {
  access: FsAccess;
  read: boolean;
}

/** An opened object: the handle, its stats (from the handle) and the key's path. */
export interface OpenedObject {
  fh: FileHandle;
  stats: BigIntStats;
  /** The key's path under the bucket directory (where its record is read). */
  path: string;
  directory: boolean;
}

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = constants;

/**
 * Opens the regular file of `key`, or for a key ending in '/' its directory. Undefined when there is no such
 * object: missing, the wrong type, a special file, a symlink (unless following is on and it stays inside the
 * bucket), or a path that leads out of the bucket. The check is race-free: the opened descriptor's real path
 * (/proc/self/fd) must be exactly the key's path under the bucket's real root, so a symlink swapped into an
 * intermediate component between checks is caught after the open, before a byte is read.
 */
export async function openObject(bucket: Bucket, key: string, check?: OpenCheck): Promise<OpenedObject | undefined> {
  for (let attempt = 1; ; attempt++) {
    const opened = await openOnce(bucket, key, check);
    // The file was replaced (renamed over) between the open and the check: the new one is the object now.
    if (opened === REPLACED && attempt < MAX_ATTEMPTS) continue;
    return opened === REPLACED ? undefined : opened;
  }
}

/** How often a read retries when writers keep replacing the file under it (each retry sees a newer file). */
export const MAX_ATTEMPTS = 5;
const REPLACED = Symbol('replaced');

async function openOnce(bucket: Bucket, key: string, check?: OpenCheck): Promise<OpenedObject | undefined | typeof REPLACED> {
  const { segments, dirObject } = parseKey(key);
  // Before anything is looked up: a directory the identity cannot search hides whether the key exists.
  check?.access.search(bucket.dir, segments.slice(0, -1));
  const rel = segments.join('/');
  const path = `${bucket.dir}/${rel}`;
  const follow = bucket.settings.followSymlinks;
  // lstat first, so a FIFO or device is never opened (opening can block, or act on a device).
  let st = bucket.quick.sync ? bucket.quick.timed(() => lstatQuick(path)) : await lstat(path, { bigint: true }).catch(notThere);
  if (!st) return undefined;
  if (st.isSymbolicLink()) {
    if (!follow) return undefined;
    st = await stat(path, { bigint: true }).catch(notThere);
    if (!st) return undefined;
  }
  if (dirObject ? !st.isDirectory() : !st.isFile()) return undefined;

  const flags = O_RDONLY | O_NONBLOCK | (dirObject ? O_DIRECTORY : 0) | (follow ? 0 : O_NOFOLLOW);
  const fh = await open(path, flags).catch(notThere);
  if (!fh) return undefined;
  try {
    const quick = bucket.quick.sync;
    const stats = quick ? bucket.quick.timed(() => fstatSync(fh.fd, { bigint: true })) : await fh.stat({ bigint: true });
    const real = quick ? readlinkSync(`/proc/self/fd/${fh.fd}`) : await readlink(`/proc/self/fd/${fh.fd}`);
    const root = await bucket.realRoot();
    if (real.endsWith(' (deleted)')) {
      await fh.close();
      return REPLACED;
    }
    const inside = follow ? real.startsWith(`${root}/`) : real === `${root}/${rel}`;
    if (inside && (dirObject ? stats.isDirectory() : stats.isFile())) {
      if (check?.read) check.access.read(path, stats);
      return { fh, stats, path, directory: dirObject };
    }
  } catch (e) {
    await fh.close();
    throw e;
  }
  await fh.close();
  return undefined;
}

/** lstat, synchronously; undefined as notThere says. */
function lstatQuick(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch (e) {
    return notThere(e);
  }
}

/** ENOENT, ENOTDIR and ELOOP (a symlink where none may be) mean "no object"; permission errors AccessDenied. */
function notThere(e: unknown): undefined {
  const code = errnoOf(e);
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG') return undefined;
  throw asAccessDenied(e, 'reading the object');
}
