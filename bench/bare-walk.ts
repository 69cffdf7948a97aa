/**
 * The listing ceiling (issue #15): a bare walk of the bucket's directory tree doing the file-system part of a
 * listing and nothing else — readdir, an lstat and one xattr read per entry, entries in S3 (byte) order with a
 * directory sorted as `name/` — in this process, with synchronous calls (the fastest plain way on a local disk).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { getAttributeSync } from '@napi-rs/xattr';
import { median } from './md5-reference.js';

/** The walk's rate over `rounds` walks of `dir` (the internal `.dirbucket` directory skipped), and the keys found. */
export function measureBareWalk(dir: string, rounds: number): { keysPerSecond: number; samples: number[]; keys: number } {
  const samples: number[] = [];
  let keys = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    keys = walk(dir, true);
    samples.push(keys / ((performance.now() - t0) / 1000));
  }
  return { keysPerSecond: median(samples), samples, keys };
}

/** Files below `dir`, visited in S3 order. */
function walk(dir: string, top: boolean): number {
  const entries = readdirSync(dir).filter((n) => !(top && n === '.dirbucket'));
  const typed = entries.map((name) => {
    const path = `${dir}/${name}`;
    const st = lstatSync(path);
    return { name: st.isDirectory() ? `${name}/` : name, path, dir: st.isDirectory() };
  });
  typed.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  let n = 0;
  for (const e of typed) {
    if (e.dir) {
      n += walk(e.path, false);
      continue;
    }
    try {
      getAttributeSync(e.path, 'user.dirbucket.meta');
    } catch {
      // no record: a file written on disk
    }
    n++;
  }
  return n;
}
