/** rclone (configured from environment variables only) against a real dirbucket: copy, check, ls, purge. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, type TestServer } from '../helpers/server.js';
import { cleanEnv, describeRun, findExecutable, run, skipUnlessPresent, type RunResult } from '../helpers/tool.js';
import { fileDigest, isInternal, listFiles, makeTempDir, removeDir } from '../helpers/files.js';
import { makeFixtures, type Fixture } from '../helpers/fixtures.js';

const RCLONE = findExecutable('rclone', ['/usr/bin/rclone']);
const skip = skipUnlessPresent('rclone', RCLONE);
const BUCKET = 'rclone-bucket';

describe('rclone', { skip }, () => {
  let server: TestServer;
  let work: string;
  let up: string;
  let fixtures: Fixture[];
  let rclone: (args: string[]) => Promise<RunResult>;

  before(async () => {
    work = await makeTempDir('dirbucket-rclone-');
    server = await startServer();
    up = join(work, 'up');
    await mkdir(up);
    fixtures = await makeFixtures(up);
    // Why env only: the remote `db:` is defined by RCLONE_CONFIG_DB_*, and RCLONE_CONFIG points at a file that
    // does not exist, so nothing from the machine's own rclone.conf can leak in.
    const env = cleanEnv({
      RCLONE_CONFIG: join(work, 'no-rclone.conf'),
      RCLONE_CONFIG_DB_TYPE: 's3',
      RCLONE_CONFIG_DB_PROVIDER: 'Other',
      RCLONE_CONFIG_DB_ENDPOINT: server.endpoint,
      RCLONE_CONFIG_DB_ACCESS_KEY_ID: server.accessKeyId,
      RCLONE_CONFIG_DB_SECRET_ACCESS_KEY: server.secretAccessKey,
      RCLONE_CONFIG_DB_REGION: server.region,
      RCLONE_CONFIG_DB_FORCE_PATH_STYLE: 'true',
      HOME: work,
    });
    // --s3-upload-cutoff above 40 MiB: one PutObject per file. Retries off so server errors show.
    rclone = (args) =>
      run(RCLONE!, [...args, '--s3-upload-cutoff', '100M', '--retries', '1', '--low-level-retries', '1'], { env, cwd: work, timeoutMs: 180_000 });
  });

  after(async () => {
    await server?.stop();
    if (work) await removeDir(work);
  });

  it('makes a bucket', async () => {
    const r = await rclone(['mkdir', `db:${BUCKET}`]);
    assert.equal(r.code, 0, describeRun('rclone mkdir', r));
    assert.ok(existsSync(join(server.root, BUCKET)), 'bucket directory missing under the root');
  });

  it('copies a small, an empty and a 40 MiB file up', async () => {
    const r = await rclone(['copy', up, `db:${BUCKET}/files`]);
    assert.equal(r.code, 0, describeRun('rclone copy up', r));
    for (const f of fixtures) {
      assert.equal(await fileDigest(join(server.root, BUCKET, 'files', f.name), 'md5'), f.md5, `${f.name}: bytes on disk differ`);
    }
  });

  it('checks the copy with 0 differences', async () => {
    const r = await rclone(['check', up, `db:${BUCKET}/files`]);
    assert.equal(r.code, 0, describeRun('rclone check', r));
    assert.match(r.stderr, /\b0 differences found/, describeRun('rclone check', r));
    // rclone says "N hashes could not be checked" when ETags are not MD5s: single-part uploads must have them.
    assert.doesNotMatch(r.stderr, /hashes could not be checked/, describeRun('rclone check', r));
  });

  it('copies them down with the same bytes', async () => {
    const down = join(work, 'down');
    const r = await rclone(['copy', `db:${BUCKET}/files`, down]);
    assert.equal(r.code, 0, describeRun('rclone copy down', r));
    for (const f of fixtures) assert.equal(await fileDigest(join(down, f.name), 'md5'), f.md5, `${f.name}: downloaded bytes differ`);
  });

  it('lists recursively with sizes', async () => {
    const r = await rclone(['lsjson', '-R', '--files-only', `db:${BUCKET}`]);
    assert.equal(r.code, 0, describeRun('rclone lsjson -R', r));
    const entries = (JSON.parse(r.stdout) as { Path: string; Size: number }[]).map((e) => [e.Path, e.Size]).sort();
    assert.deepEqual(entries, fixtures.map((f) => [`files/${f.name}`, f.size]).sort());
  });

  it('removes recursively (purge), then removes the bucket', async () => {
    const purge = await rclone(['purge', `db:${BUCKET}/files`]);
    assert.equal(purge.code, 0, describeRun('rclone purge', purge));
    const ls = await rclone(['lsf', '-R', `db:${BUCKET}`]);
    assert.equal(ls.code, 0, describeRun('rclone lsf -R', ls));
    assert.equal(ls.stdout.trim(), '', 'objects left after purge');
    assert.deepEqual(await listFiles(join(server.root, BUCKET), isInternal), []);
    const rmdir = await rclone(['rmdir', `db:${BUCKET}`]);
    assert.equal(rmdir.code, 0, describeRun('rclone rmdir', rmdir));
    assert.ok(!existsSync(join(server.root, BUCKET)), 'bucket directory still exists after rclone rmdir');
  });
});
