/**
 * One consistent (stats, record) pair per object read. The stats are taken first (from an opened descriptor, or
 * a listing's lstat) and the record afterwards, by path (xattrs) or by key and inode (sidecars). A writer that
 * renames a new file over the key in between makes the two describe different files: the new file's record
 * (written for another inode) beside the old file's stats, or in the sidecar store no record at all, since the
 * writer forgets the replaced inode's sidecar. Shown as it is, such a pair is a synthetic ETag for an S3-written
 * object, or one version's bytes with another version's metadata.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { sameContent, type MetaRecord } from '../metadata/record.js';
import type { MetadataStore } from '../metadata/store.js';

/** A file's stats and the record read for it. */
export interface StatsAndRecord {
  stats: BigIntStats;
  record: MetaRecord | undefined;
}

/** A listed file: where its record is read, and the stats the walk took. */
export interface ListedFile {
  path: string;
  key: string;
  stats: BigIntStats;
}

/** How often a listed file is looked at again while writers keep replacing it (each look sees a newer file). */
const MAX_LOOKS = 5;
/** Doubtful pairs are settled this many at a time (each look is a round trip on a network file system). */
const IN_FLIGHT = 32;

/**
 * Whether `record` may belong to another file than the one `stats` describe. A record written for this very
 * content certainly does not. One written for other content may be genuine (the file was changed in place
 * outside S3, or copied with its xattrs), and so may no record (a file written outside S3) — or the file was
 * replaced or deleted between the two looks: the sidecar of a replaced inode is forgotten, and an xattr cannot
 * be read through a name that is gone (the xattr library answers "none" for both, so only a look at the path
 * tells). Doubtful either way, until a fresh look at the path settles it.
 */
export function mayBelongElsewhere(stats: BigIntStats, record: MetaRecord | undefined): boolean {
  return !record || !sameContent(record, stats);
}

/** Whether two stats describe the same content of the same file (inode, size, mtime). */
export function sameFile(a: BigIntStats, b: BigIntStats): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

/**
 * The listed files settled: each doubtful pair is checked against a fresh stat of its path. The same file: the
 * pair is genuine. Another file: its stats and record are read again (the listing shows the newer object,
 * as it would had the walk come a moment later). Gone, or no longer a file: undefined (deleted meanwhile, the
 * key is left out). A file still being replaced after MAX_LOOKS is shown without a record that is not its own.
 */
export async function settleListed(store: MetadataStore, files: readonly ListedFile[], records: readonly (MetaRecord | undefined)[],
  opts: { follow: boolean }): Promise<(StatsAndRecord | undefined)[]> {
  const out: (StatsAndRecord | undefined)[] = files.map((f, i) => ({ stats: f.stats, record: records[i] }));
  const doubtful: number[] = [];
  out.forEach((p, i) => {
    // Directory objects are never renamed over: their record is their own.
    if (p!.stats.isFile() && mayBelongElsewhere(p!.stats, p!.record)) doubtful.push(i);
  });
  for (let at = 0; at < doubtful.length; at += IN_FLIGHT) {
    await Promise.all(doubtful.slice(at, at + IN_FLIGHT).map(async (i) => {
      out[i] = await settleOne(store, files[i]!, out[i]!, opts.follow);
    }));
  }
  return out;
}

async function settleOne(store: MetadataStore, file: ListedFile, pair: StatsAndRecord, follow: boolean): Promise<StatsAndRecord | undefined> {
  let { stats, record } = pair;
  for (let look = 1; look <= MAX_LOOKS; look++) {
    if (!mayBelongElsewhere(stats, record)) return { stats, record };
    // A followed link is listed with its target's stats: stat, not lstat, sees the same file again.
    const now = await (follow ? stat : lstat)(file.path, { bigint: true }).catch(() => undefined);
    if (!now?.isFile()) return undefined;
    if (sameFile(now, stats)) return { stats, record };
    stats = now;
    record = await store.readAsync(file.path, file.key, now.ino);
  }
  return { stats, record: record && sameContent(record, stats) ? record : undefined };
}
