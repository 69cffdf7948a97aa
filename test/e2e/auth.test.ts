/** End to end: SigV4 authentication: header and presigned, payload hashes, streaming modes, skew, bad keys, anonymous, V2. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { amzDate } from '../helpers/sigv4.js';
import { chunkedPut, crc32b64, crc32cb64, errorOf, presignUrl, rawRequest, sdkError, send, sha256hex, signHeaders } from './util.js';

let ts: TestServer;
let s3: S3Client;
const BUCKET = 'authn';
const MINUTE = 60_000;
const onDisk = (key: string): string => join(ts.root, BUCKET, key);

/** A refused body must not take the server down: it still answers the next request. */
async function assertStillServing(): Promise<void> {
  const r = await rawRequest(ts, { method: 'GET', path: '/' }).catch((e: Error) => ({ status: 0, text: e.message }));
  assert.equal(r.status, 200, `the server stopped answering after the refused request: ${r.text}`);
}

before(async () => {
  ({ ts, s3 } = await startWithBuckets([BUCKET]));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'readable.txt', Body: 'readable content' }));
});

after(() => ts?.stop());

describe('Authorization header', () => {
  it('a correctly signed request succeeds', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/readable.txt` });
    assert.equal(r.status, 200);
    assert.equal(r.text, 'readable content');
  });

  it('an unknown access key answers InvalidAccessKeyId (403)', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, accessKeyId: 'AKIDOESNOTEXIST00000' });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r).Code, 'InvalidAccessKeyId');
    const c = ts.client({ credentials: { accessKeyId: 'AKIDOESNOTEXIST00000', secretAccessKey: ts.secretAccessKey } });
    const e = await sdkError(() => c.send(new ListBucketsCommand({})));
    assert.equal(e.name, 'InvalidAccessKeyId');
  });

  it('a wrong secret answers SignatureDoesNotMatch (403)', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, secretAccessKey: 'wrong-secret' });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r).Code, 'SignatureDoesNotMatch');
    const c = ts.client({ credentials: { accessKeyId: ts.accessKeyId, secretAccessKey: 'wrong-secret' } });
    const e = await sdkError(() => c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'never.txt', Body: 'x' })));
    assert.equal(e.name, 'SignatureDoesNotMatch');
    assert.equal(existsSync(onDisk('never.txt')), false);
  });

  it('a tampered signature answers SignatureDoesNotMatch', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, forceSignature: 'f'.repeat(64) });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r).Code, 'SignatureDoesNotMatch');
  });

  it('a signature over a different path answers SignatureDoesNotMatch', async () => {
    // Sign for one key, send for another: the server must rebuild the canonical request from what it received.
    const good = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/readable.txt` });
    assert.equal(good.status, 200);
    const signed = signHeaders(ts, { method: 'GET', path: `/${BUCKET}/other.txt`, payloadHash: sha256hex('') });
    const r = await send(`${ts.endpoint}/${BUCKET}/readable.txt`, { method: 'GET', headers: signed.headers });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r).Code, 'SignatureDoesNotMatch');
  });

  it('a changed signed header answers SignatureDoesNotMatch', async () => {
    const signed = signHeaders(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, headers: { range: 'bytes=0-1' }, payloadHash: sha256hex('') });
    const r = await send(`${ts.endpoint}/${BUCKET}/readable.txt`, { method: 'GET', headers: { ...signed.headers, range: 'bytes=0-5' } });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r).Code, 'SignatureDoesNotMatch');
  });

  it('a credential scope for another region answers AuthorizationHeaderMalformed (400)', async () => {
    const r = await rawRequest({ ...ts, region: 'eu-west-3' }, { method: 'GET', path: `/${BUCKET}/readable.txt` });
    assert.equal(r.status, 400, r.text);
    assert.equal(errorOf(r).Code, 'AuthorizationHeaderMalformed');
  });

  it('a malformed Authorization header is refused with an S3 error', async () => {
    for (const authorization of ['AWS4-HMAC-SHA256 garbage', 'AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host', 'Bearer abc']) {
      const r = await send(`${ts.endpoint}/${BUCKET}/readable.txt`, {
        method: 'GET', headers: { authorization, 'x-amz-date': amzDate(new Date()), 'x-amz-content-sha256': sha256hex('') },
      });
      assert.ok(r.status === 400 || r.status === 403, `${authorization}: ${r.status}`);
      assert.ok(errorOf(r).Code, authorization);
    }
  });
});

