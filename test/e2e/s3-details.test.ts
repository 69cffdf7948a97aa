/**
 * End to end with the AWS SDK: the fine print of issue #17 where dirbucket must answer as Amazon S3 does —
 * the expected bucket owner, CreateBucket's answers and options, ListBuckets paging, NoSuchBucket for anyone,
 * BadDigest, presigned expiry limits, UploadPartCopy ranges, empty Expect and continuation tokens, conditional
 * deletes, empty tag values, listing encoding and control characters, and the bucket settings that cannot be set.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketAccelerateConfigurationCommand,
  GetBucketAclCommand, GetBucketEncryptionCommand, GetBucketLoggingCommand, GetBucketNotificationConfigurationCommand, GetBucketReplicationCommand,
  GetBucketRequestPaymentCommand, GetBucketWebsiteCommand, GetObjectCommand, GetObjectLockConfigurationCommand, GetObjectTaggingCommand,
  HeadBucketCommand, HeadObjectCommand, ListBucketsCommand, PutBucketEncryptionCommand, PutObjectCommand, S3Client, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { kernelOracleUnavailable } from '../unit/identity-kernel.js';
import { addUser, createKey } from './users-cli.js';
import { crc32b64, errorOf, md5b64, presignUrl, rawRequest, sdkError, send } from './util.js';

const BUCKET = 'details';
let ts: TestServer;
let s3: S3Client;

before(async () => ({ ts, s3 } = await startWithBuckets([BUCKET])));
after(() => ts?.stop());

/** The administrator's account id, as GetBucketAcl shows the owner. */
async function ownerId(bucket: string): Promise<string> {
  return (await s3.send(new GetBucketAclCommand({ Bucket: bucket }))).Owner!.ID!;
}

describe('x-amz-expected-bucket-owner', () => {
  const other = 'f'.repeat(64);

  it('bucket and object operations pass with the owner\'s account id and are AccessDenied (403) with another, changing nothing', async () => {
    const id = await ownerId(BUCKET);
    await s3.send(new HeadBucketCommand({ Bucket: BUCKET, ExpectedBucketOwner: id }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'owned.txt', Body: 'mine', ExpectedBucketOwner: id }));
    for (const call of [
      () => s3.send(new GetBucketAclCommand({ Bucket: BUCKET, ExpectedBucketOwner: other })),
      () => s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'owned.txt', ExpectedBucketOwner: other })),
      () => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'not-written.txt', Body: 'x', ExpectedBucketOwner: other })),
      () => s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'owned.txt', ExpectedBucketOwner: other })),
      () => s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copied.txt', CopySource: `${BUCKET}/owned.txt`, ExpectedSourceBucketOwner: other })),
    ]) {
      const e = await sdkError(call);
      assert.deepEqual([e.name, e.status], ['AccessDenied', 403]);
    }
    assert.equal(existsSync(join(ts.root, BUCKET, 'not-written.txt')), false);
    assert.equal(existsSync(join(ts.root, BUCKET, 'copied.txt')), false);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'owned.txt', ExpectedBucketOwner: id }))).Body!.transformToString(), 'mine');
  });

  it('a missing bucket stays NoSuchBucket whatever owner is expected', async () => {
    const e = await sdkError(() => s3.send(new HeadBucketCommand({ Bucket: 'no-such-owned', ExpectedBucketOwner: other })));
    assert.equal(e.status, 404);
  });
});

