/**
 * Empty directories made on the NAS are folders, as S3 consoles' folder markers are: the key `d/` (0 bytes)
 * without a delimiter, a CommonPrefix with one; HEAD and GET answer an empty object, DeleteObject removes the
 * directory while it is empty and never one that holds anything. Checked with the AWS SDK and the aws cli.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  GetObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { awsCli, clientSession } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';
import { bodyBytes, sdkError } from './util.js';

const BUCKET = 'folders';
const EMPTY_ETAG = '"d41d8cd98f00b204e9800998ecf8427e"';

describe('empty directories made on the NAS are folders', () => {
  let ts: TestServer;
  let s3: S3Client;
  const onDisk = (path: string): string => join(ts.root, BUCKET, ...path.split('/'));

  before(async () => {
    ({ ts, s3 } = await startWithBuckets([BUCKET]));
    await mkdir(onDisk('lone'));
    await mkdir(onDisk('photos/2024/empty'), { recursive: true });
    await writeFile(onDisk('photos/cover.jpg'), 'jpg');
  });
  after(() => ts?.stop());

  it('without a delimiter an empty directory is the key d/ of 0 bytes; a directory that holds keys is none', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    assert.deepEqual(out.Contents?.map((o) => [o.Key, o.Size, o.ETag]), [
      ['lone/', 0, EMPTY_ETAG], ['photos/2024/empty/', 0, EMPTY_ETAG], ['photos/cover.jpg', 3, out.Contents?.[2]?.ETag],
    ]);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: BUCKET }));
    assert.deepEqual(v1.Contents?.map((o) => o.Key), ['lone/', 'photos/2024/empty/', 'photos/cover.jpg']);
  });

  it('with a delimiter it is a CommonPrefix, and the listing of its own prefix shows the folder itself', async () => {
    const top = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), ['lone/', 'photos/']);
    assert.equal(top.Contents, undefined);
    const year = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', Prefix: 'photos/2024/' }));
    assert.deepEqual(year.CommonPrefixes?.map((p) => p.Prefix), ['photos/2024/empty/']);
    const inside = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', Prefix: 'lone/' }));
    assert.deepEqual(inside.Contents?.map((o) => o.Key), ['lone/']);
    // Paging by one goes through folders and files alike, each once.
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 1, ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    assert.deepEqual(keys, ['lone/', 'photos/2024/empty/', 'photos/cover.jpg']);
  });

  it('HEAD and GET answer an empty object; a directory holding keys is NoSuchKey', async () => {
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'lone/' }));
    assert.equal(head.ContentLength, 0);
    assert.equal(head.ETag, EMPTY_ETAG);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'photos/2024/empty/' }));
    assert.equal((await bodyBytes(got.Body)).length, 0);
    assert.equal(got.ETag, EMPTY_ETAG);
    const e = await sdkError(() => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'photos/' })));
    assert.equal(e.name, 'NoSuchKey');
    assert.equal((await sdkError(() => s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'photos/2024/' })))).status, 404);
  });

  it('a folder takes tags like any object, and stays a folder when it fills and empties again', async () => {
    await mkdir(onDisk('tagged'));
    await s3.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged/', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }));
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged/' }))).TagSet, [{ Key: 'k', Value: 'v' }]);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tagged/inside.txt', Body: 'x' }));
    const full = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'tagged/' }));
    assert.deepEqual(full.Contents?.map((o) => o.Key), ['tagged/', 'tagged/inside.txt'], 'a tagged folder is a directory object, listed while it holds keys');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'tagged/inside.txt' }));
    assert.ok(existsSync(onDisk('tagged')));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'tagged/' }));
    assert.ok(!existsSync(onDisk('tagged')));
  });

  it('CopyObject from a folder makes an empty object', async () => {
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copied-folder.txt', CopySource: `${BUCKET}/lone/` }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'copied-folder.txt' }));
    assert.equal(head.ContentLength, 0);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'copied-folder.txt' }));
  });

  it('DeleteObject removes an empty directory, and never one that holds anything', async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'photos/' }));
    assert.ok(existsSync(onDisk('photos/cover.jpg')), 'DeleteObject of a prefix removed what it holds');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'photos/2024/' }));
    assert.ok(existsSync(onDisk('photos/2024/empty')), 'DeleteObject of a prefix removed a folder below it');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'photos/2024/empty/' }));
    assert.ok(!existsSync(onDisk('photos/2024/empty')), 'the empty folder is still there');
    // Its parent, made on the NAS too, stays on disk; emptied through S3 it is no folder: a delete never makes a key.
    assert.ok(existsSync(onDisk('photos/2024')));
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'photos/' }));
    assert.deepEqual(out.Contents?.map((o) => o.Key), ['photos/cover.jpg']);
  });

  it('a NAS directory whose last file is deleted through S3 stays on disk, and its prefix goes, as in S3', async () => {
    await mkdir(onDisk('nas-made'));
    await writeFile(onDisk('nas-made/only.txt'), 'x');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'nas-made/only.txt' }));
    assert.ok(existsSync(onDisk('nas-made')), "the NAS user's directory was removed");
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'nas-made' }));
    assert.equal(out.KeyCount, 0, `listed: ${out.Contents?.map((o) => o.Key)}`);
    assert.equal((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'nas-made', Delimiter: '/' }))).CommonPrefixes, undefined);
  });

  it('a directory the gateway made for a key goes with its last key and never shows as a folder', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'gw/made/f.txt', Body: 'f' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'gw/made/f.txt' }));
    assert.ok(!existsSync(onDisk('gw')));
    const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'gw' }));
    assert.equal(out.KeyCount, 0);
  });

  it('DeleteBucket refuses a bucket holding an empty folder, as S3 refuses one holding a folder marker', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'folders-only' }));
    await mkdir(join(ts.root, 'folders-only', 'left'));
    const e = await sdkError(() => s3.send(new DeleteBucketCommand({ Bucket: 'folders-only' })));
    assert.equal(e.name, 'BucketNotEmpty');
    assert.match(e.message, /left\//);
    await s3.send(new DeleteObjectCommand({ Bucket: 'folders-only', Key: 'left/' }));
    await s3.send(new DeleteBucketCommand({ Bucket: 'folders-only' }));
  });

  it('ListObjectVersions shows a folder as its one null version', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'folders-versioned' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'folders-versioned', VersioningConfiguration: { Status: 'Enabled' } }));
    await mkdir(join(ts.root, 'folders-versioned', 'v'));
    const out = await s3.send(new ListObjectVersionsCommand({ Bucket: 'folders-versioned' }));
    assert.deepEqual(out.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size]), [['v/', 'null', true, 0]]);
  });
});

describe('directory objects with bytes, as S3 allows', () => {
  let ts: TestServer;
  let s3: S3Client;
  const B = 'dir-bytes';
  before(async () => {
    ({ ts, s3 } = await startWithBuckets([B]));
  });
  after(() => ts?.stop());

  it('PUT, HEAD, GET (and a range), ListObjectsV2 and ListObjectVersions agree on the bytes of d/', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'd/', Body: 'folder bytes', Metadata: { kind: 'folder' } }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'd/child.txt', Body: 'child' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'd/' }));
    assert.deepEqual([head.ContentLength, head.ETag, head.Metadata], [12, put.ETag, { kind: 'folder' }]);
    const range = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'd/', Range: 'bytes=7-11' }));
    assert.equal(await range.Body!.transformToString(), 'bytes');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: B }));
    assert.deepEqual(listed.Contents?.map((o) => [o.Key, o.Size, o.ETag]), [['d/', 12, put.ETag], ['d/child.txt', 5, listed.Contents?.[1]?.ETag]]);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: B, Prefix: 'd/' }));
    assert.deepEqual(versions.Versions?.map((v) => [v.Key, v.Size, v.ETag]), [['d/', 12, put.ETag], ['d/child.txt', 5, listed.Contents?.[1]?.ETag]]);
    // On disk it is the directory; its bytes are kept under the reserved name, which is no key.
    const names = (await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'd/', Delimiter: '/' }))).Contents?.map((o) => o.Key);
    assert.deepEqual(names, ['d/', 'd/child.txt']);
  });

  it('CopyObject copies bytes into a directory object and out of one', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'source.txt', Body: 'from a file' }));
    const into = await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'e/', CopySource: `${B}/source.txt` }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'e/' }))).Body!.transformToString(), 'from a file');
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'out.txt', CopySource: `${B}/e/` }));
    const out = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'out.txt' }));
    assert.equal(await out.Body!.transformToString(), 'from a file');
    assert.equal(out.ETag, into.CopyObjectResult?.ETag);
  });

  it('an empty PUT takes the bytes away; DeleteObject takes them with the directory, or alone when it holds keys', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'd/', Body: '' }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'd/' }))).ContentLength, 0);
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'd/', Body: 'again' }));
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'd/' }));
    assert.equal((await sdkError(() => s3.send(new HeadObjectCommand({ Bucket: B, Key: 'd/' })))).status, 404);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'd/child.txt' }))).Body!.transformToString(), 'child');
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'e/' }));
    assert.ok(!existsSync(join(ts.root, B, 'e')), 'the directory object and its bytes are gone');
  });

  it('a key that needs a file and a directory at one path stays a 409 conflict', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'plain', Body: 'a file' }));
    const e = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'plain/', Body: 'bytes' })));
    assert.equal(e.status, 409);
  });
});

const AWS = requireTool('aws');

describe('aws cli sees NAS folders', { skip: AWS.skip }, () => {
  const session = clientSession('dirbucket-awscli-folders-');
  let aws: (args: string[]) => Promise<RunResult>;
  const bucketDir = (): string => join(session.server.root, 'cli-folders');

  before(async () => {
    aws = await awsCli(AWS.path!, session, { args: ['--output', 'json'], timeoutMs: 60_000 });
    const mb = await aws(['s3api', 'create-bucket', '--bucket', 'cli-folders']);
    assert.equal(mb.code, 0, describeRun('create-bucket', mb));
    await mkdir(join(bucketDir(), 'empty'));
    await mkdir(join(bucketDir(), 'full'));
    await writeFile(join(bucketDir(), 'full', 'f.txt'), 'f');
  });

  it('aws s3 ls shows PRE for both; s3api list-objects-v2 lists the key empty/', async () => {
    const ls = await aws(['s3', 'ls', 's3://cli-folders/']);
    assert.equal(ls.code, 0, describeRun('s3 ls', ls));
    assert.match(ls.stdout, /PRE empty\//);
    assert.match(ls.stdout, /PRE full\//);
    const api = await aws(['s3api', 'list-objects-v2', '--bucket', 'cli-folders']);
    assert.equal(api.code, 0, describeRun('list-objects-v2', api));
    const keys = (JSON.parse(api.stdout) as { Contents: { Key: string; Size: number }[] }).Contents.map((o) => [o.Key, o.Size]);
    assert.deepEqual(keys, [['empty/', 0], ['full/f.txt', 1]]);
  });

  it('s3api put-object and get-object carry the bytes of a directory object', async () => {
    await writeFile(join(session.work, 'folder-body.txt'), 'cli bytes');
    const put = await aws(['s3api', 'put-object', '--bucket', 'cli-folders', '--key', 'withbytes/', '--body', join(session.work, 'folder-body.txt')]);
    assert.equal(put.code, 0, describeRun('put-object', put));
    const get = await aws(['s3api', 'get-object', '--bucket', 'cli-folders', '--key', 'withbytes/', join(session.work, 'back.txt')]);
    assert.equal(get.code, 0, describeRun('get-object', get));
    assert.equal(await readFile(join(session.work, 'back.txt'), 'utf8'), 'cli bytes');
    assert.equal((JSON.parse(get.stdout) as { ContentLength: number }).ContentLength, 9);
    const rm = await aws(['s3api', 'delete-object', '--bucket', 'cli-folders', '--key', 'withbytes/']);
    assert.equal(rm.code, 0, describeRun('delete-object', rm));
    assert.ok(!existsSync(join(bucketDir(), 'withbytes')));
  });

  it('aws s3 rm of the folder removes the empty directory', async () => {
    const rm = await aws(['s3', 'rm', 's3://cli-folders/empty/']);
    assert.equal(rm.code, 0, describeRun('s3 rm', rm));
    assert.ok(!existsSync(join(bucketDir(), 'empty')));
    assert.ok(existsSync(join(bucketDir(), 'full', 'f.txt')));
  });
});
