/** The bench's phases against a running server, each turned into report rows; a failing phase costs only its rows. */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeCpu, meterCpu, type CpuShare } from './cpu-meter.js';
import { measureLargeObjects } from './large-objects.js';
import { createTreeOnDisk, createTreeThroughS3, measureListing } from './listing.js';
import type { Md5Reference } from './md5-reference.js';
import type { Row } from './report.js';
import { runConcurrent, type ConcurrentResult } from './run-concurrent.js';
import type { BenchS3Client } from './s3-client.js';
import { RawS3Connection } from './raw-connection.js';
import { multipartPhase } from './multipart-phase.js';
import { measureSdkPut } from './sdk-put.js';
import type { Credentials } from '../test/helpers/sigv4.js';
import { smallObjectSteps } from './small-objects.js';
import { measureSmallCeiling } from './small-ceiling.js';
import { measureBareWalk } from './bare-walk.js';
import { findNginx, measureNginx } from './nginx-ceiling.js';
import { versionedPhase } from './versioned-phase.js';
import { workersPhase } from './workers-phase.js';
import { lifecyclePhase } from './lifecycle-phase.js';

/** Every phase name, in run order; `--only` picks from these. */
export const PHASES = ['small', 'large', 'sdk', 'list-disk', 'list-s3', 'multipart', 'versioned', 'workers', 'lifecycle'] as const;
export type Phase = (typeof PHASES)[number];

/** Bounds of every phase: counts and per-phase time limits. */
export const SIZES = {
  concurrency: 32,
  smallSize: 4096,
  smallCount: 5000,
  /** 1 MiB GETs of one object (2 GiB through the loopback). */
  mibGetCount: 2000,
  largeMiB: 64,
  largeWarmups: 2,
  largeIterations: 5,
  sdkIterations: 3,
  listKeys: 20_000,
  listRounds: 3,
  phaseTimeLimitMs: 90_000,
  /** Writing the 20,000-key tree through S3 runs at a few hundred PUT/s when the host is busy. */
  treeTimeLimitMs: 240_000,
} as const;

/** Issue #15: ListObjectsV2 at least this many keys/s where the bare walk allows it, and this share of the walk. */
export const LISTING_TARGET = 100_000;
export const LISTING_SHARE_OF_WALK = 0.6;
/** Issue #15: a 1 MiB GET at least this share of nginx's rate on the same file. */
export const MIB_GET_SHARE_OF_NGINX = 0.8;
/** Issue #15: each 4 KiB operation at least this share of the bare server's rate in the same run. */
export const SMALL_TARGET_SHARE_OF_BARE = 0.6;
export const GET_TARGET_MIB = 1024;
export const PUT_TARGET_SHARE_OF_MD5 = 0.8;

export interface PhaseContext {
  client: BenchS3Client;
  endpoint: string;
  serverPid: number;
  credentials: Credentials;
  root: string;
  md5: Md5Reference;
}

export interface PhaseOutput {
  rows: Row[];
  /** Raw figures for last-run.json. */
  raw: unknown;
}

/** A phase's output and how much other work ran on the host meanwhile. */
export interface MeasuredPhase extends PhaseOutput {
  /** CPU cores other processes on the host used during the whole phase: how much to trust its figures. */
  othersCores: number;
  /** Some figure is missing or some request failed: a finding to report, never to retry away. */
  failed: boolean;
}

/** Phases that may run again in the same server (they tolerate their own bucket and overwrite their own keys). */
export const RERUNNABLE: ReadonlySet<Phase> = new Set<Phase>(['small', 'large', 'sdk', 'list-disk', 'list-s3', 'workers', 'lifecycle']);

/** Runs one phase; an error becomes a row that says so instead of ending the bench. */
export async function runPhase(phase: Phase, ctx: PhaseContext): Promise<MeasuredPhase> {
  const { result, cpu } = await meterCpu(ctx.serverPid, async (): Promise<PhaseOutput> => {
    try {
      return await PHASE_RUNNERS[phase](ctx);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { rows: [{ metric: `${phase}: phase failed`, value: null, unit: '', note: `error: ${message.slice(0, 300)}`, failed: true }], raw: { error: message } };
    }
  });
  // A figure missing only because a time limit stopped a slow step is not a failure: a quieter rerun may finish.
  const failed = result.rows.some((r) => r.failed);
  return { ...result, othersCores: cpu.otherCores, failed };
}

