/**
 * A bucket's archive tier: `<archiveDir>/<bucket>/<xx>/<id>`, one data file per archived version, named by a
 * random id (never by key: renames and versions need no bookkeeping there, and two trees sharing a tier never meet).
 */
import { randomBytes } from 'node:crypto';
import { readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { S3Error } from '../../../errors/s3-error.js';
import type { Bucket } from '../buckets/bucket.js';

/** The bucket's tier directory; InvalidStorageClass naming the setting when the gateway has none. */
export function tierDirOf(bucket: Bucket, storageClass = 'GLACIER'): string {
  const dir = bucket.settings.archiveDir;
  if (dir === undefined) {
    throw new S3Error('InvalidStorageClass',
      `The storage class ${storageClass} needs an archive tier: start the gateway with --archive-dir DIR (archiveDir in the configuration file, or per mapped bucket).`,
      { StorageClassRequested: storageClass });
  }
  return `${dir}/${bucket.name}`;
}

/** A fresh name for a data file in the tier. */
export function newTierName(): string {
  return randomBytes(16).toString('hex');
}

/** The path of the tier's data file `name`. */
export function tierPath(bucket: Bucket, name: string): string {
  return `${tierDirOf(bucket)}/${name.slice(0, 2)}/${name}`;
}

/** Whether the tier is on another file system than the bucket: copies into it are then read back and compared. */
export async function tierIsElsewhere(bucket: Bucket, tierDir: string): Promise<boolean> {
  const [a, b] = await Promise.all([stat(bucket.dir), stat(tierDir)]);
  return a.dev !== b.dev;
}

/**
 * Removes everything a move may have made of the tier file `name`: the data, its partial copy, its ref, and the
 * temporary file of a ref whose atomic write a crash cut short (`<name>.ref.<hex>.tmp`).
 */
export async function removeTierFile(bucket: Bucket, name: string): Promise<void> {
  const file = tierPath(bucket, name);
  await unlink(`${file}.part`).catch(() => {});
  await unlink(file).catch(() => {});
  await unlink(`${file}.ref`).catch(() => {});
  const prefix = `${basename(file)}.ref.`;
  for (const n of await readdir(dirname(file)).catch(() => [] as string[])) {
    if (n.startsWith(prefix) && n.endsWith('.tmp')) await unlink(`${dirname(file)}/${n}`).catch(() => {});
  }
}
