/**
 * End to end through @aws-sdk/client-s3: object tagging (with PutObject, CopyObject directives, multipart
 * uploads, x-amz-tagging-count), bucket tagging, S3's limits and errors, and tags dropped when a NAS user
 * replaces a file's content.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteBucketTaggingCommand,
  DeleteObjectTaggingCommand, GetBucketTaggingCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand,
  PutBucketTaggingCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client, UploadPartCommand, type Tag,
} from '@aws-sdk/client-s3';
import { startServer, startWithBuckets, type TestServer } from '../helpers/server.js';
import { rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const B = 'tagging-e2e';

before(async () => ({ ts, s3 } = await startWithBuckets([B])));
after(() => ts?.stop());

const tagsOf = async (Key: string) => (await s3.send(new GetObjectTaggingCommand({ Bucket: B, Key }))).TagSet ?? [];
const many = (n: number): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));

describe('object tagging', () => {
  it('PutObject with x-amz-tagging stores the tags; GET and HEAD report x-amz-tagging-count', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'tagged.txt', Body: 'data', Tagging: 'project=alpha&owner=a%20b%26c' }));
    assert.deepEqual(await tagsOf('tagged.txt'), [{ Key: 'project', Value: 'alpha' }, { Key: 'owner', Value: 'a b&c' }]);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'tagged.txt' }))).TagCount, 2);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'tagged.txt' }));
    assert.equal(got.TagCount, 2);
    await got.Body?.transformToString();
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'plain.txt', Body: 'data' }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'plain.txt' }))).TagCount, undefined);
    assert.deepEqual(await tagsOf('plain.txt'), []);
  });

  it('PutObjectTagging replaces the whole set and DeleteObjectTagging removes it (204), the object untouched', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'retag.txt', Body: 'same bytes' }));
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'retag.txt' }))).ETag;
    const put = await s3.send(new PutObjectTaggingCommand({ Bucket: B, Key: 'retag.txt', Tagging: { TagSet: many(10) } }));
    assert.equal(put.$metadata.httpStatusCode, 200);
    assert.deepEqual(await tagsOf('retag.txt'), many(10));
    await s3.send(new PutObjectTaggingCommand({ Bucket: B, Key: 'retag.txt', Tagging: { TagSet: [{ Key: 'only', Value: '' }] } }));
    assert.deepEqual(await tagsOf('retag.txt'), [{ Key: 'only', Value: '' }]);
    const del = await s3.send(new DeleteObjectTaggingCommand({ Bucket: B, Key: 'retag.txt' }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    assert.deepEqual(await tagsOf('retag.txt'), []);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'retag.txt' }))).ETag, etag);
  });

  it('refuses what S3 refuses, with InvalidTag saying which rule', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'limits.txt', Body: 'x' }));
    const cases: Array<[Tag[], RegExp]> = [
      [many(11), /greater than 10/],
      [[{ Key: 'k'.repeat(129), Value: '' }], /TagKey .*too long/],
      [[{ Key: 'k', Value: 'v'.repeat(257) }], /TagValue .*too long/],
      [[{ Key: 'aws:reserved', Value: '' }], /aws:/],
      [[{ Key: 'dup', Value: '1' }, { Key: 'dup', Value: '2' }], /same key/],
    ];
    for (const [TagSet, message] of cases) {
      const e = await sdkError(() => s3.send(new PutObjectTaggingCommand({ Bucket: B, Key: 'limits.txt', Tagging: { TagSet } })));
      assert.equal(e.name, 'InvalidTag', e.message);
      assert.equal(e.status, 400);
      assert.match(e.message, message);
    }
    // 128 and 256 characters (not bytes) are fine.
    await s3.send(new PutObjectTaggingCommand({ Bucket: B, Key: 'limits.txt', Tagging: { TagSet: [{ Key: 'é'.repeat(128), Value: '😀'.repeat(256) }] } }));
    const header = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'limits2.txt', Body: 'x', Tagging: 'a=1&a=2' })));
    assert.equal(header.name, 'InvalidArgument');
    const tooMany = await sdkError(() => s3.send(new PutObjectCommand({ Bucket: B, Key: 'limits2.txt', Body: 'x', Tagging: many(11).map((t) => `${t.Key}=${t.Value}`).join('&') })));
    assert.equal(tooMany.name, 'InvalidTag');
    // A refused PUT leaves no object behind.
    assert.equal((await sdkError(() => s3.send(new HeadObjectCommand({ Bucket: B, Key: 'limits2.txt' })))).status, 404);
  });

  it('tagging a missing object is NoSuchKey, in a missing bucket NoSuchBucket; a malformed body MalformedXML', async () => {
    assert.equal((await sdkError(() => s3.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'nope' })))).name, 'NoSuchKey');
    assert.equal((await sdkError(() => s3.send(new PutObjectTaggingCommand({ Bucket: B, Key: 'nope', Tagging: { TagSet: [] } })))).name, 'NoSuchKey');
    assert.equal((await sdkError(() => s3.send(new DeleteObjectTaggingCommand({ Bucket: 'no-such-bucket-x', Key: 'k' })))).name, 'NoSuchBucket');
    const r = await rawRequest(ts, { method: 'PUT', path: `/${B}/limits.txt`, query: [['tagging', '']], body: '<Tagging><TagSet><Tag><Key>k</Key>' });
    assert.equal(r.status, 400);
    assert.match(r.text, /<Code>MalformedXML<\/Code>/);
  });

  it('CopyObject keeps the source tags by default (COPY), takes x-amz-tagging with REPLACE, and none with REPLACE alone', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'src.txt', Body: 'copy me', Tagging: 'from=source' }));
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy-default.txt', CopySource: `${B}/src.txt` }));
    assert.deepEqual(await tagsOf('copy-default.txt'), [{ Key: 'from', Value: 'source' }]);
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy-replace.txt', CopySource: `${B}/src.txt`, TaggingDirective: 'REPLACE', Tagging: 'new=one' }));
    assert.deepEqual(await tagsOf('copy-replace.txt'), [{ Key: 'new', Value: 'one' }]);
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy-none.txt', CopySource: `${B}/src.txt`, TaggingDirective: 'REPLACE' }));
    assert.deepEqual(await tagsOf('copy-none.txt'), []);
    // A copy onto itself with new metadata (S3's way to rename in place) keeps the tags.
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'src.txt', CopySource: `${B}/src.txt`, MetadataDirective: 'REPLACE', Metadata: { m: '1' } }));
    assert.deepEqual(await tagsOf('src.txt'), [{ Key: 'from', Value: 'source' }]);
    const bad = await sdkError(() => s3.send(new CopyObjectCommand({ Bucket: B, Key: 'x.txt', CopySource: `${B}/src.txt`, TaggingDirective: 'MERGE' as 'COPY' })));
    assert.equal(bad.name, 'InvalidArgument');
  });

  it('CreateMultipartUpload with x-amz-tagging gives the completed object its tags', async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'multi.bin', Tagging: 'kind=multipart' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: B, Key: 'multi.bin', UploadId, PartNumber: 1, Body: 'the only part' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: 'multi.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    assert.deepEqual(await tagsOf('multi.bin'), [{ Key: 'kind', Value: 'multipart' }]);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'multi.bin' }))).TagCount, 1);
  });

  it('a NAS user replacing the file\'s content drops its tags', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'nas.txt', Body: 'written through S3', Tagging: 'state=s3' }));
    assert.equal((await tagsOf('nas.txt')).length, 1);
    await new Promise((r) => setTimeout(r, 10));
    await writeFile(join(ts.root, B, 'nas.txt'), 'rewritten on the NAS');
    assert.deepEqual(await tagsOf('nas.txt'), []);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'nas.txt' }))).TagCount, undefined);
    // ...and the new content can be tagged in turn.
    await s3.send(new PutObjectTaggingCommand({ Bucket: B, Key: 'nas.txt', Tagging: { TagSet: [{ Key: 'state', Value: 'nas' }] } }));
    assert.deepEqual(await tagsOf('nas.txt'), [{ Key: 'state', Value: 'nas' }]);
  });
});

describe('bucket tagging', () => {
  it('GetBucketTagging is NoSuchTagSet until tags are set; Put (204) then Get; Delete (204) again NoSuchTagSet', async () => {
    const none = await sdkError(() => s3.send(new GetBucketTaggingCommand({ Bucket: B })));
    assert.equal(none.name, 'NoSuchTagSet');
    assert.equal(none.status, 404);
    const put = await s3.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: many(50) } }));
    assert.equal(put.$metadata.httpStatusCode, 204);
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: B }))).TagSet, many(50));
    const del = await s3.send(new DeleteBucketTaggingCommand({ Bucket: B }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    assert.equal((await sdkError(() => s3.send(new GetBucketTaggingCommand({ Bucket: B })))).name, 'NoSuchTagSet');
  });

  it('refuses more than 50 tags, the aws: prefix and duplicates; survives a restart on the same tree', async () => {
    for (const TagSet of [many(51), [{ Key: 'aws:x', Value: '' }], [{ Key: 'a', Value: '' }, { Key: 'a', Value: '' }]]) {
      assert.equal((await sdkError(() => s3.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet } })))).name, 'InvalidTag');
    }
    await s3.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: [{ Key: 'team', Value: 'storage' }] } }));
    const again = await startServer({ root: ts.root });
    try {
      const other = again.client();
      assert.deepEqual((await other.send(new GetBucketTaggingCommand({ Bucket: B }))).TagSet, [{ Key: 'team', Value: 'storage' }]);
      assert.deepEqual((await other.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'tagged.txt' }))).TagSet?.length, 2);
    } finally {
      await again.stop();
    }
  });
});
