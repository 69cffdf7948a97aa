/**
 * Reading versions without the lock (GET, HEAD, and every request naming a versionId): the current file's id,
 * and any version or marker by id, never serving a kept version whose bytes changed since it was recorded.
 */
import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { VersionsContext, VersioningPolicy } from './context.js';
import { readKeyState } from './key-state.js';
import { entryName, versionsDirOf } from './layout.js';
import { resolveVersions, type VersionView } from './resolve.js';
import { keepNoticed } from './settle.js';
import { dateOfId } from './version-id.js';
import { stampOf, type VersionedRecord } from './version-record.js';

/** A version found by id, with what serving it needs. */
export type FoundVersion =
  | { kind: 'data'; version: VersionView; isLatest: boolean; path: string; stats: BigIntStats; record?: VersionedRecord }
  | { kind: 'marker'; version: VersionView; isLatest: boolean; lastModified: Date };

/**
 * The version id of the current file at the key's path (`stats` and `record` as GET read them). The usual case
 * costs one lstat: the record names a kept version. A file changed outside S3 gets its derived id.
 */
export async function currentVersionId(ctx: VersionsContext, key: string, segments: readonly string[],
  file: { stats: BigIntStats; record?: VersionedRecord }, policy: VersioningPolicy): Promise<string> {
  const stamp = stampOf(file.record, file.stats);
  if (stamp) {
    const dir = versionsDirOf(ctx.stateDir, segments);
    const kept = await lstat(`${dir}/${entryName({ ...stamp, kind: 'data' })}`).catch(() => undefined);
    if (kept) return stamp.id;
  }
  const state = await readKeyState(ctx, key, segments, file);
  const top = resolveVersions(state, policy).versions[0];
  if (top.where === 'path' && !top.entry) await keepNoticed(ctx, key, [...segments], policy);
  return top.id;
}

/**
 * The key's latest version or delete marker, or undefined when it has none: for a GET or HEAD that finds no
 * file at the path, to answer NoSuchKey with `x-amz-delete-marker` and the marker's id when a marker is latest.
 */
export async function latestVersion(ctx: VersionsContext, key: string, segments: readonly string[], policy: VersioningPolicy): Promise<VersionView | undefined> {
  return resolveVersions(await readKeyState(ctx, key, segments), policy).versions[0];
}

/**
 * The version or delete marker `versionId` of the key (a parsed id). NoSuchVersion when there is none, or when
 * its bytes were overwritten in place outside S3 (said in the message: the version is lost, not absent).
 */
export async function findVersion(ctx: VersionsContext, key: string, segments: readonly string[], versionId: string,
  policy: VersioningPolicy): Promise<FoundVersion> {
  const state = await readKeyState(ctx, key, segments);
  const versions = resolveVersions(state, policy).versions;
  const at = versions.findIndex((v) => v.id === versionId);
  const v = versions[at];
  const lost = () => new S3Error('NoSuchVersion', `Version '${versionId}' of '${key}' was overwritten outside S3 and is lost.`, { Key: key, VersionId: versionId });
  if (!v) {
    if (state.lost.some((e) => e.id === versionId) || state.rewritten?.id === versionId) throw lost();
    throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
  }
  if (v.kind === 'marker') {
    const st = v.entry ? await lstat(`${state.dir}/${v.entry.name}`).catch(() => undefined) : undefined;
    return { kind: 'marker', version: v, isLatest: at === 0, lastModified: st?.mtime ?? dateOfId(v.seq) };
  }
  if (v.where === 'path') {
    const { stats, record } = state.file!;
    return { kind: 'data', version: v, isLatest: at === 0, path: state.path, stats, record };
  }
  const path = `${state.dir}/${v.entry!.name}`;
  const stats = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!stats) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId }); // deleted meanwhile
  const record = (await ctx.store.readAsync(path, key, stats.ino)) as VersionedRecord | undefined;
  // A kept link shares its inode with whatever the NAS did to it: only the bytes as recorded are this version.
  const stamp = stampOf(record, stats);
  if (!stamp || stamp.id !== v.id) throw lost();
  return { kind: 'data', version: v, isLatest: at === 0, path, stats, record };
}
