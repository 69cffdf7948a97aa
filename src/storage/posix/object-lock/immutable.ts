/**
 * The kernel's immutable attribute (ext4, XFS, Btrfs; set and cleared by root alone): an immutable file cannot be
 * written, renamed, linked or unlinked by anyone, root included, until root clears it. Set with e2fsprogs'
 * `chattr` (Node has no FS_IOC_SETFLAGS), which works on every file system that has the attribute.
 */
import { execFile } from 'node:child_process';
import { unlink, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { scratchName } from '../../../fsutil/lock-owner.js';

const run = promisify(execFile);

/** Sets (`on`) or clears the immutable attribute of `path`. Throws when chattr fails. */
export async function setImmutable(path: string, on: boolean): Promise<void> {
  await run('chattr', [on ? '+i' : '-i', path], { timeout: 10_000 });
}

/** Whether `path` has the immutable attribute (lsattr's `i`); false where it cannot be read. */
export async function isImmutable(path: string): Promise<boolean> {
  try {
    const { stdout } = await run('lsattr', ['-d', path], { timeout: 10_000 });
    return /^\S*i\S*\s/.test(stdout);
  } catch {
    return false;
  }
}

/**
 * Whether the file system of directory `dir` can make files immutable for this process: it runs as root, chattr
 * is installed, and a probe file set immutable really refuses to go. The probe is always cleared and removed.
 */
export async function canMakeImmutable(dir: string): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const probe = `${dir}/${scratchName('immutable-probe')}`;
  try {
    await writeFile(probe, '', { flag: 'wx', mode: 0o600 });
  } catch {
    return false;
  }
  try {
    await setImmutable(probe, true);
    const refused = await unlink(probe).then(() => false, () => true);
    return refused;
  } catch {
    return false;
  } finally {
    await setImmutable(probe, false).catch(() => {});
    await unlink(probe).catch(() => {});
  }
}
