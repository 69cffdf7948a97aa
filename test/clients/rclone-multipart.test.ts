/** rclone with a small --s3-upload-cutoff and 5M chunks: copy of 100 MiB in 20 parts, check, copy back, compared. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.js';
import { cleanEnv, describeRun, findExecutable, run, skipUnlessPresent, type RunResult } from '../helpers/tool.js';
import { fileDigest, isInternal, listFiles, makeTempDir, removeDir, writeRandomFile } from '../helpers/files.js';
import { HeadObjectCommand } from '@aws-sdk/client-s3';

const RCLONE = findExecutable('rclone', ['/usr/bin/rclone']);
const skip = skipUnlessPresent('rclone', RCLONE);
const BUCKET = 'rclone-mp';
const SIZE = 100 * 1024 * 1024;

describe('rclone multipart', { skip }, () => {
  let server: TestServer;
  let work: string;
  let md5: string;
  let rclone: (args: string[]) => Promise<RunResult>;

  before(async () => {
    work = await makeTempDir('dirbucket-rclone-mp-');
    server = await startServer();
    await mkdir(join(work, 'up'));
    md5 = await writeRandomFile(join(work, 'up', 'hundred.bin'), SIZE);
    const env = cleanEnv({
      RCLONE_CONFIG: join(work, 'no-rclone.conf'), RCLONE_CONFIG_DB_TYPE: 's3', RCLONE_CONFIG_DB_PROVIDER: 'Other',
      RCLONE_CONFIG_DB_ENDPOINT: server.endpoint, RCLONE_CONFIG_DB_ACCESS_KEY_ID: server.accessKeyId,
      RCLONE_CONFIG_DB_SECRET_ACCESS_KEY: server.secretAccessKey, RCLONE_CONFIG_DB_REGION: server.region,
      RCLONE_CONFIG_DB_FORCE_PATH_STYLE: 'true', HOME: work,
    });
    rclone = (args) => run(RCLONE!, [...args, '--s3-upload-cutoff', '5M', '--s3-chunk-size', '5M', '--retries', '1', '--low-level-retries', '1'],
      { env, cwd: work, timeoutMs: 300_000 });
    const mk = await rclone(['mkdir', `db:${BUCKET}`]);
    assert.equal(mk.code, 0, describeRun('rclone mkdir', mk));
  });
  after(async () => {
    await server?.stop();
    if (work) await removeDir(work);
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
