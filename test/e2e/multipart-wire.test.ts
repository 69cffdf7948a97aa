/**
 * End to end on the wire, with raw signed requests: UploadPart in every SigV4 payload mode (signed, unsigned,
 * aws-chunked with signed chunks, with a signed or unsigned checksum trailer, and a presigned URL), refusals of
 * a bad chunk signature, and the XML documents of the multipart operations as S3 writes them.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  chunkedPut, crc32b64, errorOf, md5hex, parseXml, presignUrl, rawRequest, send, type StreamingMode,
} from './util.js';

const BUCKET = 'mp-wire';
const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
let ts: TestServer;

before(async () => {
  ts = await startServer();
  assert.equal((await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}` })).status, 200);
});
after(async () => {
  await ts?.stop();
});

async function createUpload(key: string): Promise<string> {
  const r = await rawRequest(ts, { method: 'POST', path: `/${BUCKET}/${key}`, query: [['uploads', '']] });
  assert.equal(r.status, 200, r.text);
  const doc = parseXml(r.text)['InitiateMultipartUploadResult'];
  return doc.UploadId;
}

/** An UploadPart whose body is aws-chunked in `mode`, each chunk (and the trailer) signed where the mode says. */
function streamingPart(key: string, query: [string, string][], data: Buffer, mode: StreamingMode, opts: { trailer?: [string, string]; badChunk?: number } = {}) {
  return chunkedPut(ts, { path: `/${BUCKET}/${key}`, query, data, mode, trailer: opts.trailer, badChunkSignature: opts.badChunk });
}

describe('UploadPart in every SigV4 payload mode', () => {
  const key = 'modes.bin';
  let id: string;
  const parts: { n: number; data: Buffer; etag: string }[] = [];

  before(async () => {
    id = await createUpload(key);
  });

  const record = (n: number, data: Buffer, r: { status: number; headers: Record<string, unknown>; text: string }) => {
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers['etag'], `"${md5hex(data)}"`);
    parts.push({ n, data, etag: String(r.headers['etag']) });
  };

  it('signed payload (x-amz-content-sha256 of the body)', async () => {
    const data = randomBytes(5 * 1024 * 1024);
    record(1, data, await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/${key}`, query: [['partNumber', '1'], ['uploadId', id]], body: data }));
  });

  it('UNSIGNED-PAYLOAD', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 1);
    record(2, data, await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/${key}`, query: [['partNumber', '2'], ['uploadId', id]], body: data, payloadHash: 'UNSIGNED-PAYLOAD' }));
  });

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD (signed chunks)', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 2);
    record(3, data, await streamingPart(key, [['partNumber', '3'], ['uploadId', id]], data, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'));
  });

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER with a CRC32 trailer, verified', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 3);
    const r = await streamingPart(key, [['partNumber', '4'], ['uploadId', id]], data, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', { trailer: ['x-amz-checksum-crc32', crc32b64(data)] });
    record(4, data, r);
    assert.equal(r.headers['x-amz-checksum-crc32'], crc32b64(data));
  });

  it('STREAMING-UNSIGNED-PAYLOAD-TRAILER, and a trailer that does not match is BadDigest', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 4);
    const bad = await streamingPart(key, [['partNumber', '5'], ['uploadId', id]], data, 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', { trailer: ['x-amz-checksum-crc32', crc32b64(Buffer.from('no'))] });
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).Code, 'BadDigest');
    record(5, data, await streamingPart(key, [['partNumber', '5'], ['uploadId', id]], data, 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', { trailer: ['x-amz-checksum-crc32', crc32b64(data)] }));
  });

  it('a presigned URL', async () => {
    const data = randomBytes(1000);
    const url = presignUrl(ts, { method: 'PUT', path: `/${BUCKET}/${key}`, query: [['partNumber', '6'], ['uploadId', id]], expiresSeconds: 300 });
    record(6, data, await send(url, { method: 'PUT', body: data }));
  });

  it('a bad chunk signature is refused (403) and stores no part', async () => {
    const data = randomBytes(300 * 1024);
    const r = await streamingPart(key, [['partNumber', '7'], ['uploadId', id]], data, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', { badChunk: 2 });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r).Code, 'SignatureDoesNotMatch');
    const listed = parseXml((await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/${key}`, query: [['uploadId', id]] })).text)['ListPartsResult'];
    const numbers = [listed.Part].flat().map((p: { PartNumber: string }) => Number(p.PartNumber));
    assert.deepEqual(numbers, parts.map((p) => p.n));
  });

  it('the parts sent in all these ways complete into exactly their bytes', async () => {
    const xml = `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.n}</PartNumber><ETag>${p.etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const r = await rawRequest(ts, { method: 'POST', path: `/${BUCKET}/${key}`, query: [['uploadId', id]], body: xml });
    assert.equal(r.status, 200, r.text);
    const got = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/${key}`, timeoutMs: 30_000 });
    assert.equal(md5hex(got.body), md5hex(Buffer.concat(parts.map((p) => p.data))));
  });
});

describe('XML documents', () => {
  it('InitiateMultipartUploadResult, CompleteMultipartUploadResult and ListPartsResult in the S3 namespace', async () => {
    const key = 'docs/a b&c.txt';
    const path = `/${BUCKET}/docs/a%20b%26c.txt`;
    const init = await rawRequest(ts, { method: 'POST', path, query: [['uploads', '']] });
    assert.match(init.text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<InitiateMultipartUploadResult xmlns="http:\/\/s3\.amazonaws\.com\/doc\/2006-03-01\/">/);
    const doc = parseXml(init.text)['InitiateMultipartUploadResult'];
    assert.equal(doc.Bucket, BUCKET);
    assert.equal(doc.Key, key);
    assert.match(doc.UploadId, /^[0-9a-f]{44}$/);
    const part = await rawRequest(ts, { method: 'PUT', path, query: [['partNumber', '1'], ['uploadId', doc.UploadId]], body: 'hello' });
    const list = await rawRequest(ts, { method: 'GET', path, query: [['uploadId', doc.UploadId]] });
    assert.ok(list.text.includes(`<ListPartsResult xmlns="${S3_XMLNS}">`));
    const listed = parseXml(list.text)['ListPartsResult'];
    assert.equal(listed.Part.ETag, part.headers['etag']);
    assert.equal(listed.Part.Size, '5');
    const done = await rawRequest(ts, { method: 'POST', path, query: [['uploadId', doc.UploadId]],
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUpload xmlns="${S3_XMLNS}"><Part><ETag>${part.headers['etag']}</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>` });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.headers['content-type'], 'application/xml');
    const result = parseXml(done.text)['CompleteMultipartUploadResult'];
    const md5s = createHash('md5').update(Buffer.from(md5hex('hello'), 'hex')).digest('hex');
    assert.equal(result.ETag, `"${md5s}-1"`);
    assert.equal(result.Bucket, BUCKET);
    assert.equal(result.Key, key);
    assert.equal(result.Location, `${ts.endpoint}${path}`);
  });

  it('NoSuchUpload names the upload id; an upload id on a bucket-level POST is not an upload operation', async () => {
    const r = await rawRequest(ts, { method: 'DELETE', path: `/${BUCKET}/x`, query: [['uploadId', 'a'.repeat(44)]] });
    assert.equal(r.status, 404);
    const e = errorOf(r);
    assert.equal(e.Code, 'NoSuchUpload');
    assert.equal(e['UploadId'], 'a'.repeat(44));
    assert.equal(e.Resource, `/${BUCKET}/x`);
  });
});
