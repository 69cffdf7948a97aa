/**
 * Garbage in the tier: data files no version refers to any more, because the object was deleted or replaced
 * (through S3, or on the NAS). Each data file has `<name>.ref` beside it naming its key, written before the data
 * gets its name. A file whose key has no version whose record (describing its file) names it — checked under the
 * key's archive lock, after the key's dead moves are settled — is removed, the data first. A ref younger than
 * `graceMs` is left alone: its move may not have committed yet.
 */
import { lstat, readdir, stat, unlink } from 'node:fs/promises';
import { readJsonFile } from '../../../fsutil/json-file.js';
import type { Bucket } from '../buckets/bucket.js';
import { versioningOf } from '../buckets/versioning.js';
import { sameContent } from '../metadata/record.js';
import { parseKey } from '../paths/paths.js';
import { parseEntryName, versionsDirOf } from '../versions/layout.js';
import { forEachKey, tryKeyLock } from './key-lock.js';

/** What a ref file holds. */
export interface TierRef {
  key: string;
}

/** Removes the bucket's unreferenced tier files; how many. A key busy now is looked at next time. */
export async function collectTier(bucket: Bucket, graceMs: number, signal?: AbortSignal): Promise<number> {
  if (bucket.settings.archiveDir === undefined) return 0;
  const dir = `${bucket.settings.archiveDir}/${bucket.name}`;
  let removed = 0;
  for (const sub of await readdir(dir).catch(() => [] as string[])) {
    const refs = (await readdir(`${dir}/${sub}`).catch(() => [] as string[])).filter((n) => n.endsWith('.ref'));
    await forEachKey(refs, async (name) => {
      const refPath = `${dir}/${sub}/${name}`;
      const st = await stat(refPath).catch(() => undefined);
      if (!st || Date.now() - st.mtimeMs < graceMs) return;
      const ref = await readJsonFile<TierRef>(refPath).catch(() => undefined);
      if (typeof ref?.key !== 'string') return; // not ours to judge
      const data = name.slice(0, -'.ref'.length);
      await tryKeyLock(bucket, ref.key, async () => {
        if (await referenced(bucket, ref.key, data)) return;
        await unlink(`${dir}/${sub}/${data}`).catch(() => {});
        await unlink(refPath);
        removed++;
      });
    }, `tier garbage collection in bucket ${bucket.name}`, signal);
    if (signal?.aborted) break;
  }
  return removed;
}

/** Whether a file of `key` (its path, or a kept version) has a record naming the tier file `name`. */
async function referenced(bucket: Bucket, key: string, name: string): Promise<boolean> {
  let segments: string[];
  try {
    segments = parseKey(key).segments;
  } catch {
    return true; // a key we cannot place: keep its data
  }
  const paths = [`${bucket.dir}/${segments.join('/')}`];
  if (await versioningOf(bucket)) {
    const dir = versionsDirOf(bucket.stateDir, segments);
    for (const n of await readdir(dir).catch(() => [] as string[])) {
      if (parseEntryName(n)?.kind === 'data') paths.push(`${dir}/${n}`);
    }
  }
  const store = await bucket.store();
  for (const p of paths) {
    const st = await lstat(p, { bigint: true }).catch(() => undefined);
    if (!st?.isFile()) continue;
    const record = await store.readAsync(p, key, st.ino);
    if (record?.archive?.file === name && sameContent(record, st)) return true;
  }
  return false;
}
