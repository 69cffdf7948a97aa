/**
 * End to end: bucket CORS configuration through @aws-sdk/client-s3, OPTIONS preflights answered from the rules
 * before authentication, and CORS headers on actual responses, errors included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand, PutObjectCommand, S3Client, type CORSRule } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { presignUrl, rawRequest, sdkError, send } from './util.js';

let ts: TestServer;
let s3: S3Client;
const B = 'cors-e2e';
const RULES: CORSRule[] = [
  { ID: 'app', AllowedOrigins: ['http://app.example.test'], AllowedMethods: ['GET', 'PUT', 'HEAD'], AllowedHeaders: ['content-type', 'x-amz-*'], ExposeHeaders: ['ETag', 'x-amz-request-id'], MaxAgeSeconds: 600 },
  { AllowedOrigins: ['http://*.wild.test'], AllowedMethods: ['GET'] },
];

before(async () => {
  ({ ts, s3 } = await startWithBuckets([B]));
  await s3.send(new PutObjectCommand({ Bucket: B, Key: 'page.txt', Body: 'hello' }));
});

after(() => ts?.stop());

/** An unsigned OPTIONS request, as a browser sends a preflight. */
const preflight = (path: string, headers: Record<string, string>) => rawRequest(ts, { method: 'OPTIONS', path, headers, sign: 'none' });

