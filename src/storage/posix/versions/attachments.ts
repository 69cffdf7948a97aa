/**
 * Changing a version's attachments (tags, ACL, owner) in a versioned bucket: PutObjectTagging,
 * DeleteObjectTagging and PutObjectAcl, with or without `versionId`. Under the key's lock, so the version named
 * is the one changed even while other gateways write the key. A noncurrent version's record is rewritten on its
 * kept entry (a name only the gateway uses); the current one's through the caller's path write, and on its kept
 * entry too when that is a clone (another inode: otherwise the version would read its old tags once demoted).
 */
import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { S3Error } from '../../../errors/s3-error.js';
import type { MetaRecord } from '../metadata/record.js';
import { KEY_LOCK, type VersionsContext, type VersioningPolicy } from './context.js';
import { withFileLock } from '../../../fsutil/file-lock.js';
import { readKeyState } from './key-state.js';
import { lockFileOf, versionsDirOf } from './layout.js';
import { settleKey } from './settle.js';
import { stampOf, type VersionedRecord } from './version-record.js';
import { whileWritable } from '../object-lock/version-guard.js';

/** What to change, as the caller decides it. */
export interface AttachmentChange {
  key: string;
  segments: string[];
  /** The version to change (a parsed id); the current one when undefined. */
  versionId?: string;
  /** Write access to a version's file, as the kernel would decide it for the request (throws AccessDenied). */
  checkWrite?: (path: string, stats: BigIntStats) => void;
  /** The record with the change applied (the record is the version's own, checked fresh). */
  apply: (record: VersionedRecord | undefined) => MetaRecord;
  /** Changes the current file at the key's path (the unversioned write, safe against renames over the path). */
  changeCurrent: () => Promise<void>;
}

/** Applies `change` to the version it names; answers that version's id. See the file comment. */
export async function changeAttachments(ctx: VersionsContext, change: AttachmentChange, policy: VersioningPolicy): Promise<string> {
  const { key, segments, versionId } = change;
  return withFileLock(lockFileOf(versionsDirOf(ctx.stateDir, segments)), async () => {
    const { state, view } = await settleKey(ctx, await readKeyState(ctx, key, segments), policy);
    const at = versionId === undefined ? 0 : view.versions.findIndex((v) => v.id === versionId);
    const v = view.versions[at];
    if (!v) {
      if (versionId === undefined) throw new S3Error('NoSuchKey', undefined, { Key: key });
      if (state.lost.some((e) => e.id === versionId)) {
        throw new S3Error('NoSuchVersion', `Version '${versionId}' of '${key}' was overwritten outside S3 and is lost.`, { Key: key, VersionId: versionId });
      }
      throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
    }
    if (v.kind === 'marker') {
      if (versionId === undefined) throw new S3Error('NoSuchKey', undefined, { Key: key }, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.id });
      throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against a delete marker.', { Method: 'PUT', ResourceType: 'DeleteMarker' },
        { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.id });
    }
    if (v.where === 'path') {
      await change.changeCurrent();
      const kept = v.entry ? `${state.dir}/${v.entry.name}` : undefined;
      const st = kept ? await lstat(kept, { bigint: true }).catch(() => undefined) : undefined;
      if (st && st.ino !== state.file?.stats.ino) await rewrite(ctx, key, kept!, st, v.id, change);
      return v.id;
    }
    const path = `${state.dir}/${v.entry!.name}`;
    const st = await lstat(path, { bigint: true }).catch(() => undefined);
    if (!st) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: v.id });
    change.checkWrite?.(path, st);
    await rewrite(ctx, key, path, st, v.id, change);
    return v.id;
  }, KEY_LOCK);
}

/** Rewrites the record of the kept entry `path` (version `id`), unless its bytes changed since (lost). */
async function rewrite(ctx: VersionsContext, key: string, path: string, st: BigIntStats, id: string, change: AttachmentChange): Promise<void> {
  const record = (await ctx.store.readAsync(path, key, st.ino)) as VersionedRecord | undefined;
  const stamp = stampOf(record, st);
  if (!stamp || stamp.id !== id) {
    throw new S3Error('NoSuchVersion', `Version '${id}' of '${key}' was overwritten outside S3 and is lost.`, { Key: key, VersionId: id });
  }
  // A locked version's entry may be immutable (object lock): its record still changes, as S3 allows tags on it.
  await whileWritable(path, id, () => ctx.store.write(path, key, change.apply(record)));
}
