/**
 * mkdir -p that reports why it failed. Node's recursive mkdir answers ENOENT where the last directory could not be
 * made on a read-only file system (its parent exists: EROFS is the truth), which would reach a client as an
 * internal error instead of "read-only". On ENOENT the last step is tried once more alone, for its own errno.
 */
import { mkdir } from 'node:fs/promises';

/** Creates `dir` and any missing parents; a failure carries the errno of the step that failed. */
export async function makeDirs(dir: string, mode?: number): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, ...(mode !== undefined ? { mode } : {}) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    // A parent really missing (removed meanwhile) fails here with ENOENT again; a read-only one with EROFS.
    await mkdir(dir, mode !== undefined ? { mode } : {}).catch((again: NodeJS.ErrnoException) => {
      throw again.code === 'EEXIST' ? e : again;
    });
  }
}
