/**
 * ListObjectVersions: keys in S3 order, merged from the bucket's tree (current files, found there even when no
 * version of theirs is kept yet) and the store of versions (keys with kept versions or markers, including
 * deleted ones); each key's versions newest first; paged by key-marker and version-id-marker. Holds one page
 * and the versions of one key at a time.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { ListedVersion, ListObjectsResult, ListObjectVersionsResult } from '../../backend.js';
import type { FsAccess } from '../permissions/fs-access.js';
import { compareUtf8 } from '../list/byte-order.js';
import { isDirectoryObject } from '../list/list.js';
import { walk, type WalkItem } from '../list/walk.js';
import { listedObject } from '../read/object-info.js';
import type { VersionsContext, VersioningPolicy } from './context.js';
import { readKeyState } from './key-state.js';
import { readSettled } from './settle.js';
import { ListingIo } from './listing-io.js';
import { walkKept, type KeptItem } from './kept-walk.js';
import { versionsRootOf } from './layout.js';
import { isSettledView, resolveVersions, type VersionView } from './resolve.js';
import { dateOfId, isVersionId, NULL_VERSION_ID } from './version-id.js';
import { stampOf, type VersionedRecord } from './version-record.js';

export interface ListVersionsInput {
  prefix: string;
  delimiter?: string;
  keyMarker?: string;
  /** Only with keyMarker (InvalidArgument otherwise): continue after this version of that key. */
  versionIdMarker?: string;
  maxKeys: number;
  followSymlinks: boolean;
  /** The request's file-system check: what it may not list (ls) is left out, as ListObjects leaves it out. */
  access?: FsAccess;
}

export type ListVersionsResult = ListObjectVersionsResult;

type Item = { type: 'key'; key: string; current?: { path: string; stats: BigIntStats } } | { type: 'prefix'; prefix: string };

/** One page of ListObjectVersions (see the file comment). */
export async function listObjectVersions(ctx: VersionsContext, input: ListVersionsInput, policy: VersioningPolicy): Promise<ListVersionsResult> {
  checkVersionMarkers(input, true);
  const result: ListVersionsResult = { versions: [], commonPrefixes: [], isTruncated: false };
  if (input.maxKeys <= 0) return result;
  const access = input.access;
  const startDirs = input.prefix.slice(0, input.prefix.lastIndexOf('/') + 1).split('/').slice(0, -1);
  if (access && !access.canSearch(ctx.root, startDirs)) return result;
  let count = 0;
  /** Adds one entry; false once the page is full (and one more exists: truncated). */
  const add = (v: ListedVersion | string): boolean => {
    if (count === input.maxKeys) {
      result.isTruncated = true;
      return false;
    }
    count++;
    if (typeof v === 'string') {
      result.commonPrefixes.push(v);
      result.nextKeyMarker = v;
      result.nextVersionIdMarker = undefined;
    } else {
      result.versions.push(v);
      result.nextKeyMarker = v.key;
      result.nextVersionIdMarker = v.versionId;
    }
    return true;
  };
  const { keyMarker, versionIdMarker } = input;
  const io = new ListingIo(ctx.store);
  // The marker's key first, from after the marker's version on.
  if (keyMarker !== undefined && versionIdMarker !== undefined && keyMarker.startsWith(input.prefix) && mayListKey(ctx, keyMarker, access)) {
    const listed = await versionsOf(ctx, { type: 'key', key: keyMarker }, policy, io);
    const from = listed.findIndex((v) => v.versionId === versionIdMarker) + 1;
    if (from > 0) for (const v of listed.slice(from)) if (!add(v)) return finish(result);
  }
  const items = readAhead(merged(ctx, input), (item) => (item.type === 'key' ? versionsOf(ctx, item, policy, io) : undefined));
  try {
    for await (const [item, versions] of items) {
      if (item.type === 'prefix') {
        if (!add(item.prefix)) break;
        continue;
      }
      let full = false;
      for (const v of await versions!) if ((full = !add(v))) break;
      if (full) break;
    }
  } finally {
    await items.return(undefined);
  }
  return finish(result);
}

/**
 * How many keys' versions are read at once. Each key costs a few dependent file-system calls (its directory of
 * versions, then each version's stats and record); one key at a time leaves the thread pool idle between them.
 */
const KEYS_AHEAD = 32;

