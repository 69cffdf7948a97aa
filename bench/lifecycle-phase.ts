/**
 * The `lifecycle` bench phase (issue #13): how fast a lifecycle pass scans a tree when nothing is due (target
 * >= 50,000 keys/s, from `dirbucket lifecycle run --dry-run` over a 50,000-key tree written on disk), and what the
 * job costs the requests served meanwhile: 4 KiB GET throughput of a server whose job scans that tree pass after
 * pass (a day of 1 s) against the same server with no rules (target: at most 10% lower).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createTreeOnDisk } from './listing.js';
import type { PhaseContext, PhaseOutput } from './phases.js';
import type { Row } from './report.js';
import type { ConcurrentResult } from './run-concurrent.js';
import { BenchS3Client } from './s3-client.js';
import { REPO_ROOT, startServer } from './server-process.js';
import { smallObjectSteps } from './small-objects.js';
import { run } from '../test/helpers/tool.js';

/** What the phase measures. */
export interface LifecycleBenchOptions {
  treeKeys: number;
  size: number;
  count: number;
  concurrency: number;
  timeLimitMs: number;
}

/** Keys scanned per second a pass must reach when nothing is due. */
export const SCAN_TARGET = 50_000;
/** GET throughput with the job running, as a share of it without. */
const GET_SHARE = 0.9;
const TREE = 'bench-lc-tree';
const SMALL = 'bench-lc-small';
/** A rule over the whole tree that nothing meets for years: every key is looked at, none acted on. */
const NOTHING_DUE = '<LifecycleConfiguration><Rule><ID>far</ID><Filter></Filter><Status>Enabled</Status><Expiration><Days>100000000</Days></Expiration></Rule></LifecycleConfiguration>';

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

/** GET runs on each side (no rules; the job scanning). */
const ROUNDS = 3;
const medianRun = (runs: ConcurrentResult[]): ConcurrentResult => [...runs].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(runs.length / 2)]!;
const rates = (runs: ConcurrentResult[]) => runs.map((r) => Math.round(r.perSecond)).join(', ');

const describe = (r: ConcurrentResult) =>
  `${r.ok.toLocaleString('en-US')} ok, ${r.failed} failed in ${r.seconds.toFixed(1)} s${r.firstError ? `; first error: ${r.firstError.slice(0, 200)}` : ''}`;

/** A dry-run pass of the command line over the tree: keys and the seconds the pass itself took (start-up excluded). */
async function scan(root: string): Promise<{ keys: number; seconds: number; output: string }> {
  const r = await run(process.execPath, [join(REPO_ROOT, 'bin', 'dirbucket.js'), 'lifecycle', 'run', '--root', root, '--bucket', TREE, '--dry-run', '--lifecycle-day-seconds', '1'], { timeoutMs: 300_000 });
  const m = /(\d+) keys scanned in ([\d.]+) s/.exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`lifecycle run exited ${r.code}: ${(r.stderr || r.stdout).slice(0, 300)}`);
  return { keys: Number(m[1]), seconds: Number(m[2]), output: r.stdout.slice(-300) };
}

/** Runs the phase on a server of its own (its job on a 1 s day) over a fresh directory. */
export async function lifecyclePhase(ctx: PhaseContext, o: LifecycleBenchOptions): Promise<PhaseOutput> {
  const root = join(ctx.root, 'bench-lifecycle');
  await rm(root, { recursive: true, force: true });
  await mkdir(join(root, TREE), { recursive: true });
  log(`lifecycle: writing ${o.treeKeys.toLocaleString('en-US')} keys on disk`);
  await createTreeOnDisk(join(root, TREE), o.treeKeys);
  const server = await startServer({ root, credentials: ctx.credentials, serverArgs: ['--lifecycle-day-seconds', '1', '--admin-listen', 'off'], startTimeoutMs: 20_000 });
  const client = new BenchS3Client({ endpoint: server.endpoint, credentials: ctx.credentials, maxSockets: o.concurrency, timeoutMs: 60_000 });
  try {
    await client.expectOk({ method: 'PUT', bucket: SMALL });
    const steps = smallObjectSteps(client, { bucket: SMALL, size: o.size, count: o.count, concurrency: o.concurrency, timeLimitMs: o.timeLimitMs });
    const put = await steps.put();
    const written = put.ok + put.failed;
    // No bucket has rules yet: the job finds nothing to do and walks nothing. Medians of ROUNDS runs each side:
    // one run of a few seconds moved by ±25 % between bench runs on this host.
    const quietRuns: ConcurrentResult[] = [];
    for (let r = 0; r < ROUNDS; r++) quietRuns.push(await steps.get(written));
    await client.expectOk({ method: 'PUT', bucket: TREE, query: { lifecycle: '' }, body: Buffer.from(NOTHING_DUE) });
    // Settings are cached for up to 2 s, and the job's next pass comes within its 1 s day. (Rules cannot be taken
    // away between runs to alternate the two sides: a pass under way goes on for its whole tree, about 20 s.)
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const busyRuns: ConcurrentResult[] = [];
    for (let r = 0; r < ROUNDS; r++) busyRuns.push(await steps.get(written));
    const quiet = medianRun(quietRuns);
    const busy = medianRun(busyRuns);
    const scanned = await scan(root);
    const keysPerSecond = scanned.seconds > 0 ? scanned.keys / scanned.seconds : 0;
    const rows: Row[] = [
      {
        metric: `lifecycle: pass over ${o.treeKeys.toLocaleString('en-US')} keys, nothing due`, value: keysPerSecond, unit: 'keys/s',
        target: `>= ${SCAN_TARGET.toLocaleString('en-US')} keys/s`, pass: keysPerSecond >= SCAN_TARGET,
        note: `${scanned.keys} keys in ${scanned.seconds.toFixed(2)} s (dirbucket lifecycle run --dry-run, start-up excluded)`,
        failed: scanned.keys !== o.treeKeys,
      },
      { metric: `lifecycle: 4 KiB GET, ${o.concurrency} clients, no rules`, value: quiet.perSecond, unit: 'ops/s', note: `median of ${ROUNDS}: ${rates(quietRuns)}; ${describe(quiet)}`, failed: quietRuns.some((r) => r.failed > 0) },
      {
        metric: `lifecycle: 4 KiB GET, ${o.concurrency} clients, job scanning ${o.treeKeys.toLocaleString('en-US')} keys pass after pass`, value: busy.perSecond, unit: 'ops/s',
        target: `>= ${GET_SHARE * 100}% of no rules = ${Math.round(quiet.perSecond * GET_SHARE)} ops/s`, pass: busy.perSecond >= quiet.perSecond * GET_SHARE,
        note: `${quiet.perSecond > 0 ? Math.round((busy.perSecond / quiet.perSecond) * 100) : 0}% of no rules; median of ${ROUNDS}: ${rates(busyRuns)}; ${describe(busy)}`, failed: busyRuns.some((r) => r.failed > 0),
      },
    ];
    return { rows, raw: { put, quietRuns, busyRuns, scanned } };
  } finally {
    client.close();
    await server.stop(20_000);
    await rm(root, { recursive: true, force: true });
  }
}
