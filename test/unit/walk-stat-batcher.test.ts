/** StatBatcher: the same answers in its sync and async modes, and the switch between them. */
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { StatBatcher } from '../../src/storage/posix/list/stat-batcher.js';

let dir: string;
let paths: string[];
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'walk-stat-'));
  paths = Array.from({ length: 10 }, (_, i) => join(dir, `f${i}`));
  paths.forEach((p, i) => writeFileSync(p, 'x'.repeat(i)));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** What the batcher must answer: each file's inode and size, null for the missing one. */
function expected(list: string[]): (string | null)[] {
  return list.map((p) => {
    const s = lstatSync(p, { throwIfNoEntry: false });
    return s ? `${s.ino}:${s.size}` : null;
  });
}

function summary(stats: Awaited<ReturnType<StatBatcher['lstat']>>): (string | null)[] {
  return stats.map((s) => (s ? `${s.ino}:${s.size}` : null));
}

test('stays sync on a fast file system and answers like lstat, null for a missing entry', async () => {
  const batcher = new StatBatcher(Infinity);
  const list = [...paths, join(dir, 'missing')];
  assert.deepEqual(summary(await batcher.lstat(list)), expected(list));
  assert.equal(batcher.sync, true);
  const stats = await batcher.lstat(paths.slice(0, 1));
  assert.equal(typeof stats[0]?.ino, 'bigint');
});

test('goes async for good after enough slow calls in one batch, with the same answers', async () => {
  // slowMs -1: every call counts as slow, so the third call of the first batch flips the mode.
  const batcher = new StatBatcher(-1, 3);
  const list = [...paths.slice(0, 5), join(dir, 'missing'), ...paths.slice(5)];
  assert.deepEqual(summary(await batcher.lstat(list)), expected(list));
  assert.equal(batcher.sync, false);
  assert.deepEqual(summary(await batcher.lstat(list)), expected(list));
  assert.equal(batcher.sync, false);
});

test('a few slow calls scattered over batches do not flip it', async () => {
  const batcher = new StatBatcher(-1, 100);
  for (let i = 0; i < 5; i++) await batcher.lstat(paths);
  assert.equal(batcher.sync, true);
});

test('errors that are not "entry gone" or "no access" are thrown in both modes', async () => {
  const tooLong = join(dir, 'x'.repeat(300));
  await assert.rejects(new StatBatcher(Infinity).lstat([tooLong]), { code: 'ENAMETOOLONG' });
  await assert.rejects(new StatBatcher(-1, 1).lstat([paths[0], tooLong]), { code: 'ENAMETOOLONG' });
});
