/**
 * Where a version's bytes are in the tree: its places. Without versioning, the key's path. With versioning, the
 * version's kept entry in the versions store and, for the current version, the key's path too (the two may be
 * one inode, a link, or two: clones, lock-enabled buckets). An archive move changes every place, each one journaled;
 * for a versioned key under its commit lock, so no write or delete of the key runs meanwhile.
 */
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { relative } from 'node:path';
import { S3Error } from '../../../errors/s3-error.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import type { ObjectInfo } from '../../backend.js';
import type { Bucket } from '../buckets/bucket.js';
import { versioningOf, versionsContext } from '../buckets/versioning.js';
import { sameContent, type MetaRecord } from '../metadata/record.js';
import { parseKey } from '../paths/paths.js';
import { objectInfo } from '../read/object-info.js';
import { openWithInfo } from '../read/read.js';
import { KEY_LOCK } from '../versions/context.js';
import { readKeyState } from '../versions/key-state.js';
import { lockFileOf, versionsDirOf } from '../versions/layout.js';
import { settleKey } from '../versions/settle.js';
import { NULL_VERSION_ID } from '../versions/version-id.js';
import { stampOf } from '../versions/version-record.js';

/** One place of a version: the file, and for an entry its path relative to the bucket (MoveJournal.place). */
export interface Place {
  path: string;
  /** Undefined for the key's path (swapped by link), set for an entry (swapped by rename). */
  entry?: string;
}

/** A place opened: its descriptor, stats, the record describing it (a fresh one when none does) and its info. */
export interface OpenPlace {
  fh: FileHandle;
  stats: BigIntStats;
  record: MetaRecord;
  info: ObjectInfo;
}

/**
 * Runs `fn` with the places of `key`'s version `versionId` (the current one when undefined): NoSuchKey or
 * NoSuchVersion when there is none, or it is a delete marker. Versioned keys: under the key's commit lock, after
 * settling it (the current file is then kept as an entry too).
 */
export async function withPlaces<R>(bucket: Bucket, key: string, versionId: string | undefined, fn: (places: Place[], versionId?: string) => Promise<R>): Promise<R> {
  const versioning = await versioningOf(bucket);
  const { segments } = parseKey(key);
  if (!versioning) {
    if (versionId !== undefined && versionId !== NULL_VERSION_ID) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
    return fn([{ path: `${bucket.dir}/${segments.join('/')}` }]);
  }
  const ctx = versionsContext(bucket, await bucket.store(), versioning);
  return withFileLock(lockFileOf(versionsDirOf(ctx.stateDir, segments)), async () => {
    const { state, view } = await settleKey(ctx, await readKeyState(ctx, key, segments), versioning.policy);
    const at = versionId === undefined ? 0 : view.versions.findIndex((v) => v.id === versionId);
    const v = view.versions[at];
    if (!v || v.kind !== 'data' || !v.entry) {
      if (versionId === undefined) throw new S3Error('NoSuchKey', undefined, { Key: key });
      throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
    }
    const entryPath = `${state.dir}/${v.entry.name}`;
    const places: Place[] = [{ path: entryPath, entry: relative(bucket.dir, entryPath) }];
    // The file at the path is this version too while it is current and still the one recorded.
    if (at === 0 && state.file && stampOf(state.file.record, state.file.stats)?.id === v.id) places.push({ path: state.path });
    return fn(places, v.id);
  }, KEY_LOCK);
}

/** Opens a place as the gateway; undefined when nothing readable is there. The caller closes `fh`. */
export async function openPlace(bucket: Bucket, key: string, place: Place): Promise<OpenPlace | undefined> {
  if (place.entry === undefined) {
    const found = await openWithInfo(bucket, key);
    if (!found) return undefined;
    if (found.opened.directory) {
      await found.opened.fh.close();
      return undefined;
    }
    const { fh, stats } = found.opened;
    return { fh, stats, record: describing(found.record, stats), info: found.info };
  }
  const fh = await open(place.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => undefined);
  if (!fh) return undefined;
  const stats = await fh.stat({ bigint: true });
  const record = describing(await (await bucket.store()).readAsync(place.path, key, stats.ino), stats);
  return { fh, stats, record, info: objectInfo(key, stats, record) };
}

/** The record when it was written for this very content; else a fresh one (a file replaced outside S3 starts afresh). */
function describing(record: MetaRecord | undefined, stats: BigIntStats): MetaRecord {
  return record && sameContent(record, stats) ? record : { v: 1, ino: String(stats.ino), size: Number(stats.size), mtimeNs: String(stats.mtimeNs) };
}