describe('CreateBucket', () => {
  it('refuses names with a dash beside a dot (DNS labels), and IP forms, with InvalidBucketName', async () => {
    for (const name of ['a.-b', 'a-.b', 'my-.bucket', '10.0.0.1']) {
      const r = await rawRequest(ts, { method: 'PUT', path: `/${name}` });
      assert.equal(r.status, 400, name);
      assert.equal(errorOf(r).Code, 'InvalidBucketName', name);
      assert.equal(existsSync(join(ts.root, name)), false, name);
    }
  });

  it('x-amz-bucket-object-lock-enabled makes a lock-enabled bucket', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'locked-at-birth', ObjectLockEnabledForBucket: true }));
    const conf = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'locked-at-birth' }));
    assert.equal(conf.ObjectLockConfiguration?.ObjectLockEnabled, 'Enabled');
  });

  it('a LocationConstraint of another region is IllegalLocationConstraintException; this region is accepted', async () => {
    const body = (region: string) => `<CreateBucketConfiguration><LocationConstraint>${region}</LocationConstraint></CreateBucketConfiguration>`;
    const r = await rawRequest(ts, { method: 'PUT', path: '/elsewhere', body: body('eu-central-1') });
    assert.equal(r.status, 400);
    assert.equal(errorOf(r).Code, 'IllegalLocationConstraintException');
    assert.equal(existsSync(join(ts.root, 'elsewhere')), false);
    const ok = await rawRequest(ts, { method: 'PUT', path: '/here-region', body: body('us-east-1') });
    assert.equal(ok.status, 200, ok.text);
  });

  it('configuration it cannot honour (a directory bucket\'s Location and Bucket) is 501 NotImplemented, never ignored', async () => {
    const body = '<CreateBucketConfiguration><Location><Name>usw2-az1</Name><Type>AvailabilityZone</Type></Location>'
      + '<Bucket><DataRedundancy>SingleAvailabilityZone</DataRedundancy><Type>Directory</Type></Bucket></CreateBucketConfiguration>';
    const r = await rawRequest(ts, { method: 'PUT', path: '/zonal-bucket', body });
    assert.equal(r.status, 501);
    assert.equal(errorOf(r).Code, 'NotImplemented');
    assert.equal(existsSync(join(ts.root, 'zonal-bucket')), false);
  });
});

describe('ListBuckets paging', () => {
  before(async () => {
    for (const n of [1, 2, 3, 4, 5]) await s3.send(new CreateBucketCommand({ Bucket: `page-${n}` }));
  });

  it('max-buckets pages with a continuation token; prefix narrows and comes back', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await s3.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: 'page-', ContinuationToken: token }));
      assert.equal(out.Prefix, 'page-');
      assert.ok((out.Buckets ?? []).length <= 2);
      for (const b of out.Buckets ?? []) assert.equal(b.BucketRegion, ts.region);
      names.push(...(out.Buckets ?? []).map((b) => b.Name!));
      token = out.ContinuationToken;
      pages++;
    } while (token);
    assert.deepEqual(names, ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    assert.equal(pages, 3);
    const all = await s3.send(new ListBucketsCommand({}));
    assert.equal(all.ContinuationToken, undefined);
    assert.equal(all.Prefix, undefined);
    assert.ok((all.Buckets ?? []).some((b) => b.Name === BUCKET));
  });

  it('an empty continuation token is no token; max-buckets outside 1..10000 is InvalidArgument', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: '/', query: [['continuation-token', ''], ['max-buckets', '1'], ['prefix', 'page-']] });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /<Name>page-1<\/Name>/);
    for (const v of ['0', '10001', 'x']) {
      const bad = await rawRequest(ts, { method: 'GET', path: '/', query: [['max-buckets', v]] });
      assert.equal(bad.status, 400, v);
      assert.equal(errorOf(bad).Code, 'InvalidArgument', v);
    }
  });
});

