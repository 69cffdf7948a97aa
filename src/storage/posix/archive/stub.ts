/**
 * The stub an archived object leaves at its path: an empty regular file with the object's owner, mode and
 * modification time, whose metadata record (xattr or sidecar, as every record) names the tier's data file and the
 * object's real size. Empty, so it never yields bytes that are not the object's; a NAS user who writes there makes
 * a new object (its record no longer describes the file), as any NAS write does. A restored copy is dressed the
 * same way, with the data.
 */
import type { BigIntStats } from 'node:fs';
import { open } from 'node:fs/promises';
import type { MetaRecord } from '../metadata/record.js';
import type { MetadataStore } from '../metadata/store.js';

/** Creates the empty stub at `path`, dressed like `like` (see dressLike). */
export async function makeStub(path: string, like: BigIntStats, store: MetadataStore, key: string,
  makeRecord: (stats: BigIntStats) => MetaRecord, fsync: boolean): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  await fh.close();
  await dressLike(path, like, store, key, makeRecord, fsync);
}

/**
 * Gives the file at `path` the owner (where permitted), mode and times of `like`, then stores the record
 * `makeRecord` makes from its final stats, synced with it.
 */
export async function dressLike(path: string, like: BigIntStats, store: MetadataStore, key: string,
  makeRecord: (stats: BigIntStats) => MetaRecord, fsync: boolean): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.chmod(Number(like.mode & 0o7777n));
    // The object's owner keeps it; without the right to give files away it is the gateway's.
    await fh.chown(Number(like.uid), Number(like.gid)).catch(() => {});
    // Ages (lifecycle) and Last-Modified count from the object's write, not from its moves.
    await fh.utimes(new Date(Number(like.atimeNs / 1_000_000n)), new Date(Number(like.mtimeNs / 1_000_000n)));
    const stats = await fh.stat({ bigint: true });
    await store.write(path, key, makeRecord(stats));
    if (fsync) await fh.sync();
  } finally {
    await fh.close();
  }
}