/**
 * `source`'s items in order, each with the work `start` began for it, begun up to KEYS_AHEAD items ahead. Work
 * begun for items never consumed (the page filled) still ends; its failure is then ignored.
 */
async function* readAhead<T, R>(source: AsyncGenerator<T>, start: (item: T) => Promise<R> | undefined): AsyncGenerator<[T, Promise<R> | undefined]> {
  const queue: [T, Promise<R> | undefined][] = [];
  let done = false;
  try {
    for (;;) {
      while (!done && queue.length < KEYS_AHEAD) {
        const next = await source.next();
        if (next.done) {
          done = true;
          break;
        }
        const work = start(next.value);
        work?.catch(() => {}); // awaited by the consumer; unconsumed, dropped
        queue.push([next.value, work]);
      }
      const head = queue.shift();
      if (!head) return;
      yield head;
    }
  } finally {
    await source.return(undefined);
  }
}

/** Whether the request may list the directories on the way to `key` (those that still exist). */
function mayListKey(ctx: VersionsContext, key: string, access: FsAccess | undefined): boolean {
  return !access || access.canListDown(ctx.root, key.split('/').slice(0, -1));
}

/**
 * The paging markers as S3 checks them: a version-id marker needs a key marker, and is `null` or (in a bucket
 * with versioning) an id of ours; anything else is InvalidArgument.
 */
