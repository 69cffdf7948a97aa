/** The AWS CLI's multipart path: `aws s3 cp` of 40 MiB with its defaults (multipart above 8 MiB), down and compared. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { TestServer } from '../helpers/server.js';
import { awsCli, clientSession } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';
import { fileDigest, isInternal, listFiles, writeRandomFile } from '../helpers/files.js';

const AWS = requireTool('aws');
const BUCKET = 'awscli-mp';
const SIZE = 40 * 1024 * 1024;

describe('aws cli multipart', { skip: AWS.skip }, () => {
  const session = clientSession('dirbucket-awscli-mp-');
  let server: TestServer;
  let work: string;
  let md5: string;
  let aws: (args: string[]) => Promise<RunResult>;

  before(async () => {
    ({ server, work } = session);
    md5 = await writeRandomFile(join(work, 'big.bin'), SIZE);
    // The CLI's own multipart defaults (threshold and chunk size 8 MiB); only addressing and retries set.
    aws = await awsCli(AWS.path!, session, { timeoutMs: 180_000 });
    const mb = await aws(['s3', 'mb', `s3://${BUCKET}`]);
    assert.equal(mb.code, 0, describeRun('aws s3 mb', mb));
  });

  it('uploads 40 MiB in 8 MiB parts: the object is a 5-part multipart object with the same bytes', async () => {
    const r = await aws(['s3', 'cp', '--no-progress', join(work, 'big.bin'), `s3://${BUCKET}/dir/big.bin`]);
    assert.equal(r.code, 0, describeRun('aws s3 cp up', r));
    assert.equal(await fileDigest(join(server.root, BUCKET, 'dir', 'big.bin'), 'md5'), md5, 'bytes on disk');
    const head = await aws(['s3api', 'head-object', '--bucket', BUCKET, '--key', 'dir/big.bin', '--output', 'json']);
    assert.equal(head.code, 0, describeRun('head-object', head));
    const meta = JSON.parse(head.stdout) as { ETag: string; ContentLength: number };
    assert.match(meta.ETag, /^"[0-9a-f]{32}-5"$/, 'a multipart ETag of 5 parts');
    assert.equal(meta.ContentLength, SIZE);
    assert.deepEqual(await listFiles(join(server.root, BUCKET), isInternal), ['dir/big.bin']);
  });

  it('downloads it (ranged GETs in parallel) with the same bytes', async () => {
    const r = await aws(['s3', 'cp', '--no-progress', `s3://${BUCKET}/dir/big.bin`, join(work, 'down.bin')]);
    assert.equal(r.code, 0, describeRun('aws s3 cp down', r));
    assert.equal(await fileDigest(join(work, 'down.bin'), 'md5'), md5);
  });

  it('s3api part commands: list-multipart-uploads and abort on an upload left open', async () => {
    const created = await aws(['s3api', 'create-multipart-upload', '--bucket', BUCKET, '--key', 'open.bin', '--output', 'json']);
    assert.equal(created.code, 0, describeRun('create-multipart-upload', created));
    const id = (JSON.parse(created.stdout) as { UploadId: string }).UploadId;
    const listed = await aws(['s3api', 'list-multipart-uploads', '--bucket', BUCKET, '--output', 'json']);
    assert.equal(listed.code, 0, describeRun('list-multipart-uploads', listed));
    assert.deepEqual((JSON.parse(listed.stdout) as { Uploads: { UploadId: string }[] }).Uploads.map((u) => u.UploadId), [id]);
    const aborted = await aws(['s3api', 'abort-multipart-upload', '--bucket', BUCKET, '--key', 'open.bin', '--upload-id', id]);
    assert.equal(aborted.code, 0, describeRun('abort-multipart-upload', aborted));
    const again = await aws(['s3api', 'list-multipart-uploads', '--bucket', BUCKET, '--output', 'json']);
    assert.ok(!again.stdout.includes(id), again.stdout);
  });
});
