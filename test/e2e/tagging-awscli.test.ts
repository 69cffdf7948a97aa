/** The AWS CLI's s3api against a real dirbucket: put-object-tagging, get-object-tagging, delete-object-tagging, and bucket tagging. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { awsCli, clientSession } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';

const AWS = requireTool('aws');
const BUCKET = 'awscli-tagging';

describe('aws s3api tagging', { skip: AWS.skip }, () => {
  const session = clientSession('dirbucket-awscli-tagging-');
  let work: string;
  let aws: (args: string[]) => Promise<RunResult>;
  const json = (r: RunResult, what: string): Record<string, unknown> => {
    assert.equal(r.code, 0, describeRun(what, r));
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  before(async () => {
    ({ work } = session);
    await writeFile(join(work, 'body.txt'), 'tag me');
    aws = await awsCli(AWS.path!, session, { args: ['--output', 'json'], timeoutMs: 60_000 });
    const mb = await aws(['s3api', 'create-bucket', '--bucket', BUCKET]);
    assert.equal(mb.code, 0, describeRun('create-bucket', mb));
    const put = await aws(['s3api', 'put-object', '--bucket', BUCKET, '--key', 'doc.txt', '--body', join(work, 'body.txt'), '--tagging', 'stage=draft']);
    assert.equal(put.code, 0, describeRun('put-object --tagging', put));
  });

  it('get-object-tagging shows the tags put-object gave', async () => {
    assert.deepEqual(json(await aws(['s3api', 'get-object-tagging', '--bucket', BUCKET, '--key', 'doc.txt']), 'get').TagSet, [{ Key: 'stage', Value: 'draft' }]);
    // botocore's HeadObject has no TagCount; GetObject reads x-amz-tagging-count.
    const got = json(await aws(['s3api', 'get-object', '--bucket', BUCKET, '--key', 'doc.txt', join(work, 'out.txt')]), 'get-object');
    assert.equal(got.TagCount, 1);
  });

  it('put-object-tagging replaces them, delete-object-tagging removes them', async () => {
    const put = await aws(['s3api', 'put-object-tagging', '--bucket', BUCKET, '--key', 'doc.txt', '--tagging', 'TagSet=[{Key=stage,Value=final},{Key=team,Value=data eng}]']);
    assert.equal(put.code, 0, describeRun('put-object-tagging', put));
    assert.deepEqual(json(await aws(['s3api', 'get-object-tagging', '--bucket', BUCKET, '--key', 'doc.txt']), 'get').TagSet,
      [{ Key: 'stage', Value: 'final' }, { Key: 'team', Value: 'data eng' }]);
    const del = await aws(['s3api', 'delete-object-tagging', '--bucket', BUCKET, '--key', 'doc.txt']);
    assert.equal(del.code, 0, describeRun('delete-object-tagging', del));
    assert.deepEqual(json(await aws(['s3api', 'get-object-tagging', '--bucket', BUCKET, '--key', 'doc.txt']), 'get').TagSet, []);
  });

  it('refusals reach the CLI as S3 errors (InvalidTag, NoSuchKey)', async () => {
    const reserved = await aws(['s3api', 'put-object-tagging', '--bucket', BUCKET, '--key', 'doc.txt', '--tagging', 'TagSet=[{Key=aws:x,Value=1}]']);
    assert.notEqual(reserved.code, 0);
    assert.match(reserved.stderr, /InvalidTag/);
    const missing = await aws(['s3api', 'get-object-tagging', '--bucket', BUCKET, '--key', 'nope.txt']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NoSuchKey/);
  });

  it('put-bucket-tagging, get-bucket-tagging, delete-bucket-tagging', async () => {
    const put = await aws(['s3api', 'put-bucket-tagging', '--bucket', BUCKET, '--tagging', 'TagSet=[{Key=cost-center,Value=42}]']);
    assert.equal(put.code, 0, describeRun('put-bucket-tagging', put));
    assert.deepEqual(json(await aws(['s3api', 'get-bucket-tagging', '--bucket', BUCKET]), 'get-bucket-tagging').TagSet, [{ Key: 'cost-center', Value: '42' }]);
    assert.equal((await aws(['s3api', 'delete-bucket-tagging', '--bucket', BUCKET])).code, 0);
    const none = await aws(['s3api', 'get-bucket-tagging', '--bucket', BUCKET]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /NoSuchTagSet/);
  });
});
