/** rclone with a small --s3-upload-cutoff and 5M chunks: copy of 100 MiB in 20 parts, check, copy back, compared. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestServer } from '../helpers/server.js';
import { clientSession, rclone as rcloneFor } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';
import { fileDigest, isInternal, listFiles, writeRandomFile } from '../helpers/files.js';
import { HeadObjectCommand } from '@aws-sdk/client-s3';

const RCLONE = requireTool('rclone');
const BUCKET = 'rclone-mp';
const SIZE = 100 * 1024 * 1024;

describe('rclone multipart', { skip: RCLONE.skip }, () => {
  const session = clientSession('dirbucket-rclone-mp-');
  let server: TestServer;
  let work: string;
  let md5: string;
  let rclone: (args: string[]) => Promise<RunResult>;

  before(async () => {
    ({ server, work } = session);
    await mkdir(join(work, 'up'));
    md5 = await writeRandomFile(join(work, 'up', 'hundred.bin'), SIZE);
    rclone = rcloneFor(RCLONE.path!, session, {
      flags: ['--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', '--retries', '1', '--low-level-retries', '1'], timeoutMs: 300_000,
    });
    const mk = await rclone(['mkdir', `db:${BUCKET}`]);
    assert.equal(mk.code, 0, describeRun('rclone mkdir', mk));
  });

  it('copies 100 MiB up in 5 MiB chunks: a 20-part object with the same bytes', async () => {
    const r = await rclone(['copy', join(work, 'up'), `db:${BUCKET}/big`]);
    assert.equal(r.code, 0, describeRun('rclone copy up', r));
    assert.equal(await fileDigest(join(server.root, BUCKET, 'big', 'hundred.bin'), 'md5'), md5);
    const head = await server.client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'big/hundred.bin' }));
    assert.match(head.ETag ?? '', /^"[0-9a-f]{32}-20"$/);
    assert.deepEqual(await listFiles(join(server.root, BUCKET), isInternal), ['big/hundred.bin']);
  });

  it('checks the copy with 0 differences (rclone keeps the MD5 in metadata for multipart objects)', async () => {
    const r = await rclone(['check', join(work, 'up'), `db:${BUCKET}/big`]);
    assert.equal(r.code, 0, describeRun('rclone check', r));
    assert.match(r.stderr, /\b0 differences found/, describeRun('rclone check', r));
  });

  it('copies it back with the same bytes', async () => {
    const r = await rclone(['copy', `db:${BUCKET}/big`, join(work, 'down')]);
    assert.equal(r.code, 0, describeRun('rclone copy down', r));
    assert.equal(await fileDigest(join(work, 'down', 'hundred.bin'), 'md5'), md5);
  });
});
