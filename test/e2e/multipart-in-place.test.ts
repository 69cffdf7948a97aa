/**
 * Parts written in place, end to end: when the parts of a Complete lie end to end in the upload's assembly file,
 * that very file (same inode) becomes the object; in every other case the Complete falls back to a copy, with the
 * right bytes. A Complete that fails gives the assembly file back as it was, and a second Complete succeeds.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListPartsCommand, PutObjectCommand, type S3Client,
  UploadPartCommand, UploadPartCopyCommand, type CompletedPart,
} from '@aws-sdk/client-s3';
import { getAttributeSync } from '@napi-rs/xattr';
import { makeTempDir, removeDir } from '../helpers/files.js';
import { startServer, startWithBuckets, type TestServer } from '../helpers/server.js';
import { requireRoot } from '../helpers/requires.js';
import { addUser, createKey, dirbucketOk } from './users-cli.js';
import { bodyBytes, md5b64, sdkError } from './util.js';

const MiB = 1024 * 1024;
const BUCKET = 'in-place';
let ts: TestServer;
let s3: S3Client;

before(async () => ({ ts, s3 } = await startWithBuckets([BUCKET])));
after(() => ts?.stop());

const uploadDir = (id: string) => join(ts.root, BUCKET, '.dirbucket', 'multipart', id);
const assemblyIno = async (id: string) => (await stat(join(uploadDir(id), 'assembly'))).ino;
const objectIno = async (key: string) => (await stat(join(ts.root, BUCKET, key))).ino;

async function create(key: string): Promise<string> {
  return (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId!;
}

async function part(key: string, id: string, n: number, data: Buffer, extra: Record<string, unknown> = {}): Promise<CompletedPart> {
  const out = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: id, PartNumber: n, Body: data, ...extra }));
  return { PartNumber: n, ETag: out.ETag };
}

const complete = (key: string, id: string, parts: CompletedPart[]) =>
  s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: parts } }));

async function getBytes(key: string): Promise<Buffer> {
  return bodyBytes((await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body);
}

function multipartEtag(datas: Buffer[]): string {
  const md5s = Buffer.concat(datas.map((d) => createHash('md5').update(d).digest()));
  return `"${createHash('md5').update(md5s).digest('hex')}-${datas.length}"`;
}

/** Completes `parts` (whose bytes are `datas`) and checks the object: bytes, ETag, size; returns whether the assembly file became it. */
async function completeAndCheck(key: string, id: string, parts: CompletedPart[], datas: Buffer[]): Promise<boolean> {
  const before = existsSync(join(uploadDir(id), 'assembly')) ? await assemblyIno(id) : undefined;
  const out = await complete(key, id, parts);
  assert.equal(out.ETag, multipartEtag(datas));
  const got = await getBytes(key);
  assert.equal(got.length, datas.reduce((n, d) => n + d.length, 0));
  assert.ok(got.equals(Buffer.concat(datas)), 'the object is the listed parts joined');
  assert.ok(!existsSync(uploadDir(id)), 'the upload is gone once completed');
  return before !== undefined && before === (await objectIno(key));
}

