/**
 * The `versioned` bench phase (issue #11): a versioned bucket against an unversioned one in the same run.
 * Targets: 4 KiB PUT and GET >= 90% of the unversioned rates; a 64 MiB overwrite within 10% of an unversioned
 * one; ListObjectsV2 over 20,000 keys × 3 versions >= 90% of 20,000 unversioned keys; ListObjectVersions over
 * them >= 30,000 versions/s. Not rerunnable: a second run would find 6 versions per key.
 */
import { describeCpu, meterCpu } from './cpu-meter.js';
import type { PhaseContext, PhaseOutput } from './phases.js';
import { RawS3Connection } from './raw-connection.js';
import type { Row } from './report.js';
import {
  enableVersioning, measureLargeOverwrite, measureListingPair, measureSmallPairs, measureVersionListing, writeTreeVersions,
  type Pair, type SummedRun,
} from './versioned.js';

const SMALL: Pair<string> = { plain: 'bench-v-small-plain', versioned: 'bench-v-small' };
const LARGE: Pair<string> = { plain: 'bench-v-large-plain', versioned: 'bench-v-large' };
const LIST: Pair<string> = { plain: 'bench-v-list-plain', versioned: 'bench-v-list' };

const SIZES = {
  concurrency: 32,
  smallSize: 4096,
  smallCount: 5000,
  largeMiB: 64,
  largeWarmups: 1,
  largeIterations: 5,
  listKeys: 20_000,
  listVersions: 3,
  listRounds: 4,
  phaseTimeLimitMs: 90_000,
  treeTimeLimitMs: 240_000,
} as const;

/** Versioned rates must reach this share of the unversioned ones (small objects, ListObjectsV2). */
const SHARE = 0.9;
/** A versioned 64 MiB overwrite may be this much slower than an unversioned one at most. */
const LARGE_SHARE = 0.9;
const VERSIONS_PER_SECOND = 30_000;

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

async function bucketPair(ctx: PhaseContext, pair: Pair<string>): Promise<void> {
  for (const bucket of [pair.plain, pair.versioned]) {
    const res = await ctx.client.send({ method: 'PUT', bucket });
    if (res.status >= 300 && !res.text?.includes('<Code>BucketAlreadyOwnedByYou</Code>')) {
      throw new Error(`CreateBucket ${bucket} answered ${res.status}: ${res.text?.slice(0, 300)}`);
    }
  }
  await enableVersioning(ctx.client, pair.versioned);
}

function describeSum(r: SummedRun): string {
  const parts = [`${r.ok.toLocaleString('en-US')} ok, ${r.failed} failed in ${r.seconds.toFixed(1)} s`];
  if (r.timedOut) parts.push('stopped by time limit');
  if (r.firstError) parts.push(`first error: ${r.firstError.slice(0, 200)}`);
  return parts.join('; ');
}

const pct = (a: number, b: number) => `${b > 0 ? Math.round((a / b) * 100) : 0}%`;

