/** End to end: PutObject with the AWS SDK (default aws-chunked CRC32 trailers), headers, metadata, keys and paths. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { encodeKey, errorOf, md5b64, md5hex, rawRequest, sdkError, signHeaders } from './util.js';

let ts: TestServer;
let s3: S3Client;
const BUCKET = 'puts';
const onDisk = (key: string): string => join(ts.root, BUCKET, ...key.split('/'));

before(async () => ({ ts, s3 } = await startWithBuckets([BUCKET])));
after(() => ts?.stop());

describe('PutObject bodies', () => {
  it('stores a string body byte for byte and answers the quoted MD5 ETag', async () => {
    const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'hello.txt', Body: 'hello, world' }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.ETag, `"${md5hex('hello, world')}"`);
    assert.equal(await readFile(onDisk('hello.txt'), 'utf8'), 'hello, world');
  });

  it('stores a streamed body sent aws-chunked with a CRC32 trailer (the SDK default) without the framing', async () => {
    const data = randomBytes(300 * 1024 + 7);
    const stream = Readable.from([data.subarray(0, 100_000), data.subarray(100_000, 250_000), data.subarray(250_000)]);
    const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'streamed.bin', Body: stream, ContentLength: data.length }));
    assert.equal(out.ETag, `"${md5hex(data)}"`);
    assert.ok(out.ChecksumCRC32, 'the CRC32 checksum is echoed');
    const stored = await readFile(onDisk('streamed.bin'));
    assert.equal(stored.length, data.length);
    assert.ok(stored.equals(data), 'stored bytes equal the sent bytes');
  });

  it('stores an empty body as an empty file', async () => {
    const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'empty', Body: '' }));
    assert.equal(out.ETag, `"${md5hex('')}"`);
    assert.equal(statSync(onDisk('empty')).size, 0);
  });

  it('stores a 24 MiB stream intact', async () => {
    const block = randomBytes(1024 * 1024);
    const blocks = 24;
    const stream = Readable.from((function* () { for (let i = 0; i < blocks; i++) yield block; })());
    const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big.bin', Body: stream, ContentLength: blocks * block.length }));
    const expected = md5hex(Buffer.concat(Array.from({ length: blocks }, () => block)));
    assert.equal(out.ETag, `"${expected}"`);
    assert.equal(md5hex(await readFile(onDisk('big.bin'))), expected);
  });

  it('replaces an existing object whole', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'replaced', Body: 'a much longer first version' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'replaced', Body: 'short' }));
    assert.equal(await readFile(onDisk('replaced'), 'utf8'), 'short');
  });

  it('works through lib-storage Upload for a small body (a single PutObject)', async () => {
    const up = new Upload({ client: s3, params: { Bucket: BUCKET, Key: 'via-upload', Body: Buffer.from('small upload') } });
    await up.done();
    assert.equal(await readFile(onDisk('via-upload'), 'utf8'), 'small upload');
  });

  it('answers NoSuchBucket for a missing bucket', async () => {
    const e = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: 'no-such-put-bucket', Key: 'k', Body: 'x' })));
    assert.equal(e.name, 'NoSuchBucket');
    assert.equal(e.status, 404);
    assert.equal(existsSync(join(ts.root, 'no-such-put-bucket')), false);
  });
});

describe('PutObject atomicity', () => {
  it('concurrent PUTs to one key end with one of them whole', async () => {
    const bodies = Array.from({ length: 5 }, (_, i) => Buffer.alloc(512 * 1024 + i, 65 + i));
    const results = await Promise.all(bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'raced', Body }))));
    for (const r of results) assert.equal(r.$metadata.httpStatusCode, 200);
    const stored = await readFile(onDisk('raced'));
    const winner = bodies.find((b) => b.equals(stored));
    assert.ok(winner, `stored ${stored.length} bytes are exactly one of the bodies`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'raced' }));
    assert.equal(head.ETag, `"${md5hex(winner)}"`);
    assert.equal(head.ContentLength, winner.length);
  });

  it('an upload in flight is invisible: no key, no partial file in the tree, until it completes', async () => {
    const total = 2 * 1024 * 1024;
    const half = Buffer.alloc(total / 2, 9);
    const signed = signHeaders(ts, { method: 'PUT', path: `/${BUCKET}/in-flight.bin`, payloadHash: 'UNSIGNED-PAYLOAD' });
    const before = readdirSync(join(ts.root, BUCKET)).sort();
    let finish!: () => void;
    const response = new Promise<number>((resolve, reject) => {
      const req = http.request(`${ts.endpoint}/${BUCKET}/in-flight.bin`, {
        method: 'PUT', headers: { ...signed.headers, 'content-length': String(total) },
      }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.setTimeout(15_000, () => req.destroy(new Error('in-flight PUT timed out')));
      req.on('error', reject);
      req.write(half);
      finish = () => req.end(half);
    });
    // Give the server time to receive and spool the first half.
    await new Promise((r) => setTimeout(r, 300));
    const head = await rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/in-flight.bin` });
    assert.equal(head.status, 404, 'not visible while uploading');
    assert.deepEqual(readdirSync(join(ts.root, BUCKET)).sort(), before, 'no partial file in the bucket directory');
    const list = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'in-flight' }));
    assert.equal(list.KeyCount, 0);
    finish();
    assert.equal(await response, 200);
    assert.equal(statSync(onDisk('in-flight.bin')).size, total);
  });

  it('readers see the whole old or the whole new object while it is replaced', async () => {
    const versions = [Buffer.alloc(1024 * 1024, 1), Buffer.alloc(1024 * 1024 + 3, 2), Buffer.alloc(1024 * 1024 + 5, 3)];
    const known = new Set(versions.map((v) => md5hex(v)));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'swapped', Body: versions[0], ContentType: 'application/x-swapped' }));
    let writing = true;
    const writer = (async () => {
      try {
        for (let i = 0; i < 6; i++) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'swapped', Body: versions[(i % 2) + 1], ContentType: 'application/x-swapped' }));
      } finally {
        writing = false;
      }
    })();
    let reads = 0;
    const deadline = Date.now() + 15_000;
    while ((writing || reads === 0) && reads < 200 && Date.now() < deadline) {
      const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/swapped` });
      assert.equal(r.status, 200, `read ${reads}: the object must never be missing while it is replaced: ${r.text}`);
      assert.ok(known.has(md5hex(r.body)), `read ${r.body.length} bytes that are no whole version`);
      assert.deepEqual(
        { etag: r.headers['etag'], contentType: r.headers['content-type'] },
        { etag: `"${md5hex(r.body)}"`, contentType: 'application/x-swapped' },
        `read ${reads}: the ETag and metadata belong to the bytes served`,
      );
      reads++;
    }
    await writer;
    assert.ok(reads > 0);
  });
});

describe('PutObject headers and metadata', () => {
  it('stores Content-Type, Content-Encoding, Content-Disposition, Content-Language, Cache-Control, Expires and returns them', async () => {
    const expires = new Date('2030-01-02T03:04:05Z');
    await s3.send(new PutObjectCommand({
      Bucket: BUCKET, Key: 'with-headers', Body: 'x',
      ContentType: 'text/x-custom; charset=utf-8',
      ContentEncoding: 'identity',
      ContentDisposition: 'attachment; filename="r.txt"',
      ContentLanguage: 'fr-CA',
      CacheControl: 'max-age=60, private',
      Expires: expires,
    }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'with-headers' }));
    assert.equal(head.ContentType, 'text/x-custom; charset=utf-8');
    assert.equal(head.ContentEncoding, 'identity');
    assert.equal(head.ContentDisposition, 'attachment; filename="r.txt"');
    assert.equal(head.ContentLanguage, 'fr-CA');
    assert.equal(head.CacheControl, 'max-age=60, private');
    assert.equal(head.Expires?.getTime(), expires.getTime());
  });

  it('defaults Content-Type to binary/octet-stream or the extension when none is sent', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/no-type-given.json`, body: '{}' });
    assert.equal(r.status, 200, r.text);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'no-type-given.json' }));
    assert.ok(['binary/octet-stream', 'application/octet-stream', 'application/json'].includes(head.ContentType ?? ''), head.ContentType);
  });

  it('stores x-amz-meta-* and returns the names lower-cased with the values unchanged', async () => {
    await s3.send(new PutObjectCommand({
      Bucket: BUCKET, Key: 'with-meta', Body: 'x',
      Metadata: { Color: 'blue', 'multi-word-name': 'a value with  spaces', empty: '' },
    }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'with-meta' }));
    assert.equal(head.Metadata?.['color'], 'blue');
    assert.equal(head.Metadata?.['multi-word-name'], 'a value with  spaces');
  });

  it('accepts user metadata just under 2 KB', async () => {
    // S3 counts the UTF-8 bytes of each name (without x-amz-meta-) and value: 2 + 2000 bytes here.
    const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta-2k', Body: 'x', Metadata: { aa: 'v'.repeat(2000) } }));
    assert.equal(out.$metadata.httpStatusCode, 200);
  });

  it('refuses user metadata over 2 KB with MetadataTooLarge and writes nothing', async () => {
    const e = await sdkError(() =>
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'meta-too-big', Body: 'x', Metadata: { a: 'v'.repeat(1100), b: 'w'.repeat(1100) } })),
    );
    assert.equal(e.name, 'MetadataTooLarge');
    assert.equal(e.status, 400);
    assert.equal(existsSync(onDisk('meta-too-big')), false);
  });

  it('keeps the old object whole when a replacing PUT is refused', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'keep-old', Body: 'old content', Metadata: { v: '1' } }));
    await sdkError(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'keep-old', Body: 'new', Metadata: { big: 'v'.repeat(2100) } })));
    assert.equal(await readFile(onDisk('keep-old'), 'utf8'), 'old content');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'keep-old' }));
    assert.equal(head.Metadata?.['v'], '1');
    assert.equal(head.ETag, `"${md5hex('old content')}"`);
  });
});

describe('keys and paths', () => {
  it('makes the directories of a nested key', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'n1/n2/n3/leaf.txt', Body: 'leaf' }));
    assert.ok(statSync(join(ts.root, BUCKET, 'n1', 'n2', 'n3')).isDirectory());
    assert.equal(await readFile(onDisk('n1/n2/n3/leaf.txt'), 'utf8'), 'leaf');
  });

  it('stores keys with spaces, unicode and URL-special characters at their literal path', async () => {
    for (const key of ['sp ace.txt', 'ünï/cødé ✓.txt', 'plus+and=eq&amp;%25.txt', "quote'(paren)*!~", 'semi;colon,comma@at$']) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
      assert.equal(await readFile(onDisk(key), 'utf8'), key, key);
    }
  });

  it('makes a directory object for a key ending in "/" with an empty body', async () => {
    const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir-object/', Body: '' }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.ok(statSync(join(ts.root, BUCKET, 'dir-object')).isDirectory());
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dir-object/' }));
    assert.equal(head.ContentLength, 0);
  });

  it('gives a directory object metadata of its own and the empty MD5 as ETag', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir-meta/', Body: '', ContentType: 'application/x-directory', Metadata: { role: 'folder' } }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir-meta/child', Body: 'c', Metadata: { role: 'child' } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dir-meta/' }));
    assert.equal(head.ContentType, 'application/x-directory');
    assert.deepEqual(head.Metadata, { role: 'folder' });
    assert.equal(head.ETag, `"${md5hex('')}"`);
    const child = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dir-meta/child' }));
    assert.deepEqual(child.Metadata, { role: 'child' });
  });

  it('a directory object may carry bytes, as in S3; one whose body fails its digest makes nothing', async () => {
    const bad = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/dir-with-body/`, body: 'not empty', headers: { 'content-md5': md5b64('other') } });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(errorOf(bad).Code, 'BadDigest');
    assert.equal(existsSync(join(ts.root, BUCKET, 'dir-with-body')), false);
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir-with-body/', Body: 'not empty', ContentType: 'text/plain' }));
    assert.equal(put.ETag, `"${md5hex('not empty')}"`);
    assert.ok(statSync(join(ts.root, BUCKET, 'dir-with-body')).isDirectory());
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dir-with-body/' }));
    assert.equal(await got.Body!.transformToString(), 'not empty');
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.ETag, put.ETag);
  });

  it('refuses PUT a/b when a is a file, with 409 naming the conflict, and keeps the file', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'conflict-file', Body: 'I am a file' }));
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/conflict-file/child`, body: 'x' });
    assert.equal(r.status, 409, r.text);
    assert.match(errorOf(r).Message, /conflict-file/);
    assert.equal(await readFile(onDisk('conflict-file'), 'utf8'), 'I am a file');
  });

  it('refuses PUT a when a/ holds objects, with 409, and keeps them', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'conflict-dir/inner', Body: 'inner' }));
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/conflict-dir`, body: 'x' });
    assert.equal(r.status, 409, r.text);
    assert.match(errorOf(r).Message, /conflict-dir/);
    assert.equal(await readFile(onDisk('conflict-dir/inner'), 'utf8'), 'inner');
  });

  it('refuses PUT a when a/ is a directory object, and PUT a/ when a is a file, with 409', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dobj/', Body: '' }));
    const fileOverDir = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/dobj`, body: 'x' });
    assert.equal(fileOverDir.status, 409, fileOverDir.text);
    assert.ok(statSync(join(ts.root, BUCKET, 'dobj')).isDirectory());
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plainfile', Body: 'p' }));
    const dirOverFile = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/plainfile/`, body: '' });
    assert.equal(dirOverFile.status, 409, dirOverFile.text);
    assert.equal(await readFile(onDisk('plainfile'), 'utf8'), 'p');
  });

  it('refuses keys the file system cannot hold as paths with a 4xx S3 error, creating nothing', async () => {
    const bad = ['a//b', '/leading-slash', 'x/./y', 'x/../y', '..', '.', 'seg/' + 's'.repeat(256)];
    for (const key of bad) {
      const before = readdirSync(join(ts.root, BUCKET)).sort();
      const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/${key.split('/').map((s) => encodeURIComponent(s)).join('/')}`, body: 'x' });
      assert.ok(r.status >= 400 && r.status < 500, `${key}: status ${r.status}`);
      assert.ok(errorOf(r).Code, key);
      assert.deepEqual(readdirSync(join(ts.root, BUCKET)).sort(), before, key);
    }
  });

  it('refuses a key over 1024 bytes with KeyTooLongError', async () => {
    const key = Array.from({ length: 5 }, () => 'k'.repeat(210)).join('/');
    assert.ok(Buffer.byteLength(key) > 1024);
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/${encodeKey(key)}`, body: 'x' });
    assert.equal(r.status, 400, r.text);
    assert.equal(errorOf(r).Code, 'KeyTooLongError');
    assert.equal(existsSync(join(ts.root, BUCKET, 'k'.repeat(210))), false);
  });

  it('refuses the internal state directory as a key at any depth', async () => {
    for (const key of ['.dirbucket', '.dirbucket/x', 'sub/.dirbucket/y']) {
      const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/${encodeKey(key)}`, body: 'x' });
      assert.ok(r.status >= 400 && r.status < 500, `${key}: status ${r.status}`);
    }
    assert.equal(existsSync(join(ts.root, BUCKET, 'sub', '.dirbucket', 'y')), false);
  });

  it('sees a file written on disk at once, as an object', async () => {
    await mkdir(join(ts.root, BUCKET, 'from-disk'), { recursive: true });
    await writeFile(join(ts.root, BUCKET, 'from-disk', 'data.txt'), 'written by a NAS user');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'from-disk/data.txt' }));
    assert.equal(head.ContentLength, 'written by a NAS user'.length);
    assert.match(head.ContentType ?? '', /^text\/plain\b/);
  });
});