describe('Complete of parts written in place', () => {
  it('takes the assembly file itself as the object when the parts lie end to end (same inode)', async () => {
    const key = 'fast/one.bin';
    const id = await create(key);
    const datas = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(123_457)];
    const parts: CompletedPart[] = [];
    for (const [i, d] of datas.entries()) parts.push(await part(key, id, i + 1, d));
    assert.ok(existsSync(join(uploadDir(id), 'assembly')), 'the parts went to the assembly file');
    assert.deepEqual((await readdir(uploadDir(id))).filter((n) => /^p\d{5}-[0-9a-f]{20}$/.test(n)), [], 'no part has a file of its own');
    const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.deepEqual(listed.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]), parts.map((p, i) => [p.PartNumber, p.ETag, datas[i]!.length]));
    assert.ok(await completeAndCheck(key, id, parts, datas), 'the assembly file became the object');
    // The object looks as a copied one would: the mode a PUT gives, a fresh modification time.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'fast/put.bin', Body: 'x' }));
    const [obj, put] = [await stat(join(ts.root, BUCKET, key)), await stat(join(ts.root, BUCKET, 'fast/put.bin'))];
    assert.equal(obj.mode.toString(8), put.mode.toString(8), 'same mode as a PUT object');
    assert.ok(Date.now() - obj.mtimeMs < 60_000, 'modified at the Complete');
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.equal(head.ETag, multipartEtag(datas));
    assert.equal(head.ContentLength, 15 * MiB + 123_457);
  });

  it('goes in place for parts sent at once, in any order, and for a part whose first attempt failed', async () => {
    const key = 'fast/concurrent.bin';
    const id = await create(key);
    const datas = Array.from({ length: 6 }, () => randomBytes(5 * MiB));
    // Part 2's first attempt is refused (wrong Content-MD5) after its slot was claimed: the slot is given back.
    const e = await sdkError(() => part(key, id, 2, datas[1]!, { ContentMD5: md5b64(datas[0]!) }));
    assert.equal(e.name, 'BadDigest');
    const order = [5, 3, 1, 6, 2, 4];
    const parts = await Promise.all(order.map((n) => part(key, id, n, datas[n - 1]!)));
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    assert.ok(await completeAndCheck(key, id, parts, datas), 'the assembly file became the object');
  });

  it('UploadPartCopy goes in place too', async () => {
    const source = randomBytes(12 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/source.bin', Body: source }));
    const key = 'copy/target.bin';
    const id = await create(key);
    const copy = async (n: number, start: number, end: number): Promise<CompletedPart> => {
      const out = await s3.send(new UploadPartCopyCommand({
        Bucket: BUCKET, Key: key, UploadId: id, PartNumber: n, CopySource: `${BUCKET}/copy/source.bin`, CopySourceRange: `bytes=${start}-${end}`,
      }));
      return { PartNumber: n, ETag: out.CopyPartResult!.ETag };
    };
    const tail = randomBytes(1000);
    const parts = [await copy(1, 0, 6 * MiB - 1), await copy(2, 6 * MiB, 12 * MiB - 1), await part(key, id, 3, tail)];
    assert.deepEqual((await readdir(uploadDir(id))).filter((n) => /^p\d{5}-[0-9a-f]{20}$/.test(n)), [], 'no part has a file of its own');
    assert.ok(await completeAndCheck(key, id, parts, [source.subarray(0, 6 * MiB), source.subarray(6 * MiB), tail]));
  });

  it('a second Complete of the same request gets the same answer', async () => {
    const key = 'fast/retry.bin';
    const id = await create(key);
    const datas = [randomBytes(5 * MiB), randomBytes(10)];
    const parts = [await part(key, id, 1, datas[0]!), await part(key, id, 2, datas[1]!)];
    assert.ok(await completeAndCheck(key, id, parts, datas));
    assert.equal((await complete(key, id, parts)).ETag, multipartEtag(datas));
  });
});