/** Runs the phase: small objects, the large overwrite, then the listings (the longest, written last). */
export async function versionedPhase(ctx: PhaseContext): Promise<PhaseOutput> {
  const rows: Row[] = [];
  const raw: Record<string, unknown> = {};

  await bucketPair(ctx, SMALL);
  const small = await meterCpu(ctx.serverPid, () => measureSmallPairs(ctx.client, {
    buckets: SMALL, size: SIZES.smallSize, count: SIZES.smallCount, concurrency: SIZES.concurrency, timeLimitMs: SIZES.phaseTimeLimitMs,
  }));
  raw['small'] = small;
  for (const [op, label] of [['put', 'PUT (new keys)'], ['overwrite', 'PUT over existing keys'], ['get', 'GET']] as const) {
    const p = small.result[op];
    rows.push({
      metric: `versioned: 4 KiB ${label}, ${SIZES.concurrency} clients`, value: p.versioned.perSecond, unit: 'ops/s',
      target: `>= ${SHARE * 100}% of unversioned = ${Math.round(p.plain.perSecond * SHARE)} ops/s`,
      pass: p.versioned.perSecond >= p.plain.perSecond * SHARE,
      note: `${pct(p.versioned.perSecond, p.plain.perSecond)} of unversioned ${Math.round(p.plain.perSecond)} ops/s; versioned: ${describeSum(p.versioned)}; ` +
        `unversioned: ${describeSum(p.plain)}`,
      failed: p.plain.failed + p.versioned.failed > 0,
    });
  }
  rows[0]!.note += `; all small steps: ${describeCpu(small.cpu)}`;

  await bucketPair(ctx, LARGE);
  const connection = new RawS3Connection({ endpoint: ctx.endpoint, credentials: ctx.credentials, timeoutMs: 60_000 });
  const large = await meterCpu(ctx.serverPid, () => measureLargeOverwrite(connection, {
    buckets: LARGE, sizeMiB: SIZES.largeMiB, warmups: SIZES.largeWarmups, iterations: SIZES.largeIterations, timeLimitMs: SIZES.phaseTimeLimitMs,
  })).finally(() => connection.close());
  raw['large'] = large;
  const l = large.result;
  rows.push({
    metric: `versioned: ${SIZES.largeMiB} MiB PUT over an existing key (raw client)`, value: l.versioned.mibPerSecond, unit: 'MiB/s',
    target: `within 10% of unversioned = ${Math.round(l.plain.mibPerSecond * LARGE_SHARE)} MiB/s`,
    pass: l.versioned.mibPerSecond >= l.plain.mibPerSecond * LARGE_SHARE,
    note: `${pct(l.versioned.mibPerSecond, l.plain.mibPerSecond)} of unversioned ${Math.round(l.plain.mibPerSecond)} MiB/s; medians of ` +
      `${l.versioned.samples.length}, alternating; versioned ${l.versioned.samples.map(Math.round).join(', ')}; ` +
      `unversioned ${l.plain.samples.map(Math.round).join(', ')}; ${describeCpu(large.cpu)}`,
  });

  await bucketPair(ctx, LIST);
  log(`versioned: writing ${SIZES.listKeys} keys × ${SIZES.listVersions} versions, and ${SIZES.listKeys} unversioned keys…`);
  const treeOpts = { count: SIZES.listKeys, concurrency: SIZES.concurrency, timeLimitMs: SIZES.treeTimeLimitMs };
  const writes = {
    versioned: await writeTreeVersions(ctx.client, LIST.versioned, { ...treeOpts, passes: SIZES.listVersions }),
    plain: await writeTreeVersions(ctx.client, LIST.plain, { ...treeOpts, passes: 1 }),
  };
  raw['treeWrites'] = writes;
  const incomplete = [writes.versioned, writes.plain].find((w) => w.failed > 0 || w.timedOut);
  if (incomplete) {
    const why = `tree incomplete: ${describeSum(incomplete)}`;
    rows.push({ metric: 'versioned: ListObjectsV2, 20,000 keys × 3 versions', value: null, unit: 'keys/s', note: why, failed: incomplete.failed > 0 });
    rows.push({ metric: 'versioned: ListObjectVersions, 60,000 versions', value: null, unit: 'versions/s', note: why, failed: incomplete.failed > 0 });
    return { rows, raw };
  }
  rows.push({
    metric: `versioned: tiny nested PUT over existing keys (listing tree), ${SIZES.concurrency} clients`, value: writes.versioned.perSecond, unit: 'ops/s',
    note: `${SIZES.listVersions} passes: ${describeSum(writes.versioned)}; unversioned single pass ${Math.round(writes.plain.perSecond)} ops/s`,
  });
  const listing = await meterCpu(ctx.serverPid, () => measureListingPair(ctx.client, LIST, {
    expectedKeys: SIZES.listKeys, rounds: SIZES.listRounds, timeLimitMs: SIZES.phaseTimeLimitMs,
  }));
  raw['listing'] = listing;
  const li = listing.result;
  rows.push({
    metric: `versioned: ListObjectsV2, ${SIZES.listKeys.toLocaleString('en-US')} keys × ${SIZES.listVersions} versions`, value: li.versioned.keysPerSecond, unit: 'keys/s',
    target: `>= ${SHARE * 100}% of unversioned = ${Math.round(li.plain.keysPerSecond * SHARE)} keys/s`,
    pass: li.versioned.keysPerSecond >= li.plain.keysPerSecond * SHARE,
    note: `${pct(li.versioned.keysPerSecond, li.plain.keysPerSecond)} of unversioned ${Math.round(li.plain.keysPerSecond)} keys/s; medians of ` +
      `${li.versioned.samples.length}, alternating; ${describeCpu(listing.cpu)}`,
  });
  const versions = await meterCpu(ctx.serverPid, () => measureVersionListing(ctx.client, LIST.versioned, {
    keys: SIZES.listKeys, versionsPerKey: SIZES.listVersions, rounds: SIZES.listRounds - 1, timeLimitMs: SIZES.phaseTimeLimitMs,
  }));
  raw['versionListing'] = versions;
  const v = versions.result;
  rows.push({
    metric: `versioned: ListObjectVersions, ${(SIZES.listKeys * SIZES.listVersions).toLocaleString('en-US')} versions`, value: v.versionsPerSecond, unit: 'versions/s',
    target: `>= ${VERSIONS_PER_SECOND.toLocaleString('en-US')} versions/s`, pass: v.versionsPerSecond >= VERSIONS_PER_SECOND,
    note: `${v.pagesPerRound} pages of 1000; median of ${v.samples.length}: ${v.samples.map(Math.round).join(', ')}; ${describeCpu(versions.cpu)}`,
  });
  return { rows, raw };
}