const PHASE_RUNNERS: Record<Phase, (ctx: PhaseContext) => Promise<PhaseOutput>> = {
  // 1 GiB in 16 MiB parts vs a 1 GiB single PUT, Complete vs a sequential copy, and on a reflink file system.
  multipart: multipartPhase,

  // Versioned buckets against unversioned ones in the same run (issue #11): small objects, a large overwrite, listings.
  versioned: versionedPhase,
  // Servers of its own (--workers 1, then 2) on fresh directories: the bench's own server idles meanwhile.
  workers: (ctx) => workersPhase(ctx, { size: SIZES.smallSize, count: SIZES.smallCount, concurrency: SIZES.concurrency, timeLimitMs: SIZES.phaseTimeLimitMs }),
  // A server of its own with a 1 s lifecycle day over a 50,000-key tree: the scan rate, and GET with the job on and off.
  lifecycle: (ctx) => lifecyclePhase(ctx, { treeKeys: 50_000, size: SIZES.smallSize, count: SIZES.smallCount, concurrency: SIZES.concurrency, timeLimitMs: SIZES.phaseTimeLimitMs }),

  small: async (ctx) => {
    await createBucket(ctx, 'bench-small');
    const steps = smallObjectSteps(ctx.client, {
      bucket: 'bench-small', size: SIZES.smallSize, count: SIZES.smallCount,
      concurrency: SIZES.concurrency, timeLimitMs: SIZES.phaseTimeLimitMs,
    });
    const put = await meterCpu(ctx.serverPid, () => steps.put());
    const written = put.result.ok + put.result.failed;
    const get = await meterCpu(ctx.serverPid, () => steps.get(written));
    const head = await meterCpu(ctx.serverPid, () => steps.head(written));
    const del = await meterCpu(ctx.serverPid, () => steps.delete(written));
    // The same steps against a bare node:http server on the same file system (issue #15's ceilings).
    const ceiling = await measureSmallCeiling(dirname(ctx.root), ctx.credentials, {
      bucket: 'bench-small', size: SIZES.smallSize, count: SIZES.smallCount, concurrency: SIZES.concurrency, timeLimitMs: SIZES.phaseTimeLimitMs,
    });
    const rows: Row[] = [];
    for (const [op, r, c] of [['PUT', put, ceiling.put], ['GET', get, ceiling.get], ['HEAD', head, ceiling.head], ['DELETE', del, ceiling.delete]] as const) {
      const target = c.result.perSecond * SMALL_TARGET_SHARE_OF_BARE;
      rows.push({
        metric: `4 KiB ${op}, ${SIZES.concurrency} clients`, value: r.result.perSecond, unit: 'ops/s',
        target: `>= ${SMALL_TARGET_SHARE_OF_BARE * 100}% of bare = ${Math.round(target)} ops/s`, pass: r.result.perSecond >= target,
        note: `${Math.round((r.result.perSecond / c.result.perSecond) * 100)}% of bare; ${describeRun(r.result)}; ${describeCpu(r.cpu)}`, failed: r.result.failed > 0,
      });
    }
    for (const [op, what, c] of [['PUT', 'temp file, fsync, rename', ceiling.put], ['GET', 'open, stat, read, close', ceiling.get],
      ['HEAD', 'one stat', ceiling.head], ['DELETE', 'one unlink', ceiling.delete]] as const) {
      rows.push({
        metric: `ceiling: 4 KiB ${op}, bare node:http server (${what}), ${SIZES.concurrency} clients`, value: c.result.perSecond, unit: 'ops/s',
        note: `${describeRun(c.result)}; ${describeCpu(c.cpu)}`, failed: c.result.failed > 0,
      });
    }
    // 1 MiB GETs, against nginx's on the same file system where nginx is installed (issue #15: at least 80%).
    const big = Buffer.alloc(1024 * 1024, 0x62);
    await ctx.client.expectOk({ method: 'PUT', bucket: 'bench-small', key: 'large/1m', body: big });
    const get1m = await meterCpu(ctx.serverPid, () => runConcurrent({
      concurrency: SIZES.concurrency, count: SIZES.mibGetCount, timeLimitMs: SIZES.phaseTimeLimitMs,
      op: async () => {
        const res = await ctx.client.expectOk({ method: 'GET', bucket: 'bench-small', key: 'large/1m' });
        if (res.bytes !== big.length) throw new Error(`GET large/1m: ${res.bytes} bytes`);
      },
    }));
    const nginxBin = findNginx();
    // nginx failing costs only its rows (they say why), not the phase's.
    const measured = nginxBin ? await measureNginx(nginxBin, dirname(ctx.root), ctx.credentials, {
      concurrency: SIZES.concurrency, count4k: SIZES.smallCount, count1m: SIZES.mibGetCount, timeLimitMs: SIZES.phaseTimeLimitMs,
    }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))) : undefined;
    const nginx = measured instanceof Error ? undefined : measured;
    const mibTarget = nginx ? nginx.get1m.perSecond * MIB_GET_SHARE_OF_NGINX : undefined;
    rows.push({
      metric: `1 MiB GET, ${SIZES.concurrency} clients`, value: get1m.result.perSecond, unit: 'ops/s',
      ...(mibTarget !== undefined ? { target: `>= ${MIB_GET_SHARE_OF_NGINX * 100}% of nginx = ${Math.round(mibTarget)} ops/s`, pass: get1m.result.perSecond >= mibTarget } : {}),
      note: `${nginx ? `${Math.round((get1m.result.perSecond / nginx.get1m.perSecond) * 100)}% of nginx; ` : ''}${describeRun(get1m.result)}; ${describeCpu(get1m.cpu)}`,
      failed: get1m.result.failed > 0,
    });
    const missing = measured instanceof Error ? `nginx failed: ${measured.message.slice(0, 200)}` : 'nginx not installed: apt-get install nginx-light (or nginx) to measure it';
    for (const [what, r] of [['4 KiB', nginx?.get4k], ['1 MiB', nginx?.get1m]] as const) {
      rows.push({
        metric: `ceiling: ${what} GET, nginx (one worker, sendfile), ${SIZES.concurrency} clients`, value: r?.perSecond ?? null, unit: 'ops/s',
        note: r ? describeRun(r) : missing, failed: r ? r.failed > 0 : measured instanceof Error,
      });
    }
    return { rows, raw: { put, get, head, delete: del, ceiling, get1m, nginx: measured instanceof Error ? { error: measured.message } : nginx } };
  },

  large: async (ctx) => {
    await createBucket(ctx, 'bench-large');
    // One raw connection, not the pooled node:http client: see raw-connection.ts for why.
    const connection = new RawS3Connection({ endpoint: ctx.endpoint, credentials: ctx.credentials, timeoutMs: 60_000 });
    const { result, cpu } = await meterCpu(ctx.serverPid, () =>
      measureLargeObjects(connection, {
        bucket: 'bench-large', sizeMiB: SIZES.largeMiB, warmups: SIZES.largeWarmups, iterations: SIZES.largeIterations, timeLimitMs: SIZES.phaseTimeLimitMs,
      }),
    ).finally(() => connection.close());
    const putTarget = ctx.md5.mibPerSecond * PUT_TARGET_SHARE_OF_MD5;
    const samples = (s: number[]) => `median of ${s.length}: ${s.map((v) => Math.round(v)).join(', ')}`;
    return {
      rows: [
        {
          metric: `${SIZES.largeMiB} MiB PUT (raw client, UNSIGNED-PAYLOAD)`, value: result.put.mibPerSecond, unit: 'MiB/s',
          target: `>= 80% of MD5 = ${Math.round(putTarget)} MiB/s`, pass: result.put.mibPerSecond >= putTarget,
          note: `${samples(result.put.samples)}; ${Math.round((result.put.mibPerSecond / ctx.md5.mibPerSecond) * 100)}% of MD5`,
        },
        {
          metric: `${SIZES.largeMiB} MiB GET, first read after the PUT (from disk)`, value: result.firstRead.mibPerSecond, unit: 'MiB/s',
          note: `${samples(result.firstRead.samples)}; synced uploads of 1 MiB or more skip the page cache`,
        },
        {
          metric: `${SIZES.largeMiB} MiB GET (object in the page cache)`, value: result.get.mibPerSecond, unit: 'MiB/s',
          target: `>= ${GET_TARGET_MIB} MiB/s`, pass: result.get.mibPerSecond >= GET_TARGET_MIB,
          note: `${samples(result.get.samples)}; round trip ${result.roundTripVerified ? 'verified' : 'NOT VERIFIED'}; ` +
            `PUT+GET: ${describeCpu(cpu)}`,
        },
      ],
      raw: { ...result, cpu },
    };
  },

  sdk: async (ctx) => {
    await createBucket(ctx, 'bench-sdk');
    const { result, cpu } = await meterCpu(ctx.serverPid, () =>
      measureSdkPut({
        endpoint: ctx.endpoint, credentials: ctx.credentials, bucket: 'bench-sdk',
        sizeMiB: SIZES.largeMiB, warmups: 1, iterations: SIZES.sdkIterations, timeLimitMs: SIZES.phaseTimeLimitMs,
      }),
    );
    const wire = Object.entries(result.wire).map(([k, v]) => `${k}: ${v}`).join(', ');
    return {
      rows: [{
        metric: `${SIZES.largeMiB} MiB PUT (AWS SDK defaults)`, value: result.mibPerSecond, unit: 'MiB/s',
        note: `median of ${result.samples.length}; sent ${wire}; ${describeCpu(cpu)}`,
      }],
      raw: { ...result, cpu },
    };
  },

  'list-disk': async (ctx) => {
    const dir = join(ctx.root, 'bench-list-disk');
    await mkdir(dir, { recursive: true });
    await createTreeOnDisk(dir, SIZES.listKeys);
    return listingRows(ctx, 'bench-list-disk', 'tree written on disk');
  },

  'list-s3': async (ctx) => {
    await createBucket(ctx, 'bench-list-s3');
    const { result: put, cpu } = await meterCpu(ctx.serverPid, () =>
      createTreeThroughS3(ctx.client, 'bench-list-s3', {
        count: SIZES.listKeys, concurrency: SIZES.concurrency, timeLimitMs: SIZES.treeTimeLimitMs,
      }),
    );
    const putRow: Row = {
      metric: `tiny nested PUT (listing tree), ${SIZES.concurrency} clients`, value: put.perSecond, unit: 'ops/s',
      note: `${describeRun(put)}; ${describeCpu(cpu)}`, failed: put.failed > 0,
    };
    if (put.failed > 0 || put.timedOut) {
      const why = put.failed > 0 ? 'tree incomplete: PUTs failed' : 'tree incomplete: stopped by the time limit';
      return { rows: [putRow, { metric: 'ListObjectsV2, tree written through S3', value: null, unit: 'keys/s', note: why }], raw: { put } };
    }
    const listing = await listingRows(ctx, 'bench-list-s3', 'tree written through S3');
    return { rows: [putRow, ...listing.rows], raw: { put, cpu, listing: listing.raw } };
  },
};

