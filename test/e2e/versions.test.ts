/** End to end: GetBucketVersioning and ListObjectVersions on buckets that never had versioning (the `rb --force` path). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { expectedListing, mergePage, type Entry } from './listing-model.js';
import { bodyBytes, md5hex, parseXml, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const BUCKET = 'versions-plain';
const KEYS = ['a-b', 'a.txt', 'a/x', 'a/y/z', 'a0', 'b', 'c/d'];

before(async () => {
  ({ ts, s3 } = await startWithBuckets([BUCKET]));
  for (const k of KEYS) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: `body of ${k}` }));
});

after(() => ts?.stop());

describe('GetBucketVersioning', () => {
  it('answers an empty VersioningConfiguration (no Status) for a bucket that never had versioning', async () => {
    const out = await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.Status, undefined);
    assert.equal(out.MFADelete, undefined);
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['versioning', '']] });
    assert.equal(r.status, 200);
    assert.ok('VersioningConfiguration' in parseXml(r.text), r.text);
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new GetBucketVersioningCommand({ Bucket: 'no-versions-here' })));
    assert.equal(e.name, 'NoSuchBucket');
    assert.equal(e.status, 404);
  });
});

describe('ListObjectVersions on an unversioned bucket', () => {
  it('lists every object once, as version "null", latest, in key order, with ETag and size', async () => {
    const out = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET }));
    assert.equal(out.IsTruncated, false);
    assert.deepEqual((out.Versions ?? []).map((v) => v.Key), [...KEYS].sort());
    for (const v of out.Versions ?? []) {
      assert.equal(v.VersionId, 'null');
      assert.equal(v.IsLatest, true);
      assert.equal(v.ETag, `"${md5hex(`body of ${v.Key}`)}"`);
      assert.equal(v.Size, Buffer.byteLength(`body of ${v.Key}`));
      assert.ok(v.LastModified instanceof Date);
    }
    assert.equal((out.DeleteMarkers ?? []).length, 0);
  });

  it('pages with MaxKeys, NextKeyMarker and NextVersionIdMarker, each key exactly once', async () => {
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    for (let page = 0; page < 20; page++) {
      const out: ListObjectVersionsCommandOutput = await s3.send(
        new ListObjectVersionsCommand({ Bucket: BUCKET, MaxKeys: 2, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
      );
      const keys = (out.Versions ?? []).map((v) => v.Key!);
      assert.ok(keys.length <= 2);
      seen.push(...keys);
      if (!out.IsTruncated) break;
      assert.ok(out.NextKeyMarker, 'NextKeyMarker when truncated');
      assert.equal(out.NextKeyMarker, keys[keys.length - 1]);
      keyMarker = out.NextKeyMarker;
      versionMarker = out.NextVersionIdMarker;
    }
    assert.deepEqual(seen, [...KEYS].sort());
  });

  it('honours Prefix and Delimiter with CommonPrefixes', async () => {
    const out = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Delimiter: '/' }));
    assert.deepEqual((out.Versions ?? []).map((v) => v.Key), ['a-b', 'a.txt', 'a0', 'b']);
    assert.deepEqual((out.CommonPrefixes ?? []).map((p) => p.Prefix), ['a/', 'c/']);
    const inA = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'a/', Delimiter: '/' }));
    assert.deepEqual((inA.Versions ?? []).map((v) => v.Key), ['a/x']);
    assert.deepEqual((inA.CommonPrefixes ?? []).map((p) => p.Prefix), ['a/y/']);
  });

  for (const maxKeys of [1, 2, 3]) {
    it(`pages with a delimiter and max-keys ${maxKeys} add up to the whole listing, as ListObjects does`, async () => {
      const all: Entry[] = [];
      let keyMarker: string | undefined;
      let versionMarker: string | undefined;
      for (let page = 0; page < 30; page++) {
        const out: ListObjectVersionsCommandOutput = await s3.send(new ListObjectVersionsCommand({
          Bucket: BUCKET, Delimiter: '/', MaxKeys: maxKeys, KeyMarker: keyMarker, VersionIdMarker: versionMarker,
        }));
        const keys = (out.Versions ?? []).map((v) => v.Key!);
        const prefixes = (out.CommonPrefixes ?? []).map((p) => p.Prefix!);
        assert.ok(keys.length + prefixes.length <= maxKeys);
        all.push(...mergePage(keys, prefixes));
        if (!out.IsTruncated) break;
        keyMarker = out.NextKeyMarker;
        versionMarker = out.NextVersionIdMarker;
      }
      assert.deepEqual(all, expectedListing(KEYS, { delimiter: '/' }));
    });
  }

  it('answers NoSuchBucket for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new ListObjectVersionsCommand({ Bucket: 'no-versions-here' })));
    assert.equal(e.name, 'NoSuchBucket');
  });
});

describe('version "null" on an unversioned bucket', () => {
  it('GetObject with VersionId "null" returns the object', async () => {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'b', VersionId: 'null' }));
    assert.equal((await bodyBytes(out.Body)).toString(), 'body of b');
  });

  it('DeleteObject with VersionId "null" deletes the file', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'doomed', Body: 'x' }));
    const out = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'doomed', VersionId: 'null' }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    assert.equal(existsSync(join(ts.root, BUCKET, 'doomed')), false);
  });
});

describe('emptying and removing a bucket the way `aws s3 rb --force` does', () => {
  it('lists versions, deletes them in batches with VersionId "null", then deletes the bucket', async () => {
    const bucket = 'rb-force';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const keys = Array.from({ length: 25 }, (_, i) => `dir${i % 3}/sub/obj-${String(i).padStart(2, '0')}`);
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
    let rounds = 0;
    for (; rounds < 20; rounds++) {
      const out = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 10 }));
      const objects = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
      if (objects.length === 0) break;
      const del = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }));
      assert.equal((del.Errors ?? []).length, 0, JSON.stringify(del.Errors));
      assert.equal((del.Deleted ?? []).length, objects.length);
    }
    assert.ok(rounds >= 3 && rounds < 20, `rounds: ${rounds}`);
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    assert.equal(existsSync(join(ts.root, bucket)), false);
  });
});
