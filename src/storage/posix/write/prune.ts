/** Removing the empty directories a delete leaves behind, where the gateway made them (as S3 has no such thing). */
import { lstat, rmdir } from 'node:fs/promises';
import type { FsAccess } from '../permissions/fs-access.js';
import type { MetadataStore } from '../metadata/store.js';
import type { ParentDir } from '../paths/parent-dir.js';
import { dirKeyOf } from '../paths/paths.js';
import { isEmptyDirectory } from '../read/directory-object.js';

/**
 * Walks up from `parent` (the opened directory of segments[0..depth)) and removes each directory that is
 * empty, gateway-made and not a directory object, stopping at the first that is not, and at the bucket root.
 * Paths go through the opened descriptor and '..', so they stay inside the verified directory's ancestors
 * even if names change meanwhile; rmdir removes only an empty directory, never a symlink. With `as.access`, a
 * directory the request's identity could not remove (write on its parent, sticky rule) stays, and so do those above.
 */
export async function pruneEmptyParents(store: MetadataStore, parent: ParentDir, segments: readonly string[], depth: number,
  as?: { access?: FsAccess; bucketDir: string }): Promise<void> {
  for (let n = depth; n > 0; n--) {
    const path = `${parent.path}/${'../'.repeat(depth - n + 1)}${segments[n - 1]}`;
    const dirKey = dirKeyOf(segments, n);
    const st = await lstat(path, { bigint: true }).catch(() => undefined);
    if (!st?.isDirectory()) return;
    const record = store.read(path, dirKey, st.ino);
    if (record?.dirObject) return;
    if (!record?.made) {
      // A NAS user's directory stays on disk; emptied through S3 it is no folder either: its prefix went with its
      // last key, as in S3 (a delete never makes a key appear). Best effort: a record it cannot take leaves a folder.
      if (!record?.emptied && (await isEmptyDirectory(path))) {
        await store.write(path, dirKey, { ...(record ?? { v: 1 as const }), ino: String(st.ino), emptied: true }).catch(() => {});
      }
      return;
    }
    const above = n === 1 ? as?.bucketDir : `${as?.bucketDir}/${segments.slice(0, n - 1).join('/')}`;
    if (as?.access && !as.access.canRemove(above!, Number(st.uid))) return;
    try {
      await rmdir(path);
    } catch {
      return; // not empty (or gone): the prefix still holds something
    }
    await store.forget(dirKey, st.ino).catch(() => {});
  }
}