export function checkVersionMarkers(input: { keyMarker?: string; versionIdMarker?: string }, versioned: boolean): void {
  const marker = input.versionIdMarker;
  if (marker === undefined) return;
  if (!input.keyMarker) {
    throw new S3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', { ArgumentName: 'version-id-marker', ArgumentValue: marker });
  }
  if (marker === NULL_VERSION_ID || (versioned && isVersionId(marker))) return;
  throw new S3Error('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'version-id-marker', ArgumentValue: marker });
}

/**
 * ListObjectVersions in a bucket that never had versioning: every object is its own `null` version, the latest.
 * `page` is the ListObjects page after the key marker (checked first: checkVersionMarkers(input, false)).
 */
export function nullVersions(page: ListObjectsResult): ListVersionsResult {
  const last = page.objects.length > 0 ? page.objects[page.objects.length - 1]! : undefined;
  return {
    versions: page.objects.map((o) => ({ key: o.key, versionId: NULL_VERSION_ID, isLatest: true, deleteMarker: false, lastModified: o.lastModified,
      ...(o.owner ? { owner: o.owner } : {}), object: o })),
    commonPrefixes: page.commonPrefixes,
    isTruncated: page.isTruncated,
    ...(page.isTruncated ? { nextKeyMarker: page.lastItem, ...(last && last.key === page.lastItem ? { nextVersionIdMarker: NULL_VERSION_ID } : {}) } : {}),
  };
}

function finish(result: ListVersionsResult): ListVersionsResult {
  if (!result.isTruncated) {
    delete result.nextKeyMarker;
    delete result.nextVersionIdMarker;
  }
  return result;
}

/** The bucket's walk and the store's walk, merged into one stream in S3 order (a key in both, once). */
async function* merged(ctx: VersionsContext, input: ListVersionsInput): AsyncGenerator<Item> {
  const common = { prefix: input.prefix, delimiter: input.delimiter, startAfter: input.keyMarker };
  const access = input.access;
  const tree = walk({ ...common, root: ctx.root, followSymlinks: input.followSymlinks,
    isDirectoryObject: (abs, key, empty) => isDirectoryObject(ctx.store, abs, key, { empty }),
    mayList: access && ((abs) => access.canList(abs)) });
  const kept = walkKept({ ...common, root: versionsRootOf(ctx.stateDir) });
  try {
    let a = await tree.next();
    let b = await kept.next();
    while (!a.done || !b.done) {
      const order = a.done ? 1 : b.done ? -1 : compareUtf8(nameOf(a.value), nameOf(b.value));
      if (order <= 0) {
        const x = a.value as WalkItem;
        yield x.type === 'prefix' ? x : { type: 'key', key: x.key, current: x.directory ? undefined : { path: x.path, stats: x.stats } };
        a = await tree.next();
        if (order === 0) b = await kept.next();
      } else {
        // A key known only to the store (deleted on the tree): shown where its directory could be listed.
        if (mayListKey(ctx, nameOf(b.value), input.access)) yield b.value as KeptItem;
        b = await kept.next();
      }
    }
  } finally {
    await tree.return(undefined);
    await kept.return(undefined);
  }
}

function nameOf(item: WalkItem | KeptItem): string {
  return item.type === 'prefix' ? item.prefix : item.key;
}

/** The versions of one key, newest first, as listed (a kept version whose bytes changed is left out: lost). */
async function versionsOf(ctx: VersionsContext, item: Item & { type: 'key' }, policy: VersioningPolicy, io: ListingIo): Promise<ListedVersion[]> {
  const key = item.key;
  if (key.endsWith('/')) return directoryObject(ctx, item);
  const segments = key.split('/');
  let state = await readKeyState(ctx, key, segments, item.current ? { stats: item.current.stats } : undefined, io);
  let view = resolveVersions(state, policy);
  if (!isSettledView(view)) {
    // Listed means named: a found file is kept first (settle.ts keepNoticed). And a key caught half-way through
    // another process's change (resolve.ts isSettledView) is read again as that change left it, under its lock.
    const settled = await readSettled(ctx, key, segments, policy);
    state = settled?.state ?? (await readKeyState(ctx, key, segments, undefined, io));
    view = settled?.view ?? resolveVersions(state, policy);
  }
  const views = view.versions;
  const out: ListedVersion[] = [];
  for (const [i, v] of views.entries()) {
    // An implied marker (a NAS delete) dates from when the file lost its name: the ctime of the link left.
    const gone = v.where === 'implied' ? await io.lstat(`${state.dir}/${views[i + 1].entry!.name}`) : undefined;
    const listed = await listedVersion(ctx, io, state.path, state.dir, key, v, i === 0, state.file, gone && new Date(Number(gone.ctimeMs)));
    if (listed) out.push(listed);
  }
  return out;
}

async function listedVersion(ctx: VersionsContext, io: ListingIo, path: string, dir: string, key: string, v: VersionView, isLatest: boolean,
  file: { stats: BigIntStats; record?: VersionedRecord } | undefined, goneAt?: Date): Promise<ListedVersion | undefined> {
  const base = { key, versionId: v.id, isLatest };
  if (v.kind === 'marker') {
    const at = v.entry ? `${dir}/${v.entry.name}` : undefined;
    const st = at ? await io.lstat(at) : undefined;
    const owner = st && st.size > 2n ? await markerOwner(at!) : undefined;
    return { ...base, deleteMarker: true, lastModified: st ? new Date(Number(st.mtimeMs)) : goneAt ?? dateOfId(v.seq), ...(owner ? { owner } : {}) };
  }
  let stats = file?.stats;
  let record = file?.record;
  if (v.where !== 'path') {
    const at = `${dir}/${v.entry!.name}`;
    stats = await io.lstat(at);
    if (!stats) return undefined;
    record = (await io.record(at, key, stats.ino)) as VersionedRecord | undefined;
    // A kept link shares its inode with whatever a NAS user did to it: changed bytes are no longer this version.
    const stamp = stampOf(record, stats);
    if (!stamp || stamp.id !== v.id || stamp.seq !== v.seq) return undefined;
  } else if (!stats) {
    stats = await io.lstat(path);
    if (!stats) return undefined;
  }
  const object = listedObject(key, stats, record);
  return { ...base, deleteMarker: false, lastModified: object.lastModified, ...(record?.owner ? { owner: record.owner } : {}), object };
}

async function markerOwner(path: string): Promise<string | undefined> {
  const body = await readFile(path, 'utf8').then((t) => JSON.parse(t) as { owner?: string }, () => undefined);
  return body?.owner;
}

// Directory objects are not versioned yet: each is its own `null` version, current.
async function directoryObject(ctx: VersionsContext, item: Item & { type: 'key' }): Promise<ListedVersion[]> {
  const path = `${ctx.root}/${item.key.slice(0, -1)}`;
  const st = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!st?.isDirectory()) return [];
  // The record gives a directory object with bytes its size and ETag, as ListObjects shows them.
  const object = listedObject(item.key, st, await ctx.store.readAsync(path, item.key, st.ino));
  return [{ key: item.key, versionId: NULL_VERSION_ID, isLatest: true, deleteMarker: false, lastModified: object.lastModified, object }];
}
