/**
 * Where moves between the tree and the tier keep their state in the bucket (`.dirbucket/archive/`): one journal
 * file per move under way, its work directory (the file to put at the path, the one taken away), the per-key
 * locks, and the indexes the archive job reads (restores asked for, restored copies and their expiry).
 */
import { createHash } from 'node:crypto';
import type { Bucket } from '../buckets/bucket.js';

/** The archive state directory of a bucket. */
export function archiveStateOf(bucket: Bucket): string {
  return `${bucket.stateDir}/archive`;
}

/** A short, fixed-length name for a key in the state directories (keys can be 1024 bytes and hold slashes). */
export function keyName(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 40);
}

/** The lock file serialising every archive move of `key` across processes and hosts. */
export function keyLockOf(bucket: Bucket, key: string): string {
  return keyNameLockOf(bucket, keyName(key));
}

/** keyLockOf by the key's name (keyName): what a crash left in the moves directory is named by it alone. */
export function keyNameLockOf(bucket: Bucket, name: string): string {
  return `${archiveStateOf(bucket)}/locks/${name}`;
}

export const MOVES = 'moves';
export const RESTORES = 'restores';
export const RESTORED = 'restored';
