/** s3cmd (temp config file, path style, SigV4) against a real dirbucket: mb, put, get, ls -r, del -r, rb. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestServer } from '../helpers/server.js';
import { clientSession, s3cmd as s3cmdFor } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';
import { fileDigest, isInternal, listFiles } from '../helpers/files.js';
import { makeFixtures, type Fixture } from '../helpers/fixtures.js';

const S3CMD = requireTool('s3cmd');
const BUCKET = 's3cmd-bucket';

describe('s3cmd', { skip: S3CMD.skip }, () => {
  const session = clientSession('dirbucket-s3cmd-');
  let server: TestServer;
  let work: string;
  let fixtures: Fixture[];
  let s3cmd: (args: string[]) => Promise<RunResult>;

  before(async () => {
    ({ server, work } = session);
    await mkdir(join(work, 'up'));
    fixtures = await makeFixtures(join(work, 'up'));
    s3cmd = await s3cmdFor(S3CMD.path!, session, { config: ['check_ssl_certificate = False', 'multipart_chunk_size_mb = 100'], timeoutMs: 180_000 });
  });

  it('makes a bucket', async () => {
    const r = await s3cmd(['mb', `s3://${BUCKET}`]);
    assert.equal(r.code, 0, describeRun('s3cmd mb', r));
    assert.ok(existsSync(join(server.root, BUCKET)), 'bucket directory missing under the root');
  });

  it('puts a small, an empty and a 40 MiB file (no multipart)', async () => {
    for (const f of fixtures) {
      const r = await s3cmd(['put', '--disable-multipart', f.path, `s3://${BUCKET}/files/${f.name}`]);
      assert.equal(r.code, 0, describeRun(`s3cmd put ${f.name}`, r));
      assert.equal(await fileDigest(join(server.root, BUCKET, 'files', f.name), 'md5'), f.md5, `${f.name}: bytes on disk differ`);
    }
  });

  it('gets them back with the same bytes', async () => {
    const down = join(work, 'down');
    await mkdir(down);
    for (const f of fixtures) {
      // s3cmd checks the MD5 of what it got against the ETag, and fails on a mismatch.
      const r = await s3cmd(['get', `s3://${BUCKET}/files/${f.name}`, join(down, f.name)]);
      assert.equal(r.code, 0, describeRun(`s3cmd get ${f.name}`, r));
      assert.doesNotMatch(r.stderr, /MD5 signatures do not match/i, describeRun(`s3cmd get ${f.name}`, r));
      assert.equal(await fileDigest(join(down, f.name), 'md5'), f.md5, `${f.name}: downloaded bytes differ`);
    }
  });

  it('lists recursively with sizes', async () => {
    const r = await s3cmd(['ls', '-r', `s3://${BUCKET}`]);
    assert.equal(r.code, 0, describeRun('s3cmd ls -r', r));
    // Lines: DATE TIME SIZE s3://bucket/key
    const listed = r.stdout
      .split('\n')
      .filter((l) => l.includes('s3://'))
      .map((l) => {
        const m = /^\S+\s+\S+\s+(\d+)\s+s3:\/\/[^/]+\/(.+)$/.exec(l.trim());
        assert.ok(m, `unexpected s3cmd ls line: ${l}`);
        return [m[2]!, Number(m[1])];
      })
      .sort();
    assert.deepEqual(listed, fixtures.map((f) => [`files/${f.name}`, f.size]).sort());
  });

  it('deletes recursively, then removes the bucket', async () => {
    const del = await s3cmd(['del', '--recursive', '--force', `s3://${BUCKET}`]);
    assert.equal(del.code, 0, describeRun('s3cmd del --recursive', del));
    const ls = await s3cmd(['ls', '-r', `s3://${BUCKET}`]);
    assert.equal(ls.code, 0, describeRun('s3cmd ls -r', ls));
    assert.ok(!ls.stdout.includes('s3://'), `objects left after del:\n${ls.stdout}`);
    assert.deepEqual(await listFiles(join(server.root, BUCKET), isInternal), []);
    const rb = await s3cmd(['rb', `s3://${BUCKET}`]);
    assert.equal(rb.code, 0, describeRun('s3cmd rb', rb));
    assert.ok(!existsSync(join(server.root, BUCKET)), 'bucket directory still exists after s3cmd rb');
  });
});
