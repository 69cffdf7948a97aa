/**
 * @aws-sdk/lib-storage's Upload of 25 MiB with the SDK's default checksums (CRC32 on every part): the object
 * round-trips byte for byte, and the checksum the SDK asked for is the object's, verified by the SDK on GET.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { fileDigest } from '../helpers/files.js';

const BUCKET = 'lib-storage-mp';
const SIZE = 25 * 1024 * 1024;

describe('@aws-sdk/lib-storage Upload', () => {
  let server: TestServer;
  let s3: S3Client;
  const data = randomBytes(SIZE);
  const md5 = createHash('md5').update(data).digest('hex');

  before(async () => {
    ({ ts: server, s3 } = await startWithBuckets([BUCKET]));
  });
  after(async () => {
    await server?.stop();
  });

  it('uploads 25 MiB from a stream in 5 MiB parts, 4 at a time, with default checksums', async () => {
    const upload = new Upload({
      client: s3,
      params: { Bucket: BUCKET, Key: 'lib/storage.bin', Body: Readable.from((function* () {
        for (let i = 0; i < SIZE; i += 1024 * 1024) yield data.subarray(i, i + 1024 * 1024);
      })()), ContentType: 'application/x-lib-storage' },
      queueSize: 4,
      partSize: 5 * 1024 * 1024,
    });
    const out = await upload.done();
    assert.match(out.ETag ?? '', /^"[0-9a-f]{32}-5"$/);
    assert.equal(await fileDigest(`${server.root}/${BUCKET}/lib/storage.bin`, 'md5'), md5, 'bytes on disk');
    assert.deepEqual((await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? [], [], 'no upload left open');
  });

  it('downloads it byte for byte; the SDK verifies the stored checksum when it is a full-object one', async () => {
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'lib/storage.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ContentLength, SIZE);
    assert.equal(head.ContentType, 'application/x-lib-storage');
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'lib/storage.bin', ChecksumMode: 'ENABLED' }));
    const hash = createHash('md5');
    for await (const chunk of got.Body as AsyncIterable<Buffer>) hash.update(chunk);
    assert.equal(hash.digest('hex'), md5);
  });

  it('an Upload that fails midway aborts its upload: nothing is left open, no object appears', async () => {
    const failing = Readable.from((function* () {
      yield randomBytes(6 * 1024 * 1024);
      throw new Error('the source broke');
    })());
    const upload = new Upload({ client: s3, params: { Bucket: BUCKET, Key: 'lib/broken.bin', Body: failing }, partSize: 5 * 1024 * 1024, leavePartsOnError: false });
    await assert.rejects(upload.done(), /the source broke/);
    const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    assert.deepEqual(open.Uploads ?? [], []);
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'lib/broken.bin' })));
  });
});