describe('Complete falls back to a copy, with the right bytes', () => {
  it('when a part number is skipped', async () => {
    const key = 'slow/gap.bin';
    const id = await create(key);
    const datas = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(5 * MiB)];
    const parts = [await part(key, id, 1, datas[0]!), await part(key, id, 2, datas[1]!), await part(key, id, 4, datas[2]!)];
    assert.equal(await completeAndCheck(key, id, parts, datas), false);
  });

  it('when a part was uploaded again (the new bytes count, the old slot is left alone)', async () => {
    const key = 'slow/again.bin';
    const id = await create(key);
    const datas = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(2 * MiB)];
    const parts: CompletedPart[] = [];
    for (const [i, d] of datas.entries()) parts.push(await part(key, id, i + 1, d));
    datas[1] = randomBytes(5 * MiB);
    parts[1] = await part(key, id, 2, datas[1]);
    const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.deepEqual(listed.Parts?.map((p) => p.ETag), parts.map((p) => p.ETag));
    assert.equal(await completeAndCheck(key, id, parts, datas), false);
  });

  it('when the parts are not of one size', async () => {
    const key = 'slow/sizes.bin';
    const id = await create(key);
    const datas = [randomBytes(6 * MiB), randomBytes(5 * MiB), randomBytes(6 * MiB), randomBytes(100)];
    const parts: CompletedPart[] = [];
    for (const [i, d] of datas.entries()) parts.push(await part(key, id, i + 1, d));
    assert.equal(await completeAndCheck(key, id, parts, datas), false);
  });

  it('when the part size is not a whole number of 4 KiB pages (no slot is made of it)', async () => {
    const key = 'slow/unaligned.bin';
    const id = await create(key);
    const datas = [randomBytes(5 * MiB + 1), randomBytes(5 * MiB + 1), randomBytes(10)];
    const parts: CompletedPart[] = [];
    for (const [i, d] of datas.entries()) parts.push(await part(key, id, i + 1, d));
    assert.ok(!existsSync(join(uploadDir(id), 'assembly')), 'nothing went in place');
    assert.equal(await completeAndCheck(key, id, parts, datas), false);
  });

  it('when the last part arrives first', async () => {
    for (const last of [6 * MiB, 1 * MiB]) {
      const key = `slow/last-first-${last}.bin`;
      const id = await create(key);
      const datas = [randomBytes(8 * MiB), randomBytes(8 * MiB), randomBytes(last)];
      const p3 = await part(key, id, 3, datas[2]!);
      const parts = [await part(key, id, 1, datas[0]!), await part(key, id, 2, datas[1]!), p3];
      assert.equal(await completeAndCheck(key, id, parts, datas), false, `last part of ${last} bytes first`);
    }
  });

  it('when the upload has parts past the last one completed (the cut would destroy them)', async () => {
    const key = 'slow/beyond.bin';
    const id = await create(key);
    const datas = Array.from({ length: 4 }, () => randomBytes(5 * MiB));
    const parts: CompletedPart[] = [];
    for (const [i, d] of datas.entries()) parts.push(await part(key, id, i + 1, d));
    assert.equal(await completeAndCheck(key, id, parts.slice(0, 3), datas.slice(0, 3)), false);
  });

  it('when the parts are fewer or other than those uploaded, mixing in-place and own files', async () => {
    const key = 'slow/mixed.bin';
    const id = await create(key);
    const datas = [randomBytes(5 * MiB), randomBytes(7 * MiB), randomBytes(5 * MiB), randomBytes(3)];
    const parts: CompletedPart[] = [];
    for (const [i, d] of datas.entries()) parts.push(await part(key, id, i + 1, d));
    // Part 2 (too long for its slot) has a file of its own; 1, 3 and 4 are in place.
    assert.equal((await readdir(uploadDir(id))).filter((n) => /^p\d{5}-[0-9a-f]{20}$/.test(n)).length, 1);
    assert.equal(await completeAndCheck(key, id, parts, datas), false);
  });
});

