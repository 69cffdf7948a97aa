/** The walk against a brute-force reference listing, over random trees (fixed seeds, bounded size). */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { walk } from '../../src/storage/posix/list/walk.js';
import { allKeys, byBytes, itemName, list, makeTree, reference, removeTree, sortable } from './walk-fixture.js';

/** Names chosen to stress S3 order: '-' and '.' sort before '/', '0' after it; U+1F600 > U+FF21 only in UTF-8. */
const NAMES = ['a', 'b', 'a-b', 'a.b', 'a0', 'ab', 'x', 'x-y', 'ax', '-', '~', 'é', '\uFF21', '\u{1F600}', 'a b', 'A'];
const DELIMITERS = [undefined, '/', '-', 'x/', 'a', '/a', 'x'];
const SEEDS = [1, 2, 3, 5];

/** A small deterministic PRNG (mulberry32): the same seed makes the same tree on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Paths for makeTree: up to 4 levels, up to 8 entries a directory, some directories empty, at most ~120 paths. */
function randomTree(rand: () => number): { paths: string[]; dirObjects: Set<string> } {
  const paths: string[] = [];
  const dirObjects = new Set<string>();
  const fill = (dir: string, depth: number): void => {
    const names = [...NAMES].sort(() => rand() - 0.5).slice(0, (depth === 0 ? 3 : 0) + Math.floor(rand() * 9));
    if (names.length === 0 || paths.length >= 120) paths.push(dir || './');
    if (paths.length >= 120) return;
    for (const name of names) {
      if (depth < 3 && rand() < 0.45) {
        if (rand() < 0.25) dirObjects.add(`${dir}${name}/`);
        fill(`${dir}${name}/`, depth + 1);
      } else paths.push(dir + name);
    }
  };
  fill('', 0);
  return { paths, dirObjects };
}

/** Some prefixes worth trying: none, cuts of real keys (inside names and at '/'), and one matching nothing. */
function prefixesFor(keys: string[], rand: () => number): string[] {
  const out = new Set(['', 'zz-none', 'a/']);
  for (let i = 0; i < 6 && keys.length > 0; i++) {
    const key = keys[Math.floor(rand() * keys.length)];
    out.add(key.slice(0, Math.floor(rand() * (key.length + 1))));
  }
  return [...out];
}

for (const seed of SEEDS) {
  test(`random tree ${seed}: every prefix, delimiter and startAfter lists what the reference lists`, async () => {
    const rand = random(seed);
    const { paths, dirObjects } = randomTree(rand);
    const root = makeTree(paths);
    try {
      const keys = allKeys(root, dirObjects);
      assert.ok(keys.length > 0, 'the tree holds keys');
      for (const prefix of prefixesFor(keys, rand)) {
        for (const delimiter of DELIMITERS) {
          const what = `prefix ${JSON.stringify(prefix)} delimiter ${JSON.stringify(delimiter)}`;
          const full = await list(root, { prefix, delimiter }, dirObjects);
          assert.deepEqual(full, reference(keys, prefix, delimiter), what);
          for (let i = 1; i < full.length; i++) assert.ok(byBytes(sortable(full[i - 1]), sortable(full[i])) < 0, what);
          // startAfter at every item, every key, and cuts between: the full list filtered.
          const afters = new Set([...full.map(sortable), ...keys]);
          for (let i = 0; i < 20; i++) {
            const k = keys[Math.floor(rand() * keys.length)];
            afters.add(k.slice(0, Math.floor(rand() * (k.length + 1))));
          }
          for (const startAfter of prefix === '' || rand() < 0.3 ? afters : [...afters].slice(0, 5)) {
            const expected = full.filter((item) => byBytes(sortable(item), startAfter) > 0);
            assert.deepEqual(await list(root, { prefix, delimiter, startAfter }, dirObjects), expected, `${what} after ${JSON.stringify(startAfter)}`);
          }
        }
      }
    } finally {
      removeTree(root);
    }
  });
}

test('paging with early return and startAfter = last item joins up to the full listing', async () => {
  const rand = random(42);
  const { paths, dirObjects } = randomTree(rand);
  const root = makeTree(paths);
  try {
    for (const delimiter of DELIMITERS) {
      const full = await list(root, { delimiter }, dirObjects);
      for (const pageSize of [1, 2, 3, 7]) {
        const paged: string[] = [];
        let startAfter: string | undefined;
        for (let pages = 0; pages <= full.length; pages++) {
          const page: string[] = [];
          const items = walk({ root, prefix: '', delimiter, startAfter, followSymlinks: false, isDirectoryObject: (_a, k) => dirObjects.has(k) });
          for await (const item of items) {
            page.push(itemName(item));
            if (page.length === pageSize) break;
          }
          paged.push(...page);
          if (page.length < pageSize) break;
          startAfter = sortable(page[page.length - 1]);
        }
        assert.deepEqual(paged, full, `delimiter ${JSON.stringify(delimiter)} page size ${pageSize}`);
      }
    }
  } finally {
    removeTree(root);
  }
});

test('the reference itself: S3 examples by hand', () => {
  const keys = ['a/x', 'a-b', 'a.txt', 'a0', 'b/c/d', join('b', 'e')];
  assert.deepEqual(reference(keys, ''), ['a-b', 'a.txt', 'a/x', 'a0', 'b/c/d', 'b/e']);
  assert.deepEqual(reference(keys, '', '/'), ['a-b', 'a.txt', 'P:a/', 'a0', 'P:b/']);
  assert.deepEqual(reference(keys, 'b/', '/'), ['P:b/c/', 'b/e']);
  assert.deepEqual(reference(keys, '', '/', 'a/'), ['a0', 'P:b/']);
});
