/**
 * End to end with @aws-sdk/client-s3: the multipart life cycle and every rule of it — part numbers, replacement,
 * Content-MD5, ETags, the Complete rules (order, parts, sizes), metadata from Create, Abort, retries, concurrent
 * Completes and Aborts, conditions, conflicts, and atomic replacement as readers see it.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand,
  GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, ListPartsCommand,
  PutObjectCommand, S3Client, UploadPartCommand, type CompletedPart,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { bodyBytes, errorOf, md5b64, md5hex, rawRequest, sdkError } from './util.js';

const MiB = 1024 * 1024;
const BUCKET = 'multipart';
let ts: TestServer;
let s3: S3Client;

before(async () => ({ ts, s3 } = await startWithBuckets([BUCKET])));
after(() => ts?.stop());

const mpDir = () => join(ts.root, BUCKET, '.dirbucket', 'multipart');

async function create(key: string, extra: Record<string, unknown> = {}): Promise<string> {
  const out = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...extra }));
  assert.ok(out.UploadId);
  return out.UploadId;
}

async function uploadPart(key: string, uploadId: string, n: number, data: Buffer, extra: Record<string, unknown> = {}): Promise<CompletedPart> {
  const out = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: n, Body: data, ...extra }));
  return { PartNumber: n, ETag: out.ETag };
}

/** Uploads parts of the given sizes (random bytes) and returns the data and the Complete list. */
async function uploadAll(key: string, uploadId: string, sizes: number[]): Promise<{ data: Buffer; parts: CompletedPart[]; datas: Buffer[] }> {
  const datas = sizes.map((n) => randomBytes(n));
  const parts: CompletedPart[] = [];
  for (let i = 0; i < datas.length; i++) parts.push(await uploadPart(key, uploadId, i + 1, datas[i]!));
  return { data: Buffer.concat(datas), parts, datas };
}

const complete = (key: string, uploadId: string, parts: CompletedPart[], extra: Record<string, unknown> = {}) =>
  s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts }, ...extra }));

async function getBytes(key: string): Promise<Buffer> {
  return bodyBytes((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body);
}

function multipartEtag(datas: Buffer[]): string {
  const md5s = Buffer.concat(datas.map((d) => createHash('md5').update(d).digest()));
  return `"${createHash('md5').update(md5s).digest('hex')}-${datas.length}"`;
}

describe('the multipart life cycle', () => {
  it('creates, uploads parts, completes: the object is the parts joined, with ETag md5(part md5s)-N', async () => {
    const key = 'life/cycle.bin';
    const id = await create(key, { ContentType: 'video/mp2t', Metadata: { origin: 'camera-7' }, CacheControl: 'max-age=60', ContentDisposition: 'attachment' });
    const { data, parts, datas } = await uploadAll(key, id, [5 * MiB, 5 * MiB + 1, 12_345]);
    for (let i = 0; i < parts.length; i++) assert.equal(parts[i]!.ETag, `"${md5hex(datas[i]!)}"`, 'a part ETag is the MD5 of the part');
    const out = await complete(key, id, parts);
    assert.equal(out.ETag, multipartEtag(datas));
    assert.equal(out.Key, key);
    assert.equal(out.Bucket, BUCKET);
    assert.match(out.Location ?? '', new RegExp(`/${BUCKET}/life/cycle\\.bin$`));
    assert.ok((await getBytes(key)).equals(data));
    assert.ok((await readFile(join(ts.root, BUCKET, 'life', 'cycle.bin'))).equals(data), 'the file on disk is the object');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.equal(head.ETag, out.ETag);
    assert.equal(head.ContentLength, data.length);
    assert.equal(head.ContentType, 'video/mp2t');
    assert.deepEqual(head.Metadata, { origin: 'camera-7' });
    assert.equal(head.CacheControl, 'max-age=60');
    assert.equal(head.ContentDisposition, 'attachment');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'life/' }));
    assert.deepEqual(listed.Contents?.map((o) => [o.Key, o.Size, o.ETag]), [[key, data.length, out.ETag]]);
    assert.ok(!readdirSync(mpDir()).includes(id), 'the upload directory is gone');
  });

  it('a one-part upload of any size, even empty, completes', async () => {
    for (const size of [0, 1, 3 * MiB]) {
      const key = `one-part-${size}`;
      const id = await create(key);
      const { data, parts } = await uploadAll(key, id, [size]);
      const out = await complete(key, id, parts);
      assert.match(out.ETag ?? '', /^"[0-9a-f]{32}-1"$/);
      assert.ok((await getBytes(key)).equals(data), `size ${size}`);
    }
  });

  it('parts may be uploaded in any order and with gaps; the Complete list decides', async () => {
    const key = 'gaps.bin';
    const id = await create(key);
    const a = randomBytes(5 * MiB);
    const b = randomBytes(100);
    const pb = await uploadPart(key, id, 9, b);
    const pa = await uploadPart(key, id, 3, a);
    await uploadPart(key, id, 5, randomBytes(10)); // uploaded, never completed: not part of the object
    await complete(key, id, [pa, pb]);
    assert.ok((await getBytes(key)).equals(Buffer.concat([a, b])));
  });

  it('uploading a part number again replaces it', async () => {
    const key = 'replace.bin';
    const id = await create(key);
    const old = await uploadPart(key, id, 1, Buffer.from('the first try'));
    const fresh = await uploadPart(key, id, 1, Buffer.from('the second try, which wins'));
    const parts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.deepEqual(parts.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]), [[1, fresh.ETag, 26]]);
    const e = await sdkError(() => complete(key, id, [old]));
    assert.equal(e.name, 'InvalidPart');
    await complete(key, id, [fresh]);
    assert.equal((await getBytes(key)).toString(), 'the second try, which wins');
  });

  it('tags given at Create are the completed object\'s', async () => {
    const key = 'tagged.bin';
    const id = await create(key, { Tagging: 'project=apollo&stage=raw' });
    const { parts } = await uploadAll(key, id, [10]);
    await complete(key, id, parts);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
    assert.deepEqual(tags.TagSet?.map((t) => [t.Key, t.Value]).sort(), [['project', 'apollo'], ['stage', 'raw']]);
  });

  it('metadata, content type and user metadata come from Create; a plain key gets its extension\'s type', async () => {
    const id = await create('typed/file.json');
    const { parts } = await uploadAll('typed/file.json', id, [10]);
    await complete('typed/file.json', id, parts);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'typed/file.json' }));
    assert.equal(head.ContentType, 'application/json');
  });
});