describe('a failed fast Complete gives the upload back as it was', () => {
  it('after a conflict found at the commit: same parts, same assembly file, and a second Complete succeeds in place', async () => {
    const key = 'taken';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'taken/inner.txt', Body: 'in the way' }));
    const id = await create(key);
    const datas = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(77)];
    const parts: CompletedPart[] = [];
    for (const [i, d] of datas.entries()) parts.push(await part(key, id, i + 1, d));
    const ino = await assemblyIno(id);
    const before = await stat(join(uploadDir(id), 'assembly'));
    const e = await sdkError(() => complete(key, id, parts));
    assert.equal(e.status, 409);
    assert.equal(e.name, 'KeyConflict');

    const after = await stat(join(uploadDir(id), 'assembly'));
    assert.equal(after.ino, ino, 'the assembly file is back in the upload');
    assert.equal(after.mode, before.mode, 'with its mode');
    assert.deepEqual([after.uid, after.gid], [before.uid, before.gid], 'and its owner');
    assert.equal(getAttributeSync(join(uploadDir(id), 'assembly'), 'user.dirbucket.meta'), null, 'without the object record');
    const listed = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.deepEqual(listed.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size]), parts.map((p, i) => [p.PartNumber, p.ETag, datas[i]!.length]));
    const head = await sdkError(() => s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })));
    assert.equal(head.status, 404, 'no object appeared');

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'taken/inner.txt' }));
    assert.ok(await completeAndCheck(key, id, parts, datas), 'the second Complete took the same assembly file');
  });

  it('after a refused condition: the object is untouched, and Abort frees the assembly file with the upload', async () => {
    const key = 'cond.bin';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'old' }));
    const id = await create(key);
    const datas = [randomBytes(5 * MiB), randomBytes(5 * MiB)];
    const parts = [await part(key, id, 1, datas[0]!), await part(key, id, 2, datas[1]!)];
    const e = await sdkError(() => s3.send(new CompleteMultipartUploadCommand({
      Bucket: BUCKET, Key: key, UploadId: id, MultipartUpload: { Parts: parts }, IfNoneMatch: '*',
    })));
    assert.equal(e.status, 412);
    assert.equal((await getBytes(key)).toString(), 'old');
    assert.ok(existsSync(join(uploadDir(id), 'assembly')));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: id }));
    assert.ok(!existsSync(uploadDir(id)), 'the assembly file went with the upload');
    assert.equal((await getBytes(key)).toString(), 'old');
  });
});

describe('a Complete in place for a user with its own identity', { skip: requireRoot('create a second identity') }, () => {
  let root: string;
  let server: TestServer;
  let alice: S3Client;
  const BKT = 'alice-bucket';

  before(async () => {
    root = await makeTempDir('dirbucket-in-place-identity-');
    mkdirSync(join(root, BKT));
    chmodSync(join(root, BKT), 0o777);
    await addUser(root, 'alice', { uid: 4101, gid: 4101, groups: [] });
    await dirbucketOk(['bucket', 'grant', 'alice', BKT, 'read-write', '--root', root]);
    const key = await createKey(root, 'alice');
    server = await startServer({ root });
    alice = server.client({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } });
  });
  after(async () => {
    await server?.stop();
    if (root) await removeDir(root);
  });

  it('gives the object (the assembly file itself) to the user', async () => {
    const key = 'owned.bin';
    const id = (await alice.send(new CreateMultipartUploadCommand({ Bucket: BKT, Key: key }))).UploadId!;
    const datas = [randomBytes(5 * MiB), randomBytes(99)];
    const parts: CompletedPart[] = [];
    for (const [i, d] of datas.entries()) {
      const out = await alice.send(new UploadPartCommand({ Bucket: BKT, Key: key, UploadId: id, PartNumber: i + 1, Body: d }));
      parts.push({ PartNumber: i + 1, ETag: out.ETag });
    }
    const before = await stat(join(root, BKT, '.dirbucket', 'multipart', id, 'assembly'));
    await alice.send(new CompleteMultipartUploadCommand({ Bucket: BKT, Key: key, UploadId: id, MultipartUpload: { Parts: parts } }));
    const obj = await stat(join(root, BKT, key));
    assert.equal(obj.ino, before.ino, 'the assembly file became the object');
    assert.deepEqual([obj.uid, obj.gid], [4101, 4101], 'owned by the user');
    const got = await bodyBytes((await alice.send(new GetObjectCommand({ Bucket: BKT, Key: key }))).Body);
    assert.ok(got.equals(Buffer.concat(datas)));
  });
});
