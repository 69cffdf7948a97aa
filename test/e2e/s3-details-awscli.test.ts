/**
 * The AWS CLI's s3api on the fine print of issue #17: an empty tag value (`--tagging 'foo=bar&bar='`), reading
 * every bucket setting as a tool that dumps a bucket does (the ones that cannot be set answer "none set").
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { awsCli, clientSession } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';

const AWS = requireTool('aws');
const BUCKET = 'awscli-details';

describe('aws s3api and the fine print', { skip: AWS.skip }, () => {
  const session = clientSession('dirbucket-awscli-details-');
  let aws: (args: string[]) => Promise<RunResult>;
  const json = (r: RunResult, what: string): Record<string, unknown> => {
    assert.equal(r.code, 0, describeRun(what, r));
    return r.stdout.trim() === '' ? {} : JSON.parse(r.stdout) as Record<string, unknown>;
  };

  before(async () => {
    await writeFile(join(session.work, 'body.txt'), 'details');
    aws = await awsCli(AWS.path!, session, { args: ['--output', 'json'], timeoutMs: 60_000 });
    json(await aws(['s3api', 'create-bucket', '--bucket', BUCKET]), 'create-bucket');
  });

  it('put-object --tagging foo=bar&bar= keeps the empty value', async () => {
    json(await aws(['s3api', 'put-object', '--bucket', BUCKET, '--key', 'doc.txt', '--body', join(session.work, 'body.txt'), '--tagging', 'foo=bar&bar=']), 'put-object');
    const tags = json(await aws(['s3api', 'get-object-tagging', '--bucket', BUCKET, '--key', 'doc.txt']), 'get-object-tagging').TagSet as { Key: string; Value: string }[];
    assert.deepEqual(tags.map((t) => [t.Key, t.Value]).sort(), [['bar', ''], ['foo', 'bar']]);
  });

  it('the settings that cannot be set read as none set: errors S3 answers, or empty documents', async () => {
    for (const [cmd, code] of [['get-bucket-encryption', 'ServerSideEncryptionConfigurationNotFoundError'], ['get-bucket-website', 'NoSuchWebsiteConfiguration'],
      ['get-bucket-replication', 'ReplicationConfigurationNotFoundError']]) {
      const r = await aws(['s3api', cmd!, '--bucket', BUCKET]);
      assert.notEqual(r.code, 0, cmd);
      assert.match(r.stderr, new RegExp(`\\(${code}\\)`), describeRun(cmd!, r));
    }
    assert.deepEqual(json(await aws(['s3api', 'get-bucket-logging', '--bucket', BUCKET]), 'get-bucket-logging'), {});
    json(await aws(['s3api', 'get-bucket-notification-configuration', '--bucket', BUCKET]), 'get-bucket-notification-configuration');
    assert.equal(json(await aws(['s3api', 'get-bucket-accelerate-configuration', '--bucket', BUCKET]), 'accelerate').Status, undefined);
    assert.equal(json(await aws(['s3api', 'get-bucket-request-payment', '--bucket', BUCKET]), 'request-payment').Payer, 'BucketOwner');
  });
});
