/** ETag forms: the MD5 of the bytes, the empty-object MD5, and the synthetic ETag of files changed outside S3. */
import { hash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';

/** The MD5 of no bytes: the ETag of directory objects and empty files. */
export const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

/**
 * The ETag of a file whose content the gateway has no MD5 for (written or changed outside S3), from its
 * identity (inode, size, mtime). The '-1' suffix makes it look like a multipart ETag, so clients that verify
 * 32-hex ETags as the MD5 of the body do not reject it; it changes whenever the file does.
 */
export function syntheticEtag(stats: Pick<BigIntStats, 'ino' | 'size' | 'mtimeNs'>): string {
  const id = `${stats.ino}:${stats.size}:${stats.mtimeNs}`;
  // One-shot hash(): half the cost of a Hash object, paid for every key of a tree written outside S3 when listed.
  return `${hash('md5', id)}-1`;
}