describe('clock skew', () => {
  for (const [label, offset, ok] of [
    ['10 minutes behind', -10 * MINUTE, true],
    ['10 minutes ahead', 10 * MINUTE, true],
    ['20 minutes behind', -20 * MINUTE, false],
    ['20 minutes ahead', 20 * MINUTE, false],
  ] as const) {
    it(`a request signed ${label} ${ok ? 'is accepted' : 'answers RequestTimeTooSkewed (403)'}`, async () => {
      const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, date: new Date(Date.now() + offset) });
      if (ok) {
        assert.equal(r.status, 200, r.text);
      } else {
        assert.equal(r.status, 403, r.text);
        assert.equal(errorOf(r).Code, 'RequestTimeTooSkewed');
      }
    });
  }
});

describe('anonymous requests', () => {
  it('an anonymous request answers AccessDenied (403)', async () => {
    for (const [method, path] of [['GET', '/'], ['GET', `/${BUCKET}`], ['GET', `/${BUCKET}/readable.txt`], ['PUT', `/${BUCKET}/anon.txt`]] as const) {
      const r = await rawRequest(ts, { method, path, sign: 'none', body: method === 'PUT' ? 'x' : undefined });
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(errorOf(r).Code, 'AccessDenied');
    }
    assert.equal(existsSync(onDisk('anon.txt')), false);
  });
});

describe('signature V2 switched off (--no-sigv2)', () => {
  let off: TestServer;
  before(async () => {
    ({ ts: off } = await startWithBuckets([BUCKET], { args: ['--no-sigv2'] }));
  });
  after(() => off?.stop());

  it('a signature V2 Authorization header is refused with an error naming V4', async () => {
    const r = await send(`${off.endpoint}/${BUCKET}/readable.txt`, {
      method: 'GET', headers: { authorization: `AWS ${off.accessKeyId}:c2lnbmF0dXJlAAAAAAAAAAAAAAAAAAA=`, date: new Date().toUTCString() },
    });
    assert.ok(r.status === 400 || r.status === 403, `status ${r.status}`);
    assert.match(errorOf(r).Message, /V4|AWS4-HMAC-SHA256|Signature Version 4/i);
  });

  it('a signature V2 presigned URL is refused with an error naming V4', async () => {
    const expires = Math.floor(Date.now() / 1000) + 300;
    const r = await send(`${off.endpoint}/${BUCKET}/readable.txt?AWSAccessKeyId=${off.accessKeyId}&Expires=${expires}&Signature=abc%3D`, { method: 'GET' });
    assert.ok(r.status === 400 || r.status === 403, `status ${r.status}`);
    assert.match(errorOf(r).Message, /V4|AWS4-HMAC-SHA256|Signature Version 4/i);
  });
});

