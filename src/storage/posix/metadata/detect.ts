/** Detection of user.* extended attribute support, for metadata mode 'auto'. */
import { unlink, writeFile } from 'node:fs/promises';
import { setAttribute } from '@napi-rs/xattr';
import { scratchName } from '../../../fsutil/lock-owner.js';
import { errnoOf } from '../paths/errno.js';

/**
 * Whether the file system holding `dir` accepts user.* extended attributes: sets one on a scratch file.
 * Only a refusal (ENOTSUP, EPERM) answers false; other failures are thrown, so a passing fault cannot pin a
 * bucket to the wrong store.
 */
export async function acceptsUserXattrs(dir: string): Promise<boolean> {
  const probe = `${dir}/${scratchName('xattr-probe')}`;
  await writeFile(probe, '', { flag: 'wx' });
  try {
    await setAttribute(probe, 'user.dirbucket.probe', '1');
    return true;
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOTSUP' || code === 'EPERM') return false;
    throw e;
  } finally {
    await unlink(probe).catch(() => {});
  }
}
