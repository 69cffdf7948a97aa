/** End to end: the error wire format: S3 XML shape, HEAD errors without a body, request ids everywhere, 501 and 405. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { errorOf, md5hex, parseXml, rawRequest, type RawResponse } from './util.js';

let ts: TestServer;
let s3: S3Client;
const BUCKET = 'errs';

before(async () => {
  ({ ts, s3 } = await startWithBuckets([BUCKET]));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'present.txt', Body: 'present' }));
});

after(() => ts?.stop());

/** Checks the S3 XML error shape; returns the parsed fields. */
function assertXmlError(r: RawResponse, status: number, code: string): ReturnType<typeof errorOf> {
  assert.equal(r.status, status, r.text);
  assert.match(String(r.headers['content-type'] ?? ''), /^application\/xml/);
  assert.match(r.text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<Error>/);
  const e = errorOf(r);
  assert.equal(e.Code, code);
  assert.ok(typeof e.Message === 'string' && e.Message.length > 0, 'Message');
  assert.ok(typeof e.RequestId === 'string' && e.RequestId.length > 0, 'RequestId');
  assert.equal(e.RequestId, r.headers['x-amz-request-id'], 'RequestId equals the x-amz-request-id header');
  assertNoStack(r);
  return e;
}

function assertNoStack(r: RawResponse): void {
  assert.doesNotMatch(r.text, /\n\s+at |\.[jt]s:\d+|node:internal|node_modules/, 'no stack trace or source path reaches the client');
}

describe('S3 XML errors', () => {
  it('NoSuchKey names the key as Resource', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/missing/key.txt` });
    const e = assertXmlError(r, 404, 'NoSuchKey');
    assert.match(String(e.Resource), /missing\/key\.txt/);
  });

  it('NoSuchBucket names the bucket as Resource', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: '/no-such-err-bucket' });
    const e = assertXmlError(r, 404, 'NoSuchBucket');
    assert.match(String(e.Resource), /no-such-err-bucket/);
  });

  it('AccessDenied for an anonymous request', async () => {
    assertXmlError(await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/present.txt`, sign: 'none' }), 403, 'AccessDenied');
  });

  it('SignatureDoesNotMatch', async () => {
    assertXmlError(await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/present.txt`, secretAccessKey: 'bad' }), 403, 'SignatureDoesNotMatch');
  });

  it('InvalidRange', async () => {
    assertXmlError(await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/present.txt`, headers: { range: 'bytes=100-' } }), 416, 'InvalidRange');
  });

  it('a malformed percent-escape in the path answers InvalidURI', async () => {
    assertXmlError(await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/bad%E0%A4%A` }), 400, 'InvalidURI');
  });
});

describe('NotImplemented and MethodNotAllowed', () => {
  it('an operation not built answers 501 NotImplemented naming the operation (bucket analytics)', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['analytics', ''], ['id', 'x']] });
    const e = assertXmlError(r, 501, 'NotImplemented');
    assert.match(e.Message, /GetBucketAnalyticsConfiguration/);
  });

  it('an operation not built answers 501 NotImplemented naming the operation (object torrent)', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/present.txt`, query: [['torrent', '']] });
    const e = assertXmlError(r, 501, 'NotImplemented');
    assert.match(e.Message, /GetObjectTorrent/);
  });

  it('a method no operation uses answers 405 MethodNotAllowed', async () => {
    assertXmlError(await rawRequest(ts, { method: 'PATCH', path: `/${BUCKET}/present.txt` }), 405, 'MethodNotAllowed');
  });
});

describe('HEAD errors', () => {
  const cases: Array<[string, () => Promise<RawResponse>, number]> = [
    ['missing key', () => rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/nope` }), 404],
    ['missing bucket', () => rawRequest(ts, { method: 'HEAD', path: '/no-such-err-bucket' }), 404],
    ['missing bucket, object', () => rawRequest(ts, { method: 'HEAD', path: '/no-such-err-bucket/k' }), 404],
    ['anonymous', () => rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/present.txt`, sign: 'none' }), 403],
    ['bad signature', () => rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/present.txt`, secretAccessKey: 'bad' }), 403],
    ['failed precondition', () => rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/present.txt`, headers: { 'if-match': '"x"' } }), 412],
    ['bad range', () => rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/present.txt`, headers: { range: 'bytes=500-' } }), 416],
  ];
  for (const [name, run, status] of cases) {
    it(`${name}: ${status}, no body, a request id`, async () => {
      const r = await run();
      assert.equal(r.status, status);
      assert.equal(r.body.length, 0);
      assert.ok(r.headers['x-amz-request-id'], 'x-amz-request-id');
    });
  }
});

describe('x-amz-request-id', () => {
  it('is on every response, success or not, and differs between requests', async () => {
    const etag = `"${md5hex('present')}"`;
    const responses = [
      await rawRequest(ts, { method: 'GET', path: '/' }),
      await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['list-type', '2']] }),
      await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/present.txt` }),
      await rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}/present.txt` }),
      await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/present.txt`, headers: { range: 'bytes=0-1' } }),
      await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/present.txt`, headers: { 'if-none-match': etag } }),
      await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/written.txt`, body: 'w' }),
      await rawRequest(ts, { method: 'DELETE', path: `/${BUCKET}/written.txt` }),
      await rawRequest(ts, { method: 'HEAD', path: `/${BUCKET}` }),
      await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/nope` }),
      await rawRequest(ts, { method: 'GET', path: '/', sign: 'none' }),
      await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['analytics', ''], ['id', 'x']] }),
    ];
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 206, 304, 200, 204, 200, 404, 403, 501]);
    const ids = responses.map((r) => r.headers['x-amz-request-id']);
    for (const [i, id] of ids.entries()) assert.ok(typeof id === 'string' && id.length > 0, `response ${i} has x-amz-request-id`);
    assert.equal(new Set(ids).size, ids.length, 'request ids are unique');
  });

  it('the SDK sees the request id in $metadata of a failed call', async () => {
    try {
      await s3.send(new PutObjectCommand({ Bucket: 'no-such-err-bucket', Key: 'k', Body: 'x' }));
      assert.fail('expected NoSuchBucket');
    } catch (e) {
      const err = e as { name: string; $metadata?: { requestId?: string } };
      assert.equal(err.name, 'NoSuchBucket');
      assert.ok(err.$metadata?.requestId, 'requestId');
    }
  });
});

describe('success bodies', () => {
  it('ListBuckets is S3 XML with the S3 namespace', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: '/' });
    assert.match(String(r.headers['content-type']), /^application\/xml/);
    assert.match(r.text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<ListAllMyBucketsResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">/);
    assert.ok(parseXml(r.text)['ListAllMyBucketsResult']['Buckets']);
  });
});