describe('UploadPart rules', () => {
  it('part numbers outside 1..10000 are InvalidArgument and nothing is stored', async () => {
    const key = 'numbers.bin';
    const id = await create(key);
    for (const n of ['0', '10001', '-1', 'abc', '1.5', '']) {
      const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/${key}`, query: [['partNumber', n], ['uploadId', id]], body: 'x' });
      assert.equal(r.status, 400, `partNumber=${n}`);
      assert.equal(errorOf(r).Code, 'InvalidArgument', `partNumber=${n}`);
    }
    const ok = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/${key}`, query: [['partNumber', '10000'], ['uploadId', id]], body: 'x' });
    assert.equal(ok.status, 200);
    const parts = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.deepEqual(parts.Parts?.map((p) => p.PartNumber), [10000]);
  });

  it('a wrong Content-MD5 is BadDigest; a right one is accepted', async () => {
    const key = 'md5.bin';
    const id = await create(key);
    const data = randomBytes(1000);
    const e = await sdkError(() => uploadPart(key, id, 1, data, { ContentMD5: md5b64('something else') }));
    assert.equal(e.name, 'BadDigest');
    const ok = await uploadPart(key, id, 1, data, { ContentMD5: md5b64(data) });
    assert.equal(ok.ETag, `"${md5hex(data)}"`);
  });

  it('an unknown or malformed upload id is NoSuchUpload (404)', async () => {
    for (const id of ['0'.repeat(44), 'not-an-upload-id', '../../x']) {
      const e = await sdkError(() => uploadPart('k', id, 1, Buffer.from('x')));
      assert.equal(e.name, 'NoSuchUpload', id);
      assert.equal(e.status, 404);
    }
  });

  it('an upload addressed with another key is NoSuchUpload', async () => {
    const id = await create('right-key');
    const e = await sdkError(() => uploadPart('wrong-key', id, 1, Buffer.from('x')));
    assert.equal(e.name, 'NoSuchUpload');
  });
});

