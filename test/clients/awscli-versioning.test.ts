/**
 * The AWS CLI against a versioned bucket (issue #11): put-bucket-versioning, versions on overwrite,
 * list-object-versions, get-object --version-id, delete markers, `aws s3 rb --force` refused while noncurrent
 * versions remain (as on S3), and emptying the bucket by version id.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { awsCli, clientSession } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';

const AWS = requireTool('aws');
const BUCKET = 'awscli-versions';

type Listed = { Versions?: { Key: string; VersionId: string; IsLatest: boolean }[]; DeleteMarkers?: { Key: string; VersionId: string; IsLatest: boolean }[] };

describe('aws cli on a versioned bucket', { skip: AWS.skip }, () => {
  const session = clientSession('dirbucket-awscli-versions-');
  let work: string;
  let aws: (args: string[], timeoutMs?: number) => Promise<RunResult>;
  const ids: string[] = [];

  async function ok(args: string[]): Promise<string> {
    const r = await aws(args);
    assert.equal(r.code, 0, describeRun(`aws ${args.slice(0, 2).join(' ')}`, r));
    return r.stdout;
  }

  async function listed(): Promise<Listed> {
    const out = await ok(['s3api', 'list-object-versions', '--bucket', BUCKET, '--output', 'json']);
    // An empty listing prints nothing at all.
    return (out.trim() ? JSON.parse(out) : {}) as Listed;
  }

  before(async () => {
    ({ work } = session);
    aws = await awsCli(AWS.path!, session, { timeoutMs: 60_000 });
  });

  it('enables versioning and reads it back', async () => {
    await ok(['s3', 'mb', `s3://${BUCKET}`]);
    await ok(['s3api', 'put-bucket-versioning', '--bucket', BUCKET, '--versioning-configuration', 'Status=Enabled']);
    const got = JSON.parse(await ok(['s3api', 'get-bucket-versioning', '--bucket', BUCKET, '--output', 'json'])) as { Status: string };
    assert.equal(got.Status, 'Enabled');
  });

  it('keeps each overwrite as a version, listed newest first, each readable by --version-id', async () => {
    for (const body of ['one', 'two', 'three']) {
      await writeFile(join(work, 'body'), body);
      const put = JSON.parse(await ok(['s3api', 'put-object', '--bucket', BUCKET, '--key', 'doc', '--body', join(work, 'body'), '--output', 'json'])) as { VersionId: string };
      assert.ok(put.VersionId, 'put-object answers a VersionId');
      ids.unshift(put.VersionId);
    }
    const l = await listed();
    assert.deepEqual(l.Versions?.map((v) => [v.VersionId, v.IsLatest]), ids.map((id, i) => [id, i === 0]));
    await ok(['s3api', 'get-object', '--bucket', BUCKET, '--key', 'doc', '--version-id', ids[2]!, join(work, 'down')]);
    assert.equal(await readFile(join(work, 'down'), 'utf8'), 'one');
  });

  it('rm puts a delete marker; s3 ls no longer shows the key, list-object-versions does', async () => {
    await ok(['s3', 'rm', `s3://${BUCKET}/doc`]);
    const ls = await aws(['s3', 'ls', `s3://${BUCKET}/`]);
    assert.equal(ls.stdout.trim(), '', describeRun('aws s3 ls', ls));
    const l = await listed();
    assert.equal(l.DeleteMarkers?.length, 1);
    assert.equal(l.DeleteMarkers![0]!.IsLatest, true);
    assert.equal(l.Versions?.length, 3);
  });

  it('rb --force fails while versions remain; deleting every version by id empties the bucket, then rb works', async () => {
    const rb = await aws(['s3', 'rb', '--force', `s3://${BUCKET}`]);
    assert.notEqual(rb.code, 0, describeRun('aws s3 rb --force', rb));
    assert.match(rb.stderr, /BucketNotEmpty/);
    const l = await listed();
    const objects = [...(l.Versions ?? []), ...(l.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
    await writeFile(join(work, 'delete.json'), JSON.stringify({ Objects: objects, Quiet: true }));
    await ok(['s3api', 'delete-objects', '--bucket', BUCKET, '--delete', `file://${join(work, 'delete.json')}`]);
    const after = await listed();
    assert.equal((after.Versions ?? []).length + (after.DeleteMarkers ?? []).length, 0);
    await ok(['s3', 'rb', `s3://${BUCKET}`]);
  });
});
