/**
 * The archive tier on upload: GLACIER, DEEP_ARCHIVE and GLACIER_IR data goes to --archive-dir and an empty stub
 * stays at the path; the other classes stay in the tree and are reported as given; GET of GLACIER/DEEP_ARCHIVE is
 * refused (403 InvalidObjectState), GLACIER_IR is read from the tier; HEAD, listings and GetObjectAttributes show
 * the real size and the class; a NAS write over a stub makes a new object. Checked on disk as well as on the wire.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand, GetObjectCommand,
  HeadObjectCommand, ListObjectsCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutObjectCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { md5hex, sdkError } from './util.js';

const B = 'cold';
let ts: TestServer;
let s3: S3Client;
let archive: string;

/** Every data file in the tier (recursively), by name, with its bytes. */
function tierFiles(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else out.set(e.name, readFileSync(join(dir, e.name)));
    }
  };
  if (existsSync(archive)) walk(archive);
  return out;
}

/** The tier file holding exactly `data`, asserting there is one. */
function inTier(data: Buffer): string {
  const found = [...tierFiles()].filter(([, bytes]) => bytes.equals(data));
  assert.equal(found.length, 1, 'the data is in the tier exactly once');
  return found[0]![0];
}

const put = (key: string, body: Buffer, StorageClass?: string) =>
  s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: body, ...(StorageClass ? { StorageClass: StorageClass as 'GLACIER' } : {}) }));

before(async () => {
  archive = await mkdtemp(join(tmpdir(), 'dirbucket-tier-'));
  ({ ts, s3 } = await startWithBuckets([B], { args: ['--archive-dir', archive] }));
});
after(async () => {
  await ts?.stop();
  await rm(archive, { recursive: true, force: true });
});

