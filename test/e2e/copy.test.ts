/** End to end: CopyObject within and across buckets, metadata directives, copy onto itself, x-amz-copy-source-if-*. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { encodeKey, errorOf, md5hex, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const SRC = 'copy-src';
const DST = 'copy-dst';
const onDisk = (bucket: string, key: string): string => join(ts.root, bucket, ...key.split('/'));
const HOUR = 3600_000;

before(async () => {
  ({ ts, s3 } = await startWithBuckets([SRC, DST]));
  await s3.send(new PutObjectCommand({
    Bucket: SRC, Key: 'orig.txt', Body: 'original bytes',
    ContentType: 'text/x-orig', CacheControl: 'max-age=1', Metadata: { origin: 'source', n: '1' },
  }));
});

after(() => ts?.stop());

describe('CopyObject', () => {
  it('copies within a bucket: bytes, ETag, and the source metadata (directive COPY is the default)', async () => {
    const out = await s3.send(new CopyObjectCommand({ Bucket: SRC, Key: 'copy-in-bucket.txt', CopySource: `${SRC}/orig.txt` }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.CopyObjectResult?.ETag, `"${md5hex('original bytes')}"`);
    assert.ok(out.CopyObjectResult?.LastModified instanceof Date);
    assert.equal(await readFile(onDisk(SRC, 'copy-in-bucket.txt'), 'utf8'), 'original bytes');
    const head = await s3.send(new HeadObjectCommand({ Bucket: SRC, Key: 'copy-in-bucket.txt' }));
    assert.equal(head.ContentType, 'text/x-orig');
    assert.equal(head.CacheControl, 'max-age=1');
    assert.deepEqual(head.Metadata, { origin: 'source', n: '1' });
  });

  it('copies across buckets into a nested key', async () => {
    await s3.send(new CopyObjectCommand({ Bucket: DST, Key: 'deep/er/copy.txt', CopySource: `${SRC}/orig.txt` }));
    assert.equal(await readFile(onDisk(DST, 'deep/er/copy.txt'), 'utf8'), 'original bytes');
  });

  it('accepts a copy source with a leading slash and percent-encoded key', async () => {
    const key = 'ünï cödé+plus.txt';
    await s3.send(new PutObjectCommand({ Bucket: SRC, Key: key, Body: 'encoded source' }));
    await s3.send(new CopyObjectCommand({ Bucket: DST, Key: 'from-encoded.txt', CopySource: `/${SRC}/${encodeKey(key)}` }));
    assert.equal(await readFile(onDisk(DST, 'from-encoded.txt'), 'utf8'), 'encoded source');
  });

  it('with directive REPLACE takes the new metadata and content type from the request', async () => {
    await s3.send(new CopyObjectCommand({
      Bucket: DST, Key: 'replaced-meta.txt', CopySource: `${SRC}/orig.txt`,
      MetadataDirective: 'REPLACE', ContentType: 'application/x-new', Metadata: { fresh: 'yes' },
    }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: DST, Key: 'replaced-meta.txt' }));
    assert.equal(head.ContentType, 'application/x-new');
    assert.deepEqual(head.Metadata, { fresh: 'yes' });
    assert.equal(head.CacheControl, undefined);
  });

  it('with directive COPY ignores the metadata sent in the request', async () => {
    await s3.send(new CopyObjectCommand({
      Bucket: DST, Key: 'copied-meta.txt', CopySource: `${SRC}/orig.txt`,
      MetadataDirective: 'COPY', Metadata: { ignored: 'yes' },
    }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: DST, Key: 'copied-meta.txt' }));
    assert.deepEqual(head.Metadata, { origin: 'source', n: '1' });
  });

  it('refuses a copy onto itself without REPLACE (400 InvalidRequest) and keeps the object', async () => {
    const e = await sdkError(() => s3.send(new CopyObjectCommand({ Bucket: SRC, Key: 'orig.txt', CopySource: `${SRC}/orig.txt` })));
    assert.equal(e.name, 'InvalidRequest');
    assert.equal(e.status, 400);
    assert.equal(await readFile(onDisk(SRC, 'orig.txt'), 'utf8'), 'original bytes');
  });

  it('allows a copy onto itself with REPLACE, changing only the metadata', async () => {
    await s3.send(new PutObjectCommand({ Bucket: SRC, Key: 'self.txt', Body: 'self bytes', Metadata: { v: 'old' } }));
    const out = await s3.send(new CopyObjectCommand({
      Bucket: SRC, Key: 'self.txt', CopySource: `${SRC}/self.txt`, MetadataDirective: 'REPLACE', Metadata: { v: 'new' }, ContentType: 'text/plain',
    }));
    assert.equal(out.CopyObjectResult?.ETag, `"${md5hex('self bytes')}"`);
    assert.equal(await readFile(onDisk(SRC, 'self.txt'), 'utf8'), 'self bytes');
    const head = await s3.send(new HeadObjectCommand({ Bucket: SRC, Key: 'self.txt' }));
    assert.deepEqual(head.Metadata, { v: 'new' });
  });

  it('makes an independent file: changing the source on disk later does not change the copy', async () => {
    await s3.send(new PutObjectCommand({ Bucket: SRC, Key: 'indep.txt', Body: 'before' }));
    await s3.send(new CopyObjectCommand({ Bucket: DST, Key: 'indep-copy.txt', CopySource: `${SRC}/indep.txt` }));
    await writeFile(onDisk(SRC, 'indep.txt'), 'after!');
    assert.equal(await readFile(onDisk(DST, 'indep-copy.txt'), 'utf8'), 'before');
  });

  it('copies a 64 MiB file made on disk intact', async () => {
    const path = onDisk(SRC, 'large.bin');
    const block = randomBytes(1024 * 1024);
    const hash = createHash('md5');
    await new Promise<void>((resolve, reject) => {
      const w = createWriteStream(path);
      w.on('error', reject);
      w.on('finish', resolve);
      for (let i = 0; i < 64; i++) {
        hash.update(block);
        w.write(block);
      }
      w.end();
    });
    const expected = hash.digest('hex');
    await s3.send(new CopyObjectCommand({ Bucket: DST, Key: 'large-copy.bin', CopySource: `${SRC}/large.bin` }));
    assert.equal(md5hex(await readFile(onDisk(DST, 'large-copy.bin'))), expected);
    const head = await s3.send(new HeadObjectCommand({ Bucket: DST, Key: 'large-copy.bin' }));
    assert.equal(head.ContentLength, 64 * 1024 * 1024);
  });

  it('answers NoSuchKey for a missing source key and NoSuchBucket for a missing source bucket', async () => {
    const k = await sdkError(() => s3.send(new CopyObjectCommand({ Bucket: DST, Key: 'x', CopySource: `${SRC}/no-such-source` })));
    assert.equal(k.name, 'NoSuchKey');
    assert.equal(k.status, 404);
    const b = await sdkError(() => s3.send(new CopyObjectCommand({ Bucket: DST, Key: 'x', CopySource: 'no-such-src-bucket/k' })));
    assert.equal(b.name, 'NoSuchBucket');
    assert.equal(existsSync(onDisk(DST, 'x')), false);
  });

  it('answers NoSuchBucket for a missing destination bucket', async () => {
    const e = await sdkError(() => s3.send(new CopyObjectCommand({ Bucket: 'no-such-dst-bucket', Key: 'x', CopySource: `${SRC}/orig.txt` })));
    assert.equal(e.name, 'NoSuchBucket');
  });

  it('refuses a source that climbs out of its bucket', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${DST}/escape`, headers: { 'x-amz-copy-source': `${SRC}/../${DST}/copied-meta.txt` } });
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    assert.equal(existsSync(onDisk(DST, 'escape')), false);
  });
});

describe('CopyObject x-amz-copy-source-if-*', () => {
  let lastModified: Date;
  const etag = `"${md5hex('original bytes')}"`;
  before(async () => {
    const head = await s3.send(new HeadObjectCommand({ Bucket: SRC, Key: 'orig.txt' }));
    lastModified = head.LastModified!;
  });

  const copyWith = (headers: Record<string, string>) =>
    rawRequest(ts, { method: 'PUT', path: `/${DST}/conditional-copy`, headers: { 'x-amz-copy-source': `/${SRC}/orig.txt`, ...headers } });

  const cases: Array<[string, () => Record<string, string>, 200 | 412]> = [
    ['if-match with the ETag', () => ({ 'x-amz-copy-source-if-match': etag }), 200],
    ['if-match with another ETag', () => ({ 'x-amz-copy-source-if-match': '"0123"' }), 412],
    ['if-none-match with the ETag', () => ({ 'x-amz-copy-source-if-none-match': etag }), 412],
    ['if-none-match with another ETag', () => ({ 'x-amz-copy-source-if-none-match': '"0123"' }), 200],
    ['if-modified-since before', () => ({ 'x-amz-copy-source-if-modified-since': new Date(lastModified.getTime() - HOUR).toUTCString() }), 200],
    ['if-modified-since after', () => ({ 'x-amz-copy-source-if-modified-since': new Date(lastModified.getTime() + HOUR).toUTCString() }), 412],
    ['if-unmodified-since before', () => ({ 'x-amz-copy-source-if-unmodified-since': new Date(lastModified.getTime() - HOUR).toUTCString() }), 412],
    ['if-unmodified-since after', () => ({ 'x-amz-copy-source-if-unmodified-since': new Date(lastModified.getTime() + HOUR).toUTCString() }), 200],
    // As S3 documents: if-match true and if-unmodified-since false copies.
    ['if-match true with if-unmodified-since false', () => ({
      'x-amz-copy-source-if-match': etag,
      'x-amz-copy-source-if-unmodified-since': new Date(lastModified.getTime() - HOUR).toUTCString(),
    }), 200],
    // ... and if-none-match false with if-modified-since true is refused.
    ['if-none-match false with if-modified-since true', () => ({
      'x-amz-copy-source-if-none-match': etag,
      'x-amz-copy-source-if-modified-since': new Date(lastModified.getTime() - HOUR).toUTCString(),
    }), 412],
  ];
  for (const [name, headers, status] of cases) {
    it(`${name}: ${status}`, async () => {
      await writeFile(onDisk(DST, 'conditional-copy'), 'untouched');
      const r = await copyWith(headers());
      assert.equal(r.status, status, r.text);
      if (status === 412) {
        assert.equal(errorOf(r).Code, 'PreconditionFailed');
        assert.equal(await readFile(onDisk(DST, 'conditional-copy'), 'utf8'), 'untouched');
      } else {
        assert.equal(await readFile(onDisk(DST, 'conditional-copy'), 'utf8'), 'original bytes');
      }
    });
  }
});
