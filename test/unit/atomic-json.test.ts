/** Atomic JSON files and their read-modify-write under a lock, including from several processes at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../../src/fsutil/atomic-write.js';
import { breakLock, takeLock, withFileLock } from '../../src/fsutil/file-lock.js';
import { currentOwner } from '../../src/fsutil/lock-owner.js';
import { readJsonFile, writeJsonFile, writeJsonFileSync } from '../../src/fsutil/json-file.js';
import { updateJsonFile } from '../../src/fsutil/update-json-file.js';

const run = promisify(execFile);

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dirbucket-atomic-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a write replaces the file whole, with its mode, leaving no temporary file; a failed one leaves nothing', () => inTemp(async (dir) => {
  const file = join(dir, 'a.json');
  await writeJsonFile(file, { a: 1 }, { mode: 0o600, fsync: true, syncDir: true });
  await writeJsonFile(file, { a: 2 }, { pretty: true, mode: 0o600 });
  assert.equal(readFileSync(file, 'utf8'), '{\n  "a": 2\n}\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['a.json']);
  await assert.rejects(writeFileAtomic(join(dir, 'no', 'b.json'), 'x'), { code: 'ENOENT' });
  await writeFileAtomic(join(dir, 'no', 'b.json'), 'x', { mkdir: 0o700 });
  assert.equal(statSync(join(dir, 'no')).mode & 0o777, 0o700);
  writeJsonFileSync(join(dir, 'c.json'), [1], { mode: 0o640 });
  assert.deepEqual(await readJsonFile(join(dir, 'c.json')), [1]);
  assert.equal(await readJsonFile(join(dir, 'none.json')), undefined);
  assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'c.json', 'no']);
}));

test('the lock: one holder at a time; a stale lock is broken; a live one makes a writer give up, saying so', () => inTemp(async (dir) => {
  const lock = join(dir, 'f.lock');
  const order: string[] = [];
  await Promise.all(['a', 'b', 'c'].map((n) => withFileLock(lock, async () => {
    order.push(`${n}+`);
    await new Promise((r) => setTimeout(r, 20));
    order.push(`${n}-`);
  })));
  for (let i = 0; i < order.length; i += 2) assert.equal(order[i]![0], order[i + 1]![0], order.join(' '));
  writeFileSync(lock, '99999\n');
  const old = (Date.now() - 60_000) / 1000;
  utimesSync(lock, old, old);
  await withFileLock(lock, async () => undefined, { staleMs: 1000 });
  const release = await takeLock(lock, { staleMs: 300 });
  try {
    await new Promise((r) => setTimeout(r, 600)); // a live holder keeps its lock fresh
    await assert.rejects(takeLock(lock, { staleMs: 300, waitMs: 100, what: 'the test lock' }), /another writer holds the test lock/);
  } finally {
    await release();
  }
  assert.deepEqual(readdirSync(dir), []);
}));

test('the lock names its holder; a fresh lock whose holder is dead (this host) is broken at once, a live one is not', () => inTemp(async (dir) => {
  const lock = join(dir, 'sub', 'f.lock');
  await assert.rejects(takeLock(lock), { code: 'ENOENT' });
  const release = await takeLock(lock, { makeDir: true });
  assert.deepEqual(JSON.parse(readFileSync(lock, 'utf8')), JSON.parse(JSON.stringify(currentOwner())));
  class Busy extends Error {}
  await assert.rejects(takeLock(lock, { waitMs: 50, busy: () => new Busy('busy') }), Busy, 'our own live lock is not broken');
  await release();
  assert.deepEqual(readdirSync(join(dir, 'sub')), []);
  const gone = spawnSync(process.execPath, ['-e', '']).pid!; // a process that has exited
  writeFileSync(lock, JSON.stringify({ ...currentOwner(), pid: gone, start: '1' }));
  const t0 = Date.now();
  await withFileLock(lock, async () => assert.notEqual(JSON.parse(readFileSync(lock, 'utf8')).pid, gone), { staleMs: 60_000, waitMs: 5_000 });
  assert.ok(Date.now() - t0 < 2_000, 'broken without waiting for staleness');
  writeFileSync(lock, JSON.stringify({ ...currentOwner(), host: 'another-host', pid: gone }));
  await assert.rejects(takeLock(lock, { staleMs: 60_000, waitMs: 100 }), /another writer holds the lock/, 'another host: judged by age only');
  rmSync(lock);
  assert.deepEqual(readdirSync(join(dir, 'sub')), []);
}));

test('many contenders for a stale lock: one holder at a time, and nothing left behind', () => inTemp(async (dir) => {
  const lock = join(dir, 'f.lock');
  for (let round = 0; round < 20; round++) {
    writeFileSync(lock, '');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(lock, old, old);
    let inside = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 6 }, () => withFileLock(lock, async () => {
      most = Math.max(most, ++inside);
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      inside--;
    }, { staleMs: 1_000 })));
    assert.equal(most, 1, `round ${round}: two held the lock at once`);
    assert.ok(!existsSync(lock));
    assert.deepEqual(readdirSync(dir), []);
  }
}));

test('a contender acting late on a stale lock another has broken and taken anew leaves the new lock alone', () => inTemp(async (dir) => {
  const lock = join(dir, 'f.lock');
  writeFileSync(lock, '');
  const old = (Date.now() - 60_000) / 1000;
  utimesSync(lock, old, old);
  const judged = { st: await lstat(lock, { bigint: true }) }; // the slow contender's judgement: stale
  const release = await takeLock(lock, { staleMs: 1_000 }); // another broke it and holds a fresh lock
  try {
    const held = await lstat(lock, { bigint: true });
    await breakLock(lock, judged, 1_000);
    const after = await lstat(lock, { bigint: true });
    // Not even moved aside and back: meanwhile a third contender could have taken the empty name.
    assert.equal(after.ino, held.ino);
    assert.equal(after.ctimeNs, held.ctimeNs, 'the fresh lock was never renamed');
    assert.deepEqual(readdirSync(dir), ['f.lock']);
  } finally {
    await release();
  }
}));

test('a change that throws leaves the file as it was', () => inTemp(async (dir) => {
  const file = join(dir, 'd.json');
  await writeJsonFile(file, { n: 1 });
  const read = async (f: string) => (await readJsonFile<{ n: number }>(f)) ?? { n: 0 };
  await assert.rejects(updateJsonFile(file, { read, change: (d) => { d.n = 2; throw new Error('no'); } }), /no/);
  assert.equal(await updateJsonFile(file, { read, change: (d) => ++d.n }), 2);
  assert.deepEqual(await readJsonFile(file), { n: 2 });
}));

const PROCESSES = 4;
const UPDATES = 25;

/** Runs `script` (an ES module body given `file`, `who` and UPDATES) in PROCESSES child processes at once. */
async function inProcesses(script: string, file: string): Promise<void> {
  await Promise.all(Array.from({ length: PROCESSES }, (_, who) =>
    run(process.execPath, ['--input-type=module', '-e', script, file, String(who), String(UPDATES)], { timeout: 60_000 })));
}

