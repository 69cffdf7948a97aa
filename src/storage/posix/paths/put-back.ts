/**
 * Undoing a take-away: a file renamed away from its path (an archive swap, a conditional delete) goes back, unless a
 * newer one is there by now. link() never replaces, so the newer one wins and the old one is dropped, as that
 * writer's own rename would have dropped it had we not taken it first.
 */
import { link, rename, unlink } from 'node:fs/promises';
import { errnoOf } from './errno.js';

/** Puts `away` back at `path` (see above); `isFile` false: a directory renamed in meanwhile, put back as it was. */
export async function putBack(away: string, path: string, isFile: boolean): Promise<void> {
  if (!isFile) {
    // Not ours to judge: back as it was, where nothing can have appeared (rename onto a non-empty directory fails).
    await rename(away, path).catch(() => {});
    return;
  }
  try {
    await link(away, path);
  } catch (e) {
    if (errnoOf(e) !== 'EEXIST') throw e;
  }
  await unlink(away);
}
