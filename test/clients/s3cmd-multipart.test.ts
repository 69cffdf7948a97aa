/** s3cmd's multipart path: `put --multipart-chunk-size-mb=5` of 20 MiB, then `get` (which checks the bytes), compared. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CreateMultipartUploadCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { TestServer } from '../helpers/server.js';
import { clientSession, s3cmd as s3cmdFor } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';
import { fileDigest, writeRandomFile } from '../helpers/files.js';

const S3CMD = requireTool('s3cmd');
const BUCKET = 's3cmd-mp';
const SIZE = 20 * 1024 * 1024;

describe('s3cmd multipart', { skip: S3CMD.skip }, () => {
  const session = clientSession('dirbucket-s3cmd-mp-');
  let server: TestServer;
  let work: string;
  let md5: string;
  let s3cmd: (args: string[]) => Promise<RunResult>;

  before(async () => {
    ({ server, work } = session);
    md5 = await writeRandomFile(join(work, 'twenty.bin'), SIZE);
    s3cmd = await s3cmdFor(S3CMD.path!, session, { timeoutMs: 180_000 });
    const mb = await s3cmd(['mb', `s3://${BUCKET}`]);
    assert.equal(mb.code, 0, describeRun('s3cmd mb', mb));
  });

  it('puts 20 MiB in 5 MiB parts: a 4-part object with the same bytes', async () => {
    const r = await s3cmd(['put', '--multipart-chunk-size-mb=5', join(work, 'twenty.bin'), `s3://${BUCKET}/twenty.bin`]);
    assert.equal(r.code, 0, describeRun('s3cmd put', r));
    assert.equal(await fileDigest(join(server.root, BUCKET, 'twenty.bin'), 'md5'), md5);
    const head = await server.client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'twenty.bin' }));
    assert.match(head.ETag ?? '', /^"[0-9a-f]{32}-4"$/, 'went up in 4 parts');
    const info = await s3cmd(['info', `s3://${BUCKET}/twenty.bin`]);
    assert.equal(info.code, 0, describeRun('s3cmd info', info));
  });

  it('gets it back with the same bytes', async () => {
    const r = await s3cmd(['get', `s3://${BUCKET}/twenty.bin`, join(work, 'back.bin')]);
    assert.equal(r.code, 0, describeRun('s3cmd get', r));
    assert.doesNotMatch(r.stderr, /MD5 signatures do not match/i, describeRun('s3cmd get', r));
    assert.equal(await fileDigest(join(work, 'back.bin'), 'md5'), md5);
  });

  it('lists an upload left open (s3cmd multipart) and aborts it (s3cmd abortmp)', async () => {
    const s3 = server.client();
    const id = (await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'left/open.bin' }))).UploadId!;
    const listed = await s3cmd(['multipart', `s3://${BUCKET}`]);
    assert.equal(listed.code, 0, describeRun('s3cmd multipart', listed));
    assert.ok(listed.stdout.includes(id) && listed.stdout.includes('left/open.bin'), describeRun('s3cmd multipart lists the upload', listed));
    const aborted = await s3cmd(['abortmp', `s3://${BUCKET}/left/open.bin`, id]);
    assert.equal(aborted.code, 0, describeRun('s3cmd abortmp', aborted));
    const again = await s3cmd(['multipart', `s3://${BUCKET}`]);
    assert.ok(!again.stdout.includes(id), describeRun('s3cmd multipart after abortmp', again));
  });
});
