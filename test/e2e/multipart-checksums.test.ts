/**
 * End to end: multipart checksums in every algorithm and both S3 types, against values computed here from the
 * bytes: per part (UploadPart, ListParts), for the object (Complete, HEAD/GET in checksum mode — which the SDK
 * itself verifies against the body — and GetObjectAttributes), and for one part (GET ?partNumber).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  type ChecksumAlgorithm, type ChecksumType, CompleteMultipartUploadCommand, type CompletedPart, CreateMultipartUploadCommand, GetObjectAttributesCommand, GetObjectCommand, HeadObjectCommand, ListPartsCommand,
  S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { bodyBytes, crc32b64, crc32cb64, crc64nvmeb64, digestb64, errorOf, rawRequest, sdkError } from './util.js';

const MiB = 1024 * 1024;
const BUCKET = 'mp-sums';
let ts: TestServer;
let s3: S3Client;

type Field = 'ChecksumCRC32' | 'ChecksumCRC32C' | 'ChecksumCRC64NVME' | 'ChecksumSHA1' | 'ChecksumSHA256';
interface Alg { name: ChecksumAlgorithm; field: Field; of: (b: Buffer) => string }
const ALGS: Alg[] = [
  { name: 'CRC32', field: 'ChecksumCRC32', of: crc32b64 },
  { name: 'CRC32C', field: 'ChecksumCRC32C', of: crc32cb64 },
  { name: 'CRC64NVME', field: 'ChecksumCRC64NVME', of: crc64nvmeb64 },
  { name: 'SHA1', field: 'ChecksumSHA1', of: (b) => digestb64('sha1', b) },
  { name: 'SHA256', field: 'ChecksumSHA256', of: (b) => digestb64('sha256', b) },
];
const raw = (b64: string) => Buffer.from(b64, 'base64');

before(async () => ({ ts, s3 } = await startWithBuckets([BUCKET])));
after(() => ts?.stop());

/** Creates an upload with `alg`/`type` and uploads `datas` as parts 1..N with the SDK computing each part's checksum. */
async function upload(key: string, alg: Alg, type: ChecksumType, datas: Buffer[]): Promise<{ id: string; parts: CompletedPart[] }> {
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: alg.name, ChecksumType: type }));
  assert.equal(created.ChecksumAlgorithm, alg.name);
  assert.equal(created.ChecksumType, type);
  const parts: CompletedPart[] = [];
  for (let i = 0; i < datas.length; i++) {
    const out = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: created.UploadId, PartNumber: i + 1, Body: datas[i], ChecksumAlgorithm: alg.name }));
    assert.equal(out[alg.field], alg.of(datas[i]!), `part ${i + 1} checksum`);
    parts.push({ PartNumber: i + 1, ETag: out.ETag, [alg.field]: out[alg.field] });
  }
  return { id: created.UploadId!, parts };
}

for (const alg of ALGS) {
  const types: ChecksumType[] = alg.name === 'CRC64NVME' ? ['FULL_OBJECT'] : alg.name.startsWith('CRC') ? ['COMPOSITE', 'FULL_OBJECT'] : ['COMPOSITE'];
  for (const type of types) {
    describe(`${alg.name} ${type}`, () => {
      const key = `obj-${alg.name}-${type}`;
      const datas = [randomBytes(5 * MiB), randomBytes(5 * MiB + 17), randomBytes(4321)];
      const whole = Buffer.concat(datas);
      const expected = type === 'COMPOSITE'
        ? `${alg.of(Buffer.concat(datas.map((d) => raw(alg.of(d)))))}-${datas.length}`
        : alg.of(whole);

      it('parts carry their checksums; Complete answers the object\'s; HEAD, GET and GetObjectAttributes return it', async () => {
        const { id, parts } = await upload(key, alg, type, datas);
        const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
        assert.deepEqual(listed.Parts?.map((p) => p[alg.field]), datas.map(alg.of));
        assert.equal(listed.ChecksumAlgorithm, alg.name);
        assert.equal(listed.ChecksumType, type);
        const done = await s3.send(new CompleteMultipartUploadCommand({
          Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: parts },
          ...(type === 'FULL_OBJECT' ? { [alg.field]: expected, ChecksumType: 'FULL_OBJECT' } : {}),
        }));
        assert.equal(done[alg.field], expected);
        assert.equal(done.ChecksumType, type);
        const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
        assert.equal(head[alg.field], expected);
        assert.equal(head.ChecksumType, type);
        // The SDK checks a full-object checksum against the body it reads (and skips composite ones).
        const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
        assert.equal(get[alg.field], expected);
        assert.ok((await bodyBytes(get.Body)).equals(whole));
        const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: key, ObjectAttributes: ['Checksum', 'ObjectParts'] }));
        assert.equal(attrs.Checksum?.[alg.field], expected);
        assert.equal(attrs.Checksum?.ChecksumType, type);
        assert.deepEqual(attrs.ObjectParts?.Parts?.map((p) => p[alg.field]), datas.map(alg.of));
      });

      it('GET ?partNumber in checksum mode returns the part\'s own checksum, which the SDK verifies', async () => {
        const part = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 2, ChecksumMode: 'ENABLED' }));
        assert.equal(part[alg.field], alg.of(datas[1]!));
        assert.ok((await bodyBytes(part.Body)).equals(datas[1]!));
      });
    });
  }
}

