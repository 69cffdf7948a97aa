/**
 * End to end: what a completed multipart object shows of its parts — GET and HEAD with ?partNumber (206,
 * Content-Range, x-amz-mp-parts-count), GetObjectAttributes with paged ObjectParts — and UploadPartCopy from
 * ranges of other objects, with its conditions and errors.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand,
  GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, UploadPartCommand, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { bodyBytes, errorOf, md5hex, rawRequest, sdkError } from './util.js';

const MiB = 1024 * 1024;
const BUCKET = 'mp-parts';
const OTHER = 'mp-parts-source';
let ts: TestServer;
let s3: S3Client;
const KEY = 'three-parts.bin';
const datas = [randomBytes(5 * MiB), randomBytes(5 * MiB + 100), randomBytes(777)];
let etag: string;

before(async () => {
  ({ ts, s3 } = await startWithBuckets([BUCKET, OTHER]));
  const id = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: KEY }))).UploadId!;
  const parts = [];
  for (let i = 0; i < datas.length; i++) {
    const out = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: KEY, UploadId: id, PartNumber: i + 1, Body: datas[i] }));
    parts.push({ PartNumber: i + 1, ETag: out.ETag });
  }
  etag = (await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: KEY, UploadId: id, MultipartUpload: { Parts: parts } }))).ETag!;
});
after(() => ts?.stop());

describe('GET and HEAD with ?partNumber', () => {
  it('GET part N answers 206 with the part\'s bytes, its Content-Range, the parts count and the object\'s ETag', async () => {
    let offset = 0;
    for (let n = 1; n <= datas.length; n++) {
      const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY, PartNumber: n }));
      const total = datas.reduce((a, d) => a + d.length, 0);
      assert.equal(out.$metadata.httpStatusCode, 206);
      assert.equal(out.PartsCount, 3);
      assert.equal(out.ContentLength, datas[n - 1]!.length);
      assert.equal(out.ContentRange, `bytes ${offset}-${offset + datas[n - 1]!.length - 1}/${total}`);
      assert.equal(out.ETag, etag);
      assert.ok((await bodyBytes(out.Body)).equals(datas[n - 1]!), `part ${n} bytes`);
      offset += datas[n - 1]!.length;
    }
  });

  it('HEAD part N answers the same headers without a body', async () => {
    const out = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: KEY, PartNumber: 2 }));
    assert.equal(out.$metadata.httpStatusCode, 206);
    assert.equal(out.PartsCount, 3);
    assert.equal(out.ContentLength, datas[1]!.length);
  });

  it('a part number beyond the object\'s parts is InvalidPartNumber (416); a malformed one InvalidArgument', async () => {
    const e = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY, PartNumber: 4 })));
    assert.equal(e.status, 416);
    assert.equal(e.name, 'InvalidPartNumber');
    for (const bad of ['0', '10001', 'x']) {
      const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/${KEY}`, query: [['partNumber', bad]] });
      assert.equal(r.status, 400, bad);
      assert.equal(errorOf(r).Code, 'InvalidArgument');
    }
  });

  it('partNumber with a Range header is InvalidRequest', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/${KEY}`, query: [['partNumber', '1']], headers: { range: 'bytes=0-1' } });
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).Code, 'InvalidRequest');
  });

  it('an object uploaded in one piece has one part: itself', async () => {
    const data = randomBytes(1000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'single.bin', Body: data }));
    const one = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'single.bin', PartNumber: 1 }));
    assert.equal(one.$metadata.httpStatusCode, 206);
    assert.ok((await bodyBytes(one.Body)).equals(data));
    assert.equal(one.PartsCount, undefined);
    assert.equal((await sdkError(() => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'single.bin', PartNumber: 2 })))).status, 416);
  });

  it('read conditions apply to the whole object\'s ETag', async () => {
    const e = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY, PartNumber: 1, IfMatch: '"00000000000000000000000000000000-3"' })));
    assert.equal(e.status, 412);
    const ok = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY, PartNumber: 1, IfMatch: etag }));
    assert.equal(ok.$metadata.httpStatusCode, 206);
    await bodyBytes(ok.Body);
  });

  it('a file changed outside S3 no longer has parts: its layout is never served for the new content', async () => {
    const id = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'changed.bin' }))).UploadId!;
    const p1 = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'changed.bin', UploadId: id, PartNumber: 1, Body: randomBytes(5 * MiB) }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'changed.bin', UploadId: id, PartNumber: 2, Body: randomBytes(10) }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'changed.bin', UploadId: id, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }));
    await writeFile(join(ts.root, BUCKET, 'changed.bin'), 'rewritten by a NAS user');
    const e = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'changed.bin', PartNumber: 2 })));
    assert.equal(e.status, 416);
    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'changed.bin', ObjectAttributes: ['ObjectParts', 'ObjectSize'] }));
    assert.equal(attrs.ObjectParts, undefined);
    assert.equal(attrs.ObjectSize, 23);
  });
});

describe('GetObjectAttributes', () => {
  it('answers ETag (unquoted), ObjectSize, StorageClass and ObjectParts as asked', async () => {
    const out = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: KEY, ObjectAttributes: ['ETag', 'ObjectSize', 'StorageClass', 'ObjectParts'] }));
    assert.equal(out.ETag, etag.replace(/"/g, ''));
    assert.equal(out.ObjectSize, datas.reduce((a, d) => a + d.length, 0));
    assert.equal(out.StorageClass, 'STANDARD');
    assert.equal(out.ObjectParts?.TotalPartsCount, 3);
    assert.deepEqual(out.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]), datas.map((d, i) => [i + 1, d.length]));
    assert.equal(out.ObjectParts?.IsTruncated, false);
    assert.ok(out.LastModified instanceof Date);
  });

  it('only what is asked for is answered', async () => {
    const out = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: KEY, ObjectAttributes: ['ObjectSize'] }));
    assert.equal(out.ETag, undefined);
    assert.equal(out.ObjectParts, undefined);
    assert.equal(out.StorageClass, undefined);
    assert.ok(out.ObjectSize);
  });

  it('pages ObjectParts with MaxParts and PartNumberMarker', async () => {
    const first = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: KEY, ObjectAttributes: ['ObjectParts'], MaxParts: 2 }));
    assert.deepEqual(first.ObjectParts?.Parts?.map((p) => p.PartNumber), [1, 2]);
    assert.equal(first.ObjectParts?.IsTruncated, true);
    assert.equal(first.ObjectParts?.NextPartNumberMarker, '2');
    assert.equal(first.ObjectParts?.MaxParts, 2);
    const rest = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: KEY, ObjectAttributes: ['ObjectParts'], MaxParts: 2, PartNumberMarker: '2' }));
    assert.deepEqual(rest.ObjectParts?.Parts?.map((p) => p.PartNumber), [3]);
    assert.equal(rest.ObjectParts?.IsTruncated, false);
    assert.equal(rest.ObjectParts?.PartNumberMarker, '2');
  });

  it('a missing or unknown attribute is InvalidArgument; a missing key NoSuchKey', async () => {
    const none = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/${KEY}`, query: [['attributes', '']] });
    assert.equal(none.status, 400);
    const bad = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/${KEY}`, query: [['attributes', '']], headers: { 'x-amz-object-attributes': 'ETag,Colour' } });
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).Code, 'InvalidArgument');
    assert.equal((await sdkError(() => s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'nope', ObjectAttributes: ['ETag'] })))).status, 404);
  });
});

describe('UploadPartCopy', () => {
  const source = randomBytes(6 * MiB + 5);
  let sourceEtag: string;

  before(async () => {
    sourceEtag = (await s3.send(new PutObjectCommand({ Bucket: OTHER, Key: 'source.bin', Body: source }))).ETag!;
  });

  it('copies a range and a whole object (across buckets) into parts; the object is the bytes copied', async () => {
    const key = 'copied.bin';
    const id = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId!;
    const a = await s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: key, UploadId: id, PartNumber: 1, CopySource: `${OTHER}/source.bin`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }));
    assert.equal(a.CopyPartResult?.ETag, `"${md5hex(source.subarray(0, 5 * MiB))}"`);
    assert.ok(a.CopyPartResult?.LastModified instanceof Date);
    const b = await s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: key, UploadId: id, PartNumber: 2, CopySource: `/${OTHER}/source.bin`, CopySourceIfMatch: sourceEtag }));
    const c = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: id, PartNumber: 3, Body: 'tail' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: [
      { PartNumber: 1, ETag: a.CopyPartResult!.ETag }, { PartNumber: 2, ETag: b.CopyPartResult!.ETag }, { PartNumber: 3, ETag: c.ETag },
    ] } }));
    const got = await bodyBytes((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body);
    assert.ok(got.equals(Buffer.concat([source.subarray(0, 5 * MiB), source, Buffer.from('tail')])));
  });

  it('x-amz-copy-source-if-* conditions refuse with 412; a range outside the source is InvalidRange, a malformed one InvalidArgument; a missing source NoSuchKey', async () => {
    const key = 'copy-errors.bin';
    const id = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId!;
    const base = { Bucket: BUCKET, Key: key, UploadId: id, PartNumber: 1, CopySource: `${OTHER}/source.bin` };
    assert.equal((await sdkError(() => s3.send(new UploadPartCopyCommand({ ...base, CopySourceIfMatch: '"0123"' })))).status, 412);
    assert.equal((await sdkError(() => s3.send(new UploadPartCopyCommand({ ...base, CopySourceIfNoneMatch: sourceEtag })))).status, 412);
    assert.equal((await sdkError(() => s3.send(new UploadPartCopyCommand({ ...base, CopySourceIfModifiedSince: new Date(Date.now() + 3600_000) })))).status, 412);
    assert.equal((await sdkError(() => s3.send(new UploadPartCopyCommand({ ...base, CopySourceIfUnmodifiedSince: new Date(0) })))).status, 412);
    const beyond = await sdkError(() => s3.send(new UploadPartCopyCommand({ ...base, CopySourceRange: `bytes=0-${source.length}` })));
    assert.deepEqual([beyond.name, beyond.status], ['InvalidRange', 416]);
    assert.match(beyond.message, new RegExp(`size: ${source.length}`));
    assert.equal((await sdkError(() => s3.send(new UploadPartCopyCommand({ ...base, CopySourceRange: '0-10' })))).name, 'InvalidArgument');
    assert.equal((await sdkError(() => s3.send(new UploadPartCopyCommand({ ...base, CopySource: `${OTHER}/missing` })))).name, 'NoSuchKey');
    assert.equal((await sdkError(() => s3.send(new UploadPartCopyCommand({ ...base, UploadId: '0'.repeat(44) })))).name, 'NoSuchUpload');
    assert.equal((await sdkError(() => s3.send(new UploadPartCopyCommand({ ...base, PartNumber: 0 })))).status, 400);
  });
});
