/**
 * End to end: Put/Get/DeleteBucketLifecycleConfiguration through @aws-sdk/client-s3 and the aws cli, S3's
 * validation errors on the wire with nothing stored, and x-amz-expiration on PutObject, HeadObject and GetObject.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DeleteBucketLifecycleCommand, GetBucketLifecycleConfigurationCommand, GetObjectCommand, HeadObjectCommand, PutBucketLifecycleConfigurationCommand,
  PutObjectCommand, S3Client, type LifecycleRule,
} from '@aws-sdk/client-s3';
import { startWithBuckets, type TestServer } from '../helpers/server.js';
import { awsCli, clientSession } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun } from '../helpers/tool.js';
import { errorOf, rawRequest, sdkError } from './util.js';

let ts: TestServer;
let s3: S3Client;
const B = 'lifecycle-config';
const RULES: LifecycleRule[] = [
  { ID: 'logs', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Expiration: { Days: 30 }, Transitions: [{ Days: 7, StorageClass: 'GLACIER' }] },
  { ID: 'tagged', Filter: { And: { Prefix: 'data/', Tags: [{ Key: 'tmp', Value: 'yes' }], ObjectSizeGreaterThan: 1 } }, Status: 'Enabled', Expiration: { Days: 2 } },
  { ID: 'versions', Filter: {}, Status: 'Disabled', NoncurrentVersionExpiration: { NoncurrentDays: 3, NewerNoncurrentVersions: 2 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
];

let archive: string;
before(async () => {
  // The rules move objects to GLACIER: the gateway has an archive tier (without one they are refused, below).
  archive = await mkdtemp(join(tmpdir(), 'dirbucket-lc-archive-'));
  ({ ts, s3 } = await startWithBuckets([B], { args: ['--archive-dir', archive] }));
});
after(async () => {
  await ts?.stop();
  if (archive) await rm(archive, { recursive: true, force: true });
});

const putBody = (body: string) => rawRequest(ts, { method: 'PUT', path: `/${B}`, query: [['lifecycle', '']], body });
const cfg = (rules: string) => `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules}</LifecycleConfiguration>`;

describe('bucket lifecycle configuration', () => {
  it('is NoSuchLifecycleConfiguration until set; Put then Get gives the rules back; Delete (204) removes them', async () => {
    const none = await sdkError(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B })));
    assert.equal(none.name, 'NoSuchLifecycleConfiguration');
    assert.equal(none.status, 404);
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: RULES } }));
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B }));
    assert.deepEqual(got.Rules, RULES);
    const del = await s3.send(new DeleteBucketLifecycleCommand({ Bucket: B }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    assert.equal((await sdkError(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B })))).name, 'NoSuchLifecycleConfiguration');
    assert.equal((await sdkError(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'lifecycle-no-such-bucket' })))).name, 'NoSuchBucket');
  });

  it('refuses each wrong configuration with S3\'s code and stores nothing', async () => {
    const cases: [string, string, RegExp?][] = [
      [cfg('<Rule><ID>a</ID><Filter/><Status>enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'), 'MalformedXML'],
      [cfg('<Rule><ID>a</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'), 'MalformedXML'],
      [cfg('<Rule><ID>a</ID><Filter><Prefix>x</Prefix><ObjectSizeLessThan>4</ObjectSizeLessThan></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'), 'MalformedXML'],
      [cfg(`<Rule><ID>${'i'.repeat(256)}</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`), 'InvalidArgument', /255/],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule><Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>'), 'InvalidArgument', /unique/],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>'), 'InvalidArgument', /positive integer/],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Date>2030-01-01T12:00:00Z</Date></Expiration></Rule>'), 'InvalidArgument', /midnight GMT/],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status></Rule>'), 'InvalidRequest', /At least one action/],
      [cfg('<Rule><ID>a</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>'), 'InvalidRequest', /Tags/],
      ['<LifecycleConfiguration/>', 'MalformedXML'],
      [cfg('<Rule><ID>a</ID><Prefix>x</Prefix><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'), 'MalformedXML'],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2030-01-01</Date></Expiration></Rule>'), 'MalformedXML'],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>'), 'MalformedXML'],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>STANDARD</StorageClass></Transition></Rule>'), 'MalformedXML'],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>'), 'MalformedXML'],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration></Rule>'), 'InvalidArgument', /NoncurrentDays/],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>'), 'InvalidArgument', /NewerNoncurrentVersions/],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>'), 'InvalidArgument', /DaysAfterInitiation/],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Transition><Days>10</Days><StorageClass>ONEZONE_IA</StorageClass></Transition></Rule>'), 'InvalidArgument', /greater than or equal to 30/],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>3</Days></Expiration><Transition><Days>3</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>'), 'InvalidArgument', /greater than 'Days' in the Transition action/],
      [cfg('<Rule><ID>a</ID><Filter><And><ObjectSizeGreaterThan>9</ObjectSizeGreaterThan><ObjectSizeLessThan>9</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'), 'InvalidArgument', /ObjectSizeGreaterThan/],
      [cfg('<Rule><ID>a</ID><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>'), 'InvalidRequest', /Tags/],
      [cfg('<Rule><ID>a</ID><Filter><And><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k</Key><Value>w</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'), 'InvalidRequest', /Duplicate/],
      [cfg('<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Transition><Days>1</Days><StorageClass>GLACIER</StorageClass></Transition><Transition><Date>2030-01-01</Date><StorageClass>DEEP_ARCHIVE</StorageClass></Transition></Rule>'), 'InvalidRequest', /mixed/],
    ];
    for (const [body, code, message] of cases) {
      const r = await putBody(body);
      assert.equal(r.status, 400, `${body}: ${r.text}`);
      const err = errorOf(r);
      assert.equal(err.Code, code, body);
      if (message) assert.match(err.Message, message);
    }
    assert.equal((await sdkError(() => s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B })))).name, 'NoSuchLifecycleConfiguration', 'nothing stored');
  });
});

describe('a gateway without an archive tier', () => {
  it('refuses rules that move objects to an archive class when they are set (InvalidStorageClass naming --archive-dir); nothing stored', async () => {
    const { ts: plain, s3: c } = await startWithBuckets(['no-tier']);
    try {
      for (const rule of [RULES[0]!, { ID: 'old', Filter: {}, Status: 'Enabled', NoncurrentVersionTransitions: [{ NoncurrentDays: 5, StorageClass: 'DEEP_ARCHIVE' }] } as LifecycleRule]) {
        const e = await sdkError(() => c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'no-tier', LifecycleConfiguration: { Rules: [rule] } })));
        assert.equal(e.name, 'InvalidStorageClass');
        assert.equal(e.status, 400);
        assert.match(e.message, /--archive-dir/);
      }
      const none = await sdkError(() => c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'no-tier' })));
      assert.equal(none.name, 'NoSuchLifecycleConfiguration');
      // Rules that stay in the tree are taken as ever.
      await c.send(new PutBucketLifecycleConfigurationCommand({ Bucket: 'no-tier', LifecycleConfiguration: { Rules: [RULES[1]!] } }));
      assert.equal((await c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'no-tier' }))).Rules?.length, 1);
    } finally {
      await plain.stop();
    }
  });
});

describe('x-amz-expiration', () => {
  before(async () => {
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: RULES } }));
  });

  it('PutObject, HeadObject and GetObject name the rule and the midnight after the rule\'s days', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'logs/a.txt', Body: 'abc' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'logs/a.txt' }));
    const get = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'logs/a.txt' }));
    await get.Body?.transformToString();
    const midnight = new Date(Math.ceil((head.LastModified!.getTime() + 30 * 86_400_000) / 86_400_000) * 86_400_000);
    const expected = `expiry-date="${midnight.toUTCString()}", rule-id="logs"`;
    assert.equal(put.Expiration, expected);
    assert.equal(head.Expiration, expected);
    assert.equal(get.Expiration, expected);
  });

  it('only where a rule applies: prefix, tags and size all count', async () => {
    const none = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'other/a.txt', Body: 'abc' }));
    assert.equal(none.Expiration, undefined);
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'other/a.txt' }))).Expiration, undefined);
    const tagged = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'data/t.txt', Body: 'abc', Tagging: 'tmp=yes' }));
    assert.match(tagged.Expiration ?? '', /rule-id="tagged"/);
    assert.match((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'data/t.txt' }))).Expiration ?? '', /rule-id="tagged"/);
    const untagged = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'data/u.txt', Body: 'abc' }));
    assert.equal(untagged.Expiration, undefined);
    const small = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'data/s.txt', Body: 'a', Tagging: 'tmp=yes' }));
    assert.equal(small.Expiration, undefined, 'ObjectSizeGreaterThan 1 leaves a 1-byte object alone');
  });

  it('a Date rule names its date; a request for a given version gets no header', async () => {
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: [
      { ID: 'new year', Filter: { Prefix: 'dated/' }, Status: 'Enabled', Expiration: { Date: new Date('2099-01-01T00:00:00Z') } },
    ] } }));
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'dated/x', Body: 'x' }));
    assert.equal(put.Expiration, 'expiry-date="Thu, 01 Jan 2099 00:00:00 GMT", rule-id="new%20year"');
    const byVersion = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'dated/x', VersionId: 'null' }));
    assert.equal(byVersion.Expiration, undefined);
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: B, LifecycleConfiguration: { Rules: RULES } }));
  });
});

const AWS = requireTool('aws');

describe('aws s3api put-bucket-lifecycle-configuration', { skip: AWS.skip }, () => {
  const session = clientSession('dirbucket-awscli-lifecycle-');
  it('puts, gets and deletes a configuration; a wrong one fails with S3\'s code', async () => {
    const aws = await awsCli(AWS.path!, session, { args: ['--output', 'json'], timeoutMs: 60_000 });
    const bucket = 'awscli-lifecycle';
    const mb = await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    assert.equal(mb.code, 0, describeRun('create-bucket', mb));
    const good = join(session.work, 'good.json');
    const rules = { Rules: [{ ID: 'tmp', Filter: { Prefix: 'tmp/' }, Status: 'Enabled', Expiration: { Days: 1 }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }] };
    await writeFile(good, JSON.stringify(rules));
    const put = await aws(['s3api', 'put-bucket-lifecycle-configuration', '--bucket', bucket, '--lifecycle-configuration', `file://${good}`]);
    assert.equal(put.code, 0, describeRun('put', put));
    const got = await aws(['s3api', 'get-bucket-lifecycle-configuration', '--bucket', bucket]);
    assert.equal(got.code, 0, describeRun('get', got));
    assert.deepEqual((JSON.parse(got.stdout) as { Rules: unknown[] }).Rules, rules.Rules);
    const bad = join(session.work, 'bad.json');
    await writeFile(bad, JSON.stringify({ Rules: [{ ID: 'tmp', Filter: { Prefix: '' }, Status: 'Enabled', Expiration: { Date: '2030-01-01T06:00:00Z' } }] }));
    const refused = await aws(['s3api', 'put-bucket-lifecycle-configuration', '--bucket', bucket, '--lifecycle-configuration', `file://${bad}`]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /InvalidArgument/);
    const del = await aws(['s3api', 'delete-bucket-lifecycle', '--bucket', bucket]);
    assert.equal(del.code, 0, describeRun('delete', del));
    const gone = await aws(['s3api', 'get-bucket-lifecycle-configuration', '--bucket', bucket]);
    assert.match(gone.stderr, /NoSuchLifecycleConfiguration/);
  });
});
