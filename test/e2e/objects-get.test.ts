/** End to end: GetObject and HeadObject: bodies, ranges, response-content-* overrides, ETag and Last-Modified truth. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { bodyBytes, errorOf, md5hex, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const BUCKET = 'gets';
const DATA = randomBytes(1000);
const onDisk = (key: string): string => join(ts.root, BUCKET, ...key.split('/'));
const get = (key: string, headers: Record<string, string> = {}, query: Array<[string, string]> = []) =>
  rawRequest(ts, { method: 'GET', path: `/${BUCKET}/${key}`, headers, query });

before(async () => {
  ({ ts, s3 } = await startWithBuckets([BUCKET]));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data.bin', Body: DATA, ContentType: 'application/x-test' }));
});

after(() => ts?.stop());

describe('GetObject', () => {
  it('returns the bytes with Content-Length, Content-Type, quoted MD5 ETag, Last-Modified and Accept-Ranges', async () => {
    const r = await get('data.bin');
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(DATA));
    assert.equal(r.headers['content-length'], String(DATA.length));
    assert.equal(r.headers['content-type'], 'application/x-test');
    assert.equal(r.headers['etag'], `"${md5hex(DATA)}"`);
    assert.equal(r.headers['accept-ranges'], 'bytes');
    const lm = r.headers['last-modified'];
    assert.ok(lm && /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(lm), `Last-Modified: ${lm}`);
  });

  it('returns the same through the SDK', async () => {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'data.bin' }));
    assert.ok((await bodyBytes(out.Body)).equals(DATA));
    assert.equal(out.ContentLength, DATA.length);
    assert.equal(out.ETag, `"${md5hex(DATA)}"`);
  });

  it('answers Last-Modified equal to the file modification time (to the second)', async () => {
    const r = await get('data.bin');
    const mtime = statSync(onDisk('data.bin')).mtime;
    assert.equal(new Date(r.headers['last-modified']!).getTime(), Math.floor(mtime.getTime() / 1000) * 1000);
  });

  it('answers NoSuchKey (404) with the key as Resource for a missing key', async () => {
    const r = await get('not-there');
    assert.equal(r.status, 404);
    const e = errorOf(r);
    assert.equal(e.Code, 'NoSuchKey');
    assert.match(String(e.Resource ?? ''), /not-there/);
    const se = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'not-there' })));
    assert.equal(se.name, 'NoSuchKey');
  });

  it('answers NoSuchBucket (404) for a missing bucket', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: '/no-such-get-bucket/k' });
    assert.equal(r.status, 404);
    assert.equal(errorOf(r).Code, 'NoSuchBucket');
  });

  it('answers NoSuchKey for a directory that is only a prefix (no directory object)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'prefix-only/child', Body: 'c' }));
    for (const key of ['prefix-only', 'prefix-only/']) {
      const r = await get(key);
      assert.equal(r.status, 404, key);
      assert.equal(errorOf(r).Code, 'NoSuchKey', key);
    }
  });

  it('returns a directory object as an empty object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a-dir-object/', Body: '' }));
    const r = await get('a-dir-object/');
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
  });

  it('never serves the internal state directory', async () => {
    for (const key of ['.dirbucket', '.dirbucket/', '.dirbucket/anything']) {
      const r = await get(key);
      assert.ok(r.status >= 400 && r.status < 500, `${key}: ${r.status}`);
    }
  });
});

describe('GetObject ranges', () => {
  const cases: Array<[string, number, number]> = [
    ['bytes=0-9', 0, 9],
    ['bytes=10-19', 10, 19],
    ['bytes=990-', 990, 999],
    ['bytes=-10', 990, 999],
    ['bytes=995-5000', 995, 999],
    ['bytes=0-0', 0, 0],
    ['bytes=-5000', 0, 999],
  ];
  for (const [range, start, end] of cases) {
    it(`${range} answers 206 with Content-Range bytes ${start}-${end}/1000`, async () => {
      const r = await get('data.bin', { range });
      assert.equal(r.status, 206);
      assert.equal(r.headers['content-range'], `bytes ${start}-${end}/${DATA.length}`);
      assert.equal(r.headers['content-length'], String(end - start + 1));
      assert.ok(r.body.equals(DATA.subarray(start, end + 1)));
      assert.equal(r.headers['etag'], `"${md5hex(DATA)}"`);
    });
  }

  it('the SDK Range parameter gives the same slice and ContentRange', async () => {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'data.bin', Range: 'bytes=100-199' }));
    assert.equal(out.ContentRange, 'bytes 100-199/1000');
    assert.ok((await bodyBytes(out.Body)).equals(DATA.subarray(100, 200)));
  });

  for (const range of ['bytes=1000-', 'bytes=5000-6000', 'bytes=1000-1000']) {
    it(`${range} (past the end) answers 416 InvalidRange`, async () => {
      const r = await get('data.bin', { range });
      assert.equal(r.status, 416);
      assert.equal(errorOf(r).Code, 'InvalidRange');
    });
  }

  it('a range on an empty object answers 416 InvalidRange', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'empty-range', Body: '' }));
    const r = await get('empty-range', { range: 'bytes=0-0' });
    assert.equal(r.status, 416);
  });

  for (const range of ['bytes=abc', 'bytes=9-3', 'items=0-1']) {
    it(`an unparsable or unsatisfiable-by-syntax range ${range} is ignored: 200 and the whole object`, async () => {
      const r = await get('data.bin', { range });
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(DATA));
    });
  }
});

describe('GetObject response-content-* overrides', () => {
  it('sets the response headers from the query parameters', async () => {
    const r = await get('data.bin', {}, [
      ['response-content-type', 'text/csv'],
      ['response-content-disposition', 'attachment; filename="x.csv"'],
      ['response-content-language', 'de'],
      ['response-content-encoding', 'identity'],
      ['response-cache-control', 'no-store'],
      ['response-expires', 'Thu, 01 Jan 2037 00:00:00 GMT'],
    ]);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'text/csv');
    assert.equal(r.headers['content-disposition'], 'attachment; filename="x.csv"');
    assert.equal(r.headers['content-language'], 'de');
    assert.equal(r.headers['content-encoding'], 'identity');
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers['expires'], 'Thu, 01 Jan 2037 00:00:00 GMT');
    assert.ok(r.body.equals(DATA));
  });

  it('works through the SDK parameters too', async () => {
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'data.bin', ResponseContentType: 'image/png', ResponseContentDisposition: 'inline' }));
    assert.equal(out.ContentType, 'image/png');
    assert.equal(out.ContentDisposition, 'inline');
    await bodyBytes(out.Body);
  });

  it('does not change what is stored', async () => {
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'data.bin' }));
    assert.equal(head.ContentType, 'application/x-test');
  });
});

describe('HeadObject', () => {
  it('answers the same headers as GET and no body', async () => {
    const g = await get('data.bin');
    const h = await rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/data.bin` });
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 0);
    for (const name of ['content-length', 'content-type', 'etag', 'last-modified', 'accept-ranges']) {
      assert.equal(h.headers[name], g.headers[name], name);
    }
  });

  it('answers 404 with no body for a missing key (the SDK calls it NotFound)', async () => {
    const h = await rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/missing-head` });
    assert.equal(h.status, 404);
    assert.equal(h.body.length, 0);
    const e = await sdkError(() => s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing-head' })));
    assert.equal(e.name, 'NotFound');
  });

  it('answers a range with 206 and Content-Range', async () => {
    const h = await rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/data.bin`, headers: { range: 'bytes=0-99' } });
    assert.equal(h.status, 206);
    assert.equal(h.headers['content-range'], 'bytes 0-99/1000');
    assert.equal(h.headers['content-length'], '100');
  });

  it('returns user metadata as x-amz-meta-* headers', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta-head', Body: 'm', Metadata: { owner: 'ana' } }));
    const h = await rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/meta-head` });
    assert.equal(h.headers['x-amz-meta-owner'], 'ana');
  });
});

describe('files written outside S3', () => {
  it('get a Content-Type from their extension', async () => {
    await mkdir(join(ts.root, BUCKET, 'nas'), { recursive: true });
    const expect: Record<string, RegExp> = {
      'page.html': /^text\/html\b/,
      'data.json': /^application\/json\b/,
      'image.png': /^image\/png$/,
      'notes.txt': /^text\/plain\b/,
      'archive.unknownext': /^(application|binary)\/octet-stream$/,
    };
    for (const name of Object.keys(expect)) await writeFile(join(ts.root, BUCKET, 'nas', name), 'x');
    for (const [name, re] of Object.entries(expect)) {
      const h = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `nas/${name}` }));
      assert.match(h.ContentType ?? '', re, name);
    }
  });

  it('have Last-Modified equal to the file modification time', async () => {
    await writeFile(onDisk('dated.txt'), 'dated');
    const when = new Date('2021-06-15T12:34:56Z');
    await utimes(onDisk('dated.txt'), when, when);
    const h = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dated.txt' }));
    assert.equal(h.LastModified?.getTime(), when.getTime());
  });

  it('have an ETag that is either their real MD5 or does not look like one', async () => {
    const body = 'made on the NAS';
    await writeFile(onDisk('nas-etag.txt'), body);
    const h = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'nas-etag.txt' }));
    const etag = (h.ETag ?? '').replace(/"/g, '');
    assert.ok(h.ETag?.startsWith('"') && h.ETag.endsWith('"'), `ETag quoted: ${h.ETag}`);
    if (/^[0-9a-f]{32}$/.test(etag)) assert.equal(etag, md5hex(body));
  });

  it('keep the same ETag while unchanged, in HEAD, GET and listings alike', async () => {
    await writeFile(onDisk('stable.txt'), 'stable content');
    const a = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'stable.txt' }));
    const b = await get('stable.txt');
    const list = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'stable.txt' }));
    assert.ok(a.ETag);
    assert.equal(b.headers['etag'], a.ETag);
    assert.equal(list.Contents?.[0]?.ETag, a.ETag);
  });

  it('never keep the old ETag after the file is changed on disk, even at the same size', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'changed.txt', Body: 'version one' }));
    const before = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'changed.txt' }));
    assert.equal(before.ETag, `"${md5hex('version one')}"`);
    await writeFile(onDisk('changed.txt'), 'version two');
    const later = new Date(Date.now() + 5000);
    await utimes(onDisk('changed.txt'), later, later);
    const after = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'changed.txt' }));
    assert.notEqual(after.ETag, before.ETag);
    const etag = (after.ETag ?? '').replace(/"/g, '');
    if (/^[0-9a-f]{32}$/.test(etag)) assert.equal(etag, md5hex('version two'));
    const g = await get('changed.txt');
    assert.equal(g.text, 'version two');
    assert.equal(g.headers['etag'], after.ETag);
  });

  it('never keep an old checksum after the file is changed on disk', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'changed-sum.txt', Body: 'first body', ChecksumAlgorithm: 'CRC32' }));
    await writeFile(onDisk('changed-sum.txt'), 'other body!');
    const later = new Date(Date.now() + 5000);
    await utimes(onDisk('changed-sum.txt'), later, later);
    // The SDK validates a returned full-object checksum against the bytes: a stale one fails the read.
    const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'changed-sum.txt', ChecksumMode: 'ENABLED' }));
    assert.equal((await bodyBytes(out.Body)).toString(), 'other body!');
  });
});