describe('archive classes on upload', () => {
  it('GLACIER: the data goes to the tier, an empty stub stays; HEAD and listings show size and class; GET is refused', async () => {
    const data = randomBytes(300_000);
    const put1 = await put('deep/g.bin', data, 'GLACIER');
    assert.equal(put1.ETag, `"${md5hex(data)}"`);
    const stub = join(ts.root, B, 'deep', 'g.bin');
    assert.equal(statSync(stub).size, 0, 'the stub is empty');
    inTier(data);
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'deep/g.bin' }));
    assert.deepEqual([head.ContentLength, head.StorageClass, head.ETag, head.Restore], [data.length, 'GLACIER', `"${md5hex(data)}"`, undefined]);
    const get = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: B, Key: 'deep/g.bin' })));
    assert.deepEqual([get.status, get.name], [403, 'InvalidObjectState']);
    assert.equal(get.raw.StorageClass, 'GLACIER');
    const v2 = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'deep/' }));
    assert.deepEqual(v2.Contents?.map((o) => [o.Key, o.Size, o.StorageClass]), [['deep/g.bin', data.length, 'GLACIER']]);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: B, Prefix: 'deep/' }));
    assert.deepEqual(v1.Contents?.map((o) => [o.Size, o.StorageClass]), [[data.length, 'GLACIER']]);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: B, Prefix: 'deep/' }));
    assert.deepEqual(versions.Versions?.map((o) => [o.Size, o.StorageClass]), [[data.length, 'GLACIER']]);
    const attrs = await s3.send(new GetObjectAttributesCommand({ Bucket: B, Key: 'deep/g.bin', ObjectAttributes: ['StorageClass', 'ObjectSize', 'ETag'] }));
    assert.deepEqual([attrs.StorageClass, attrs.ObjectSize, attrs.ETag], ['GLACIER', data.length, md5hex(data)]);
    // A range GET is refused the same way, and so is a copy of it.
    assert.equal((await sdkError(() => s3.send(new GetObjectCommand({ Bucket: B, Key: 'deep/g.bin', Range: 'bytes=0-9' })))).name, 'InvalidObjectState');
    assert.equal((await sdkError(() => s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy-of-g', CopySource: `${B}/deep/g.bin` })))).name, 'InvalidObjectState');
    assert.ok(!existsSync(join(ts.root, B, 'copy-of-g')));
  });

  it('DEEP_ARCHIVE likewise; GLACIER_IR is read straight from the tier, ranges included', async () => {
    const deep = randomBytes(5000);
    await put('d.bin', deep, 'DEEP_ARCHIVE');
    inTier(deep);
    assert.equal((await sdkError(() => s3.send(new GetObjectCommand({ Bucket: B, Key: 'd.bin' })))).name, 'InvalidObjectState');
    const ir = randomBytes(70_000);
    await put('ir.bin', ir, 'GLACIER_IR');
    inTier(ir);
    assert.equal(statSync(join(ts.root, B, 'ir.bin')).size, 0);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'ir.bin' }));
    assert.equal(got.StorageClass, 'GLACIER_IR');
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(ir));
    const part = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'ir.bin', Range: 'bytes=100-199' }));
    assert.ok(Buffer.from(await part.Body!.transformToByteArray()).equals(ir.subarray(100, 200)));
    // A copy of a GLACIER_IR object reads the tier too: a STANDARD copy in the tree.
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'ir-copy', CopySource: `${B}/ir.bin` }));
    assert.ok(readFileSync(join(ts.root, B, 'ir-copy')).equals(ir));
  });

  it('the classes kept in the tree are recorded and reported as given', async () => {
    for (const cls of ['STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'REDUCED_REDUNDANCY']) {
      const data = randomBytes(1000);
      await put(`t/${cls}`, data, cls);
      assert.ok(readFileSync(join(ts.root, B, 't', cls)).equals(data), 'the data stays in the tree');
      const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: `t/${cls}` }));
      assert.equal(got.StorageClass, cls);
      assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 't/' }));
    assert.deepEqual(listed.Contents?.map((o) => o.StorageClass), ['INTELLIGENT_TIERING', 'ONEZONE_IA', 'REDUCED_REDUNDANCY', 'STANDARD_IA']);
    // STANDARD given is STANDARD: no header, as S3 sends none.
    await put('t/std', Buffer.from('x'), 'STANDARD');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 't/std' }))).StorageClass, undefined);
  });

  it('an unknown class is InvalidStorageClass and writes nothing', async () => {
    const before = tierFiles().size;
    for (const cls of ['FROZEN', 'glacier', 'OUTPOSTS ']) {
      const e = await sdkError(() => put('bad', Buffer.from('x'), cls));
      assert.deepEqual([e.status, e.name], [400, 'InvalidStorageClass'], cls);
    }
    assert.ok(!existsSync(join(ts.root, B, 'bad')));
    assert.equal(tierFiles().size, before);
  });

  it('CopyObject and multipart uploads take a class: a copy to GLACIER, a DEEP_ARCHIVE multipart object, a class change in place', async () => {
    const data = randomBytes(20_000);
    await put('src', data);
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'src-g', CopySource: `${B}/src`, StorageClass: 'GLACIER' }));
    inTier(data);
    assert.equal(statSync(join(ts.root, B, 'src-g')).size, 0);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'src-g' }))).StorageClass, 'GLACIER');
    // Onto itself with only the class changed: allowed, as S3 does.
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'src', CopySource: `${B}/src`, StorageClass: 'STANDARD_IA' }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'src' }))).StorageClass, 'STANDARD_IA');

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'mp', StorageClass: 'DEEP_ARCHIVE' }));
    const p1 = randomBytes(5 * 1024 * 1024);
    const p2 = randomBytes(1234);
    const e1 = await s3.send(new UploadPartCommand({ Bucket: B, Key: 'mp', UploadId, PartNumber: 1, Body: p1 }));
    const e2 = await s3.send(new UploadPartCommand({ Bucket: B, Key: 'mp', UploadId, PartNumber: 2, Body: p2 }));
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: 'mp', UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.ETag }] } }));
    inTier(Buffer.concat([p1, p2]));
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'mp' }));
    assert.deepEqual([head.StorageClass, head.ContentLength, head.ETag], ['DEEP_ARCHIVE', p1.length + p2.length, done.ETag]);
    assert.equal(statSync(join(ts.root, B, 'mp')).size, 0);
  });

  it('a NAS write over a stub makes a new STANDARD object with its bytes', async () => {
    const data = randomBytes(4000);
    await put('nas.bin', data, 'GLACIER');
    const fresh = Buffer.from('written by a NAS user\n');
    writeFileSync(join(ts.root, B, 'nas.bin'), fresh);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'nas.bin' }));
    assert.equal(got.StorageClass, undefined);
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(fresh));
  });
});

describe('without an archive tier', () => {
  it('archive classes are InvalidStorageClass naming the setting; nothing is written', async () => {
    const { ts: plain, s3: c } = await startWithBuckets([B]);
    try {
      for (const cls of ['GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR']) {
        const e = await sdkError(() => c.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'x', StorageClass: cls as 'GLACIER' })));
        assert.deepEqual([e.status, e.name], [400, 'InvalidStorageClass']);
        assert.match(e.message, /--archive-dir/);
      }
      assert.ok(!existsSync(join(plain.root, B, 'k')));
      await c.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'x', StorageClass: 'STANDARD_IA' }));
    } finally {
      await plain.stop();
    }
  });
});

