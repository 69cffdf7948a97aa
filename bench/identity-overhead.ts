/**
 * What the permission checks cost on the common path, measured in one process so that both sides share the
 * host's noise: 4 KiB GETs (open, check, read, close) and listing pages of 1000 keys through the POSIX back end,
 * as the administrator (root: no user-space checks) and as an ordinary identity (every check made), in
 * alternating rounds. Measured in CPU time of this process (all its threads), not wall time: on a shared, busy
 * host other processes stretch wall time at random, CPU time much less. Run as root:
 * `node dist/bench/identity-overhead.js [--uid 1000 --gid 1000]`.
 */
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fsAccessFor } from '../src/storage/posix/permissions/fs-access.js';
import type { Identity } from '../src/accounts/identity.js';
import { PosixBackend } from '../src/storage/posix/posix-backend.js';
import { treeKey } from './listing.js';
import { median } from './md5-reference.js';

const { values } = parseArgs({ options: { uid: { type: 'string', default: '1000' }, gid: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '7' } } });
const user: Identity = { uid: Number(values.uid), gid: Number(values.gid), groups: [] };
const root: Identity = { uid: 0, gid: 0, groups: [] };
const ROUNDS = Number(values.rounds);
const GETS = 2000;
const KEYS = 20_000;

/** CPU time (user + system, every thread) of this process so far, in ms. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const dir = await mkdtemp(join(tmpdir(), 'dirbucket-overhead-'));
try {
  await chmod(dir, 0o755);
  // Files owned by someone else than the reader, group-readable only through "other" bits: the ACL lookup path.
  const small = join(dir, 'small');
  for (const sub of ['a', 'a/b', 'a/b/c']) await mkdir(join(small, sub), { recursive: true });
  const body = randomBytes(4096);
  for (let i = 0; i < 200; i++) {
    const path = join(small, 'a/b/c', `obj-${i}`);
    await writeFile(path, body);
    await chown(path, 4242, 4242);
    await chmod(path, 0o644);
  }
  const list = join(dir, 'list');
  await mkdir(list);
  for (let start = 0; start < KEYS; start += 500) {
    await Promise.all(Array.from({ length: Math.min(500, KEYS - start) }, async (_, j) => {
      const path = join(list, treeKey(start + j));
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, 'x');
    }));
  }
  const backend = new PosixBackend({ root: dir, fsync: false });

  const gets = async (identity: Identity): Promise<number> => {
    const t0 = cpuMs();
    for (let i = 0; i < GETS; i++) {
      const h = await backend.getObject({ bucket: 'small', key: `a/b/c/obj-${i % 200}`, identity });
      for await (const _ of h.stream()) { /* read the 4 KiB */ }
      await h.close();
    }
    return (cpuMs() - t0) / GETS;
  };
  const listing = async (identity: Identity): Promise<number> => {
    const t0 = cpuMs();
    let after: string | undefined;
    let n = 0;
    for (let page = 0; page < 100; page++) {
      const r = await backend.listObjects({ bucket: 'list', prefix: '', maxKeys: 1000, startAfter: after, identity });
      n += r.objects.length;
      after = r.lastItem;
      if (!r.isTruncated) break;
    }
    if (n !== KEYS) throw new Error(`listed ${n} keys, expected ${KEYS}`);
    return n / ((cpuMs() - t0) / 1000);
  };

  await gets(root);
  await gets(user);
  await listing(root);
  await listing(user);
  const samples = { getRoot: [] as number[], getUser: [] as number[], listRoot: [] as number[], listUser: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    // Alternating order, so a burst of other work on the host hits both sides alike.
    if (r % 2 === 0) {
      samples.getRoot.push(await gets(root));
      samples.getUser.push(await gets(user));
      samples.listRoot.push(await listing(root));
      samples.listUser.push(await listing(user));
    } else {
      samples.getUser.push(await gets(user));
      samples.getRoot.push(await gets(root));
      samples.listUser.push(await listing(user));
      samples.listRoot.push(await listing(root));
    }
  }
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<keyof typeof samples, number>;
  const fmt = (v: number[]) => v.map((x) => x.toFixed(1)).join(', ');
  console.log(`4 KiB GET (open, check, read, close), CPU µs per GET, median of ${ROUNDS} rounds of ${GETS}:`);
  console.log(`  administrator (root) ${(m.getRoot * 1000).toFixed(1)}   [${fmt(samples.getRoot.map((x) => x * 1000))}]`);
  console.log(`  uid ${user.uid}             ${(m.getUser * 1000).toFixed(1)}   [${fmt(samples.getUser.map((x) => x * 1000))}]`);
  console.log(`  cost of the checks: ${(((m.getUser - m.getRoot) / m.getRoot) * 100).toFixed(1)}%`);
  console.log(`ListObjects, ${KEYS} keys in pages of 1000 (20 × 10 directories), keys per CPU second, median of ${ROUNDS}:`);
  console.log(`  administrator (root) ${Math.round(m.listRoot)}   [${samples.listRoot.map(Math.round).join(', ')}]`);
  console.log(`  uid ${user.uid}             ${Math.round(m.listUser)}   [${samples.listUser.map(Math.round).join(', ')}]`);
  console.log(`  cost of the checks: ${(((m.listRoot - m.listUser) / m.listRoot) * 100).toFixed(1)}%`);
  // The checks alone, without the GET around them: search down four directories (cached facts), read on the file.
  const access = fsAccessFor(user)!;
  const file = join(small, 'a/b/c/obj-0');
  const st = await stat(file);
  const t0 = cpuMs();
  for (let i = 0; i < 100_000; i++) {
    fsAccessFor(user)!.canSearch(small, ['a', 'b', 'c']);
    access.read(file, st);
  }
  console.log(`The checks of one GET alone (search on 4 directories, read with the file's ACL looked up): ${((cpuMs() - t0) / 100).toFixed(2)} CPU µs`);
  await backend.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
