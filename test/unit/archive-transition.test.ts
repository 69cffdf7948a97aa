/**
 * Backend.transitionObject, the lifecycle job's entry point, on a real tree: two callers at once (two gateways)
 * move the data once; an archive class leaves a stub; another class is only recorded; the refusals.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { PosixBackend } from '../../src/storage/posix/posix-backend.js';

let root: string;
let archive: string;
let a: PosixBackend;
let b: PosixBackend;

function tierCount(): number {
  let n = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(join(d, e.name)) : n++;
  };
  walk(archive);
  return n;
}

const put = (key: string, data: Buffer) => a.putObject({ bucket: 'bkt', key, body: Readable.from([data]), size: data.length, meta: { userMetadata: {} } });

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dirbucket-transition-'));
  archive = await mkdtemp(join(tmpdir(), 'dirbucket-transition-tier-'));
  await mkdir(join(root, 'bkt'));
  // Two back ends on one tree: two gateways.
  a = new PosixBackend({ root, archiveDir: archive, fsync: false });
  b = new PosixBackend({ root, archiveDir: archive, fsync: false });
});
after(async () => {
  await a.close();
  await b.close();
  await rm(root, { recursive: true, force: true });
  await rm(archive, { recursive: true, force: true });
});

test('two gateways transition one object at once: one moves it, the other finds it done; the data is in the tier once', async () => {
  const data = randomBytes(3 * 1024 * 1024);
  await put('twice', data);
  const results = await Promise.all([a.transitionObject('bkt', 'twice', undefined, 'GLACIER'), b.transitionObject('bkt', 'twice', undefined, 'GLACIER')]);
  assert.deepEqual(results.map((r) => r.moved).sort(), [false, true]);
  assert.equal(statSync(join(root, 'bkt', 'twice')).size, 0);
  assert.equal(tierCount(), 1);
  const info = await b.headObject({ bucket: 'bkt', key: 'twice' });
  assert.deepEqual([info.storageClass, info.size], ['GLACIER', data.length]);
  // Again: nothing to do; to DEEP_ARCHIVE: only the class changes (the data stays where it is).
  assert.deepEqual(await a.transitionObject('bkt', 'twice', undefined, 'GLACIER'), { moved: false });
  assert.deepEqual(await a.transitionObject('bkt', 'twice', undefined, 'DEEP_ARCHIVE'), { moved: true });
  assert.equal((await a.headObject({ bucket: 'bkt', key: 'twice' })).storageClass, 'DEEP_ARCHIVE');
  assert.equal(tierCount(), 1);
  // Back to a class kept in the tree: S3 lifecycle never does that; refused.
  await assert.rejects(a.transitionObject('bkt', 'twice', undefined, 'STANDARD_IA'), { code: 'InvalidObjectState' });
});

test('a class kept in the tree is recorded only; unknown classes, missing keys and versions are refused', async () => {
  const data = randomBytes(1000);
  await put('ia', data);
  assert.deepEqual(await a.transitionObject('bkt', 'ia', undefined, 'STANDARD_IA'), { moved: true });
  assert.deepEqual(await b.transitionObject('bkt', 'ia', undefined, 'STANDARD_IA'), { moved: false });
  assert.ok(readFileSync(join(root, 'bkt', 'ia')).equals(data));
  const info = await a.headObject({ bucket: 'bkt', key: 'ia' });
  assert.deepEqual([info.storageClass, info.size], ['STANDARD_IA', data.length]);
  await assert.rejects(a.transitionObject('bkt', 'ia', undefined, 'COLD'), { code: 'InvalidStorageClass' });
  await assert.rejects(a.transitionObject('bkt', 'none', undefined, 'GLACIER'), { code: 'NoSuchKey' });
  const plain = new PosixBackend({ root, fsync: false });
  await assert.rejects(plain.transitionObject('bkt', 'ia', undefined, 'GLACIER'), (e: Error) => /--archive-dir/.test(e.message));
  await plain.close();
});
