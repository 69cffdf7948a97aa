/**
 * Backend.transitionObject, the lifecycle job's entry point, on a real tree: two callers at once (two gateways)
 * move the data once; an archive class leaves a stub; another class is only recorded; the refusals.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (!e.name.endsWith('.ref')) n++; // each data file's note of its key (tier-gc.ts)
    }
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

test('versioning: a noncurrent version is moved alone; restored by version id through the archive job; the current one untouched', async () => {
  await mkdir(join(root, 'vbk'));
  await a.putBucketVersioning({ bucket: 'vbk', status: 'Enabled' });
  const old = randomBytes(40_000);
  const cur = randomBytes(1000);
  const putV = (data: Buffer) => a.putObject({ bucket: 'vbk', key: 'doc', body: Readable.from([data]), size: data.length, meta: { userMetadata: {} } });
  const v1 = (await putV(old)).versionId!;
  const v2 = (await putV(cur)).versionId!;
  const before = tierCount();
  assert.deepEqual(await b.transitionObject('vbk', 'doc', v1, 'DEEP_ARCHIVE'), { moved: true });
  assert.equal(tierCount(), before + 1);
  assert.ok(readFileSync(join(root, 'vbk', 'doc')).equals(cur), 'the current version stays in the tree');
  const entry = join(root, 'vbk', '.dirbucket', 'versions', 'doc', '.dirbucket', v1);
  assert.equal(statSync(entry).size, 0, 'the noncurrent version\'s entry is a stub');
  const h1 = await a.headObject({ bucket: 'vbk', key: 'doc', versionId: v1 });
  assert.deepEqual([h1.storageClass, h1.size, h1.versionId], ['DEEP_ARCHIVE', old.length, v1]);
  assert.equal((await a.headObject({ bucket: 'vbk', key: 'doc' })).versionId, v2);
  await assert.rejects(a.getObject({ bucket: 'vbk', key: 'doc', versionId: v1 }), { code: 'InvalidObjectState' });
  await assert.rejects(a.transitionObject('vbk', 'doc', 'nosuchversion00000000', 'GLACIER'), (e: { code?: string }) => e.code === 'NoSuchVersion' || e.code === 'InvalidArgument');

  assert.deepEqual(await a.restoreObject({ bucket: 'vbk', key: 'doc', versionId: v1, days: 1 }), { started: true });
  await assert.rejects(a.restoreObject({ bucket: 'vbk', key: 'doc', versionId: v1, days: 1 }), { code: 'RestoreAlreadyInProgress' });
  await b.archiveJob().run(new AbortController().signal);
  const restored = await a.headObject({ bucket: 'vbk', key: 'doc', versionId: v1 });
  assert.equal(restored.restore?.ongoing, false);
  assert.ok(readFileSync(entry).equals(old), 'the restored copy is the entry');
  const handle = await a.getObject({ bucket: 'vbk', key: 'doc', versionId: v1 });
  const chunks: Buffer[] = [];
  for await (const c of handle.stream()) chunks.push(c as Buffer);
  await handle.close();
  assert.ok(Buffer.concat(chunks).equals(old));
  assert.deepEqual(await a.restoreObject({ bucket: 'vbk', key: 'doc', versionId: v1, days: 5 }), { started: false });
  assert.equal(tierCount(), before + 1, 'a restore copies out of the tier, never into it');
});

test('moves a kill cut short (while writing the tier ref, the journal, or closing) leave nothing behind once the key is next moved', async () => {
  const data = randomBytes(64 * 1024);
  await put('cut', data);
  // What a kill -9 inside archivePlace's prepare leaves: the journal (the tier file made by this move), a partial
  // copy, and the temporary file of the ref's atomic write; no work directory's `new` (never swapped).
  const name = 'ab'.padEnd(32, '0');
  const tierSub = join(archive, 'bkt', name.slice(0, 2));
  await mkdir(tierSub, { recursive: true });
  writeFileSync(join(tierSub, `${name}.part`), data.subarray(0, 1000));
  writeFileSync(join(tierSub, `${name}.ref.0123456789ab.tmp`), '{"ke');
  const moves = join(root, 'bkt', '.dirbucket', 'archive', 'moves');
  await mkdir(moves, { recursive: true });
  const keyName = createHash('sha256').update('cut').digest('hex').slice(0, 40);
  writeFileSync(join(moves, `${keyName}-m1.json`), JSON.stringify({
    id: 'm1', key: 'cut', kind: 'archive', fromIno: String(statSync(join(root, 'bkt', 'cut')).ino), file: name, madeFile: true,
  }));
  // And a move killed while its journal was being written (its temporary file, an empty work directory), and one
  // killed while closing (a work directory whose journal is gone).
  writeFileSync(join(moves, `${keyName}-m2.json.0123456789ab.tmp`), '{"id":"m');
  await mkdir(join(moves, `${keyName}-m2`));
  await mkdir(join(moves, `${keyName}-m3`));
  writeFileSync(join(moves, `${keyName}-m3`, 'away'), 'x');
  const before = tierCount();
  assert.deepEqual(await a.transitionObject('bkt', 'cut', undefined, 'GLACIER'), { moved: true });
  assert.deepEqual(readdirSync(moves), [], 'the dead move is settled');
  assert.deepEqual(readdirSync(tierSub).filter((n) => n.startsWith(name)), [], 'nothing of the dead move is left in the tier');
  assert.equal(tierCount(), before - 2 + 1, 'the two leftovers gone, the new copy there');
  await assert.rejects(a.getObject({ bucket: 'bkt', key: 'cut' }), { code: 'InvalidObjectState' });
});
