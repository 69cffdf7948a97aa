/** ListObjects over the walker: pages of maxKeys items, isTruncated by peeking one further, lastItem, roll-ups. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { body, rootBackend } from './storage-fixture.js';

let backend: PosixBackend;
let bucketDir: string;
let cleanup: () => Promise<void>;
// S3 order is by UTF-8 bytes over the whole key: 'a-b' and 'a.txt' before 'a/x', 'a/x' before 'a0', 'z' before 'é'.
const KEYS = ['a-b', 'a.txt', 'a/x', 'a/y/z', 'a0', 'b/1', 'b/2', 'b/3/deep/er', 'c', 'dir/', 'dir/in', 'z/z/z', 'é'];

before(async () => {
  ({ backend, bucketDir, cleanup } = await rootBackend('xattr'));
  for (const key of KEYS) {
    if (key === 'dir/') await backend.putObject({ bucket: 'bkt', key, body: body(), meta: { userMetadata: {} } });
    else {
      await mkdir(dirname(join(bucketDir, key)), { recursive: true });
      await writeFile(join(bucketDir, key), key); // written on disk: listing must not need S3 records
    }
  }
  // Holds no key (only a FIFO, so no empty folder either): never listed.
  await mkdir(join(bucketDir, 'empty/nested'), { recursive: true });
  execFileSync('mkfifo', [join(bucketDir, 'empty/nested/pipe')]);
});
after(async () => cleanup());

test('a full listing is every key in S3 order, directory objects included', async () => {
  const r = await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 1000 });
  assert.deepEqual(r.objects.map((o) => o.key), KEYS);
  assert.equal(r.isTruncated, false);
  assert.equal(r.lastItem, 'é');
  assert.deepEqual(r.objects.find((o) => o.key === 'dir/')?.etag, 'd41d8cd98f00b204e9800998ecf8427e');
  for (const o of r.objects.filter((x) => x.key !== 'dir/')) {
    assert.equal(o.size, Buffer.byteLength(o.key));
    assert.match(o.etag, /^[0-9a-f]{32}-1$/);
  }
});

test('pages of maxKeys chain through lastItem to the same keys, truncated until the last page', async () => {
  for (const maxKeys of [1, 2, 5, 12, 13]) {
    const seen: string[] = [];
    let startAfter: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys, startAfter });
      assert.ok(r.objects.length <= maxKeys);
      seen.push(...r.objects.map((o) => o.key));
      if (!r.isTruncated) break;
      assert.equal(r.objects.length, maxKeys, 'a truncated page is full');
      startAfter = r.lastItem;
    }
    assert.deepEqual(seen, KEYS, `maxKeys ${maxKeys}`);
  }
  // Exactly as many keys as maxKeys: not truncated (nothing more to peek).
  assert.equal((await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: KEYS.length })).isTruncated, false);
});

test('maxKeys 0 is an empty, untruncated page', async () => {
  assert.deepEqual(await backend.listObjects({ bucket: 'bkt', prefix: '', maxKeys: 0 }), { objects: [], commonPrefixes: [], isTruncated: false });
});

test('delimiter rolls keys up into common prefixes; they count toward maxKeys and lastItem', async () => {
  const r = await backend.listObjects({ bucket: 'bkt', prefix: '', delimiter: '/', maxKeys: 1000 });
  assert.deepEqual(r.objects.map((o) => o.key), ['a-b', 'a.txt', 'a0', 'c', 'é']);
  assert.deepEqual(r.commonPrefixes, ['a/', 'b/', 'dir/', 'z/']);
  const p1 = await backend.listObjects({ bucket: 'bkt', prefix: '', delimiter: '/', maxKeys: 3 });
  assert.deepEqual([p1.objects.map((o) => o.key), p1.commonPrefixes, p1.isTruncated, p1.lastItem], [['a-b', 'a.txt'], ['a/'], true, 'a/']);
  const p2 = await backend.listObjects({ bucket: 'bkt', prefix: '', delimiter: '/', maxKeys: 3, startAfter: p1.lastItem });
  assert.deepEqual([p2.objects.map((o) => o.key), p2.commonPrefixes, p2.lastItem], [['a0', 'c'], ['b/'], 'c']);
  const b = await backend.listObjects({ bucket: 'bkt', prefix: 'b/', delimiter: '/', maxKeys: 10 });
  assert.deepEqual([b.objects.map((o) => o.key), b.commonPrefixes], [['b/1', 'b/2'], ['b/3/']]);
});

test('a prefix that no key can have lists nothing', async () => {
  for (const prefix of ['../', 'a/../', '.dirbucket/', '/a', 'nothing']) {
    const r = await backend.listObjects({ bucket: 'bkt', prefix, maxKeys: 10 });
    assert.deepEqual([r.objects, r.commonPrefixes, r.isTruncated], [[], [], false], prefix);
  }
});
