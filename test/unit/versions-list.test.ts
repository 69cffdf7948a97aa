/**
 * ListObjectVersions over the versions store (src/storage/posix/versions/list-versions.ts, kept-walk.ts): S3
 * key order across the bucket's tree and the store, each key's versions newest first, prefix and delimiter,
 * and paging by key-marker and version-id-marker that reassembles the whole listing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareUtf8 } from '../../src/storage/posix/list/byte-order.js';
import { putDeleteMarker } from '../../src/storage/posix/versions/delete-marker.js';
import { walkKept } from '../../src/storage/posix/versions/kept-walk.js';
import { versionsRootOf } from '../../src/storage/posix/versions/layout.js';
import { listObjectVersions, type ListVersionsInput } from '../../src/storage/posix/versions/list-versions.js';
import { rejectsS3 } from './storage-fixture.js';
import { ENABLED, listAll, put, versionedBucket } from './versions-fixture.js';

// Keys whose S3 order differs from a naive path walk: '!' and '-' sort before '/', U+FFFD and astral after.
const KEYS = ['a', 'a!', 'a-b', 'a/b', 'a/b/c', 'a/bb', 'a0', 'b\uFFFD', 'b\u{1F600}', 'z/y/x'];

async function fixture() {
  const b = await versionedBucket('xattr');
  const ids: Record<string, string[]> = {};
  const write = async (key: string) => (ids[key] ??= []).unshift(await put(b.ctx, key, `${key} ${(ids[key]?.length ?? 0) + 1}`));
  const mark = async (key: string) => {
    (ids[key] ??= []).unshift((await putDeleteMarker(b.ctx, { key, segments: key.split('/') }, ENABLED)).versionId);
  };
  // A file and a directory cannot share a name: 'a/b/c' and 'a' are deleted (kept in the store only) before
  // 'a/b' and 'a/...' need the names as directories.
  await write('a/b/c');
  await mark('a/b/c');
  await rm(join(b.root, 'a'), { recursive: true });
  await write('a');
  await write('a');
  await mark('a');
  for (const key of KEYS.filter((k) => !(k in ids))) await write(key);
  await write('a/b');
  await write('z/y/x');
  // One key only as a plain file, made by hand on the NAS.
  await mkdir(join(b.root, 'n'), { recursive: true });
  await writeFile(join(b.root, 'n/new'), 'by hand');
  return { ...b, ids };
}

test('versions come in S3 key order, each key newest first, from the tree and the store merged', async () => {
  const { ctx, ids, cleanup } = await fixture();
  try {
    const listed = await listAll(ctx);
    const keys = [...new Set(listed.map((v) => v.key))];
    assert.deepEqual(keys, [...KEYS, 'n/new'].sort(compareUtf8));
    for (const key of KEYS) assert.deepEqual(listed.filter((v) => v.key === key).map((v) => v.versionId), ids[key], key);
    assert.deepEqual(listed.filter((v) => v.isLatest && v.deleteMarker).map((v) => v.key), ['a', 'a/b/c']);
    const nas = listed.filter((v) => v.key === 'n/new');
    assert.equal(nas.length, 1);
    assert.equal(nas[0].object?.size, 7);
    const v = listed.find((x) => x.key === 'a' && !x.isLatest && !x.deleteMarker)!;
    assert.match(v.object!.etag, /^[0-9a-f]{32}$/, 'a kept version keeps its ETag');
  } finally {
    await cleanup();
  }
});

test('prefix and delimiter roll keys of both trees up into common prefixes', async () => {
  const { ctx, cleanup } = await fixture();
  try {
    const page = await listObjectVersions(ctx, { prefix: 'a', delimiter: '/', maxKeys: 1000, followSymlinks: false }, ENABLED);
    assert.deepEqual(page.commonPrefixes, ['a/']);
    assert.deepEqual([...new Set(page.versions.map((v) => v.key))], ['a', 'a!', 'a-b', 'a0']);
    const deeper = await listObjectVersions(ctx, { prefix: 'a/b', delimiter: '/', maxKeys: 1000, followSymlinks: false }, ENABLED);
    assert.deepEqual(deeper.commonPrefixes, ['a/b/'], 'a/b/c is only a delete marker and a kept version, yet rolls up');
    assert.deepEqual([...new Set(deeper.versions.map((v) => v.key))], ['a/b', 'a/bb']);
    const top = await listObjectVersions(ctx, { prefix: '', delimiter: '/', maxKeys: 1000, followSymlinks: false }, ENABLED);
    assert.deepEqual(top.commonPrefixes, ['a/', 'n/', 'z/']);
  } finally {
    await cleanup();
  }
});

test('paging by key-marker and version-id-marker, at any page size, reassembles the whole listing', async () => {
  const { ctx, cleanup } = await fixture();
  try {
    const whole = await listAll(ctx);
    for (const maxKeys of [1, 2, 3, 7]) {
      const got: string[] = [];
      const input: ListVersionsInput = { prefix: '', maxKeys, followSymlinks: false };
      for (let n = 0; n < 100; n++) {
        const page = await listObjectVersions(ctx, input, ENABLED);
        assert.ok(page.versions.length <= maxKeys);
        got.push(...page.versions.map((v) => `${v.key}@${v.versionId}`));
        if (!page.isTruncated) break;
        input.keyMarker = page.nextKeyMarker;
        input.versionIdMarker = page.nextVersionIdMarker;
      }
      assert.deepEqual(got, whole.map((v) => `${v.key}@${v.versionId}`), `maxKeys ${maxKeys}`);
    }
    // key-marker alone starts after every version of that key.
    const after = await listObjectVersions(ctx, { prefix: '', keyMarker: 'a/b', maxKeys: 2, followSymlinks: false }, ENABLED);
    assert.equal(after.versions[0].key, 'a/b/c');
    await rejectsS3(listObjectVersions(ctx, { prefix: '', versionIdMarker: 'null', maxKeys: 2, followSymlinks: false }, ENABLED), 'InvalidArgument');
  } finally {
    await cleanup();
  }
});

test('a NAS delete of a whole directory of files reads as delete markers, every version kept', async () => {
  const { ctx, root, ids, cleanup } = await fixture();
  try {
    await rename(join(root, 'a'), join(root, 'moved-away'));
    await rm(join(root, 'moved-away'), { recursive: true });
    const listed = await listAll(ctx, 'a/');
    for (const key of ['a/b', 'a/bb']) {
      const mine = listed.filter((v) => v.key === key);
      assert.equal(mine[0].deleteMarker, true, `${key} reads as deleted`);
      assert.deepEqual(mine.slice(1).map((v) => v.versionId), ids[key]);
    }
  } finally {
    await cleanup();
  }
});

test('the store walk alone yields keys in S3 order and honours startAfter', async () => {
  const { ctx, cleanup } = await fixture();
  try {
    const all: string[] = [];
    for await (const item of walkKept({ root: versionsRootOf(ctx.stateDir), prefix: '' })) if (item.type === 'key') all.push(item.key);
    assert.deepEqual(all, [...KEYS].sort(compareUtf8));
    const rest: string[] = [];
    for await (const item of walkKept({ root: versionsRootOf(ctx.stateDir), prefix: '', startAfter: 'a/b' })) if (item.type === 'key') rest.push(item.key);
    assert.deepEqual(rest, all.filter((k) => compareUtf8(k, 'a/b') > 0));
  } finally {
    await cleanup();
  }
});
