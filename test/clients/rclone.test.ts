/** rclone (configured from environment variables only) against a real dirbucket: copy, check, ls, purge. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestServer } from '../helpers/server.js';
import { clientSession, rclone as rcloneFor } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';
import { fileDigest, isInternal, listFiles } from '../helpers/files.js';
import { makeFixtures, type Fixture } from '../helpers/fixtures.js';

const RCLONE = requireTool('rclone');
const BUCKET = 'rclone-bucket';

describe('rclone', { skip: RCLONE.skip }, () => {
  const session = clientSession('dirbucket-rclone-');
  let server: TestServer;
  let work: string;
  let up: string;
  let fixtures: Fixture[];
  let rclone: (args: string[]) => Promise<RunResult>;

  before(async () => {
    ({ server, work } = session);
    up = join(work, 'up');
    await mkdir(up);
    fixtures = await makeFixtures(up);
    // --s3-upload-cutoff above 40 MiB: one PutObject per file. Retries off so server errors show.
    rclone = rcloneFor(RCLONE.path!, session, { flags: ['--s3-upload-cutoff', '100M', '--retries', '1', '--low-level-retries', '1'], timeoutMs: 180_000 });
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
