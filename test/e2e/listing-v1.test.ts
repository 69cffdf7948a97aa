/** End to end: ListObjects (V1): marker, NextMarker, prefix, delimiter, max-keys, encoding-type, Owner. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListObjectsCommand, type ListObjectsCommandOutput, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { expectedListing, mergePage, s3Sort, type Entry } from './listing-model.js';
import { asArray, errorOf, md5hex, parseXml, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const BUCKET = 'list-v1';
const KEYS = ['a-b', 'a.txt', 'a/x', 'a/y/z', 'a0', 'b', 'c/1', 'c/2', 'c/3/4', 'é', '日本/語', 'x.y', 'x.y.z', 'z'];

before(async () => {
  ({ ts, s3 } = await startWithBuckets([BUCKET]));
  for (const k of KEYS) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: k }));
});

after(() => ts?.stop());

/** Pages through ListObjects V1 the way clients do: Marker = NextMarker, or the last key when there is none. */
async function listAll(o: { prefix?: string; delimiter?: string; maxKeys?: number; marker?: string }): Promise<Entry[]> {
  const all: Entry[] = [];
  let marker = o.marker;
  for (let page = 0; page < 100; page++) {
    const out: ListObjectsCommandOutput = await s3.send(new ListObjectsCommand({
      Bucket: BUCKET, Prefix: o.prefix, Delimiter: o.delimiter, MaxKeys: o.maxKeys, Marker: marker,
    }));
    const keys = (out.Contents ?? []).map((c) => c.Key!);
    const prefixes = (out.CommonPrefixes ?? []).map((p) => p.Prefix!);
    if (o.maxKeys !== undefined) assert.ok(keys.length + prefixes.length <= o.maxKeys);
    if (marker) assert.equal(out.Marker, marker);
    const merged = mergePage(keys, prefixes);
    all.push(...merged);
    if (!out.IsTruncated) return all;
    assert.ok(merged.length > 0, 'a truncated page is not empty');
    const last = merged[merged.length - 1]!;
    const lastName = 'key' in last ? last.key : last.prefix;
    if (o.delimiter) {
      // S3 sends NextMarker only when a delimiter was given: the last key or common prefix of the page.
      assert.equal(out.NextMarker, lastName);
    }
    marker = out.NextMarker ?? lastName;
  }
  throw new Error('too many pages');
}

describe('ListObjects (V1)', () => {
  it('lists every key in UTF-8 byte order with ETag, Size, Owner and StorageClass', async () => {
    const out = await s3.send(new ListObjectsCommand({ Bucket: BUCKET }));
    assert.deepEqual((out.Contents ?? []).map((c) => c.Key), s3Sort(KEYS));
    assert.equal(out.IsTruncated, false);
    assert.equal(out.MaxKeys, 1000);
    assert.equal(out.Name, BUCKET);
    for (const c of out.Contents ?? []) {
      assert.equal(c.ETag, `"${md5hex(c.Key!)}"`);
      assert.equal(c.Size, Buffer.byteLength(c.Key!));
      assert.equal(c.StorageClass, 'STANDARD');
      assert.ok(c.Owner?.ID, 'V1 lists the Owner');
    }
  });

  for (const c of [{ delimiter: '/' }, { prefix: 'a', delimiter: '/' }, { prefix: 'c/', delimiter: '/' }, { delimiter: '.' }, { prefix: 'x' }]) {
    it(`prefix ${JSON.stringify(c.prefix ?? '')} delimiter ${JSON.stringify(c.delimiter ?? '')}`, async () => {
      const out = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: c.prefix, Delimiter: c.delimiter }));
      const got = mergePage((out.Contents ?? []).map((x) => x.Key!), (out.CommonPrefixes ?? []).map((p) => p.Prefix!));
      assert.deepEqual(got, expectedListing(KEYS, c));
    });
  }

  for (const maxKeys of [1, 2, 5]) {
    for (const delimiter of [undefined, '/']) {
      it(`max-keys ${maxKeys} delimiter ${JSON.stringify(delimiter ?? '')}: marker pages add up to the whole listing`, async () => {
        assert.deepEqual(await listAll({ maxKeys, delimiter }), expectedListing(KEYS, { delimiter }));
      });
    }
  }

  it('a marker skips keys up to and including it', async () => {
    for (const marker of ['a0', 'b', 'a/', 'zz']) {
      const out = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, Marker: marker }));
      assert.deepEqual((out.Contents ?? []).map((c) => c.Key), s3Sort(KEYS).filter((k) => Buffer.compare(Buffer.from(k), Buffer.from(marker)) > 0), marker);
      assert.equal(out.Marker, marker);
    }
  });

  it('a marker that is a common prefix does not repeat it', async () => {
    const out = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', Marker: 'c/' }));
    const got = mergePage((out.Contents ?? []).map((x) => x.Key!), (out.CommonPrefixes ?? []).map((p) => p.Prefix!));
    assert.deepEqual(got, [{ key: 'x.y' }, { key: 'x.y.z' }, { key: 'z' }, { key: 'é' }, { prefix: '日本/' }]);
  });

  it('max-keys 0 answers no keys', async () => {
    const out = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 0 }));
    assert.equal((out.Contents ?? []).length, 0);
  });

  it('encoding-type=url encodes keys, marker and next marker', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['encoding-type', 'url'], ['delimiter', '/'], ['max-keys', '1'], ['marker', 'z']] });
    assert.equal(r.status, 200, r.text);
    const doc = parseXml(r.text)['ListBucketResult'];
    assert.equal(doc['EncodingType'], 'url');
    assert.deepEqual(asArray(doc['Contents']).map((c: any) => c.Key), ['%C3%A9']);
    assert.equal(doc['IsTruncated'], 'true');
    assert.equal(doc['NextMarker'], '%C3%A9');
  });

  it('refuses a negative max-keys with InvalidArgument', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['max-keys', '-1']] });
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).Code, 'InvalidArgument');
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new ListObjectsCommand({ Bucket: 'no-such-v1-bucket' })));
    assert.equal(e.name, 'NoSuchBucket');
  });
});
