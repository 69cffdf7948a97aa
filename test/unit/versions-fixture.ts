/** A versioned bucket directory for the versions store's tests: a context, and S3-like writes done the way the back end will. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { contentRecord, type MetaRecord } from '../../src/storage/posix/metadata/record.js';
import { SidecarStore } from '../../src/storage/posix/metadata/sidecar-store.js';
import { XattrStore } from '../../src/storage/posix/metadata/xattr-store.js';
import { commitVersion } from '../../src/storage/posix/versions/commit-version.js';
import type { VersionsContext, VersioningPolicy } from '../../src/storage/posix/versions/context.js';
import { findVersion } from '../../src/storage/posix/versions/find-version.js';
import type { ListedVersion } from '../../src/storage/backend.js';
import { listObjectVersions } from '../../src/storage/posix/versions/list-versions.js';
import { tempDir, type StoreMode } from './storage-fixture.js';

export const ENABLED: VersioningPolicy = { status: 'Enabled' };
export const SUSPENDED: VersioningPolicy = { status: 'Suspended' };

/** A bucket directory in `parent` (default: a fresh temp dir) with a versions context over it. */
export async function versionedBucket(mode: StoreMode, opts: { keep?: 'link' | 'clone'; parent?: string } = {}) {
  const tmp = opts.parent ? { dir: opts.parent, cleanup: async () => {} } : await tempDir('dirbucket-versions-');
  const root = join(tmp.dir, `bkt-${randomBytes(3).toString('hex')}`);
  const stateDir = join(root, '.dirbucket');
  await mkdir(join(stateDir, 'tmp'), { recursive: true });
  return { ctx: versionedContext(root, stateDir, mode, opts.keep), root, cleanup: tmp.cleanup };
}

/** The versions context of an existing bucket directory (another process serving the same tree makes its own). */
export function versionedContext(root: string, stateDir: string, mode: StoreMode, keep: 'link' | 'clone' = 'link'): VersionsContext {
  const sidecars = new SidecarStore(join(stateDir, 'meta'), false);
  return { root, stateDir, store: mode === 'xattr' ? new XattrStore(sidecars) : sidecars, fsync: false, keep };
}

/** Writes `data` to a staging file sealed with its record: what PutObject does before its commit. */
export async function stage(ctx: VersionsContext, key: string, data: string | Buffer): Promise<{ staging: string; record: MetaRecord }> {
  const staging = join(ctx.stateDir, 'tmp', randomBytes(8).toString('hex'));
  const fh = await open(staging, 'wx');
  await fh.writeFile(data);
  const stats = await fh.stat({ bigint: true });
  await fh.close();
  const record = contentRecord(stats, createHash('md5').update(data).digest('hex'), { userMetadata: {} });
  await ctx.store.write(staging, key, record);
  return { staging, record };
}

/** A PutObject into the versioned bucket; returns the new version's id. */
export async function put(ctx: VersionsContext, key: string, data: string | Buffer, policy = ENABLED): Promise<string> {
  const segments = key.split('/');
  const { staging, record } = await stage(ctx, key, data);
  const path = join(ctx.root, key);
  const place = async () => {
    await mkdir(path.slice(0, path.lastIndexOf('/')), { recursive: true });
    await rename(staging, path);
  };
  try {
    return (await commitVersion(ctx, { key, segments, staging, record, place }, policy)).versionId;
  } finally {
    await unlink(staging).catch(() => {});
  }
}

/** The bytes of a version (by id), as GET ?versionId would serve them. */
export async function readVersion(ctx: VersionsContext, key: string, id: string, policy = ENABLED): Promise<string> {
  const found = await findVersion(ctx, key, key.split('/'), id, policy);
  if (found.kind !== 'data') throw new Error(`${key}@${id} is a delete marker`);
  return readFile(found.path, 'utf8');
}

/** Every version and marker of the bucket under `prefix`, one page of up to 1000. */
export async function listAll(ctx: VersionsContext, prefix = '', policy = ENABLED): Promise<ListedVersion[]> {
  return (await listObjectVersions(ctx, { prefix, maxKeys: 1000, followSymlinks: false }, policy)).versions;
}

/** A key's versions as `id` (version) or `id*` (marker), newest first; the latest first in the list. */
export async function historyOf(ctx: VersionsContext, key: string, policy = ENABLED): Promise<string[]> {
  const all = (await listAll(ctx, key, policy)).filter((v) => v.key === key);
  for (const [i, v] of all.entries()) if (v.isLatest !== (i === 0)) throw new Error(`IsLatest wrong at ${i} for ${key}`);
  return all.map((v) => (v.deleteMarker ? `${v.versionId}*` : v.versionId));
}
