/**
 * A bucket's keys one at a time, each with all its versions newest first, streamed from the listing walker a page
 * at a time: memory holds one page and one key's versions, never the tree. A bucket that never had versioning is
 * walked with ListObjects (faster), each object its own one-version group.
 */
import type { Backend, ListedVersion, ObjectInfo } from '../../storage/backend.js';

const PAGE = 1000;

/** An object of a listing as the one version of its key (no version id: the bucket never had versioning). */
export function asVersion(o: ObjectInfo): ListedVersion {
  return { key: o.key, versionId: o.versionId ?? 'null', isLatest: true, deleteMarker: false, lastModified: o.lastModified, object: o };
}

/**
 * The groups of the keys under `prefix`, in key order, a page of groups at a time (an await per key, not per page,
 * was a tenth of a scan's time).
 */
export async function* keyGroups(backend: Backend, bucket: string, prefix: string, versioned: boolean, signal?: AbortSignal): AsyncGenerator<ListedVersion[][]> {
  if (!versioned) {
    let startAfter: string | undefined;
    for (;;) {
      signal?.throwIfAborted();
      // Planning only: each key with work is looked at again before anything is done (bucket-pass.ts).
      const page = await backend.listObjects({ bucket, prefix, startAfter, maxKeys: PAGE, forPlanning: true });
      yield page.objects.map((o) => [asVersion(o)]);
      if (!page.isTruncated || page.lastItem === undefined) return;
      startAfter = page.lastItem;
    }
  }
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  let group: ListedVersion[] = [];
  for (;;) {
    signal?.throwIfAborted();
    const page = await backend.listObjectVersions({ bucket, prefix, keyMarker, versionIdMarker, maxKeys: PAGE });
    const done: ListedVersion[][] = [];
    for (const v of page.versions) {
      // A key's versions may run over a page boundary: a group is complete only once the next key starts.
      if (group.length && group[0]!.key !== v.key) {
        done.push(group);
        group = [];
      }
      group.push(v);
    }
    if (done.length) yield done;
    if (!page.isTruncated || page.nextKeyMarker === undefined) break;
    keyMarker = page.nextKeyMarker;
    versionIdMarker = page.nextVersionIdMarker;
  }
  if (group.length) yield [group];
}

/** The versions of `key` alone, fresh: the re-check before acting (a key with over 1,000 versions: its newest 1,000). */
export async function versionsOfKey(backend: Backend, bucket: string, key: string, versioned: boolean): Promise<ListedVersion[]> {
  if (!versioned) {
    const info = await backend.headObject({ bucket, key }).catch(() => undefined);
    return info ? [asVersion(info)] : [];
  }
  // Versions of `key` come before those of any longer key with the same beginning (S3 byte order).
  const page = await backend.listObjectVersions({ bucket, prefix: key, maxKeys: PAGE });
  return page.versions.filter((v) => v.key === key);
}
