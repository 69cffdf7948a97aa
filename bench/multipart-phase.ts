/**
 * The `multipart` bench phase: 1 GiB in 16 MiB parts at 4 concurrent parts against the single-part PUT of the
 * same run, Complete latency against one sequential copy of 1 GiB on the same file system, server memory along
 * the way, and the same upload's Complete on a reflink file system (XFS loop image, when running as root).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { measureMultipart, type MultipartResult } from './multipart.js';
import type { PhaseContext, PhaseOutput } from './phases.js';
import { makeReflinkVolume } from './reflink-volume.js';
import type { Row } from './report.js';
import { startServer } from './server-process.js';

const BUCKET = 'bench-multipart';
const TOTAL_MIB = 1024;
const PART_MIB = 16;
const CONCURRENCY = 4;
const UPLOAD_SHARE_OF_PUT = 0.8;
const MEMORY_GROWTH_LIMIT_MIB = 64;
const REFLINK_COMPLETE_MS = 1000;

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

/** Runs the phase; the reflink part adds its row or a row saying why it could not run. */
export async function multipartPhase(ctx: PhaseContext): Promise<PhaseOutput> {
  await ctx.client.expectOk({ method: 'PUT', bucket: BUCKET });
  const r = await measureMultipart({
    endpoint: ctx.endpoint, credentials: ctx.credentials, serverPid: ctx.serverPid, bucket: BUCKET,
    totalMiB: TOTAL_MIB, partMiB: PART_MIB, concurrency: CONCURRENCY, timeoutMs: 180_000, withSinglePut: true,
    objectFile: (key) => join(ctx.root, BUCKET, key),
  });
  const rows = ext4Rows(r);
  const reflink = await reflinkRun(ctx);
  rows.push(reflink.row);
  return { rows, raw: { ext4: r, reflink: reflink.raw } };
}

function ext4Rows(r: MultipartResult): Row[] {
  const put = r.singlePut!;
  const growth = r.rss.peakMiB - r.rss.baselineMiB;
  return [
    {
      metric: `${TOTAL_MIB} MiB single-part PUT (reference for multipart; raw client, UNSIGNED-PAYLOAD)`, value: put.mibPerSecond, unit: 'MiB/s',
      note: `${put.seconds.toFixed(1)} s`,
    },
    {
      metric: `${TOTAL_MIB} MiB multipart upload, ${PART_MIB} MiB parts, ${CONCURRENCY} in flight`, value: r.upload.mibPerSecond, unit: 'MiB/s',
      target: `>= ${UPLOAD_SHARE_OF_PUT * 100}% of single PUT = ${Math.round(put.mibPerSecond * UPLOAD_SHARE_OF_PUT)} MiB/s`,
      pass: r.upload.mibPerSecond >= put.mibPerSecond * UPLOAD_SHARE_OF_PUT,
      note: `two uploads of ${r.upload.parts} parts, before and after the single PUT: ${r.uploadSamples.map((v) => Math.round(v)).join(' and ')} MiB/s; ` +
        `together ${Math.round((r.upload.mibPerSecond / put.mibPerSecond) * 100)}% of the single PUT`,
    },
    {
      metric: `CompleteMultipartUpload of ${TOTAL_MIB} MiB (${r.upload.parts} parts), data dir's file system`, value: r.completeMs, unit: 'ms',
      target: `<= one sequential copy = ${Math.round(r.referenceCopyMs!)} ms`, pass: r.completeMs <= r.referenceCopyMs!,
      note: `better of two Completes (${r.completeSamples.map((v) => Math.round(v)).join(', ')} ms) against the best of ` +
        `cp --reflink=never + fsync of a 1 GiB object before, between and after them (${r.referenceCopySamples!.map((v) => Math.round(v)).join(', ')} ms); 200 and headers after ${Math.round(r.completeHeadersMs)} ms; ` +
        `ETag ${r.etag}; round trip ${r.roundTripVerified ? 'verified' : 'NOT VERIFIED'}`,
    },
    {
      metric: 'server RSS growth during the multipart phase (VmRSS every 100 ms)', value: growth, unit: 'MiB',
      target: `< ${MEMORY_GROWTH_LIMIT_MIB} MiB`, pass: growth < MEMORY_GROWTH_LIMIT_MIB,
      note: `baseline ${r.rss.baselineMiB.toFixed(0)} MiB, peak ${r.rss.peakMiB.toFixed(0)} MiB (a 1 GiB single PUT, two 1 GiB uploads and their Completes)`,
    },
  ];
}

/** The same upload on an XFS (reflink=1) loop image, with its own server on it. */
async function reflinkRun(ctx: PhaseContext): Promise<{ row: Row; raw: unknown }> {
  const metric = `CompleteMultipartUpload of ${TOTAL_MIB} MiB on XFS with reflink (loop image)`;
  const volume = await makeReflinkVolume(8, log);
  if ('reason' in volume) {
    log(`reflink run skipped: ${volume.reason}`);
    return { row: { metric, value: null, unit: 'ms', target: `< ${REFLINK_COMPLETE_MS} ms`, note: `not run: ${volume.reason}` }, raw: { skipped: volume.reason } };
  }
  try {
    const root = join(volume.dir, 'data');
    await mkdir(root);
    // Its admin listener off: the main server of the run holds the default admin port.
    const server = await startServer({ root, credentials: ctx.credentials, serverArgs: ['--admin-listen', 'off'], startTimeoutMs: 15_000 });
    try {
      const { BenchS3Client } = await import('./s3-client.js');
      const client = new BenchS3Client({ endpoint: server.endpoint, credentials: ctx.credentials, maxSockets: 4, timeoutMs: 60_000 });
      await client.expectOk({ method: 'PUT', bucket: BUCKET });
      client.close();
      const r = await measureMultipart({
        endpoint: server.endpoint, credentials: ctx.credentials, serverPid: server.pid, bucket: BUCKET,
        totalMiB: TOTAL_MIB, partMiB: PART_MIB, concurrency: CONCURRENCY, timeoutMs: 180_000, withSinglePut: false,
        objectFile: (key) => join(root, BUCKET, key),
      });
      return {
        row: {
          metric, value: r.completeMs, unit: 'ms', target: `< ${REFLINK_COMPLETE_MS} ms`, pass: r.completeMs < REFLINK_COMPLETE_MS,
          note: `better of two Completes (${r.completeSamples.map((v) => Math.round(v)).join(', ')} ms); parts uploaded at ${Math.round(r.upload.mibPerSecond)} MiB/s; ` +
            `a copy without reflink of the object there: ${Math.round(r.referenceCopyMs!)} ms; round trip ${r.roundTripVerified ? 'verified' : 'NOT VERIFIED'}`,
        },
        raw: r,
      };
    } finally {
      await server.stop(10_000);
    }
  } finally {
    await volume.remove();
  }
}
