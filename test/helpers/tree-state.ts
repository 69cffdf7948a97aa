/**
 * The state of a directory tree as a user of its objects would notice a change in it: every path, each file's
 * size, mtime, inode and content hash, and every path's extended attributes (where the default metadata store
 * keeps records). Directories count by their entries only: a write that failed may create and remove a staging
 * file, which touches its directory's timestamps and changes nothing else.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { getAttribute, listAttributes } from '@napi-rs/xattr';

/** Path (relative, `/`-separated) to a description of what is there. */
export type TreeState = Map<string, string>;

/**
 * The state of everything under `root`, not following links; paths for which `skip` answers true are left out
 * with everything below them. Bounded to `limit` entries and to files of `maxFileBytes` (larger ones: by stats only).
 */
export async function treeState(root: string, skip: (rel: string) => boolean = () => false, limit = 20_000, maxFileBytes = 16 * 2 ** 20): Promise<TreeState> {
  const out: TreeState = new Map();
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const abs = join(dir, name);
      const rel = relative(root, abs);
      if (skip(rel)) continue;
      if (out.size >= limit) throw new Error(`treeState: more than ${limit} entries under ${root}`);
      const st = await lstat(abs);
      const xattrs = st.isSymbolicLink() ? '' : await xattrsOf(abs);
      if (st.isDirectory()) {
        out.set(rel, `dir${xattrs}`);
        await walk(abs);
      } else if (st.isFile()) {
        const hash = st.size <= maxFileBytes ? createHash('sha256').update(await readFile(abs)).digest('hex').slice(0, 16) : 'large';
        out.set(rel, `file ${st.size} B, mtime ${st.mtimeMs}, inode ${st.ino}, sha256 ${hash}${xattrs}`);
      } else {
        out.set(rel, `${st.isSymbolicLink() ? 'symlink' : 'other'} inode ${st.ino}`);
      }
    }
  };
  await walk(root);
  return out;
}

/** What differs between two states, one line per path (empty when equal). */
export function treeChanges(before: TreeState, after: TreeState): string[] {
  const changes: string[] = [];
  for (const [path, was] of before) {
    const now = after.get(path);
    if (now === undefined) changes.push(`removed: ${path} (${was})`);
    else if (now !== was) changes.push(`changed: ${path}: ${was} -> ${now}`);
  }
  for (const [path, now] of after) if (!before.has(path)) changes.push(`added: ${path} (${now})`);
  return changes;
}

async function xattrsOf(path: string): Promise<string> {
  const names = (await listAttributes(path).catch(() => [] as string[])).sort();
  if (!names.length) return '';
  const values = await Promise.all(names.map(async (n) => {
    const v = await getAttribute(path, n).catch(() => null);
    return `${n}=${v ? createHash('sha256').update(v).digest('hex').slice(0, 12) : '?'}`;
  }));
  return `, xattrs ${values.join(' ')}`;
}