describe('CompleteMultipartUpload rules', () => {
  it('parts out of order are InvalidPartOrder; the upload stays and completes afterwards', async () => {
    const key = 'order.bin';
    const id = await create(key);
    const { data, parts } = await uploadAll(key, id, [5 * MiB, 10]);
    for (const bad of [[parts[1]!, parts[0]!], [parts[0]!, parts[0]!]]) {
      const e = await sdkError(() => complete(key, id, bad));
      assert.equal(e.name, 'InvalidPartOrder');
      assert.equal(e.status, 400);
    }
    await complete(key, id, parts);
    assert.ok((await getBytes(key)).equals(data));
  });

  it('a part not uploaded, or a wrong ETag, is InvalidPart', async () => {
    const key = 'invalid-part.bin';
    const id = await create(key);
    const { parts } = await uploadAll(key, id, [5 * MiB, 10]);
    assert.equal((await sdkError(() => complete(key, id, [parts[0]!, { PartNumber: 3, ETag: parts[1]!.ETag }]))).name, 'InvalidPart');
    assert.equal((await sdkError(() => complete(key, id, [parts[0]!, { PartNumber: 2, ETag: `"${'0'.repeat(32)}"` }]))).name, 'InvalidPart');
  });

  it('a part under 5 MiB that is not the last is EntityTooSmall', async () => {
    const key = 'small.bin';
    const id = await create(key);
    const { parts } = await uploadAll(key, id, [5 * MiB - 1, 5 * MiB]);
    const e = await sdkError(() => complete(key, id, parts));
    assert.equal(e.name, 'EntityTooSmall');
    assert.equal(e.status, 400);
  });

  it('an empty part list or a broken body is MalformedXML', async () => {
    const key = 'malformed.bin';
    const id = await create(key);
    for (const xml of ['<CompleteMultipartUpload></CompleteMultipartUpload>', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>', 'not xml']) {
      const r = await rawRequest(ts, { method: 'POST', path: `/${BUCKET}/${key}`, query: [['uploadId', id]], body: xml });
      assert.equal(r.status, 400, xml);
      assert.equal(errorOf(r).Code, 'MalformedXML', xml);
    }
  });

  it('Complete of an unknown upload is NoSuchUpload', async () => {
    const e = await sdkError(() => complete('k', '1'.repeat(44), [{ PartNumber: 1, ETag: '"x"' }]));
    assert.equal(e.name, 'NoSuchUpload');
  });

  it('If-None-Match: * on an existing key is PreconditionFailed; If-Match must name the current ETag', async () => {
    const key = 'conditional.bin';
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'the old object' }));
    const id = await create(key);
    const { data, parts } = await uploadAll(key, id, [100]);
    const e1 = await sdkError(() => complete(key, id, parts, { IfNoneMatch: '*' }));
    assert.equal(e1.status, 412);
    const e2 = await sdkError(() => complete(key, id, parts, { IfMatch: '"0123456789abcdef0123456789abcdef"' }));
    assert.equal(e2.status, 412);
    assert.equal((await getBytes(key)).toString(), 'the old object');
    await complete(key, id, parts, { IfMatch: put.ETag });
    assert.ok((await getBytes(key)).equals(data));
    const fresh = await create('conditional-new.bin');
    const more = await uploadAll('conditional-new.bin', fresh, [5]);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'conditional-new.bin', UploadId: fresh, MultipartUpload: { Parts: more.parts }, IfNoneMatch: '*' }));
  });

  it('a key whose name is taken by a directory, or under a file, is KeyConflict (409); nothing is overwritten', async () => {
    await mkdir(join(ts.root, BUCKET, 'taken', 'dir'), { recursive: true });
    await writeFile(join(ts.root, BUCKET, 'taken', 'dir', 'child'), 'child');
    await writeFile(join(ts.root, BUCKET, 'taken', 'file'), 'a file');
    for (const key of ['taken/dir', 'taken/file/below']) {
      const id = await create(key);
      const { parts } = await uploadAll(key, id, [10]);
      const e = await sdkError(() => complete(key, id, parts));
      assert.equal(e.status, 409, key);
      assert.equal(e.name, 'KeyConflict', key);
    }
    assert.equal(await readFile(join(ts.root, BUCKET, 'taken', 'file'), 'utf8'), 'a file');
  });
});

describe('AbortMultipartUpload', () => {
  it('frees the parts at once; later calls are NoSuchUpload', async () => {
    const key = 'abort.bin';
    const id = await create(key);
    await uploadAll(key, id, [5 * MiB, 5 * MiB]);
    assert.ok(readdirSync(join(mpDir(), id)).length >= 5);
    const out = await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    assert.ok(!existsSync(join(mpDir(), id)), 'no part is left on disk');
    assert.equal((await sdkError(() => s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id })))).name, 'NoSuchUpload');
    assert.equal((await sdkError(() => uploadPart(key, id, 3, Buffer.from('x')))).name, 'NoSuchUpload');
    assert.equal((await sdkError(() => s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id })))).name, 'NoSuchUpload');
    assert.equal((await sdkError(() => complete(key, id, [{ PartNumber: 1, ETag: '"x"' }]))).name, 'NoSuchUpload');
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
    assert.deepEqual(uploads.Uploads ?? [], []);
    assert.equal((await sdkError(() => s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).status, 404);
  });
});

