/**
 * A lifecycle pass against writers and refusals, on a real tree: a NAS user who writes a file between the pass's
 * re-check and its expiration keeps the write (the delete is conditional on what the re-check saw), and a
 * transition the storage refuses is not tried again by the next pass until the object changes (refusals.ts).
 * The race is placed where it hurts: the back end writes the file as the NAS user would, right after the re-check
 * looked at it (a subclass running the real storage, the write on the real file system).
 */
import assert from 'node:assert/strict';
import { renameSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { LifecycleRule, ObjectInfo, ObjectRef } from '../../src/storage/backend.js';
import { PosixBackend } from '../../src/storage/posix/posix-backend.js';
import { bucketPass, type ActionOutcome } from '../../src/server/lifecycle/bucket-pass.js';
import { RefusedTransitions } from '../../src/server/lifecycle/refusals.js';

const DAY_S = 1;
/** Long after anything here was written: every rule below is due. */
const LATER = () => Date.now() + 30 * DAY_S * 1000;
const rule = (r: Partial<LifecycleRule>): LifecycleRule => ({ id: 'r', enabled: true, filter: { form: 'filter', prefix: '', tags: [] }, transitions: [], noncurrentTransitions: [], ...r });

/** The real back end, with a NAS user who writes `key` the moment a HEAD of it (the pass's re-check) has answered. */
class RacedBackend extends PosixBackend {
  race?: { key: string; write: () => void };
  transitions = 0;

  override async headObject(input: ObjectRef): Promise<ObjectInfo> {
    const info = await super.headObject(input);
    if (this.race?.key === input.key) {
      this.race.write();
      this.race = undefined;
    }
    return info;
  }

  override async transitionObject(bucket: string, key: string, versionId: string | undefined, storageClass: string, signal?: AbortSignal): Promise<{ moved: boolean }> {
    this.transitions++;
    return super.transitionObject(bucket, key, versionId, storageClass, signal);
  }
}

let root: string;
let backend: RacedBackend;
const B = 'races';

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dirbucket-lifecycle-races-'));
  await mkdir(join(root, B));
  // No archive directory: a transition to GLACIER is refused (InvalidStorageClass naming --archive-dir).
  backend = new RacedBackend({ root, fsync: false, lifecycleDaySeconds: DAY_S });
});
after(async () => {
  await backend.close();
  await rm(root, { recursive: true, force: true });
});

const put = (key: string, text: string) => backend.putObject({ bucket: B, key, body: Readable.from([Buffer.from(text)]), size: Buffer.byteLength(text), meta: { userMetadata: {} } });

/** One pass of `rules` over the bucket, with its outcomes per key. */
async function pass(rules: LifecycleRule[], refusals?: RefusedTransitions): Promise<Map<string, ActionOutcome[]>> {
  const outcomes = new Map<string, ActionOutcome[]>();
  await bucketPass({
    backend, bucket: B, rules, daySeconds: DAY_S, now: LATER, ...(refusals ? { refusals } : {}),
    listener: { action: (_b, a, outcome) => outcomes.set(a.key, [...(outcomes.get(a.key) ?? []), outcome]) },
  });
  return outcomes;
}

test('a NAS write landing between the re-check and the expiration is kept: written in place, or renamed over the key', async () => {
  const expire = [rule({ expiration: { days: 1 } })];
  await put('inplace.txt', 'old object');
  await put('replaced.txt', 'old object');
  await put('plain.txt', 'old object');
  const path = (key: string) => join(root, B, key);
  backend.race = { key: 'inplace.txt', write: () => writeFileSync(path('inplace.txt'), 'the NAS user\'s new text') };
  let outcomes = await pass(expire);
  assert.deepEqual(outcomes.get('inplace.txt'), ['changed']);
  assert.equal(readFileSync(path('inplace.txt'), 'utf8'), 'the NAS user\'s new text');
  assert.deepEqual(outcomes.get('plain.txt'), ['done'], 'an object nobody touched expires');
  assert.throws(() => readFileSync(path('plain.txt')), { code: 'ENOENT' });
  assert.deepEqual(outcomes.get('replaced.txt'), ['done'], 'no race on this one in this pass');

  // Same size, renamed over the key (an editor's save): the new file is another inode.
  await put('replaced.txt', 'old object');
  backend.race = { key: 'replaced.txt', write: () => { writeFileSync(`${path('replaced.txt')}.swp`, 'new object'); renameSync(`${path('replaced.txt')}.swp`, path('replaced.txt')); } };
  outcomes = await pass(expire);
  assert.deepEqual(outcomes.get('replaced.txt'), ['changed']);
  assert.equal(readFileSync(path('replaced.txt'), 'utf8'), 'new object');
  // Not raced, a NAS-written file is an object like any other, expired when due.
  assert.deepEqual(outcomes.get('inplace.txt'), ['done']);
  assert.deepEqual((await pass(expire)).get('replaced.txt'), ['done']);
  assert.throws(() => readFileSync(path('replaced.txt')), { code: 'ENOENT' });
});

test('a refused transition is not tried again by the next pass, until the object changes', async () => {
  const cold = [rule({ id: 'cold', transitions: [{ days: 1, storageClass: 'GLACIER' }] })];
  await put('cold.txt', 'v1');
  const refusals = new RefusedTransitions(DAY_S);
  backend.transitions = 0;
  assert.deepEqual((await pass(cold, refusals)).get('cold.txt'), ['refused']);
  assert.equal(backend.transitions, 1);
  assert.equal((await pass(cold, refusals)).get('cold.txt'), undefined, 'the second pass does not try it');
  assert.equal(backend.transitions, 1);
  // Without the job's memory (a fresh process), and once the object changes, it is tried again.
  assert.deepEqual((await pass(cold)).get('cold.txt'), ['refused']);
  await put('cold.txt', 'v2');
  assert.deepEqual((await pass(cold, refusals)).get('cold.txt'), ['refused']);
  assert.equal(backend.transitions, 3);
  assert.equal((await pass(cold, refusals)).get('cold.txt'), undefined);
  assert.equal(backend.transitions, 3);
});