describe('NoSuchBucket for whoever asks', () => {
  it('an unsigned request to a missing bucket is 404 NoSuchBucket; to an existing one still 403', async () => {
    for (const [method, path] of [['GET', '/no-such-bucket'], ['GET', '/no-such-bucket/key'], ['PUT', '/no-such-bucket/key'], ['HEAD', '/no-such-bucket']] as const) {
      const r = await rawRequest(ts, { method, path, sign: 'none' });
      assert.equal(r.status, 404, `${method} ${path}`);
      if (method !== 'HEAD') assert.equal(errorOf(r).Code, 'NoSuchBucket');
    }
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/owned.txt`, sign: 'none' });
    assert.equal(r.status, 403);
    assert.equal(errorOf(r).Code, 'AccessDenied');
  });
});

describe('upload integrity and request details', () => {
  it('a checksum or Content-MD5 that does not match the body is 400 BadDigest, and nothing is stored', async () => {
    const wrongCrc = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/crc.txt`, body: 'payload', headers: { 'x-amz-checksum-crc32': crc32b64(Buffer.from('other')) } });
    assert.equal(wrongCrc.status, 400);
    assert.equal(errorOf(wrongCrc).Code, 'BadDigest');
    const wrongMd5 = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/md5.txt`, body: 'payload', headers: { 'content-md5': md5b64('other') } });
    assert.equal(wrongMd5.status, 400);
    assert.equal(errorOf(wrongMd5).Code, 'BadDigest');
    for (const key of ['crc.txt', 'md5.txt']) assert.equal(existsSync(join(ts.root, BUCKET, key)), false, key);
  });

  it('a presigned URL with X-Amz-Expires 0 or over 604800 is AuthorizationQueryParametersError; 604800 works', async () => {
    for (const expiresSeconds of [0, 604_801]) {
      const r = await send(presignUrl(ts, { method: 'GET', path: `/${BUCKET}/owned.txt`, expiresSeconds }), { method: 'GET' });
      assert.equal(r.status, 400, String(expiresSeconds));
      assert.equal(errorOf(r).Code, 'AuthorizationQueryParametersError', String(expiresSeconds));
    }
    const ok = await send(presignUrl(ts, { method: 'GET', path: `/${BUCKET}/owned.txt`, expiresSeconds: 604_800 }), { method: 'GET' });
    assert.equal(ok.status, 200);
  });

  it('an UploadPartCopy range beyond the source is InvalidRange', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ten.bin', Body: '0123456789' }));
    const id = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'parts.bin' }))).UploadId!;
    const e = await sdkError(() => s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: 'parts.bin', UploadId: id, PartNumber: 1, CopySource: `${BUCKET}/ten.bin`, CopySourceRange: 'bytes=5-10' })));
    assert.deepEqual([e.name, e.status], ['InvalidRange', 416]);
    const ok = await s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: 'parts.bin', UploadId: id, PartNumber: 1, CopySource: `${BUCKET}/ten.bin`, CopySourceRange: 'bytes=5-9' }));
    assert.ok(ok.CopyPartResult?.ETag);
  });

  it('an empty Expect header is ignored (not 417); an unknown expectation stays 417', async () => {
    const r = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/expect.txt`, body: 'hello', headers: { expect: '' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'expect.txt' }))).Body!.transformToString(), 'hello');
    const odd = await rawRequest(ts, { method: 'PUT', path: `/${BUCKET}/odd-expect.txt`, body: 'hello', headers: { expect: 'something-else' } });
    assert.equal(odd.status, 417);
    assert.equal(existsSync(join(ts.root, BUCKET, 'odd-expect.txt')), false);
  });

  it('ListObjectsV2 with an empty continuation-token lists from the start', async () => {
    const r = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['list-type', '2'], ['continuation-token', '']] });
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /<Key>owned\.txt<\/Key>/);
  });
});

