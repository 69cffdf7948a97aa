/** CopyObject: source opened safely, data cloned in the kernel into a staging file, then committed like a write. */
import { constants } from 'node:fs';
import { copyFile, unlink, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ChecksumValue, CopyObjectInput, ObjectInfo, ObjectMeta, PutObjectResult } from '../../backend.js';
import type { Bucket } from '../buckets/bucket.js';
import { commitStaged } from './commit.js';
import { checkLockable } from '../object-lock/bucket-lock.js';
import { putDirectoryObject } from './dir-object.js';
import { attachmentsOf } from '../metadata/attachments.js';
import { classOf, contentRecord } from '../metadata/record.js';
import { openCopySource } from './copy-source.js';
import { parseKey } from '../paths/paths.js';
import { Staging } from './staging.js';
import { FileBody } from '../read/file-body.js';

/**
 * Copies `source` to `target`. The bytes never pass through JS: copyFile with FICLONE reflinks where the file
 * system can, else the kernel copies (copy_file_range). Metadata: the source's (COPY) or `input.meta`
 * (REPLACE). ETag: the source's MD5 when its record is current and single-part, else the MD5 of the copy.
 */
export async function copyObject(source: Bucket, target: Bucket, input: CopyObjectInput): Promise<PutObjectResult> {
  target.assertWritable();
  const { segments, dirObject } = parseKey(input.key);
  await checkLockable(target, { asked: input.lock, dirObject });
  // Read on the source, as the request's identity there; the target is checked as any write (commitStaged).
  const { opened, info } = await openCopySource(source, input.source.key, { ...input, identity: input.sourceIdentity ?? input.identity, versionId: input.source.versionId });
  try {
    const meta: ObjectMeta = input.meta ?? info.meta;
    // The copy's owner and grants are the request's; its tags the source's unless the request gives others.
    const attachments = attachmentsOf({ owner: input.owner, grants: input.grants, tags: input.tags ?? info.tags });
    if (dirObject) {
      // Its bytes through the descriptor opened and checked (a directory object's body file, or a file).
      const body = opened.directory || info.size === 0 ? Readable.from([]) : new FileBody(opened.fh, 0, info.size - 1);
      const put = await putDirectoryObject(target, { bucket: input.bucket, key: input.key, segments, body, size: info.size, meta, conditions: input.conditions,
        identity: input.identity, ...attachments });
      return { ...put, ...(info.versionId ? { sourceVersionId: info.versionId } : {}) };
    }
    const store = await target.store();
    const path = await Staging.freshPath(target);
    // Through the descriptor: exactly the file that was opened and checked, even if renamed meanwhile.
    const copied = opened.directory
      ? writeFile(path, '', { flag: 'wx' })
      : copyFile(`/proc/self/fd/${opened.fh.fd}`, path, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    await copied.catch(async (e: unknown) => {
      await unlink(path).catch(() => {}); // a partial copy (ENOSPC...) leaves no trace
      throw e;
    });
    const staging = await Staging.adopt(path, store);
    try {
      const after = opened.directory ? opened.stats : await opened.fh.stat({ bigint: true });
      const unchanged = after.size === opened.stats.size && after.mtimeNs === opened.stats.mtimeNs;
      const keep = unchanged && trustedEtag(info);
      const etag = keep ? info.etag : await md5Of(staging.path);
      const checksum: ChecksumValue | undefined = keep && info.checksum?.type === 'FULL_OBJECT' ? info.checksum : undefined;
      const { stats } = await staging.seal(input.key, (st) => contentRecord(st, etag, meta, { ...(checksum ? { checksum } : {}), ...attachments, ...classOf(input.storageClass) }),
        target.settings.fsync);
      const versionId = await commitStaged(target, store, staging, { key: input.key, segments, conditions: input.conditions, identity: input.identity, lock: input.lock });
      return { etag, lastModified: new Date(Number(stats.mtimeNs / 1_000_000n)), ...(checksum ? { checksum } : {}), ...(versionId ? { versionId } : {}),
        ...(info.versionId ? { sourceVersionId: info.versionId } : {}) };
    } finally {
      await staging.discard();
    }
  } finally {
    await opened.fh.close();
  }
}

// A current single-part record's ETag is the MD5 of the bytes; a multipart or synthetic one is not.
function trustedEtag(info: ObjectInfo): boolean {
  return /^[0-9a-f]{32}$/.test(info.etag);
}

async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