describe('checksum errors', () => {
  const datas = [randomBytes(5 * MiB), randomBytes(100)];

  it('a part checksum in Complete that is not the part\'s is InvalidPart', async () => {
    const { id, parts } = await upload('bad-part-sum', ALGS[0]!, 'COMPOSITE', datas);
    const wrong = parts.map((p, i) => (i === 1 ? { ...p, ChecksumCRC32: crc32b64(Buffer.from('other')) } : p));
    const e = await sdkError(() => s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'bad-part-sum', UploadId: id, MultipartUpload: { Parts: wrong } })));
    assert.equal(e.name, 'InvalidPart');
    // The upload is intact: the right list completes it.
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'bad-part-sum', UploadId: id, MultipartUpload: { Parts: parts } }));
  });

  it('a COMPOSITE Complete without the part checksums is InvalidRequest naming the missing part', async () => {
    const { id, parts } = await upload('missing-part-sum', ALGS[1]!, 'COMPOSITE', datas);
    const bare = parts.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag }));
    const e = await sdkError(() => s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'missing-part-sum', UploadId: id, MultipartUpload: { Parts: bare } })));
    assert.equal(e.name, 'InvalidRequest');
    assert.match(e.message, /missing for part 1/);
  });

  it('a FULL_OBJECT checksum in Complete that is not the object\'s is BadDigest', async () => {
    const { id, parts } = await upload('bad-full-sum', ALGS[2]!, 'FULL_OBJECT', datas);
    const e = await sdkError(() => s3.send(new CompleteMultipartUploadCommand({
      Bucket: BUCKET, Key: 'bad-full-sum', UploadId: id, MultipartUpload: { Parts: parts }, ChecksumCRC64NVME: crc64nvmeb64(Buffer.from('not it')), ChecksumType: 'FULL_OBJECT',
    })));
    assert.equal(e.name, 'BadDigest');
  });

  it('a part whose checksum header does not match its body is BadDigest; another algorithm than the upload\'s is InvalidRequest', async () => {
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'part-sum', ChecksumAlgorithm: 'SHA256' }));
    const q: [string, string][] = [['partNumber', '1'], ['uploadId', created.UploadId!]];
    const bad = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/part-sum`, query: q, body: 'hello', headers: { 'x-amz-checksum-sha256': digestb64('sha256', Buffer.from('world')) } });
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).Code, 'BadDigest');
    const other = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/part-sum`, query: q, body: 'hello', headers: { 'x-amz-checksum-crc32': crc32b64(Buffer.from('hello')) } });
    assert.equal(other.status, 400);
    assert.equal(errorOf(other).Code, 'InvalidRequest');
    const ok = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/part-sum`, query: q, body: 'hello' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-amz-checksum-sha256'], digestb64('sha256', Buffer.from('hello')), 'computed with the upload\'s algorithm when the part names none');
  });
});
