/**
 * End to end: ListObjectVersions on versioned and unversioned buckets (issue #11): versions and delete markers,
 * newest first per key, IsLatest, paging by key-marker and version-id-marker, prefix and delimiter, URL encoding,
 * the marker errors, NAS-side changes seen at once, and emptying a bucket the way cleanup scripts do.
 */
import assert from 'node:assert/strict';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { bodyBytes, errorOf, parseXml, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const V = 'lov-versioned';
const PLAIN = 'lov-plain';
const EMPTY = 'lov-empty';
const NAS = 'lov-nas';

before(async () => {
  ({ ts, s3 } = await startWithBuckets([V, PLAIN, EMPTY, NAS]));
  for (const b of [V, EMPTY, NAS]) await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled' } }));
});

after(() => ts?.stop());

async function put(bucket: string, key: string, body: string): Promise<string> {
  const r = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  assert.ok(r.VersionId, `PutObject ${key} answers a version id`);
  return r.VersionId;
}

type Entry = { key: string; id: string; latest: boolean; marker: boolean };

/** Every entry of one page, in answer order per kind, merged back into S3 order (keys ascending, newest first). */
function entriesOf(page: ListObjectVersionsCommandOutput): Entry[] {
  const all: Entry[] = [
    ...(page.Versions ?? []).map((v) => ({ key: v.Key!, id: v.VersionId!, latest: v.IsLatest!, marker: false, at: v.LastModified!.getTime() })),
    ...(page.DeleteMarkers ?? []).map((m) => ({ key: m.Key!, id: m.VersionId!, latest: m.IsLatest!, marker: true, at: m.LastModified!.getTime() })),
  ];
  // Within a key, ids sort by creation: newest first is descending id order.
  all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return all.map(({ key, id, latest, marker }) => ({ key, id, latest, marker }));
}

/** Pages through the bucket with max-keys `size`, bounded to 200 pages. */
async function allPages(bucket: string, size: number, prefix?: string): Promise<Entry[]> {
  const out: Entry[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (let i = 0; i < 200; i++) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: size, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker, Prefix: prefix }));
    const entries = entriesOf(page);
    assert.ok(entries.length <= size, `a page holds at most ${size}`);
    out.push(...entries);
    if (!page.IsTruncated) return out;
    assert.ok(page.NextKeyMarker, 'a truncated page names NextKeyMarker');
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  assert.fail('paging did not end within 200 pages');
}