async function listingRows(ctx: PhaseContext, bucket: string, label: string): Promise<PhaseOutput> {
  const { result, cpu } = await meterCpu(ctx.serverPid, () =>
    measureListing(ctx.client, bucket, { expectedKeys: SIZES.listKeys, rounds: SIZES.listRounds, timeLimitMs: SIZES.phaseTimeLimitMs }),
  );
  // Issue #15's ceiling: the bare walk of the same tree, in the bench process (the server idles meanwhile).
  const walk = measureBareWalk(join(ctx.root, bucket), SIZES.listRounds);
  const share = walk.keysPerSecond * LISTING_SHARE_OF_WALK;
  const pass = result.keysPerSecond >= share && (walk.keysPerSecond < LISTING_TARGET || result.keysPerSecond >= LISTING_TARGET);
  const samples = (v: number[]) => `median of ${v.length}: ${v.map((x) => Math.round(x)).join(', ')}`;
  return {
    rows: [{
      metric: `ListObjectsV2, ${label}`, value: result.keysPerSecond, unit: 'keys/s',
      target: `>= ${LISTING_SHARE_OF_WALK * 100}% of the bare walk = ${Math.round(share).toLocaleString('en-US')}, and >= ` +
        `${LISTING_TARGET.toLocaleString('en-US')} keys/s where the walk allows it`, pass,
      note: `${Math.round((result.keysPerSecond / walk.keysPerSecond) * 100)}% of the walk; ${SIZES.listKeys.toLocaleString('en-US')} keys, ` +
        `${result.pagesPerRound} pages of 1000; ${samples(result.samples)}; ${describeCpu(cpu)}`,
    }, {
      metric: `ceiling: bare directory walk (readdir, lstat and one xattr read per entry, S3 order), ${label}`, value: walk.keysPerSecond, unit: 'keys/s',
      note: `${walk.keys.toLocaleString('en-US')} keys; ${samples(walk.samples)}; synchronous calls in the bench process`,
      failed: walk.keys !== SIZES.listKeys,
    }],
    raw: { ...result, cpu, walk },
  };
}

// A rerun of a phase finds its bucket from the first attempt: phases overwrite their own keys, so that is fine.
async function createBucket(ctx: PhaseContext, bucket: string): Promise<void> {
  const res = await ctx.client.send({ method: 'PUT', bucket });
  if (res.status >= 300 && !res.text?.includes('<Code>BucketAlreadyOwnedByYou</Code>')) {
    throw new Error(`CreateBucket ${bucket} answered ${res.status}: ${res.text?.slice(0, 300)}`);
  }
}

function describeRun(r: ConcurrentResult): string {
  const parts = [`${r.ok.toLocaleString('en-US')} ok, ${r.failed} failed in ${r.seconds.toFixed(1)} s`];
  if (r.timedOut) parts.push('stopped by time limit');
  if (r.firstError) parts.push(`first error: ${r.firstError.slice(0, 200)}`);
  return parts.join('; ');
}
