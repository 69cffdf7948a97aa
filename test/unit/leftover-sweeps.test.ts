/**
 * The sweeps of what killed writers leave (issue #19), on a real directory: the temporaries of atomic writes
 * (fsutil/atomic-temp.ts), told dead or alive by their writer's tag or their age, and a lock breaker's asides
 * (fsutil/lock-asides.ts), removed once older than their grace; updateJsonFile sweeps its file's own under its lock.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { atomicTempOf, parseAtomicTemp, sweepAtomicTemps } from '../../src/fsutil/atomic-temp.js';
import { writeFileAtomic } from '../../src/fsutil/atomic-write.js';
import { ASIDE_GRACE_MS, isLockAside, sweepLockAsides } from '../../src/fsutil/lock-asides.js';
import { machineTag, ownerTag } from '../../src/fsutil/lock-owner.js';
import { updateJsonFile } from '../../src/fsutil/update-json-file.js';

async function deadTag(): Promise<string> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return `${machineTag()}_${child.pid}_1`;
}

describe('leftover sweeps', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dirbucket-leftover-sweeps-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('an atomic write names its writer in its temporary, and leaves nothing else', async () => {
    const temp = atomicTempOf(join(dir, 'a.json')).slice(dir.length + 1);
    assert.deepEqual(parseAtomicTemp(temp), { target: 'a.json', owner: ownerTag() });
    assert.deepEqual(parseAtomicTemp('a.json.0123456789ab.tmp'), { target: 'a.json' }, 'the names of older gateways');
    for (const other of ['a.json', 'a.json.tmp', 'a.json.0123456789ab', '.t-0123456789ab', 'a.0123456789AB.tmp']) assert.equal(parseAtomicTemp(other), undefined, other);
    await writeFileAtomic(join(dir, 'a.json'), '{}');
    await writeFileAtomic(join(dir, 'b.json'), '{}', { tempDir: join(dir, 'tmp'), mkdir: true });
    assert.deepEqual(readdirSync(dir).sort(), ['a.json', 'b.json', 'tmp']);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), []);
  });

  it("removes a dead writer's temporaries at once, a live writer's only once old, and with the lock every one of its target", async () => {
    const sub = await mkdtemp(join(dir, 'sweep-'));
    const dead = await deadTag();
    const names = {
      dead: `x.json.000000000001.${dead}.tmp`,
      live: `x.json.000000000002.${ownerTag()}.tmp`,
      liveOld: `x.json.000000000003.${ownerTag()}.tmp`,
      untagged: 'x.json.000000000004.tmp',
      otherTarget: `y.json.000000000005.${ownerTag()}.tmp`,
      notTemp: 'x.json',
    };
    for (const n of Object.values(names)) await writeFile(join(sub, n), '{}');
    const old = new Date(Date.now() - 120_000);
    await utimes(join(sub, names.liveOld), old, old);
    assert.equal(await sweepAtomicTemps(sub, { graceMs: 60_000 }), 2);
    assert.deepEqual(readdirSync(sub).sort(), [names.live, names.untagged, names.otherTarget, names.notTemp].sort());
    assert.equal(await sweepAtomicTemps(sub, { graceMs: 0, target: 'x.json' }), 2, 'under the lock: every temporary of the target');
    assert.deepEqual(readdirSync(sub).sort(), [names.otherTarget, names.notTemp].sort());
  });

  it("a lock's asides: recognised by name, removed once older than the grace", async () => {
    const sub = await mkdtemp(join(dir, 'asides-'));
    const asides = ['.lock.break', '.lock.stale-0a1b2c3d', '.lock.break.stale-4e5f6a7b'];
    for (const n of [...asides, '.lock', '.lockx', 'a.lock.break']) await writeFile(join(sub, n), '');
    assert.deepEqual(readdirSync(sub).filter((n) => isLockAside('.lock', n)).sort(), [...asides].sort());
    assert.equal(await sweepLockAsides(sub, '.lock'), 0, 'fresh: a live breaker may hold them');
    assert.equal(await sweepLockAsides(sub, '.lock', { now: Date.now() + ASIDE_GRACE_MS + 1 }), 3);
    assert.deepEqual(readdirSync(sub).sort(), ['.lock', '.lockx', 'a.lock.break']);
  });

  it("updateJsonFile sweeps its file's temporaries under its lock, whoever's, and no other file's", async () => {
    const sub = await mkdtemp(join(dir, 'update-'));
    const file = join(sub, 'doc.json');
    const mine = `doc.json.000000000001.${ownerTag()}.tmp`;
    const others = `other.json.000000000002.${await deadTag()}.tmp`;
    await writeFile(join(sub, mine), '{"torn');
    await writeFile(join(sub, others), '{}');
    const n = await updateJsonFile(file, { read: async () => ({ n: 0 }), change: (d: { n: number }) => ++d.n });
    assert.equal(n, 1);
    assert.ok(!existsSync(join(sub, mine)));
    assert.ok(existsSync(join(sub, others)), "another file's temporaries are its own writers' to sweep");
    assert.deepEqual(readdirSync(sub).sort(), ['doc.json', others].sort());
  });
});
