/**
 * How fast a lifecycle pass scans a tree when nothing is due, in this process (no server, no start-up): for
 * profiling the scan (`node --cpu-prof dist/bench/lifecycle-scan.js`). The `lifecycle` bench phase measures the
 * same through `dirbucket lifecycle run`, with a server's GETs beside it.
 *
 *   node dist/bench/lifecycle-scan.js [--keys 50000] [--passes 3] [--dir DIR] [--versioned]
 *
 * Writes the tree on disk once (kept in DIR for the next run when --dir is given), then times each pass.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LifecycleRule } from '../src/storage/backend.js';
import { PosixBackend } from '../src/storage/posix/posix-backend.js';
import { bucketPass } from '../src/server/lifecycle/bucket-pass.js';
import { createTreeOnDisk } from './listing.js';

const BUCKET = 'scan';
/** A rule over the whole tree that nothing meets for years: every key is looked at, none acted on. */
const NOTHING_DUE: LifecycleRule = {
  id: 'far', enabled: true, filter: { form: 'filter', prefix: '', tags: [] }, expiration: { days: 100_000_000 }, transitions: [], noncurrentTransitions: [],
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { keys: { type: 'string', default: '50000' }, passes: { type: 'string', default: '3' }, dir: { type: 'string' }, versioned: { type: 'boolean', default: false } } });
  const keys = Number(values.keys);
  const root = values.dir ?? (await mkdtemp(join(tmpdir(), 'dirbucket-lifecycle-scan-')));
  const bucketDir = join(root, BUCKET);
  if (!existsSync(bucketDir)) {
    await mkdir(bucketDir, { recursive: true });
    const t = Date.now();
    await createTreeOnDisk(bucketDir, keys);
    console.error(`wrote ${keys} keys in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const backend = new PosixBackend({ root, fsync: false });
  if (values.versioned) await backend.putBucketVersioning({ bucket: BUCKET, status: 'Enabled' });
  try {
    for (let i = 0; i < Number(values.passes); i++) {
      const t = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      const r = await bucketPass({ backend, bucket: BUCKET, rules: [NOTHING_DUE], daySeconds: 86_400 });
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      // CPU time of every thread of the process: on a host shared with other work, keys per CPU second is what a
      // pass would reach with the process's cores to itself (when they are not all busy).
      const used = process.cpuUsage(cpu);
      const cpuS = (used.user + used.system) / 1e6;
      console.log(`pass ${i + 1}: ${r.scanned} keys in ${s.toFixed(2)} s = ${Math.round(r.scanned / s)} keys/s; ${cpuS.toFixed(2)} CPU s = ${Math.round(r.scanned / cpuS)} keys per CPU s; ${r.actions} actions`);
    }
  } finally {
    await backend.close();
    if (values.dir === undefined) await rm(root, { recursive: true, force: true });
  }
}

await main();
