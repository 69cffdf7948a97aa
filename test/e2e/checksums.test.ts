/** End to end: upload integrity: Content-MD5 and x-amz-checksum-* verified, stored, returned with x-amz-checksum-mode. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  type ChecksumAlgorithm,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { bodyBytes, crc32b64, crc32cb64, crc64nvmeb64, digestb64, errorOf, md5b64, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const BUCKET = 'sums';
const onDisk = (key: string): string => join(ts.root, BUCKET, key);

type Alg = { name: ChecksumAlgorithm; header: string; field: 'ChecksumCRC32' | 'ChecksumCRC32C' | 'ChecksumCRC64NVME' | 'ChecksumSHA1' | 'ChecksumSHA256'; of: (b: Buffer) => string };
const ALGS: Alg[] = [
  { name: 'CRC32', header: 'x-amz-checksum-crc32', field: 'ChecksumCRC32', of: crc32b64 },
  { name: 'CRC32C', header: 'x-amz-checksum-crc32c', field: 'ChecksumCRC32C', of: crc32cb64 },
  { name: 'CRC64NVME', header: 'x-amz-checksum-crc64nvme', field: 'ChecksumCRC64NVME', of: crc64nvmeb64 },
  { name: 'SHA1', header: 'x-amz-checksum-sha1', field: 'ChecksumSHA1', of: (b) => digestb64('sha1', b) },
  { name: 'SHA256', header: 'x-amz-checksum-sha256', field: 'ChecksumSHA256', of: (b) => digestb64('sha256', b) },
];

before(async () => ({ ts, s3 } = await startWithBuckets([BUCKET])));
after(() => ts?.stop());

describe('x-amz-checksum-* on PutObject', () => {
  const data = randomBytes(70_000);
  for (const alg of ALGS) {
    it(`${alg.name} in a header (buffer body): stored and returned by HEAD and GET with checksum mode`, async () => {
      const key = `header-${alg.name}`;
      const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data, ChecksumAlgorithm: alg.name }));
      assert.equal(out[alg.field], alg.of(data));
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[alg.field], alg.of(data));
      const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(get[alg.field], alg.of(data));
      assert.ok((await bodyBytes(get.Body)).equals(data));
    });

    it(`${alg.name} in an aws-chunked trailer (stream body): stored and returned`, async () => {
      const key = `trailer-${alg.name}`;
      const body = Readable.from([data.subarray(0, 30_000), data.subarray(30_000)]);
      const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentLength: data.length, ChecksumAlgorithm: alg.name }));
      assert.equal(out[alg.field], alg.of(data));
      assert.ok((await readFile(onDisk(key))).equals(data));
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[alg.field], alg.of(data));
    });

    it(`${alg.name} that does not match the body answers BadDigest (400) and stores nothing`, async () => {
      const key = `bad-${alg.name}`;
      const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/${key}`, body: data, headers: { [alg.header]: alg.of(Buffer.from('different')) } });
      assert.equal(r.status, 400, r.text);
      assert.equal(errorOf(r).Code, 'BadDigest');
      assert.equal(existsSync(onDisk(key)), false);
    });
  }

  it('a checksum value that is not valid base64 of the right length is refused with 400', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/malformed-sum`, body: 'x', headers: { 'x-amz-checksum-crc32': 'not-a-checksum!!' } });
    assert.equal(r.status, 400, r.text);
    errorOf(r);
    assert.equal(existsSync(onDisk('malformed-sum')), false);
  });

  it('a failed checksum on an overwrite keeps the old object and its checksum', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'keep-sum', Body: 'old body', ChecksumAlgorithm: 'SHA256' }));
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/keep-sum`, body: 'new body', headers: { 'x-amz-checksum-sha256': digestb64('sha256', Buffer.from('other')) } });
    assert.equal(r.status, 400);
    assert.equal(await readFile(onDisk('keep-sum'), 'utf8'), 'old body');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'keep-sum', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumSHA256, digestb64('sha256', Buffer.from('old body')));
  });

  it('without x-amz-checksum-mode the checksum headers are not sent', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'quiet-sum', Body: 'q', ChecksumAlgorithm: 'CRC32C' }));
    for (const method of ['GET', 'HEAD']) {
      const r = await rawRequest(ts, { method, path: `/${BUCKET}/quiet-sum` });
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.headers).filter((h) => h.startsWith('x-amz-checksum-')), [], method);
      const m = await rawRequest(ts, { method, path: `/${BUCKET}/quiet-sum`, headers: { 'x-amz-checksum-mode': 'ENABLED' } });
      assert.equal(m.headers['x-amz-checksum-crc32c'], crc32cb64(Buffer.from('q')), method);
    }
  });

  it('an object written with the SDK defaults (CRC32) reads back through the SDK with checksum validation', async () => {
    const body = randomBytes(5000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'defaults', Body: body }));
    const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'defaults', ChecksumMode: 'ENABLED' }));
    assert.equal(get.ChecksumCRC32, crc32b64(body));
    assert.ok((await bodyBytes(get.Body)).equals(body));
  });
});

describe('Content-MD5 on PutObject', () => {
  it('a matching Content-MD5 is accepted', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/md5-ok`, body: 'md5 body', headers: { 'content-md5': md5b64('md5 body') } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await readFile(onDisk('md5-ok'), 'utf8'), 'md5 body');
  });

  it('the SDK ContentMD5 parameter is accepted', async () => {
    const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'md5-sdk', Body: 'sdk md5', ContentMD5: md5b64('sdk md5') }));
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  it('a Content-MD5 of other bytes answers BadDigest (400) and stores nothing', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/md5-bad`, body: 'md5 body', headers: { 'content-md5': md5b64('something else') } });
    assert.equal(r.status, 400, r.text);
    assert.equal(errorOf(r).Code, 'BadDigest');
    assert.equal(existsSync(onDisk('md5-bad')), false);
    const e = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'md5-bad', Body: 'x', ContentMD5: md5b64('y') })));
    assert.equal(e.name, 'BadDigest');
  });

  it('a BadDigest on an overwrite keeps the old object', async () => {
    await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/md5-keep`, body: 'kept' });
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/md5-keep`, body: randomBytes(100_000), headers: { 'content-md5': md5b64('no') } });
    assert.equal(r.status, 400);
    assert.equal(await readFile(onDisk('md5-keep'), 'utf8'), 'kept');
  });

  it('a Content-MD5 that is not base64 of 16 bytes answers InvalidDigest (400)', async () => {
    for (const value of ['not base64!', Buffer.from('short').toString('base64')]) {
      const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/md5-invalid`, body: 'x', headers: { 'content-md5': value } });
      assert.equal(r.status, 400, value);
      assert.equal(errorOf(r).Code, 'InvalidDigest', value);
      assert.equal(existsSync(onDisk('md5-invalid')), false);
    }
  });
});