describe('ListObjectVersions on a versioned bucket', () => {
  const ids: Record<string, string[]> = {};
  let markerId = '';

  before(async () => {
    // a: 3 versions; b: 2 versions then a delete marker; c/d: 1 version; c/e: 2 versions.
    for (const [key, n] of [['a', 3], ['b', 2], ['c/d', 1], ['c/e', 2]] as const) {
      ids[key] = [];
      for (let i = 0; i < n; i++) ids[key].unshift(await put(V, key, `${key}-${i}`));
    }
    const del = await s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'b' }));
    assert.equal(del.DeleteMarker, true);
    markerId = del.VersionId!;
  });

  it('lists every version and delete marker, newest first per key, with IsLatest on the current one', async () => {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: V }));
    assert.equal(page.IsTruncated, false);
    assert.deepEqual(entriesOf(page), [
      ...ids['a']!.map((id, i) => ({ key: 'a', id, latest: i === 0, marker: false })),
      { key: 'b', id: markerId, latest: true, marker: true },
      ...ids['b']!.map((id) => ({ key: 'b', id, latest: false, marker: false })),
      { key: 'c/d', id: ids['c/d']![0]!, latest: true, marker: false },
      ...ids['c/e']!.map((id, i) => ({ key: 'c/e', id, latest: i === 0, marker: false })),
    ]);
    const v = page.Versions!.find((x) => x.VersionId === ids['a']![2])!;
    assert.equal(v.Size, 3);
    assert.match(v.ETag!, /^"[0-9a-f]{32}"$/);
    assert.equal(v.StorageClass, 'STANDARD');
    assert.ok(v.Owner?.ID, 'a version names its owner');
    // The XML order of Versions: keys ascending, each key newest first.
    assert.deepEqual(page.Versions!.filter((x) => x.Key === 'a').map((x) => x.VersionId), ids['a']);
  });

  it('the XML interleaves Version and DeleteMarker elements in key and version order, as S3 does', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${V}`, query: [['versions', ''], ['prefix', 'b']] });
    assert.equal(r.status, 200);
    const order = [...r.body.toString().matchAll(/<(Version|DeleteMarker)><Key>([^<]*)<\/Key><VersionId>([^<]*)</g)].map((m) => `${m[1]} ${m[3]}`);
    assert.deepEqual(order, [`DeleteMarker ${markerId}`, ...ids['b']!.map((id) => `Version ${id}`)]);
  });

  it('ListObjectsV2 shows only current versions that are not delete markers', async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: V }));
    assert.deepEqual(page.Contents?.map((o) => o.Key), ['a', 'c/d', 'c/e']);
  });

  it('pages by key-marker and version-id-marker to the same entries, whatever the page size', async () => {
    const whole = await allPages(V, 1000);
    assert.equal(whole.length, 9);
    for (const size of [1, 2, 3, 4]) assert.deepEqual(await allPages(V, size), whole, `max-keys ${size}`);
  });

  it('a page ending inside a key names that key and the last version listed', async () => {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: V, MaxKeys: 2 }));
    assert.equal(page.IsTruncated, true);
    assert.equal(page.NextKeyMarker, 'a');
    assert.equal(page.NextVersionIdMarker, ids['a']![1]);
    const next = await s3.send(new ListObjectVersionsCommand({ Bucket: V, MaxKeys: 2, KeyMarker: 'a', VersionIdMarker: ids['a']![1] }));
    assert.deepEqual(entriesOf(next).map((e) => e.id), [ids['a']![2], markerId]);
    // A key marker alone starts after every version of that key.
    const afterA = await s3.send(new ListObjectVersionsCommand({ Bucket: V, MaxKeys: 1, KeyMarker: 'a' }));
    assert.deepEqual(entriesOf(afterA).map((e) => e.id), [markerId]);
  });

  it('prefix and delimiter roll keys up into CommonPrefixes', async () => {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: V, Delimiter: '/' }));
    assert.deepEqual(page.CommonPrefixes?.map((p) => p.Prefix), ['c/']);
    assert.deepEqual([...new Set(entriesOf(page).map((e) => e.key))], ['a', 'b']);
    const under = await s3.send(new ListObjectVersionsCommand({ Bucket: V, Prefix: 'c/', Delimiter: '/' }));
    assert.equal(under.CommonPrefixes, undefined);
    assert.deepEqual(entriesOf(under).map((e) => e.key), ['c/d', 'c/e', 'c/e']);
    assert.deepEqual(await allPages(V, 1, 'c/'), entriesOf(under));
  });

  it('encoding-type=url encodes keys, markers and prefixes', async () => {
    const key = 'enc dir/k&1 +ü';
    const id = await put(V, key, 'x');
    try {
      const r = await rawRequest(ts, { method: 'GET', path: `/${V}`, query: [['versions', ''], ['encoding-type', 'url'], ['prefix', 'enc dir/']] });
      assert.equal(r.status, 200, r.body.toString());
      const doc = parseXml(r.body.toString()).ListVersionsResult;
      assert.equal(doc.EncodingType, 'url');
      assert.equal(doc.Prefix, 'enc%20dir/');
      assert.equal(doc.Version.Key, 'enc%20dir/k%261%20%2B%C3%BC');
      assert.equal(doc.Version.VersionId, id);
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket: V, Key: key, VersionId: id }));
    }
  });

  it('a version-id-marker without key-marker, or malformed, is InvalidArgument', async () => {
    const alone = await rawRequest(ts, { method: 'GET', path: `/${V}`, query: [['versions', ''], ['version-id-marker', ids['a']![0]!]] });
    assert.equal(alone.status, 400);
    assert.equal(errorOf(alone).Code, 'InvalidArgument');
    const bad = await rawRequest(ts, { method: 'GET', path: `/${V}`, query: [['versions', ''], ['key-marker', 'a'], ['version-id-marker', 'not-an-id']] });
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).Code, 'InvalidArgument');
  });
});

describe('ListObjectVersions on an unversioned bucket', () => {
  it('lists each object as its null version, latest; pages with version-id-marker null', async () => {
    for (const k of ['x1', 'x2', 'x3']) await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: k, Body: k }));
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: PLAIN, MaxKeys: 2 }));
    assert.deepEqual(entriesOf(page), [
      { key: 'x1', id: 'null', latest: true, marker: false },
      { key: 'x2', id: 'null', latest: true, marker: false },
    ]);
    assert.equal(page.NextKeyMarker, 'x2');
    assert.equal(page.NextVersionIdMarker, 'null');
    const rest = await s3.send(new ListObjectVersionsCommand({ Bucket: PLAIN, KeyMarker: 'x2', VersionIdMarker: 'null' }));
    assert.deepEqual(entriesOf(rest).map((e) => e.key), ['x3']);
    const err = await sdkError(() => s3.send(new ListObjectVersionsCommand({ Bucket: PLAIN, KeyMarker: 'x1', VersionIdMarker: '0000000000000000000000000000000' })));
    assert.equal(err.name, 'InvalidArgument');
  });
});

describe('NAS-side changes in ListObjectVersions', () => {
  it('a file made on disk is a new current version at once; a NAS delete reads as a delete marker and keeps the version', async () => {
    const s3Id = await put(NAS, 'doc.txt', 'from s3');
    writeFileSync(join(ts.root, NAS, 'doc.txt.tmp'), 'from the NAS');
    rmSync(join(ts.root, NAS, 'doc.txt'));
    // rename-replace, as editors do: the version S3 wrote stays listed.
    renameSync(join(ts.root, NAS, 'doc.txt.tmp'), join(ts.root, NAS, 'doc.txt'));
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: NAS, Prefix: 'doc.txt' }));
    const entries = entriesOf(page);
    assert.equal(entries[0]!.latest, true);
    assert.equal(entries[0]!.marker, false);
    assert.notEqual(entries[0]!.id, s3Id, 'the NAS file is a new version');
    assert.ok(entries.some((e) => e.id === s3Id && !e.latest), 'the version S3 wrote is kept');
    const current = await s3.send(new GetObjectCommand({ Bucket: NAS, Key: 'doc.txt' }));
    assert.equal(current.VersionId, entries[0]!.id, 'GET answers the id the listing shows');
    assert.equal((await bodyBytes(current.Body)).toString(), 'from the NAS');
    const old = await s3.send(new GetObjectCommand({ Bucket: NAS, Key: 'doc.txt', VersionId: s3Id }));
    assert.equal((await bodyBytes(old.Body)).toString(), 'from s3');

    rmSync(join(ts.root, NAS, 'doc.txt'));
    const gone = entriesOf(await s3.send(new ListObjectVersionsCommand({ Bucket: NAS, Prefix: 'doc.txt' })));
    assert.equal(gone[0]!.marker, true, 'a NAS delete reads as a delete marker');
    assert.equal(gone[0]!.latest, true);
    assert.deepEqual(gone.slice(1).map((e) => e.id), entries.map((e) => e.id), 'every version is kept');
  });

  it('a NAS-made file only listed (never read) is kept too: its listed id survives a NAS delete', async () => {
    writeFileSync(join(ts.root, NAS, 'listed.txt'), 'made on the NAS');
    const [listed] = entriesOf(await s3.send(new ListObjectVersionsCommand({ Bucket: NAS, Prefix: 'listed.txt' })));
    assert.equal(listed?.latest, true);
    rmSync(join(ts.root, NAS, 'listed.txt'));
    const kept = await s3.send(new GetObjectCommand({ Bucket: NAS, Key: 'listed.txt', VersionId: listed!.id }));
    assert.equal((await bodyBytes(kept.Body)).toString(), 'made on the NAS');
  });
});

describe('emptying a versioned bucket as cleanup scripts do', () => {
  it('ListObjectVersions + DeleteObjects by version id empties it; then DeleteBucket succeeds', async () => {
    for (let i = 0; i < 3; i++) await put(EMPTY, `k${i % 2}`, `v${i}`);
    await s3.send(new DeleteObjectCommand({ Bucket: EMPTY, Key: 'k0' }));
    assert.equal((await sdkError(() => s3.send(new DeleteBucketCommand({ Bucket: EMPTY })))).name, 'BucketNotEmpty');
    for (let round = 0; round < 10; round++) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: EMPTY }));
      const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId! }));
      if (objects.length === 0) break;
      assert.equal(objects.length, 4);
      const r = await s3.send(new DeleteObjectsCommand({ Bucket: EMPTY, Delete: { Objects: objects } }));
      assert.equal(r.Errors, undefined);
      assert.equal(r.Deleted?.length, 4);
    }
    assert.equal(entriesOf(await s3.send(new ListObjectVersionsCommand({ Bucket: EMPTY }))).length, 0);
    await s3.send(new DeleteBucketCommand({ Bucket: EMPTY }));
  });
});