test(`${PROCESSES} processes updating one file ${UPDATES} times each lose no update`, () => inTemp(async (dir) => {
  const file = join(dir, 'counter.json');
  await inProcesses(`
    import { updateJsonFile } from ${JSON.stringify(new URL('../../src/fsutil/update-json-file.js', import.meta.url).href)};
    import { readJsonFile } from ${JSON.stringify(new URL('../../src/fsutil/json-file.js', import.meta.url).href)};
    const [file, who, n] = process.argv.slice(1);
    for (let i = 0; i < Number(n); i++) {
      await updateJsonFile(file, {
        read: async (f) => (await readJsonFile(f)) ?? { count: 0, seen: [] },
        change: (d) => { d.count++; d.seen.push(who + ':' + i); },
        write: { fsync: false },
      });
    }`, file);
  const doc = (await readJsonFile<{ count: number; seen: string[] }>(file))!;
  assert.equal(doc.count, PROCESSES * UPDATES);
  assert.equal(new Set(doc.seen).size, PROCESSES * UPDATES);
  assert.deepEqual(readdirSync(dir), ['counter.json']);
}));

test(`bucket.json: ${PROCESSES} processes changing settings at once lose none of them`, () => inTemp(async (dir) => {
  await inProcesses(`
    import { updateBucketSettings } from ${JSON.stringify(new URL('../../src/storage/posix/buckets/bucket-settings.js', import.meta.url).href)};
    const [stateDir, who, n] = process.argv.slice(1);
    for (let i = 0; i < Number(n); i++) await updateBucketSettings({ stateDir }, { ['p' + who + '-' + i]: i }, false);`, dir);
  const settings = JSON.parse(readFileSync(join(dir, 'bucket.json'), 'utf8')) as Record<string, number>;
  assert.equal(Object.keys(settings).length, PROCESSES * UPDATES);
  assert.deepEqual(readdirSync(dir), ['bucket.json']);
}));
