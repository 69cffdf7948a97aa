/**
 * The ceiling of the small-object rows (issue #15): the same steps, client and concurrency against the bare
 * server of bare-server.ts on a fresh directory of the same file system, so the dirbucket rows can be read (and
 * targeted) as a share of what node:http and the file system allow on this machine in this run.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { meterCpu, type CpuShare } from './cpu-meter.js';
import type { ConcurrentResult } from './run-concurrent.js';
import { BenchS3Client } from './s3-client.js';
import { REPO_ROOT, spawnWithEndpoint } from './server-process.js';
import { smallObjectSteps, type SmallObjectOptions } from './small-objects.js';
import type { Credentials } from '../test/helpers/sigv4.js';

/** Each step's result and the bare server's CPU during it. */
export type SmallCeiling = Record<'put' | 'get' | 'head' | 'delete', { result: ConcurrentResult; cpu: CpuShare }>;

/** Runs PUT, GET, HEAD and DELETE against the bare server, in a temporary directory beside `near` (same file system). */
export async function measureSmallCeiling(near: string, credentials: Credentials, o: Omit<SmallObjectOptions, 'verify'>): Promise<SmallCeiling> {
  const root = await mkdtemp(join(near, 'bare-'));
  // The keys are `small/obj-N` (small-objects.ts): the bare server creates no directories.
  await mkdir(join(root, o.bucket, 'small'), { recursive: true });
  const server = await spawnWithEndpoint([join(REPO_ROOT, 'dist', 'bench', 'bare-server.js'), root], {}, 15_000);
  const client = new BenchS3Client({ endpoint: server.endpoint, credentials, maxSockets: o.concurrency, timeoutMs: 60_000 });
  try {
    const steps = smallObjectSteps(client, { ...o, verify: 'length' });
    const put = await meterCpu(server.pid, () => steps.put());
    const written = put.result.ok + put.result.failed;
    const get = await meterCpu(server.pid, () => steps.get(written));
    const head = await meterCpu(server.pid, () => steps.head(written));
    const del = await meterCpu(server.pid, () => steps.delete(written));
    return { put, get, head, delete: del };
  } finally {
    client.close();
    await server.stop(5_000);
    await rm(root, { recursive: true, force: true });
  }
}
