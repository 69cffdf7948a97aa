/** The AWS CLI (Debian's v2, /usr/bin/aws) against a real dirbucket: cp up and down, ls, rm, sync, rb --force. */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestServer } from '../helpers/server.js';
import { awsCli, clientSession } from '../helpers/clients.js';
import { requireTool } from '../helpers/requires.js';
import { describeRun, type RunResult } from '../helpers/tool.js';
import { fileDigest, isInternal, listFiles } from '../helpers/files.js';
import { makeFixtures, type Fixture } from '../helpers/fixtures.js';

const AWS = requireTool('aws');
const BUCKET = 'awscli-bucket';
const SYNC_BUCKET = 'awscli-sync';
/** The sync tree: 6 × 5 directories of 10 files, plus 2 at the top: 302 files. */
const TREE_FILES = 6 * 5 * 10 + 2;

describe('aws cli', { skip: AWS.skip }, () => {
  const session = clientSession('dirbucket-awscli-');
  let server: TestServer;
  let work: string;
  let fixtures: Fixture[];
  let aws: (args: string[], timeoutMs?: number) => Promise<RunResult>;

  before(async () => {
    ({ server, work } = session);
    fixtures = await makeFixtures(await mkdirp(join(work, 'up')));
    // Why 64MB: the 40 MiB file must go up in one PutObject.
    aws = await awsCli(AWS.path!, session, { s3: ['multipart_threshold = 64MB', 'multipart_chunksize = 64MB'], timeoutMs: 120_000 });
  });

  it('makes a bucket (mb) that is a directory under the root', async () => {
    const r = await aws(['s3', 'mb', `s3://${BUCKET}`]);
    assert.equal(r.code, 0, describeRun('aws s3 mb', r));
    assert.ok(existsSync(join(server.root, BUCKET)), 'bucket directory missing under the root');
  });

  it('copies a small, an empty and a 40 MiB file up, each in one PutObject', async () => {
    for (const f of fixtures) {
      const r = await aws(['s3', 'cp', '--no-progress', f.path, `s3://${BUCKET}/files/${f.name}`]);
      assert.equal(r.code, 0, describeRun(`aws s3 cp ${f.name} up`, r));
      assert.equal(await fileDigest(join(server.root, BUCKET, 'files', f.name), 'md5'), f.md5, `${f.name}: bytes on disk differ`);
      const head = await aws(['s3api', 'head-object', '--bucket', BUCKET, '--key', `files/${f.name}`, '--output', 'json']);
      assert.equal(head.code, 0, describeRun('aws s3api head-object', head));
      const meta = JSON.parse(head.stdout) as { ETag: string; ContentLength: number };
      // A plain MD5 ETag shows the file went up in one PutObject, not multipart (`md5-N`).
      assert.equal(meta.ETag, `"${f.md5}"`, `${f.name}: ETag`);
      assert.equal(meta.ContentLength, f.size, `${f.name}: ContentLength`);
    }
  });

  it('copies them down with the same bytes', async () => {
    const down = await mkdirp(join(work, 'down'));
    for (const f of fixtures) {
      const r = await aws(['s3', 'cp', '--no-progress', `s3://${BUCKET}/files/${f.name}`, join(down, f.name)]);
      assert.equal(r.code, 0, describeRun(`aws s3 cp ${f.name} down`, r));
      assert.equal(await fileDigest(join(down, f.name), 'md5'), f.md5, `${f.name}: downloaded bytes differ`);
    }
  });

  it('lists recursively with keys and sizes', async () => {
    const r = await aws(['s3', 'ls', '--recursive', `s3://${BUCKET}`]);
    assert.equal(r.code, 0, describeRun('aws s3 ls --recursive', r));
    const listed = parseLs(r.stdout);
    assert.deepEqual(listed, fixtures.map((f): [string, number] => [`files/${f.name}`, f.size]).sort(byKey));
  });

  it('removes recursively, leaving no files in the bucket directory', async () => {
    const r = await aws(['s3', 'rm', '--recursive', `s3://${BUCKET}/`]);
    assert.equal(r.code, 0, describeRun('aws s3 rm --recursive', r));
    const ls = await aws(['s3', 'ls', '--recursive', `s3://${BUCKET}`]);
    // aws s3 ls exits 1 when it lists nothing.
    assert.ok(ls.code === 0 || ls.code === 1, describeRun('aws s3 ls after rm', ls));
    assert.deepEqual(parseLs(ls.stdout), []);
    assert.deepEqual(await listFiles(join(server.root, BUCKET), isInternal), []);
    assert.ok(!existsSync(join(server.root, BUCKET, 'files')), 'the gateway-made directory files/ was left behind');
  });

  it('syncs a nested tree up; the second sync transfers nothing; sync down gives the same tree', async () => {
    const tree = await makeTree(join(work, 'tree'));
    const mb = await aws(['s3', 'mb', `s3://${SYNC_BUCKET}`]);
    assert.equal(mb.code, 0, describeRun('aws s3 mb', mb));
    const first = await aws(['s3', 'sync', '--no-progress', tree, `s3://${SYNC_BUCKET}/tree`], 300_000);
    assert.equal(first.code, 0, describeRun('first aws s3 sync', first));
    assert.equal(uploadLines(first.stdout).length, TREE_FILES, describeRun('first sync upload lines', first));
    assert.deepEqual(await listFiles(join(server.root, SYNC_BUCKET, 'tree'), isInternal), await listFiles(tree));

    const second = await aws(['s3', 'sync', '--no-progress', tree, `s3://${SYNC_BUCKET}/tree`], 300_000);
    assert.equal(second.code, 0, describeRun('second aws s3 sync', second));
    assert.deepEqual(uploadLines(second.stdout), [], describeRun('second sync should upload nothing', second));

    const back = join(work, 'tree-back');
    const down = await aws(['s3', 'sync', '--no-progress', `s3://${SYNC_BUCKET}/tree`, back], 300_000);
    assert.equal(down.code, 0, describeRun('aws s3 sync down', down));
    const files = await listFiles(tree);
    assert.deepEqual(await listFiles(back), files);
    for (const rel of files) {
      assert.equal(await readFile(join(back, rel), 'utf8'), await readFile(join(tree, rel), 'utf8'), rel);
    }
  });

  it('removes a non-empty bucket with rb --force', async () => {
    const r = await aws(['s3', 'rb', '--force', `s3://${SYNC_BUCKET}`], 300_000);
    assert.equal(r.code, 0, describeRun('aws s3 rb --force', r));
    assert.ok(!existsSync(join(server.root, SYNC_BUCKET)), 'bucket directory still exists after rb --force');
    const ls = await aws(['s3', 'ls']);
    assert.equal(ls.code, 0, describeRun('aws s3 ls', ls));
    assert.ok(!ls.stdout.includes(SYNC_BUCKET), `bucket still listed:\n${ls.stdout}`);
  });
});

async function mkdirp(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Writes the sync tree: d0..d5/e0..e4/f0..f9.txt plus two files at the top, each with distinct content. */
async function makeTree(root: string): Promise<string> {
  for (let d = 0; d < 6; d++) {
    for (let e = 0; e < 5; e++) {
      const dir = await mkdirp(join(root, `d${d}`, `e${e}`));
      for (let f = 0; f < 10; f++) await writeFile(join(dir, `f${f}.txt`), `file d${d}/e${e}/f${f}\n`.repeat(f + 1));
    }
  }
  await writeFile(join(root, 'top.txt'), 'top\n');
  await writeFile(join(root, 'a b & c.txt'), 'a name with spaces\n');
  return root;
}

/** `aws s3 ls --recursive` lines (`DATE TIME SIZE KEY`) as sorted [key, size] pairs. */
function parseLs(stdout: string): [string, number][] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^\S+\s+\S+\s+(\d+)\s(.+)$/.exec(l);
      assert.ok(m, `unexpected aws s3 ls line: ${l}`);
      return [m[2]!, Number(m[1])] as [string, number];
    })
    .sort(byKey);
}

function byKey(a: [string, number], b: [string, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function uploadLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => /^upload:/.test(l));
}