describe('bucket CORS configuration', () => {
  it('GetBucketCors is NoSuchCORSConfiguration until set; Put then Get gives the rules back; Delete (204) removes them', async () => {
    const none = await sdkError(() => s3.send(new GetBucketCorsCommand({ Bucket: B })));
    assert.equal(none.name, 'NoSuchCORSConfiguration');
    assert.equal(none.status, 404);
    await s3.send(new PutBucketCorsCommand({ Bucket: B, CORSConfiguration: { CORSRules: RULES } }));
    assert.deepEqual((await s3.send(new GetBucketCorsCommand({ Bucket: B }))).CORSRules, RULES);
    const del = await s3.send(new DeleteBucketCorsCommand({ Bucket: B }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    assert.equal((await sdkError(() => s3.send(new GetBucketCorsCommand({ Bucket: B })))).name, 'NoSuchCORSConfiguration');
  });

  it('refuses unsupported methods, a second wildcard and rules without origins, as S3 does', async () => {
    const put = (rule: CORSRule) => sdkError(() => s3.send(new PutBucketCorsCommand({ Bucket: B, CORSConfiguration: { CORSRules: [rule] } })));
    const method = await put({ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] });
    assert.equal(method.name, 'InvalidRequest');
    assert.match(method.message, /Unsupported method is PATCH/);
    assert.equal((await put({ AllowedOrigins: ['http://*.*.test'], AllowedMethods: ['GET'] })).name, 'InvalidRequest');
    assert.equal((await put({ AllowedOrigins: [], AllowedMethods: ['GET'] })).name, 'MalformedXML');
    assert.equal((await sdkError(() => s3.send(new GetBucketCorsCommand({ Bucket: 'cors-no-such-bucket' })))).name, 'NoSuchBucket');
  });
});

describe('preflight and actual responses', () => {
  before(async () => {
    await s3.send(new PutBucketCorsCommand({ Bucket: B, CORSConfiguration: { CORSRules: RULES } }));
  });

  it('answers a matching preflight without credentials: origin, methods, requested headers, expose headers, max age', async () => {
    const r = await preflight(`/${B}/page.txt`, {
      origin: 'http://app.example.test', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'Content-Type, X-Amz-Date',
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['access-control-allow-origin'], 'http://app.example.test');
    assert.equal(r.headers['access-control-allow-methods'], 'GET, PUT, HEAD');
    assert.equal(r.headers['access-control-allow-headers'], 'content-type, x-amz-date');
    assert.equal(r.headers['access-control-expose-headers'], 'ETag, x-amz-request-id');
    assert.equal(r.headers['access-control-max-age'], '600');
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
    assert.match(String(r.headers['vary']), /Origin/);
    // A preflight for a presigned URL carries its query; it plays no part.
    const q = await preflight(`/${B}/page.txt?X-Amz-Signature=abc&uploadId=1&partNumber=2`, { origin: 'http://app.example.test', 'access-control-request-method': 'PUT' });
    assert.equal(q.status, 200, q.text);
    const wild = await preflight(`/${B}/page.txt`, { origin: 'http://deep.sub.wild.test', 'access-control-request-method': 'GET' });
    assert.equal(wild.status, 200, wild.text);
    assert.equal(wild.headers['access-control-allow-origin'], 'http://deep.sub.wild.test');
  });

  it('refuses a preflight no rule allows (403 AccessForbidden), and one missing Origin or method (400)', async () => {
    const refused = async (headers: Record<string, string>, status: number, code: string) => {
      const r = await preflight(`/${B}/page.txt`, headers);
      assert.equal(r.status, status, `${JSON.stringify(headers)}: ${r.text}`);
      assert.match(r.text, new RegExp(`<Code>${code}</Code>`));
      assert.equal(r.headers['access-control-allow-origin'], undefined);
    };
    await refused({ origin: 'http://evil.test', 'access-control-request-method': 'GET' }, 403, 'AccessForbidden');
    await refused({ origin: 'http://wild.test', 'access-control-request-method': 'GET' }, 403, 'AccessForbidden'); // `*.` needs a subdomain
    await refused({ origin: 'http://x.wild.test', 'access-control-request-method': 'PUT' }, 403, 'AccessForbidden');
    await refused({ origin: 'http://app.example.test', 'access-control-request-method': 'DELETE' }, 403, 'AccessForbidden');
    await refused({ origin: 'http://app.example.test', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, x-custom' }, 403, 'AccessForbidden');
    await refused({ 'access-control-request-method': 'GET' }, 400, 'BadRequest');
    await refused({ origin: 'http://app.example.test' }, 400, 'BadRequest');
    await refused({ origin: 'http://app.example.test', 'access-control-request-method': 'TRACE' }, 400, 'BadRequest');
  });

  it('puts CORS headers on actual responses for an allowed origin and method, errors included; none otherwise', async () => {
    const get = await rawRequest(ts, { method: 'GET', path: `/${B}/page.txt`, headers: { origin: 'http://app.example.test' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers['access-control-allow-origin'], 'http://app.example.test');
    assert.equal(get.headers['access-control-expose-headers'], 'ETag, x-amz-request-id');
    const missing = await rawRequest(ts, { method: 'GET', path: `/${B}/no-such-key`, headers: { origin: 'http://app.example.test' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['access-control-allow-origin'], 'http://app.example.test', 'a page must be able to read the error');
    const anonymous = await rawRequest(ts, { method: 'GET', path: `/${B}/page.txt`, headers: { origin: 'http://app.example.test' }, sign: 'none' });
    assert.equal(anonymous.status, 403);
    assert.equal(anonymous.headers['access-control-allow-origin'], 'http://app.example.test');
    const presigned = await send(presignUrl(ts, { method: 'GET', path: `/${B}/page.txt`, expiresSeconds: 60 }), { method: 'GET', headers: { origin: 'http://x.wild.test' } });
    assert.equal(presigned.status, 200);
    assert.equal(presigned.text, 'hello');
    assert.equal(presigned.headers['access-control-allow-origin'], 'http://x.wild.test');
    const otherOrigin = await rawRequest(ts, { method: 'GET', path: `/${B}/page.txt`, headers: { origin: 'http://evil.test' } });
    assert.equal(otherOrigin.status, 200);
    assert.equal(otherOrigin.headers['access-control-allow-origin'], undefined);
    const otherMethod = await rawRequest(ts, { method: 'DELETE', path: `/${B}/nothing-here`, headers: { origin: 'http://x.wild.test' } });
    assert.equal(otherMethod.headers['access-control-allow-origin'], undefined);
    const noOrigin = await rawRequest(ts, { method: 'GET', path: `/${B}/page.txt` });
    assert.equal(noOrigin.headers['access-control-allow-origin'], undefined);
  });

  it('once the configuration is deleted, preflights are refused and responses carry no CORS headers', async () => {
    await s3.send(new DeleteBucketCorsCommand({ Bucket: B }));
    const r = await preflight(`/${B}/page.txt`, { origin: 'http://app.example.test', 'access-control-request-method': 'GET' });
    assert.equal(r.status, 403);
    assert.match(r.text, /CORS is not enabled for this bucket/);
    const get = await rawRequest(ts, { method: 'GET', path: `/${B}/page.txt`, headers: { origin: 'http://app.example.test' } });
    assert.equal(get.headers['access-control-allow-origin'], undefined);
    const noBucket = await preflight('/cors-no-such-bucket/x', { origin: 'http://app.example.test', 'access-control-request-method': 'GET' });
    assert.equal(noBucket.status, 403);
  });
});
