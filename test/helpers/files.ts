/** File helpers for tests: temp directories, random files of a given size, content hashes, tree snapshots. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

/** Makes a fresh directory under the OS temp dir; remove it with removeDir. */
export function makeTempDir(prefix = 'dirbucket-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes a directory tree, ignoring one that is already gone. */
export async function removeDir(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** Writes `size` random bytes to `path` in 1 MiB chunks (bounded memory) and returns their MD5 (hex). */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  const md5 = createHash('md5');
  const fh = await open(path, 'w');
  try {
    for (let done = 0; done < size; ) {
      const chunk = randomBytes(Math.min(1024 * 1024, size - done));
      md5.update(chunk);
      await fh.write(chunk);
      done += chunk.length;
    }
  } finally {
    await fh.close();
  }
  return md5.digest('hex');
}

/** The hex digest (md5 or sha256) of a file's bytes, streamed. */
export function fileDigest(path: string, algorithm: 'md5' | 'sha256' = 'sha256'): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash(algorithm);
    createReadStream(path)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** One entry of a tree snapshot. */
export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * Every path under `root` (relative, `/`-separated) with type, size, mtime and inode, without following links;
 * paths for which `skip` answers true are left out with everything below them. Bounded to `limit` entries.
 */
export async function snapshotTree(root: string, skip: (rel: string) => boolean = () => false, limit = 100_000): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir)) {
      const abs = join(dir, name);
      const rel = relative(root, abs);
      if (skip(rel)) continue;
      if (out.size >= limit) throw new Error(`snapshotTree: more than ${limit} entries under ${root}`);
      const st = await lstat(abs);
      const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
      out.set(rel, { type, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
      if (type === 'dir') await walk(abs);
    }
  };
  await walk(root);
  return out;
}

/** The relative paths of regular files under `root` (not following links), sorted; `skip` as for snapshotTree. */
export async function listFiles(root: string, skip: (rel: string) => boolean = () => false): Promise<string[]> {
  const tree = await snapshotTree(root, skip);
  return [...tree].filter(([, e]) => e.type === 'file').map(([p]) => p).sort();
}

/** True for a relative path inside the gateway's internal state directory (`.dirbucket` at any depth): not data. */
export function isInternal(rel: string): boolean {
  return rel.split('/').includes('.dirbucket');
}
