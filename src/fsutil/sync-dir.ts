/** fsync of a directory. */
import { open } from 'node:fs/promises';

/** fsync a directory, so that names created or renamed in it survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