describe('presigned URLs', () => {
  it('a presigned GET returns the object', async () => {
    const url = presignUrl(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, expiresSeconds: 300 });
    const r = await send(url, { method: 'GET' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, 'readable content');
  });

  it('a presigned PUT stores the body', async () => {
    const url = presignUrl(ts, { method: 'PUT', path: `/${BUCKET}/presigned-put.txt`, expiresSeconds: 300 });
    const r = await send(url, { method: 'PUT', body: 'sent with a presigned URL' });
    assert.equal(r.status, 200, r.text);
    assert.equal(await readFile(onDisk('presigned-put.txt'), 'utf8'), 'sent with a presigned URL');
  });

  it('a presigned GET with response-content-type override is signed over it and honours it', async () => {
    const url = presignUrl(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, query: [['response-content-type', 'text/x-presigned']], expiresSeconds: 60 });
    const r = await send(url, { method: 'GET' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['content-type'], 'text/x-presigned');
  });

  it('an expired URL answers AccessDenied "Request has expired"', async () => {
    const url = presignUrl(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, expiresSeconds: 60, date: new Date(Date.now() - 5 * MINUTE) });
    const r = await send(url, { method: 'GET' });
    assert.equal(r.status, 403);
    const e = errorOf(r);
    assert.equal(e.Code, 'AccessDenied');
    assert.match(e.Message, /Request has expired/);
  });

  it('a URL signed long ago but still valid (1 day of 7) is accepted: presigned URLs are not subject to skew', async () => {
    const url = presignUrl(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, expiresSeconds: 604800, date: new Date(Date.now() - 24 * 60 * MINUTE) });
    const r = await send(url, { method: 'GET' });
    assert.equal(r.status, 200, r.text);
  });

  for (const expires of [0, 604801, -5]) {
    it(`X-Amz-Expires ${expires} (outside 1..604800) is refused`, async () => {
      const url = presignUrl(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, expiresSeconds: expires });
      const r = await send(url, { method: 'GET' });
      assert.ok(r.status === 400 || r.status === 403, `status ${r.status}`);
      assert.equal(errorOf(r).Code, 'AuthorizationQueryParametersError');
    });
  }

  it('a presigned URL for another key, or with a wrong secret, answers SignatureDoesNotMatch', async () => {
    const url = presignUrl(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, expiresSeconds: 60 });
    const moved = await send(url.replace('/readable.txt?', '/other.txt?'), { method: 'GET' });
    assert.equal(moved.status, 403);
    assert.equal(errorOf(moved).Code, 'SignatureDoesNotMatch');
    const wrong = presignUrl(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, expiresSeconds: 60, secretAccessKey: 'nope' });
    const r = await send(wrong, { method: 'GET' });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r).Code, 'SignatureDoesNotMatch');
  });

  it('a presigned URL with an unknown key answers InvalidAccessKeyId', async () => {
    const url = presignUrl(ts, { method: 'GET', path: `/${BUCKET}/readable.txt`, expiresSeconds: 60, accessKeyId: 'AKIDNOBODY0000000000' });
    const r = await send(url, { method: 'GET' });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r).Code, 'InvalidAccessKeyId');
  });
});

describe('payload hashes', () => {
  it('a hex SHA-256 payload hash that matches the body is accepted', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/hashed.txt`, body: 'hashed body' });
    assert.equal(r.status, 200, r.text);
    assert.equal(await readFile(onDisk('hashed.txt'), 'utf8'), 'hashed body');
  });

  it('a payload hash that does not match the body answers XAmzContentSHA256Mismatch and stores nothing', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/mismatch.txt`, body: 'actual body', payloadHash: sha256hex('claimed body') });
    assert.equal(r.status, 400, r.text);
    assert.equal(errorOf(r).Code, 'XAmzContentSHA256Mismatch');
    await assertStillServing();
    assert.equal(existsSync(onDisk('mismatch.txt')), false);
  });

  it('a mismatched payload hash on an overwrite keeps the old object', async () => {
    await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/keep.txt`, body: 'original' });
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/keep.txt`, body: randomBytes(200_000), payloadHash: sha256hex('x') });
    assert.equal(r.status, 400);
    await assertStillServing();
    assert.equal(await readFile(onDisk('keep.txt'), 'utf8'), 'original');
  });

  it('UNSIGNED-PAYLOAD is accepted', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/unsigned.txt`, body: 'unsigned body', payloadHash: 'UNSIGNED-PAYLOAD' });
    assert.equal(r.status, 200, r.text);
    assert.equal(await readFile(onDisk('unsigned.txt'), 'utf8'), 'unsigned body');
  });

  it('a payload hash that is neither hex SHA-256 nor a known mode is refused', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/weird.txt`, body: 'x', payloadHash: 'SOMETHING-ELSE' });
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    await assertStillServing();
    assert.equal(existsSync(onDisk('weird.txt')), false);
  });
});

