/**
 * The AWS CLI's s3api object lock commands (issue #12): create-bucket --object-lock-enabled-for-bucket,
 * put/get-object-lock-configuration, put-object with lock options, put/get-object-retention and
 * put/get-object-legal-hold, delete-object refused while locked and allowed with --bypass-governance-retention.
 * Only GOVERNANCE retention and legal holds, all released before the end: the bucket is emptied and removed,
 * and no file is left immutable.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { awsCli, clientSession } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';

const AWS = requireTool('aws');
const BUCKET = 'awscli-lock';

describe('aws cli s3api object lock', { skip: AWS.skip }, () => {
  const session = clientSession('dirbucket-awscli-lock-');
  let work: string;
  let aws: (args: string[], timeoutMs?: number) => Promise<RunResult>;
  let held: string;
  let governed: string;

  async function ok(args: string[]): Promise<string> {
    const r = await aws(args);
    assert.equal(r.code, 0, describeRun(`aws ${args.slice(0, 2).join(' ')}`, r));
    return r.stdout;
  }

  async function json<T>(args: string[]): Promise<T> {
    return JSON.parse(await ok([...args, '--output', 'json'])) as T;
  }

  async function fails(args: string[], code: RegExp): Promise<void> {
    const r = await aws(args);
    assert.notEqual(r.code, 0, describeRun(`aws ${args.slice(0, 2).join(' ')}`, r));
    assert.match(r.stderr, code);
  }

  before(async () => {
    ({ work } = session);
    aws = await awsCli(AWS.path!, session, { timeoutMs: 60_000 });
    await writeFile(join(work, 'body'), 'locked');
  });

  it('create-bucket --object-lock-enabled-for-bucket makes a versioned, lock-enabled bucket', async () => {
    await ok(['s3api', 'create-bucket', '--bucket', BUCKET, '--object-lock-enabled-for-bucket']);
    assert.equal((await json<{ Status: string }>(['s3api', 'get-bucket-versioning', '--bucket', BUCKET])).Status, 'Enabled');
    const conf = await json<{ ObjectLockConfiguration: { ObjectLockEnabled: string } }>(['s3api', 'get-object-lock-configuration', '--bucket', BUCKET]);
    assert.equal(conf.ObjectLockConfiguration.ObjectLockEnabled, 'Enabled');
    await fails(['s3api', 'put-bucket-versioning', '--bucket', BUCKET, '--versioning-configuration', 'Status=Suspended'], /InvalidBucketState/);
  });

  it('put-object-lock-configuration sets a default retention that new versions get', async () => {
    await ok(['s3api', 'put-object-lock-configuration', '--bucket', BUCKET, '--object-lock-configuration',
      '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"GOVERNANCE","Days":1}}}']);
    const conf = await json<{ ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: string; Days: number } } } }>(['s3api', 'get-object-lock-configuration', '--bucket', BUCKET]);
    assert.deepEqual(conf.ObjectLockConfiguration.Rule.DefaultRetention, { Mode: 'GOVERNANCE', Days: 1 });
    const put = await json<{ VersionId: string }>(['s3api', 'put-object', '--bucket', BUCKET, '--key', 'gov', '--body', join(work, 'body')]);
    governed = put.VersionId;
    const r = await json<{ Retention: { Mode: string; RetainUntilDate: string } }>(['s3api', 'get-object-retention', '--bucket', BUCKET, '--key', 'gov', '--version-id', governed]);
    assert.equal(r.Retention.Mode, 'GOVERNANCE');
    assert.ok(Date.parse(r.Retention.RetainUntilDate) > Date.now() + 23 * 3600_000);
    await fails(['s3api', 'put-object-lock-configuration', '--bucket', BUCKET, '--object-lock-configuration',
      '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"GOVERNANCE","Days":1,"Years":1}}}'], /MalformedXML/);
  });

  it('put-object --object-lock-legal-hold-status ON, get-object-legal-hold, head-object shows it; delete-object refused', async () => {
    const put = await json<{ VersionId: string }>(['s3api', 'put-object', '--bucket', BUCKET, '--key', 'held', '--body', join(work, 'body'),
      '--object-lock-legal-hold-status', 'ON', '--object-lock-mode', 'GOVERNANCE', '--object-lock-retain-until-date', new Date(Date.now() + 3600_000).toISOString()]);
    held = put.VersionId;
    const hold = await json<{ LegalHold: { Status: string } }>(['s3api', 'get-object-legal-hold', '--bucket', BUCKET, '--key', 'held', '--version-id', held]);
    assert.equal(hold.LegalHold.Status, 'ON');
    const head = await json<{ ObjectLockLegalHoldStatus: string; ObjectLockMode: string }>(['s3api', 'head-object', '--bucket', BUCKET, '--key', 'held']);
    assert.equal(head.ObjectLockLegalHoldStatus, 'ON');
    assert.equal(head.ObjectLockMode, 'GOVERNANCE');
    await fails(['s3api', 'delete-object', '--bucket', BUCKET, '--key', 'held', '--version-id', held, '--bypass-governance-retention'], /AccessDenied/);
  });

  it('put-object-retention extends; shortening needs --bypass-governance-retention', async () => {
    const later = new Date(Date.now() + 2 * 86_400_000).toISOString();
    await ok(['s3api', 'put-object-retention', '--bucket', BUCKET, '--key', 'gov', '--version-id', governed, '--retention', `Mode=GOVERNANCE,RetainUntilDate=${later}`]);
    const sooner = new Date(Date.now() + 60_000).toISOString();
    await fails(['s3api', 'put-object-retention', '--bucket', BUCKET, '--key', 'gov', '--version-id', governed, '--retention', `Mode=GOVERNANCE,RetainUntilDate=${sooner}`], /AccessDenied/);
    await ok(['s3api', 'put-object-retention', '--bucket', BUCKET, '--key', 'gov', '--version-id', governed, '--retention', `Mode=GOVERNANCE,RetainUntilDate=${sooner}`, '--bypass-governance-retention']);
    const r = await json<{ Retention: { RetainUntilDate: string } }>(['s3api', 'get-object-retention', '--bucket', BUCKET, '--key', 'gov', '--version-id', governed]);
    assert.ok(Math.abs(Date.parse(r.Retention.RetainUntilDate) - Date.parse(sooner)) < 1000);
  });

  it('releases every lock and empties the bucket: delete-object with bypass, legal hold OFF, rb', async () => {
    await fails(['s3api', 'delete-object', '--bucket', BUCKET, '--key', 'gov', '--version-id', governed], /AccessDenied/);
    await ok(['s3api', 'delete-object', '--bucket', BUCKET, '--key', 'gov', '--version-id', governed, '--bypass-governance-retention']);
    await ok(['s3api', 'put-object-legal-hold', '--bucket', BUCKET, '--key', 'held', '--version-id', held, '--legal-hold', 'Status=OFF']);
    await ok(['s3api', 'delete-object', '--bucket', BUCKET, '--key', 'held', '--version-id', held, '--bypass-governance-retention']);
    await ok(['s3', 'rb', `s3://${BUCKET}`]);
  });
});