describe('retries and concurrency', () => {
  it('a resent Complete gets the same success, not NoSuchUpload', async () => {
    const key = 'retry.bin';
    const id = await create(key);
    const { data, parts } = await uploadAll(key, id, [5 * MiB, 100]);
    const first = await complete(key, id, parts);
    const again = await complete(key, id, parts);
    assert.equal(again.ETag, first.ETag);
    assert.equal(again.$metadata.httpStatusCode, 200);
    assert.ok((await getBytes(key)).equals(data));
    // A different part list for a completed upload is not a retry.
    assert.equal((await sdkError(() => complete(key, id, [parts[0]!]))).name, 'NoSuchUpload');
  });

  it('concurrent Completes of one upload all answer the same success; the object is whole', async () => {
    const key = 'concurrent.bin';
    const id = await create(key);
    const { data, parts } = await uploadAll(key, id, [5 * MiB, 5 * MiB, 5 * MiB]);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => complete(key, id, parts)));
    for (const r of results) assert.equal(r.ETag, results[0]!.ETag);
    assert.ok((await getBytes(key)).equals(data));
  });

  it('Complete and Abort at once: the object is whole and the abort fails, or there is neither object nor upload', async () => {
    for (let round = 0; round < 3; round++) {
      const key = `complete-vs-abort-${round}.bin`;
      const id = await create(key);
      const { data, parts } = await uploadAll(key, id, [5 * MiB, 5 * MiB]);
      const [c, a] = await Promise.allSettled([complete(key, id, parts), s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id }))]);
      if (c.status === 'fulfilled') {
        assert.equal(a.status, 'rejected');
        assert.equal((a as PromiseRejectedResult).reason.name, 'NoSuchUpload');
        assert.ok((await getBytes(key)).equals(data));
      } else {
        assert.equal(a.status, 'fulfilled');
        assert.equal(c.reason.name, 'NoSuchUpload');
        assert.equal((await sdkError(() => s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).status, 404);
      }
    }
  });

  it('readers during a Complete that replaces a key see the whole old object or the whole new one', async () => {
    const key = 'replaced-under-readers.bin';
    const old = randomBytes(3 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: old }));
    const id = await create(key);
    const { data, parts } = await uploadAll(key, id, [5 * MiB, 5 * MiB, 5 * MiB, 5 * MiB]);
    const known = new Set([md5hex(old), md5hex(data)]);
    let done = false;
    const reads: Promise<string>[] = [];
    const reader = (async () => {
      for (let i = 0; i < 200 && !done; i++) reads.push(getBytes(key).then((b) => md5hex(b)));
    })();
    await complete(key, id, parts);
    done = true;
    await reader;
    for (const digest of await Promise.all(reads)) assert.ok(known.has(digest), 'a reader saw a partial object');
    assert.ok((await getBytes(key)).equals(data));
  });

  it('an upload in progress is invisible in the tree and in listings', async () => {
    const key = 'invisible/until-complete.bin';
    const id = await create(key);
    await uploadAll(key, id, [5 * MiB]);
    assert.ok(!existsSync(join(ts.root, BUCKET, 'invisible')), 'no directory or file appears before Complete');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'invisible' }));
    assert.equal(listed.KeyCount, 0);
    const listedAll = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    assert.ok(!(listedAll.Contents ?? []).some((o) => o.Key?.includes('.dirbucket')), 'internal state never listed');
  });
});

describe('CreateMultipartUpload refusals', () => {
  it('a key ending in / (a directory object) is refused; so is an archive class without an archive tier, or an unknown class', async () => {
    assert.equal((await sdkError(() => create('folder/'))).name, 'InvalidArgument');
    const glacier = await sdkError(() => create('x', { StorageClass: 'GLACIER' }));
    assert.deepEqual([glacier.status, glacier.name], [400, 'InvalidStorageClass']);
    assert.match(glacier.message, /--archive-dir/);
    assert.equal((await sdkError(() => create('x', { StorageClass: 'FROZEN' as 'GLACIER' }))).name, 'InvalidStorageClass');
    await create('x', { StorageClass: 'STANDARD' });
  });

  it('an unknown checksum algorithm or type, or a type the algorithm cannot have, is InvalidRequest', async () => {
    const r = await rawRequest(ts, { method: 'POST', path: `/${BUCKET}/sums`, query: [['uploads', '']], headers: { 'x-amz-checksum-algorithm': 'MD5' } });
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).Code, 'InvalidRequest');
    for (const [alg, type] of [['SHA256', 'FULL_OBJECT'], ['SHA1', 'FULL_OBJECT'], ['CRC64NVME', 'COMPOSITE'], ['CRC32', 'PARTIAL']]) {
      const e = await rawRequest(ts, { method: 'POST', path: `/${BUCKET}/sums`, query: [['uploads', '']], headers: { 'x-amz-checksum-algorithm': alg!, 'x-amz-checksum-type': type! } });
      assert.equal(e.status, 400, `${alg} ${type}`);
      assert.equal(errorOf(e).Code, 'InvalidRequest', `${alg} ${type}`);
    }
  });
});