describe('streaming payloads (aws-chunked)', () => {
  const data = randomBytes(150 * 1024 + 11);

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD: every chunk signed, stored without framing', async () => {
    const r = await chunkedPut(ts, { path: `/${BUCKET}/signed-chunks.bin`, data, mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', chunkSize: 64 * 1024 });
    assert.equal(r.status, 200, r.text);
    assert.ok((await readFile(onDisk('signed-chunks.bin'))).equals(data));
  });

  for (const [label, index] of [['the first chunk', 0], ['a middle chunk', 1], ['the final empty chunk', 3]] as const) {
    it(`STREAMING-AWS4-HMAC-SHA256-PAYLOAD: a bad signature on ${label} answers SignatureDoesNotMatch and stores nothing`, async () => {
      const key = `bad-chunk-${index}.bin`;
      const r = await chunkedPut(ts, { path: `/${BUCKET}/${key}`, data, mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', chunkSize: 64 * 1024, badChunkSignature: index });
      assert.equal(r.status, 403, r.text);
      assert.equal(errorOf(r).Code, 'SignatureDoesNotMatch');
      await assertStillServing();
      assert.equal(existsSync(onDisk(key)), false);
    });
  }

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD: a bad chunk on an overwrite keeps the old object', async () => {
    await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/chunk-keep.bin`, body: 'old' });
    const r = await chunkedPut(ts, { path: `/${BUCKET}/chunk-keep.bin`, data, mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', chunkSize: 64 * 1024, badChunkSignature: 2 });
    assert.equal(r.status, 403);
    await assertStillServing();
    assert.equal(await readFile(onDisk('chunk-keep.bin'), 'utf8'), 'old');
  });

  it('a decoded length that does not match the chunks is refused and stores nothing', async () => {
    const r = await chunkedPut(ts, { path: `/${BUCKET}/short.bin`, data, mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', decodedLength: data.length + 10 });
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
    await assertStillServing();
    assert.equal(existsSync(onDisk('short.bin')), false);
  });

  it('STREAMING-UNSIGNED-PAYLOAD-TRAILER with a right CRC32 trailer stores the bytes and the checksum', async () => {
    const r = await chunkedPut(ts, {
      path: `/${BUCKET}/unsigned-trailer.bin`, data, mode: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      trailer: ['x-amz-checksum-crc32', crc32b64(data)], headers: { 'x-amz-sdk-checksum-algorithm': 'CRC32' },
    });
    assert.equal(r.status, 200, r.text);
    assert.ok((await readFile(onDisk('unsigned-trailer.bin'))).equals(data));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'unsigned-trailer.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC32, crc32b64(data));
  });

  it('STREAMING-UNSIGNED-PAYLOAD-TRAILER with a wrong trailer checksum answers BadDigest and stores nothing', async () => {
    const r = await chunkedPut(ts, {
      path: `/${BUCKET}/bad-trailer.bin`, data, mode: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      trailer: ['x-amz-checksum-crc32', crc32b64(Buffer.from('other'))],
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(errorOf(r).Code, 'BadDigest');
    await assertStillServing();
    assert.equal(existsSync(onDisk('bad-trailer.bin')), false);
  });

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER with a right CRC32C trailer and signature stores the bytes', async () => {
    const r = await chunkedPut(ts, {
      path: `/${BUCKET}/signed-trailer.bin`, data, mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      trailer: ['x-amz-checksum-crc32c', crc32cb64(data)],
    });
    assert.equal(r.status, 200, r.text);
    assert.ok((await readFile(onDisk('signed-trailer.bin'))).equals(data));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'signed-trailer.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC32C, crc32cb64(data));
  });

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER with a bad trailer signature answers SignatureDoesNotMatch', async () => {
    const r = await chunkedPut(ts, {
      path: `/${BUCKET}/bad-trailer-sig.bin`, data, mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      trailer: ['x-amz-checksum-crc32c', crc32cb64(data)], badTrailerSignature: true,
    });
    assert.equal(r.status, 403, r.text);
    assert.equal(errorOf(r).Code, 'SignatureDoesNotMatch');
    await assertStillServing();
    assert.equal(existsSync(onDisk('bad-trailer-sig.bin')), false);
  });

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER with a wrong trailer checksum answers BadDigest', async () => {
    const r = await chunkedPut(ts, {
      path: `/${BUCKET}/bad-trailer-sum.bin`, data, mode: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      trailer: ['x-amz-checksum-crc32c', crc32cb64(Buffer.from('nope'))],
    });
    assert.equal(r.status, 400, r.text);
    assert.equal(errorOf(r).Code, 'BadDigest');
    await assertStillServing();
    assert.equal(existsSync(onDisk('bad-trailer-sum.bin')), false);
  });

  it('an empty body in each streaming mode makes an empty object', async () => {
    for (const mode of ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'] as const) {
      const key = `empty-${mode}.bin`;
      const trailer = mode === 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' ? undefined : (['x-amz-checksum-crc32', crc32b64(Buffer.alloc(0))] as const);
      const r = await chunkedPut(ts, { path: `/${BUCKET}/${key}`, data: Buffer.alloc(0), mode, trailer });
      assert.equal(r.status, 200, `${mode}: ${r.text}`);
      assert.equal((await readFile(onDisk(key))).length, 0, mode);
    }
  });
});
