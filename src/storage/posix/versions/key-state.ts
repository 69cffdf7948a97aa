/** What is on disk for one key: the plain file at its path (with its record) and its directory of versions. */
import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { parseAtomicTemp } from '../../../fsutil/atomic-temp.js';
import { isLockAside } from '../../../fsutil/lock-asides.js';
import { errnoOf } from '../paths/errno.js';
import type { VersionsContext } from './context.js';
import type { ListingIo } from './listing-io.js';
import { LOCK_NAME, newestFirst, parseEntryName, TEMP_PREFIX, versionsDirOf, type Entry } from './layout.js';
import { recordedStamp, stampOf, type VersionedRecord } from './version-record.js';

/** One key as read from disk, before any judgement (resolve.ts judges). */
export interface KeyState {
  key: string;
  segments: readonly string[];
  /** The key's path in the bucket: the current version, when a regular file is there. */
  path: string;
  /** The key's directory of versions. */
  dir: string;
  /** The regular file at the path, if any, and its record. */
  file?: { stats: BigIntStats; record?: VersionedRecord };
  /** Versions and delete markers kept, newest first. */
  entries: Entry[];
  /** Versions a NAS user overwrote in place, already written down as lost. */
  lost: Entry[];
  /**
   * The kept version that is the very inode at the path, rewritten in place since it was recorded (link mode):
   * its bytes are gone. Left out of `entries`.
   */
  rewritten?: Entry;
  /**
   * Temporary names left by a writer that died: links being made (`.t-*`) and atomic writes' temporaries (a
   * version's object lock). Only writers holding the key's lock make them: the next settle sweeps them.
   */
  temps: string[];
  /** What a breaker of a dead commit lock left (fsutil/lock-asides.ts): swept by the next settle once old. */
  asides: string[];
}

/**
 * Reads `key` (split into `segments`). The file's stats may be passed when the caller has them already; a listing
 * passes its `io` (listing-io.ts: synchronous reads while the file system is fast).
 */
export async function readKeyState(ctx: VersionsContext, key: string, segments: readonly string[],
  known?: { stats?: BigIntStats | null; record?: VersionedRecord }, io?: ListingIo): Promise<KeyState> {
  const path = `${ctx.root}/${segments.join('/')}`;
  const dir = versionsDirOf(ctx.stateDir, segments);
  const [stats, names] = await Promise.all([
    known?.stats !== undefined ? known.stats : io ? io.lstat(path) : lstat(path, { bigint: true }).catch(ignoreMissing),
    io ? io.readdir(dir) : readdir(dir).catch((e: unknown): string[] => ignoreMissing(e) ?? []),
  ]);
  const state: KeyState = { key, segments, path, dir, entries: [], lost: [], temps: [], asides: [] };
  for (const name of names) {
    const e = parseEntryName(name);
    if (e) (e.kind === 'lost' ? state.lost : state.entries).push(e);
    else if (name.startsWith(TEMP_PREFIX) || parseAtomicTemp(name)) state.temps.push(name);
    else if (isLockAside(LOCK_NAME, name)) state.asides.push(name);
  }
  state.entries.sort(newestFirst);
  state.lost.sort(newestFirst);
  if (stats?.isFile()) {
    const record = known?.record ?? ((await (io ? io.record(path, key, stats.ino) : ctx.store.readAsync(path, key, stats.ino))) as VersionedRecord | undefined);
    state.file = { stats, record };
    state.rewritten = await rewrittenEntry(state, stats, record, io);
    if (state.rewritten) state.entries = state.entries.filter((e) => e !== state.rewritten);
  }
  return state;
}

/** The kept entry that shares the file's inode though the file no longer matches its record (rewritten in place). */
async function rewrittenEntry(state: KeyState, stats: BigIntStats, record: VersionedRecord | undefined, io: ListingIo | undefined): Promise<Entry | undefined> {
  const stamp = recordedStamp(record);
  if (!stamp || stampOf(record, stats)) return undefined;
  const e = state.entries.find((x) => x.kind === 'data' && x.id === stamp.id && x.seq === stamp.seq);
  if (!e) return undefined;
  const at = `${state.dir}/${e.name}`;
  const st = await (io ? io.lstat(at) : lstat(at, { bigint: true }).catch(() => undefined));
  return st?.ino === stats.ino ? e : undefined;
}

function ignoreMissing(e: unknown): undefined {
  const code = errnoOf(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
  throw e;
}
