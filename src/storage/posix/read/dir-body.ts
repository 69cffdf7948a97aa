/**
 * A directory object's bytes. S3 lets a key ending in '/' carry a body like any object; here the directory is the
 * object, and its bytes are a file inside it under the reserved name, which no listing shows at any depth and no
 * key can address. The directory's record holds the body's ETag and checksum, and the body file's content
 * identity (inode, size, mtime) as written, so a body changed outside S3 is never served with the old ETag.
 */
import { constants, type BigIntStats } from 'node:fs';
import { lstat, open, unlink, type FileHandle } from 'node:fs/promises';
import { RESERVED_NAME } from '../paths/reserved.js';
import { errnoOf } from '../paths/errno.js';
import type { DirBody, MetaRecord } from '../metadata/record.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

/** The body file's path in the directory at `dirPath`. */
export function bodyPath(dirPath: string): string {
  return `${dirPath}/${RESERVED_NAME}`;
}

/** The body's content identity, for the record. */
export function dirBodyOf(stats: BigIntStats): DirBody {
  return { ino: String(stats.ino), size: Number(stats.size), mtimeNs: String(stats.mtimeNs) };
}

/**
 * The directory's record as it describes its body: content fields compared with the body file's stats, as a
 * file's record is with the file's (so objectInfo's staleness rules hold for the body too).
 */
export function bodyView(record: MetaRecord & { body: DirBody }): MetaRecord {
  return { ...record, ino: record.body.ino, size: record.body.size, mtimeNs: record.body.mtimeNs };
}

/**
 * Opens the body of the directory open as `dir`: through its descriptor, so it is this directory's whatever is
 * renamed meanwhile, and never through a symlink. Undefined when there is none, or it is not a regular file.
 */
export async function openBody(dir: FileHandle): Promise<{ fh: FileHandle; stats: BigIntStats } | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(bodyPath(`/proc/self/fd/${dir.fd}`), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (e) {
    if (['ENOENT', 'ELOOP', 'ENOTDIR', 'EISDIR'].includes(errnoOf(e) ?? '')) return undefined;
    throw e;
  }
  const stats = await fh.stat({ bigint: true }).catch(async (e: unknown) => {
    await fh.close();
    throw e;
  });
  if (stats.isFile()) return { fh, stats };
  await fh.close(); // a directory there: another bucket's state, no body
  return undefined;
}

/** Removes the body file of the directory at `dirPath`, if it has one (a regular file only). */
export async function removeBody(dirPath: string): Promise<void> {
  const path = bodyPath(dirPath);
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isFile()) return;
  await unlink(path).catch((e: unknown) => {
    if (errnoOf(e) !== 'ENOENT') throw e;
  });
}
