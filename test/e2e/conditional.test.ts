/** End to end: conditional GET/HEAD (RFC 7232 precedence, 304/412) and conditional PUT (If-None-Match: *, If-Match). */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { errorOf, md5hex, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const BUCKET = 'conds';
const BODY = 'conditional body';
const ETAG = `"${md5hex(BODY)}"`;
let lastModified: Date;
const HOUR = 3600_000;
const httpDate = (d: Date): string => d.toUTCString();

before(async () => {
  ({ ts, s3 } = await startWithBuckets([BUCKET]));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'obj', Body: BODY }));
  const r = await rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/obj` });
  lastModified = new Date(r.headers['last-modified']!);
});

after(() => ts?.stop());

const past = (): string => httpDate(new Date(lastModified.getTime() - HOUR));
const future = (): string => httpDate(new Date(lastModified.getTime() + HOUR));

type Case = { name: string; headers: () => Record<string, string>; status: 200 | 304 | 412 };
const cases: Case[] = [
  { name: 'If-Match with the ETag', headers: () => ({ 'if-match': ETAG }), status: 200 },
  { name: 'If-Match with *', headers: () => ({ 'if-match': '*' }), status: 200 },
  { name: 'If-Match with a list holding the ETag', headers: () => ({ 'if-match': `"0000", ${ETAG}` }), status: 200 },
  { name: 'If-Match with another ETag', headers: () => ({ 'if-match': '"00000000000000000000000000000000"' }), status: 412 },
  { name: 'If-None-Match with the ETag', headers: () => ({ 'if-none-match': ETAG }), status: 304 },
  { name: 'If-None-Match with *', headers: () => ({ 'if-none-match': '*' }), status: 304 },
  { name: 'If-None-Match with another ETag', headers: () => ({ 'if-none-match': '"abc"' }), status: 200 },
  { name: 'If-Modified-Since before the change', headers: () => ({ 'if-modified-since': past() }), status: 200 },
  { name: 'If-Modified-Since after the change', headers: () => ({ 'if-modified-since': future() }), status: 304 },
  { name: 'If-Modified-Since equal to Last-Modified', headers: () => ({ 'if-modified-since': httpDate(lastModified) }), status: 304 },
  { name: 'If-Unmodified-Since before the change', headers: () => ({ 'if-unmodified-since': past() }), status: 412 },
  { name: 'If-Unmodified-Since after the change', headers: () => ({ 'if-unmodified-since': future() }), status: 200 },
  // RFC 7232 section 6: If-Unmodified-Since is evaluated only when If-Match is absent.
  { name: 'If-Match true wins over If-Unmodified-Since false', headers: () => ({ 'if-match': ETAG, 'if-unmodified-since': past() }), status: 200 },
  { name: 'If-Match false with If-Unmodified-Since true', headers: () => ({ 'if-match': '"nope"', 'if-unmodified-since': future() }), status: 412 },
  // ... and If-Modified-Since only when If-None-Match is absent.
  { name: 'If-None-Match false (matches) wins over If-Modified-Since true', headers: () => ({ 'if-none-match': ETAG, 'if-modified-since': past() }), status: 304 },
  { name: 'If-None-Match true (differs) wins over If-Modified-Since false', headers: () => ({ 'if-none-match': '"other"', 'if-modified-since': future() }), status: 200 },
  // Step order: If-Match (412) is decided before If-None-Match (304).
  { name: 'If-Match false and If-None-Match false', headers: () => ({ 'if-match': '"nope"', 'if-none-match': ETAG }), status: 412 },
  { name: 'If-Unmodified-Since false and If-Modified-Since false', headers: () => ({ 'if-unmodified-since': past(), 'if-modified-since': future() }), status: 412 },
  { name: 'an unparsable If-Modified-Since is ignored', headers: () => ({ 'if-modified-since': 'not a date' }), status: 200 },
];

describe('conditional GetObject', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.status}`, async () => {
      const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/obj`, headers: c.headers() });
      assert.equal(r.status, c.status, r.text);
      assert.ok(r.headers['x-amz-request-id']);
      if (c.status === 200) assert.equal(r.text, BODY);
      if (c.status === 304) {
        assert.equal(r.body.length, 0);
        assert.equal(r.headers['etag'], ETAG);
        assert.ok(r.headers['last-modified']);
      }
      if (c.status === 412) assert.equal(errorOf(r).Code, 'PreconditionFailed');
    });
  }

  it('a satisfied condition with a Range answers 206', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/obj`, headers: { 'if-match': ETAG, range: 'bytes=0-3' } });
    assert.equal(r.status, 206);
    assert.equal(r.text, BODY.slice(0, 4));
  });

  it('the SDK reports 412 as PreconditionFailed and 304 as NotModified', async () => {
    const e412 = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'obj', IfMatch: '"nope"' })));
    assert.equal(e412.name, 'PreconditionFailed');
    assert.equal(e412.status, 412);
    const e304 = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'obj', IfNoneMatch: ETAG })));
    assert.equal(e304.status, 304);
  });

  it('a condition on a missing key answers 404 NoSuchKey', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/absent`, headers: { 'if-match': ETAG } });
    assert.equal(r.status, 404);
    assert.equal(errorOf(r).Code, 'NoSuchKey');
  });
});

describe('conditional HeadObject', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.status}, no body`, async () => {
      const r = await rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/obj`, headers: c.headers() });
      assert.equal(r.status, c.status);
      assert.equal(r.body.length, 0);
      assert.ok(r.headers['x-amz-request-id']);
    });
  }
});

describe('conditional PutObject', () => {
  const onDisk = (key: string): string => join(ts.root, BUCKET, key);

  it('If-None-Match: * creates a missing key', async () => {
    const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'create-only', Body: 'first', IfNoneMatch: '*' }));
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(await readFile(onDisk('create-only'), 'utf8'), 'first');
  });

  it('If-None-Match: * on an existing key answers 412 and leaves the object unchanged', async () => {
    const e = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'create-only', Body: 'second', IfNoneMatch: '*' })));
    assert.equal(e.name, 'PreconditionFailed');
    assert.equal(e.status, 412);
    assert.equal(await readFile(onDisk('create-only'), 'utf8'), 'first');
  });

  it('If-Match with the current ETag replaces the object', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'swap', Body: 'v1' }));
    const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'swap', Body: 'v2', IfMatch: `"${md5hex('v1')}"` }));
    assert.equal(out.ETag, `"${md5hex('v2')}"`);
    assert.equal(await readFile(onDisk('swap'), 'utf8'), 'v2');
  });

  it('If-Match with a stale ETag answers 412 and leaves the object unchanged', async () => {
    const e = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'swap', Body: 'v3', IfMatch: `"${md5hex('v1')}"` })));
    assert.equal(e.name, 'PreconditionFailed');
    assert.equal(e.status, 412);
    assert.equal(await readFile(onDisk('swap'), 'utf8'), 'v2');
  });

  it('If-Match on a missing key fails (S3: 404 NoSuchKey) and creates nothing', async () => {
    const e = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'never-made', Body: 'x', IfMatch: `"${md5hex('x')}"` })));
    assert.equal(e.name, 'NoSuchKey');
    assert.equal(e.status, 404);
    assert.equal(existsSync(onDisk('never-made')), false);
  });

  it('a streamed body refused by If-None-Match leaves no trace in the tree', async () => {
    const before = readdirSync(join(ts.root, BUCKET)).sort();
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/create-only`, headers: { 'if-none-match': '*' }, body: Buffer.alloc(256 * 1024, 1) });
    assert.equal(r.status, 412);
    assert.equal(errorOf(r).Code, 'PreconditionFailed');
    assert.equal(await readFile(onDisk('create-only'), 'utf8'), 'first');
    assert.deepEqual(readdirSync(join(ts.root, BUCKET)).sort(), before);
  });
});