describe('conditional deletes', () => {
  it('DeleteObject with If-Match, x-amz-if-match-last-modified-time and x-amz-if-match-size: 412 and nothing deleted unless all hold', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', Body: 'twelve bytes' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cond.txt' }));
    const later = new Date(head.LastModified!.getTime() + 60_000);
    for (const wrong of [{ IfMatch: '"0123456789abcdef0123456789abcdef"' }, { IfMatchSize: 11 }, { IfMatchLastModifiedTime: later }]) {
      const e = await sdkError(() => s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', ...wrong })));
      assert.deepEqual([e.name, e.status], ['PreconditionFailed', 412], JSON.stringify(wrong));
      assert.ok(existsSync(join(ts.root, BUCKET, 'cond.txt')), JSON.stringify(wrong));
    }
    const out = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', IfMatch: put.ETag, IfMatchSize: 12, IfMatchLastModifiedTime: head.LastModified }));
    assert.equal(out.$metadata.httpStatusCode, 204);
    assert.equal(existsSync(join(ts.root, BUCKET, 'cond.txt')), false);
    // No object: nothing to compare, and a delete of a missing key succeeds.
    const gone = await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', IfMatch: put.ETag }));
    assert.equal(gone.$metadata.httpStatusCode, 204);
    const bad = await rawRequest(ts, { method: 'DELETE', path: `/${BUCKET}/owned.txt`, headers: { 'x-amz-if-match-size': 'many' } });
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).Code, 'InvalidArgument');
  });

  it('DeleteObjects: each entry\'s ETag, LastModifiedTime and Size decide for that key alone', async () => {
    const a = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'many/a.txt', Body: 'aaa' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'many/b.txt', Body: 'bbb' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'many/c.txt', Body: 'ccc' }));
    const c = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'many/c.txt' }));
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [
      { Key: 'many/a.txt', ETag: a.ETag },
      { Key: 'many/b.txt', Size: 99 },
      { Key: 'many/c.txt', LastModifiedTime: new Date(c.LastModified!.getTime() - 60_000) },
    ] } }));
    assert.deepEqual((out.Deleted ?? []).map((d) => d.Key), ['many/a.txt']);
    assert.deepEqual((out.Errors ?? []).map((e) => [e.Key, e.Code]).sort(), [['many/b.txt', 'PreconditionFailed'], ['many/c.txt', 'PreconditionFailed']]);
    assert.equal(existsSync(join(ts.root, BUCKET, 'many', 'a.txt')), false);
    assert.ok(existsSync(join(ts.root, BUCKET, 'many', 'b.txt')));
    assert.ok(existsSync(join(ts.root, BUCKET, 'many', 'c.txt')));
  });
});

