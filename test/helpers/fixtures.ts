/** The files every real-client test copies up and down: a small file, an empty file and a 40 MiB file. */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeRandomFile } from './files.js';

/** One fixture file: its name (also its key), path and MD5. */
export interface Fixture {
  name: string;
  path: string;
  size: number;
  md5: string;
}

/** 40 MiB: large enough that clients would use multipart by default, which the tests raise above this size. */
export const BIG_SIZE = 40 * 1024 * 1024;

/** Writes small.txt, empty.bin and big.bin (40 MiB, random) into `dir`. */
export async function makeFixtures(dir: string): Promise<Fixture[]> {
  const small = 'hello from dirbucket\nsecond line\n';
  await writeFile(join(dir, 'small.txt'), small);
  await writeFile(join(dir, 'empty.bin'), '');
  const bigMd5 = await writeRandomFile(join(dir, 'big.bin'), BIG_SIZE);
  return [
    { name: 'small.txt', path: join(dir, 'small.txt'), size: Buffer.byteLength(small), md5: createHash('md5').update(small).digest('hex') },
    { name: 'empty.bin', path: join(dir, 'empty.bin'), size: 0, md5: 'd41d8cd98f00b204e9800998ecf8427e' },
    { name: 'big.bin', path: join(dir, 'big.bin'), size: BIG_SIZE, md5: bigMd5 },
  ];
}
