/**
 * 4 KiB PUT and GET against `--workers 1` and `--workers 2`, one after the other in the same run: what a second
 * server process buys on this host. Each gets a server of its own on a fresh directory; the server's CPU is its
 * whole process tree (the primary and its workers).
 */
import { readFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhaseContext, PhaseOutput } from './phases.js';
import type { Row } from './report.js';
import type { ConcurrentResult } from './run-concurrent.js';
import { BenchS3Client } from './s3-client.js';
import { cpuSeconds, startServer } from './server-process.js';
import { smallObjectSteps } from './small-objects.js';

/** What the phase measures for each worker count. */
export interface WorkersOptions {
  size: number;
  count: number;
  concurrency: number;
  timeLimitMs: number;
}

interface Measured {
  workers: number;
  put: ConcurrentResult;
  get: ConcurrentResult;
  /** Server CPU (all its processes) per wall second, over PUT and GET. */
  serverCores: number;
}

/** Runs the steps against one server per worker count (1, then 2) and reports each rate and the ratio. */
export async function workersPhase(ctx: PhaseContext, o: WorkersOptions): Promise<PhaseOutput> {
  const measured: Measured[] = [];
  for (const workers of [1, 2]) measured.push(await measure(ctx, workers, o));
  const rows: Row[] = measured.flatMap((m) => (['put', 'get'] as const).map((op): Row => ({
    metric: `4 KiB ${op.toUpperCase()}, ${o.concurrency} clients, --workers ${m.workers}`, value: m[op].perSecond, unit: 'ops/s',
    note: `${m[op].ok.toLocaleString('en-US')} ok, ${m[op].failed} failed in ${m[op].seconds.toFixed(1)} s${m[op].firstError ? `; first error: ${m[op].firstError!.slice(0, 200)}` : ''}; ` +
      `server ${m.serverCores.toFixed(2)} cores (PUT and GET)`,
    failed: m[op].failed > 0,
  })));
  const [one, two] = measured as [Measured, Measured];
  for (const op of ['put', 'get'] as const) {
    rows.push({ metric: `4 KiB ${op.toUpperCase()}: --workers 2 / --workers 1`, value: two[op].perSecond / one[op].perSecond, unit: '×', note: 'client and servers share the host\'s cores' });
  }
  return { rows, raw: measured };
}

async function measure(ctx: PhaseContext, workers: number, o: WorkersOptions): Promise<Measured> {
  const root = join(ctx.root, `bench-workers-${workers}`);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  const server = await startServer({ root, credentials: ctx.credentials, serverArgs: ['--workers', String(workers), '--admin-listen', 'off'], startTimeoutMs: 20_000 });
  const client = new BenchS3Client({ endpoint: server.endpoint, credentials: ctx.credentials, maxSockets: o.concurrency, timeoutMs: 60_000 });
  try {
    const made = await client.send({ method: 'PUT', bucket: 'bench-workers' });
    if (made.status >= 300) throw new Error(`CreateBucket answered ${made.status}: ${made.text?.slice(0, 300)}`);
    const steps = smallObjectSteps(client, { bucket: 'bench-workers', size: o.size, count: o.count, concurrency: o.concurrency, timeLimitMs: o.timeLimitMs });
    const cpu0 = await treeCpuSeconds(server.pid);
    const t0 = performance.now();
    const put = await steps.put();
    const get = await steps.get(put.ok + put.failed);
    const serverCores = ((await treeCpuSeconds(server.pid)) - cpu0) / ((performance.now() - t0) / 1000);
    return { workers, put, get, serverCores };
  } finally {
    client.close();
    await server.stop(20_000);
  }
}

/** CPU seconds of `pid` and its child processes (the workers of --workers; hashing threads are in the process's own figure). */
async function treeCpuSeconds(pid: number): Promise<number> {
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean).map(Number);
  const all = await Promise.all([pid, ...children].map((p) => cpuSeconds(p).catch(() => 0)));
  return all.reduce((a, b) => a + b, 0);
}
