/**
 * Readers during archive moves, on a real tree: many concurrent GETs and HEADs of keys that are archived (data to
 * the tier, a stub at the path), restored (the data back at the path) and expired (a stub again), round after
 * round, in a bucket without versioning and in a versioned one. Each swap empties the key's path for an instant
 * (swap.ts); the readers must never answer NoSuchKey for it (swap-mark.ts), only the object or, for a stub,
 * InvalidObjectState. Bounded: a fixed number of rounds, each waiting at most a few lifecycle days of 1 s.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { PosixBackend } from '../../src/storage/posix/posix-backend.js';

const BUCKETS = ['plain', 'kept'];
const KEYS = 4;
const ROUNDS = 3;
const READERS = 8;

let root: string;
let archive: string;
let backend: PosixBackend;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dirbucket-swap-readers-'));
  archive = await mkdtemp(join(tmpdir(), 'dirbucket-swap-readers-tier-'));
  for (const b of BUCKETS) await mkdir(join(root, b));
  backend = new PosixBackend({ root, archiveDir: archive, fsync: false, lifecycleDaySeconds: 1 });
  await backend.putBucketVersioning({ bucket: 'kept', status: 'Enabled' });
});
after(async () => {
  await backend.close();
  await rm(root, { recursive: true, force: true });
  await rm(archive, { recursive: true, force: true });
});

const objects = BUCKETS.flatMap((bucket) => Array.from({ length: KEYS }, (_, i) => ({ bucket, key: `dir/k${i}.bin` })));

/** Reads the objects round robin until `stop`, GET and HEAD in turn; what went wrong, and how many reads were made. */
async function reader(n: number, stop: { now: boolean }, wrong: string[]): Promise<number> {
  let reads = 0;
  for (let i = n; !stop.now; i++) {
    const o = objects[i % objects.length]!;
    try {
      if (i % 2) await backend.headObject(o);
      else await (await backend.getObject(o)).close();
    } catch (e) {
      const code = (e as { code?: string }).code;
      // A stub of GLACIER: GET refused until restored, as S3 answers. Anything else is wrong.
      if (code !== 'InvalidObjectState') wrong.push(`${o.bucket}/${o.key}: ${code ?? (e as Error).message}`);
    }
    reads++;
  }
  return reads;
}

/** Waits until every object's restored copy is past its expiry (at most a few lifecycle days of 1 s). */
async function pastExpiry(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const dates = await Promise.all(objects.map(async (o) => {
      const r = (await backend.headObject(o)).restore;
      return r && !r.ongoing ? r.expiry.getTime() : 0;
    }));
    if (dates.every((d) => d < Date.now())) return;
    assert.ok(Date.now() < deadline, 'the restored copies expire within 10 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('GET and HEAD never answer NoSuchKey while keys are archived, restored and expired back to stubs', async () => {
  // A new object each round (STANDARD, its data in the tree), so that it can be archived again; a PUT replaces the
  // file by a rename, which leaves no instant without one.
  const putAll = async () => {
    for (const o of objects) {
      const data = randomBytes(16 * 1024);
      await backend.putObject({ ...o, body: Readable.from([data]), size: data.length, meta: { userMetadata: {} } });
    }
  };
  await putAll();
  const stop = { now: false };
  const wrong: string[] = [];
  const readers = Array.from({ length: READERS }, (_, n) => reader(n, stop, wrong));
  const job = backend.archiveJob();
  let swaps = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) await putAll();
      for (const o of objects) {
        assert.deepEqual(await backend.transitionObject(o.bucket, o.key, undefined, 'GLACIER'), { moved: true });
        swaps++;
      }
      for (const o of objects) assert.deepEqual(await backend.restoreObject({ ...o, days: 1 }), { started: true });
      await job.run(new AbortController().signal);
      for (const o of objects) assert.equal((await backend.headObject(o)).restore?.ongoing, false, `${o.bucket}/${o.key} restored`);
      swaps += objects.length;
      await pastExpiry();
      await job.run(new AbortController().signal);
      for (const o of objects) assert.equal((await backend.headObject(o)).restore, undefined, `${o.bucket}/${o.key} a stub again`);
      swaps += objects.length;
    }
  } finally {
    stop.now = true;
  }
  const reads = (await Promise.all(readers)).reduce((a, b) => a + b, 0);
  assert.equal(swaps, ROUNDS * 3 * objects.length);
  assert.ok(reads > swaps * 10, `the readers kept reading throughout (${reads} reads over ${swaps} swaps)`);
  assert.deepEqual(wrong, [], `${wrong.length} of ${reads} reads went wrong`);
});
