/** Staging housekeeping: what killed writers left is swept, by a job; files still being written never are. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { machineTag, ownerTag } from '../../src/fsutil/lock-owner.js';
import { stagingName } from '../../src/storage/posix/write/staging.js';
import { OTHER_MACHINE_STALE_MS, UNTAGGED_STALE_MS, sweepStaging } from '../../src/storage/posix/write/staging-sweep.js';
import { rootBackend, tempDir } from './storage-fixture.js';

const ago = (ms: number) => new Date(Date.now() - ms);
/** A bucket state directory's staging directory (made) and heartbeat directory, as the job passes them. */
async function stateDirs(t: { dir: string }) {
  await mkdir(join(t.dir, 'tmp'));
  return { tmpDir: join(t.dir, 'tmp'), aliveDir: join(t.dir, 'alive') };
}

test('untagged staging entries (older gateways) are removed once untouched for the stale period', async () => {
  const t = await tempDir();
  try {
    const dirs = await stateDirs(t);
    const tmp = dirs.tmpDir;
    const old = ago(UNTAGGED_STALE_MS + 60_000);
    await writeFile(join(tmp, 'dead'), 'left by a crash');
    await utimes(join(tmp, 'dead'), old, old);
    await writeFile(join(tmp, 'live'), 'an upload in progress');
    await mkdir(join(tmp, 'aside'));
    await utimes(join(tmp, 'aside'), old, old);
    assert.deepEqual(await sweepStaging(dirs), { removed: 2, kept: 1 });
    assert.deepEqual(await readdir(tmp), ['live']);
    assert.deepEqual(await sweepStaging({ tmpDir: join(t.dir, 'missing'), aliveDir: dirs.aliveDir }), { removed: 0, kept: 0 });
  } finally {
    await t.cleanup();
  }
});

test('a staging file of a process killed with SIGKILL is removed at the next sweep, however young; this process\'s are kept', async () => {
  const t = await tempDir();
  try {
    const dirs = await stateDirs(t);
    const tmp = dirs.tmpDir;
    const staging = new URL('../../src/storage/posix/write/staging.js', import.meta.url).href;
    // A writer that names its file as the gateway does, then is killed mid-write.
    const child = spawn(process.execPath, ['--input-type=module', '-e',
      `import { stagingName } from '${staging}'; import { writeFileSync } from 'node:fs';
       writeFileSync(${JSON.stringify(tmp)} + '/' + stagingName(), 'half a body'); console.log('written'); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => child.stdout!.once('data', resolve));
    const mine = join(tmp, stagingName());
    await writeFile(mine, 'this process is writing it');
    assert.deepEqual(await sweepStaging(dirs), { removed: 0, kept: 2 }, 'both writers alive');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    assert.deepEqual(await sweepStaging(dirs), { removed: 1, kept: 1 });
    assert.deepEqual(await readdir(tmp), [mine.slice(tmp.length + 1)]);
  } finally {
    await t.cleanup();
  }
});

test('another machine\'s staging files are its own while it beats; once it is silent, those untouched as long go', async () => {
  const t = await tempDir();
  try {
    const dirs = await stateDirs(t);
    const tmp = dirs.tmpDir;
    const other = 'abcdef012345';
    assert.notEqual(other, machineTag());
    const file = (n: string) => join(tmp, `${n}.${other}_4242_99`);
    const old = ago(OTHER_MACHINE_STALE_MS + 60_000);
    await writeFile(file('old'), 'x');
    await utimes(file('old'), old, old);
    await writeFile(file('young'), 'x'); // a live write: its bytes keep arriving
    await mkdir(dirs.aliveDir);
    await writeFile(join(dirs.aliveDir, other), '');
    assert.deepEqual(await sweepStaging(dirs), { removed: 0, kept: 2 }, 'the other machine still sweeps for itself');
    await utimes(join(dirs.aliveDir, other), old, old);
    assert.deepEqual(await sweepStaging(dirs), { removed: 1, kept: 1 }, 'silent: only what its writers stopped touching goes');
    assert.ok((await readdir(dirs.aliveDir)).includes(machineTag()), 'this machine beats');
    assert.match(ownerTag(), new RegExp(`^${machineTag()}_${process.pid}_\\d*$`));
  } finally {
    await t.cleanup();
  }
});

test('the staging sweep is a job of the server (no sweep from the storage on its own), over every writable bucket', async () => {
  const { backend, bucketDir, cleanup } = await rootBackend('xattr');
  try {
    const job = backend.stagingSweepJob();
    assert.equal(job.name, 'staging-sweep');
    assert.ok(job.intervalMs <= 60_000);
    const tmp = join(bucketDir, '.dirbucket/tmp');
    await mkdir(tmp, { recursive: true });
    const dead = `${Date.now().toString(36)}-0011223344556677.${machineTag()}_${2 ** 22 + 7}_1`; // no such pid
    await writeFile(join(tmp, dead), 'x');
    await job.run(new AbortController().signal);
    assert.deepEqual(await readdir(tmp), []);
  } finally {
    await cleanup();
  }
});