describe('tags and listing text', () => {
  it('a tag with an empty value keeps it (x-amz-tagging: foo=bar&bar=)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tagged.txt', Body: 't', Tagging: 'foo=bar&bar=' }));
    const tags = (await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'tagged.txt' }))).TagSet ?? [];
    assert.deepEqual(tags.map((t) => [t.Key, t.Value ?? '']).sort(), [['bar', ''], ['foo', 'bar']]);
  });

  it('ListObjects names are URL-encoded only with encoding-type=url', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'enc/a b+c%d.txt', Body: 'x' }));
    for (const listType of [[], [['list-type', '2']]] as [string, string][][]) {
      const plain = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [...listType, ['prefix', 'enc/']] });
      assert.match(plain.text, /<Key>enc\/a b\+c%d\.txt<\/Key>/);
      assert.doesNotMatch(plain.text, /EncodingType/);
      const url = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [...listType, ['prefix', 'enc/'], ['encoding-type', 'url']] });
      assert.match(url.text, /<Key>enc\/a%20b%2Bc%25d\.txt<\/Key>/);
      assert.match(url.text, /<EncodingType>url<\/EncodingType>/);
    }
  });

  it('no XML answer carries a raw control character: a key with one is escaped, in listings and error bodies', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ctl/bell\x07.txt', Body: 'x' }));
    const list = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}`, query: [['prefix', 'ctl/']] });
    assert.equal(list.status, 200);
    assert.doesNotMatch(list.text, /[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    assert.match(list.text, /<Key>ctl\/bell&#x7;\.txt<\/Key>/);
    const listed = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'ctl/bell\x07.txt' }));
    assert.equal(await listed.Body!.transformToString(), 'x');
    const missing = await rawRequest(ts, { method: 'GET', path: `/${BUCKET}/nul%00key` });
    assert.ok(missing.status >= 400, missing.text);
    assert.doesNotMatch(missing.text, /[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    assert.ok(errorOf(missing).Code);
  });
});

describe('bucket settings that cannot be set here', () => {
  it('their GETs answer what S3 answers when none is set; their PUTs stay 501 NotImplemented', async () => {
    const notFound = [
      [() => s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET })), 'ServerSideEncryptionConfigurationNotFoundError'],
      [() => s3.send(new GetBucketWebsiteCommand({ Bucket: BUCKET })), 'NoSuchWebsiteConfiguration'],
      [() => s3.send(new GetBucketReplicationCommand({ Bucket: BUCKET })), 'ReplicationConfigurationNotFoundError'],
    ] as const;
    for (const [call, code] of notFound) {
      const e = await sdkError(call);
      assert.deepEqual([e.name, e.status], [code, 404]);
    }
    assert.equal((await s3.send(new GetBucketLoggingCommand({ Bucket: BUCKET }))).LoggingEnabled, undefined);
    const notes = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }));
    assert.deepEqual([notes.TopicConfigurations, notes.QueueConfigurations, notes.LambdaFunctionConfigurations], [undefined, undefined, undefined]);
    assert.equal((await s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket: BUCKET }))).Status, undefined);
    assert.equal((await s3.send(new GetBucketRequestPaymentCommand({ Bucket: BUCKET }))).Payer, 'BucketOwner');
    const put = await sdkError(() => s3.send(new PutBucketEncryptionCommand({ Bucket: BUCKET,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } })));
    assert.deepEqual([put.name, put.status], ['NotImplemented', 501]);
    for (const sub of ['encryption', 'website', 'logging', 'replication', 'notification', 'accelerate', 'requestPayment']) {
      const r = await rawRequest(ts, { method: 'GET', path: '/no-such-settings', query: [[sub, '']] });
      assert.equal(r.status, 404, sub);
      assert.equal(errorOf(r).Code, 'NoSuchBucket', sub);
    }
  });
});

describe('buckets of two users', { skip: kernelOracleUnavailable() }, () => {
  it('CreateBucket of a name another user owns is BucketAlreadyExists; the expected owner is the creator\'s account', async () => {
    await addUser(ts.root, 'bob', { uid: 1017, gid: 2017, groups: [] }, ['--can-create-buckets']);
    const key = await createKey(ts.root, 'bob');
    const bob = ts.client({ credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, maxAttempts: 1 });
    // The gateway reads the users file within a second or two.
    let made = false;
    for (let i = 0; i < 40 && !made; i++) {
      made = await bob.send(new CreateBucketCommand({ Bucket: 'bobs-bucket' })).then(() => true, async (e: { name?: string }) => {
        if (e.name !== 'InvalidAccessKeyId') throw e;
        await new Promise((r) => setTimeout(r, 250));
        return false;
      });
    }
    assert.ok(made, 'bob could not create his bucket');
    const mine = await sdkError(() => bob.send(new CreateBucketCommand({ Bucket: 'bobs-bucket' })));
    assert.deepEqual([mine.name, mine.status], ['BucketAlreadyOwnedByYou', 409]);
    const theirs = await sdkError(() => bob.send(new CreateBucketCommand({ Bucket: BUCKET })));
    assert.deepEqual([theirs.name, theirs.status], ['BucketAlreadyExists', 409]);
    const admins = await sdkError(() => s3.send(new CreateBucketCommand({ Bucket: 'bobs-bucket' })));
    assert.deepEqual([admins.name, admins.status], ['BucketAlreadyExists', 409]);

    const bobsId = await ownerId('bobs-bucket');
    assert.notEqual(bobsId, await ownerId(BUCKET));
    await s3.send(new HeadBucketCommand({ Bucket: 'bobs-bucket', ExpectedBucketOwner: bobsId }));
    const adminsId = await ownerId(BUCKET);
    const e = await sdkError(() => s3.send(new HeadBucketCommand({ Bucket: 'bobs-bucket', ExpectedBucketOwner: adminsId })));
    assert.equal(e.status, 403);
  });
});
