/** File/object duality: what S3 writes is a file with the same bytes, and what is written on disk is an object at once. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startServer, type TestServer } from '../helpers/server.js';

const BUCKET = 'duality';

describe('file/object duality', () => {
  let server: TestServer;
  let s3: S3Client;
  let dir: string;
  const onDisk = (key: string): string => join(dir, ...key.split('/'));

  before(async () => {
    server = await startServer();
    s3 = server.client();
    dir = join(server.root, BUCKET);
  });

  after(async () => {
    await server?.stop();
  });

  it('a bucket made through S3 is a directory; a directory made on disk is a bucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    assert.ok((await stat(dir)).isDirectory(), 'CreateBucket made no directory');
    await mkdir(join(server.root, 'made-on-disk'));
    const names = (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
    assert.ok(names?.includes(BUCKET) && names.includes('made-on-disk'), `ListBuckets: ${names?.join(', ')}`);
  });

  it('an object PUT appears as the file with the same bytes', async () => {
    const body = Buffer.from('id,value\n1,one\n2,two\n');
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'docs/report.csv', Body: body }));
    assert.equal(put.ETag, `"${md5(body)}"`, 'an object written through S3 has the MD5 ETag');
    assert.deepEqual(await readFile(onDisk('docs/report.csv')), body);
  });

  it('a file written on disk is listed and readable with size, Content-Type, an honest ETag and its mtime', async () => {
    const files: [string, string, string][] = [
      ['disk/page.html', '<html><body>hello</body></html>\n', 'text/html'],
      ['disk/data.json', '{"a":1}\n', 'application/json'],
      ['disk/notes.txt', 'notes written by a NAS user\n', 'text/plain'],
      ['disk/blob', 'no extension', 'application/octet-stream'],
      ['disk/résumé final.txt', 'unicode and a space in the name\n', 'text/plain'],
    ];
    await mkdir(onDisk('disk'));
    for (const [key, content] of files) await writeFile(onDisk(key), content);

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'disk/' }));
    const contents = listed.Contents ?? [];
    assert.deepEqual(contents.map((o) => o.Key), files.map(([k]) => k).sort(byUtf8));
    for (const [key, content, type] of files) {
      const entry = contents.find((o) => o.Key === key)!;
      const bytes = Buffer.from(content);
      assert.equal(entry.Size, bytes.length, `${key}: listed size`);
      assertHonestEtag(entry.ETag, bytes, `${key}: listed ETag`);

      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      assert.equal(head.ContentLength, bytes.length, `${key}: Content-Length`);
      assert.equal(head.ContentType?.split(';')[0], type, `${key}: Content-Type`);
      assertHonestEtag(head.ETag, bytes, `${key}: HEAD ETag`);
      assert.equal(head.ETag, entry.ETag, `${key}: HEAD and listing disagree on the ETag`);
      const mtime = (await stat(onDisk(key))).mtimeMs;
      assert.ok(Math.abs(head.LastModified!.getTime() - mtime) < 1000, `${key}: Last-Modified ${head.LastModified?.toISOString()} is not the mtime ${new Date(mtime).toISOString()}`);

      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), bytes, `${key}: GET bytes`);
      assert.equal(got.ETag, head.ETag, `${key}: GET and HEAD disagree on the ETag`);
    }
  });

  it('rewriting a file on disk changes its ETag and size at once', async () => {
    const key = 'disk/notes.txt';
    const before = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    const longer = Buffer.from('notes rewritten by a NAS user, now longer than before\n');
    await writeFile(onDisk(key), longer);
    const after = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.equal(after.ContentLength, longer.length, 'size after the rewrite');
    assert.notEqual(after.ETag, before.ETag, 'ETag unchanged after the file was rewritten');
    assertHonestEtag(after.ETag, longer, 'ETag after the rewrite');
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), longer);

    // Same size, new bytes, written in place: only the mtime tells.
    const sameSize = Buffer.from(longer.toString().toUpperCase());
    await writeFile(onDisk(key), sameSize);
    const third = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.notEqual(third.ETag, after.ETag, 'ETag unchanged after a same-size rewrite');
    assertHonestEtag(third.ETag, sameSize, 'ETag after the same-size rewrite');
  });

  it('a file replaced by rename with the same size and mtime gets a new ETag (inode changes)', async () => {
    const key = 'disk/data.json';
    const old = await stat(onDisk(key));
    const before = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    const replacement = Buffer.from('{"b":2}\n');
    assert.equal(replacement.length, old.size);
    const staged = join(dir, 'staged.tmp');
    await writeFile(staged, replacement);
    await utimes(staged, old.atime, old.mtime);
    await rename(staged, onDisk(key));
    const after = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.notEqual(after.ETag, before.ETag, 'ETag unchanged although the file was replaced (new inode)');
    assertHonestEtag(after.ETag, replacement, 'ETag after the replacement');
  });

  it('an object written through S3 and then changed on disk never keeps its old MD5 ETag', async () => {
    const key = 'docs/s3-made.txt';
    const original = Buffer.from('written through S3\n');
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: original, ContentType: 'text/x-custom' }));
    const changed = Buffer.from('WRITTEN ON DISK!!\n\n');
    assert.equal(changed.length, original.length);
    await writeFile(onDisk(key), changed);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.notEqual(head.ETag, put.ETag, 'stale ETag served for content changed on disk');
    assertHonestEtag(head.ETag, changed, 'ETag after the change on disk');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
    assert.equal(listed.Contents?.[0]?.ETag, head.ETag, 'listing and HEAD disagree on the ETag after the change');
  });

  it('an on-disk directory with files is a CommonPrefix', async () => {
    await mkdir(onDisk('disk/sub/deeper'), { recursive: true });
    await writeFile(onDisk('disk/sub/deeper/x.txt'), 'x');
    const top = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), ['disk/', 'docs/']);
    assert.deepEqual(top.Contents ?? [], [], 'no objects at the top level');
    const disk = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', Prefix: 'disk/' }));
    assert.deepEqual(disk.CommonPrefixes?.map((p) => p.Prefix), ['disk/sub/']);
    const deeper = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'disk/sub/' }));
    assert.deepEqual(deeper.Contents?.map((o) => o.Key), ['disk/sub/deeper/x.txt']);
  });

  it('deleting through S3 removes the file written on disk', async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'disk/page.html' }));
    assert.ok(!existsSync(onDisk('disk/page.html')), 'file still on disk after DeleteObject');
    assert.ok(existsSync(onDisk('disk/blob')), 'a sibling was removed too');
  });

  it('deleting the last object under gateway-made directories removes them, and only them', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'deep/a/b/c.txt', Body: 'c' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'keep/x/1.txt', Body: '1' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'keep/2.txt', Body: '2' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'deep/a/b/c.txt' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'keep/x/1.txt' }));
    assert.ok(!existsSync(onDisk('deep')), 'empty gateway-made directories deep/a/b left behind');
    assert.ok(!existsSync(onDisk('keep/x')), 'empty gateway-made directory keep/x left behind');
    assert.ok(existsSync(onDisk('keep/2.txt')), 'keep/2.txt was lost');
    assert.ok(existsSync(dir), 'the bucket directory itself was removed');
    const top = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    assert.ok(!top.CommonPrefixes?.some((p) => p.Prefix === 'deep/'), 'deep/ still listed as a prefix');
  });

  it('a directory object stays when its last child is deleted', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'folder/', Body: '' }));
    assert.ok((await stat(onDisk('folder'))).isDirectory(), 'directory object made no directory');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'folder/child.txt', Body: 'child' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'folder/child.txt' }));
    assert.ok(existsSync(onDisk('folder')), 'a directory created as a directory object was removed');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'folder/' }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key), ['folder/']);
  });

  it('a large directory lists every key with the ETag HEAD gives: S3-written, on disk, and changed on disk after the PUT', async () => {
    // Enough keys that listing reads records in full batches (on the record thread), not one by one.
    const keys: string[] = [];
    const bytes = new Map<string, Buffer>();
    for (let i = 0; i < 300; i++) {
      const key = `many/k${String(i).padStart(3, '0')}`;
      keys.push(key);
      bytes.set(key, Buffer.from(`object ${i}\n`));
      if (i % 3 === 0) {
        await mkdir(onDisk('many'), { recursive: true });
        await writeFile(onDisk(key), bytes.get(key)!);
      } else {
        await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes.get(key) }));
      }
    }
    // Written through S3, then rewritten on disk (same size, new bytes): the record's MD5 no longer holds.
    for (let i = 1; i < 300; i += 9) {
      const key = keys[i]!;
      const changed = Buffer.from(bytes.get(key)!.toString().toUpperCase());
      await writeFile(onDisk(key), changed);
      bytes.set(key, changed);
    }
    const listed = new Map<string, string | undefined>();
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'many/', MaxKeys: 250, ContinuationToken: token }));
      for (const o of page.Contents ?? []) listed.set(o.Key!, o.ETag);
      token = page.NextContinuationToken;
    } while (token);
    assert.deepEqual([...listed.keys()], keys);
    let md5s = 0;
    for (const key of keys) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      assert.equal(listed.get(key), head.ETag, `${key}: listing and HEAD disagree on the ETag`);
      assertHonestEtag(head.ETag, bytes.get(key)!, key);
      if (head.ETag === `"${md5(bytes.get(key)!)}"`) md5s++;
    }
    // Every key written through S3 and left alone lists its MD5; the rest list synthetic ETags.
    assert.equal(md5s, keys.filter((_, i) => i % 3 !== 0 && (i - 1) % 9 !== 0).length);
  });
});

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

/**
 * An ETag is quoted, and either the MD5 of the bytes or something that cannot be mistaken for one:
 * clients verify 32-hex ETags as MD5 (PRODUCT.md, "Metadata and ETags").
 */
function assertHonestEtag(etag: string | undefined, bytes: Buffer, what: string): void {
  assert.ok(etag && /^"[^"]+"$/.test(etag), `${what}: not a quoted ETag: ${etag}`);
  if (etag !== `"${md5(bytes)}"`) assert.doesNotMatch(etag, /^"[0-9a-fA-F]{32}"$/, `${what}: ${etag} looks like an MD5 but is not the MD5 of the bytes`);
}

/** S3 order: by the UTF-8 bytes of the key. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
