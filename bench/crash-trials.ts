/**
 * Crash trials (issue #19): hundreds of kill -9s at random moments of concurrent writes, each followed by a
 * restart and a check of what the server promises. One tree, one server at a time: a trial runs concurrent PUTs,
 * overwrites, copies, deletes, multipart uploads and versioned writes and deletes for a random time, kills the
 * server with SIGKILL, starts it again on the same tree, resends the Completes the kill cut off, then checks
 * (bench/crash-checks.ts): every acknowledged write is readable with its ETag and bytes or was superseded, no
 * object is torn or mixed, listings agree with GET and HEAD, every acknowledged version is there, nothing is
 * left in the staging and multipart directories (nor a temporary of an atomic write anywhere in the state) once
 * the sweeps have run, and a temporary or lock a kill left among a key's versions is gone after the next write of
 * that key. The restarted server is the next trial's. Prints a summary table (and with --record appends it to
 * bench/RESULTS.md); --max-minutes bounds the whole run (the trial under way finishes, the summary says so).
 *
 *   npm run crash-trials -- [--trials N] [--seed S] [--clients N] [--moosefs] [--metadata sidecar]
 *                           [--server-arg FLAG]… [--max-minutes M] [--record] [--inject-faults]
 *
 * --moosefs serves a tree on a MooseFS volume started on loopback (test/helpers/moosefs.ts: root, /dev/fuse and
 * Debian's moosefs-master, -chunkserver and -client). The seed fixes each trial's kill moment and every client's
 * sequence of operations; it cannot fix the order in which the server interleaves them, so a replay is close,
 * not exact. --inject-faults removes one object's file and tears another's in the last trial, behind the
 * server's back: the checks must find both (a self-check of the checks; the summary says whether they did).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { prng } from '../test/helpers/prng.js';
import { startMooseFs, type MooseFs } from '../test/helpers/moosefs.js';
import { injectFaults, type InjectedFaults } from './crash-faults.js';
import { checkTrial, FINDINGS, type FindingKind, type KnownState, type TrialCheck, type VersionLeftover } from './crash-checks.js';
import { BodyRegistry, OP_KINDS, PLAIN, VERSIONED, runClient, type Op, type OpKind } from './crash-workload.js';
import { formatConsoleTable, formatMarkdownTable, type Row } from './report.js';
import { appendRun } from './results-file.js';
import { REPO_ROOT, startServer, type RunningServer } from './server-process.js';

const { values: flags } = parseArgs({
  options: {
    trials: { type: 'string', default: '300' },
    seed: { type: 'string' },
    clients: { type: 'string', default: '6' },
    'max-kill-ms': { type: 'string', default: '1500' },
    'max-body': { type: 'string', default: '65536' },
    moosefs: { type: 'boolean', default: false },
    metadata: { type: 'string' },
    'server-arg': { type: 'string', multiple: true, default: [] },
    'max-minutes': { type: 'string', default: '180' },
    record: { type: 'boolean', default: false },
    'inject-faults': { type: 'boolean', default: false },
  },
});

const bounded = (v: string | undefined, lo: number, hi: number, name: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`--${name} must be a whole number from ${lo} to ${hi}`);
  return n;
};
const TRIALS = bounded(flags.trials, 1, 5000, 'trials');
const SEED = flags.seed !== undefined ? bounded(flags.seed, 0, 2 ** 32 - 1, 'seed') : randomBytes(4).readUInt32BE();
const CLIENTS = bounded(flags.clients, 1, 64, 'clients');
const MAX_KILL_MS = bounded(flags['max-kill-ms'], 20, 60_000, 'max-kill-ms');
const MAX_BODY = bounded(flags['max-body'], 1, 64 * 1024 * 1024, 'max-body');
const DEADLINE = Date.now() + bounded(flags['max-minutes'], 1, 24 * 60, 'max-minutes') * 60_000;
const SERVER_ARGS = ['--admin-listen', 'off', ...(flags.metadata ? ['--metadata', flags.metadata] : []), ...flags['server-arg']];
/** Bounds that keep every step of a trial from hanging the run. */
const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const SWEEP_TIMEOUT_MS = 30_000;

const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const credentials = { accessKeyId: 'CRASH' + randomBytes(8).toString('hex').toUpperCase(), secretAccessKey: randomBytes(30).toString('base64') };

let mfs: MooseFs | undefined;
let base: string | undefined;
let server: RunningServer | undefined;
let s3: S3Client | undefined;
const startedAt = Date.now();
const totals = {
  trials: 0,
  ops: new Map<OpKind, { issued: number; acked: number; inFlightAtKill: number }>(OP_KINDS.map((k) => [k, { issued: 0, acked: 0, inFlightAtKill: 0 }])),
  findings: new Map<FindingKind, string[]>(Object.keys(FINDINGS).map((k) => [k as FindingKind, []])),
  completeMs: [] as number[],
  orphanUploads: 0,
  sweptMs: [] as number[],
  pendingRemovals: 0,
  /** Leftovers among the versions at the end whose key no trial wrote since (nothing has had to sweep them yet). */
  versionLeftoversWaiting: 0,
};
let stoppedBy = '';
let injected: InjectedFaults | undefined;

/**
 * Among the versions, a leftover is the next writer's of its key to sweep (under the key's lock): one found by an
 * earlier check and still there (same inode, same ctime) after this trial acknowledged a write of its key is a
 * finding of this trial. What this check finds anew waits for a later trial's write.
 */
function judgeVersionLeftovers(waiting: Map<string, VersionLeftover>, reported: Set<string>, check: TrialCheck, ops: Op[]): void {
  const idOf = (l: VersionLeftover) => `${l.path}#${l.ino}#${l.ctimeMs}`;
  const now = new Map(check.versionLeftovers.map((l) => [idOf(l), l]));
  for (const [id, l] of waiting) {
    if (!now.has(id)) {
      waiting.delete(id);
    } else if (ops.some((o) => o.acked && o.bucket === l.bucket && o.key === l.key)) {
      check.findings.versionTemps.push(`${l.path}: still there after a write of ${l.key}`);
      waiting.delete(id);
      reported.add(id); // once
    }
  }
  for (const [id, l] of now) if (!waiting.has(id) && !reported.has(id)) waiting.set(id, l);
}

async function start(root: string): Promise<void> {
  server = await startServer({ root, credentials, serverArgs: SERVER_ARGS, startTimeoutMs: START_TIMEOUT_MS });
  s3 = new S3Client({
    endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1,
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: 5_000 },
  });
}

async function killServer(): Promise<void> {
  const s = server!;
  // The kill first: closing the client's sockets first would let the server see its clients leave and clean up
  // as it does then, rather than die in the middle of its writes.
  process.kill(s.pid, 'SIGKILL');
  const client = s3;
  s3 = undefined;
  await s.stop(5_000); // resolves once the killed process has been reaped
  client?.destroy();
  server = undefined;
}

try {
  log(`crash trials: ${TRIALS} trials, seed ${SEED}, ${CLIENTS} clients, kill within ${MAX_KILL_MS} ms, ${flags.moosefs ? 'MooseFS' : 'local disk'}${SERVER_ARGS.length ? `, serve ${SERVER_ARGS.join(' ')}` : ''}`);
  let root: string;
  if (flags.moosefs) {
    mfs = await startMooseFs({ mounts: 1 });
    root = join(mfs.mounts[0]!, 'tree');
    await mkdir(root);
  } else {
    base = await mkdtemp(join(tmpdir(), 'dirbucket-crash-'));
    root = base;
  }
  await start(root);
  await s3!.send(new CreateBucketCommand({ Bucket: PLAIN }));
  await s3!.send(new CreateBucketCommand({ Bucket: VERSIONED }));
  await s3!.send(new PutBucketVersioningCommand({ Bucket: VERSIONED, VersioningConfiguration: { Status: 'Enabled' } }));

  const registry = new BodyRegistry();
  const known: KnownState = new Map();
  const ackedVersions = new Map<string, Map<string, string | null>>();
  const master = prng(SEED);
  const seenLeftovers = new Set<string>();
  /** Leftovers among the versions, found by a check and not yet removed: the next write of their key must. */
  const versionLeftovers = new Map<string, VersionLeftover>();
  const versionLeftoversReported = new Set<string>();
  for (let trial = 0; trial < TRIALS; trial++) {
    if (Date.now() > DEADLINE) {
      stoppedBy = `stopped after ${trial} trials: --max-minutes reached`;
      break;
    }
    const killAfter = master.between(20, MAX_KILL_MS);
    const clientSeeds = Array.from({ length: CLIENTS }, () => master.int(2 ** 32));
    const ops: Op[] = [];
    const ctx = { client: () => s3, registry, ops, trial, maxBodyBytes: MAX_BODY };
    let stopped = false;
    const trialStart = Date.now();
    // --inject-faults: the last trial writes nothing, so that every key is one the check knows untouched.
    const injecting = flags['inject-faults'] && trial === TRIALS - 1;
    const clients = injecting ? [] : clientSeeds.map((seed, c) => runClient(ctx, c, prng(seed), () => stopped));
    await sleep(killAfter);
    stopped = true;
    const inFlight = ops.filter((o) => o.end === 0);
    await killServer();
    await Promise.all(clients);
    for (const o of ops) {
      const t = totals.ops.get(o.kind)!;
      t.issued++;
      if (o.acked) t.acked++;
    }
    for (const o of inFlight) totals.ops.get(o.kind)!.inFlightAtKill++;

    await start(root);
    // --inject-faults: in the last trial, faults put in by hand, which the check must find (crash-faults.ts).
    if (injecting) {
      injected = await injectFaults(root, known, ops);
      log(injected ? `injected: ${injected.lost} removed, ${injected.torn} torn` : 'could not inject faults: fewer than two untouched keys');
    }
    const check: TrialCheck = await checkTrial({
      s3: s3!, root, registry, ops, ackedVersions, known, trialStart, restartedAt: Date.now(), sweepTimeoutMs: SWEEP_TIMEOUT_MS,
    });
    judgeVersionLeftovers(versionLeftovers, versionLeftoversReported, check, ops);
    totals.trials++;
    totals.completeMs.push(...check.completeMs);
    totals.orphanUploads += check.orphanUploads;
    totals.sweptMs.push(check.sweptMs);
    totals.pendingRemovals = check.pendingRemovals;
    const found: string[] = [];
    let first = '';
    for (const [kind, list] of Object.entries(check.findings) as [FindingKind, string[]][]) {
      // A leftover stays until something removes it: counted once, in the trial that first found it.
      const fresh = kind === 'leftovers' || kind === 'versionTemps' ? list.filter((f) => !seenLeftovers.has(f)) : list;
      for (const f of fresh) if (kind === 'leftovers' || kind === 'versionTemps') seenLeftovers.add(f);
      totals.findings.get(kind)!.push(...fresh.map((f) => `trial ${trial}: ${f}`));
      if (fresh.length) found.push(`${fresh.length} ${kind}`);
      first ||= fresh[0] ?? '';
    }
    log(`trial ${trial}: killed after ${killAfter} ms, ${ops.length} ops (${ops.filter((o) => o.acked).length} acknowledged, ` +
      `in flight: ${inFlight.map((o) => o.kind).join(' ') || 'none'}), swept in ${(check.sweptMs / 1000).toFixed(1)} s` +
      `${versionLeftovers.size ? `, ${versionLeftovers.size} leftovers among the versions await a write of their key` : ''}` +
      `${found.length ? `; FOUND ${found.join(', ')} (first: ${first})` : ''}`);
  }
  totals.versionLeftoversWaiting = versionLeftovers.size;
} catch (e) {
  stoppedBy = `aborted: ${(e as Error).message.slice(0, 500)}`;
  process.exitCode = 1;
} finally {
  s3?.destroy();
  if (server) await server.stop(10_000);
  await mfs?.stop();
  if (base) await rm(base, { recursive: true, force: true });
}

const rows: Row[] = [];
const max = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null);
rows.push({ metric: 'crash trials run (kill -9, restart, check)', value: totals.trials, unit: 'trials',
  note: `seed ${SEED}; ${CLIENTS} clients; kill 20–${MAX_KILL_MS} ms into each; ${flags.moosefs ? 'MooseFS on loopback' : 'local disk'}; metadata ${flags.metadata ?? 'default'}${stoppedBy ? `; ${stoppedBy}` : ''}` });
for (const [kind, t] of totals.ops) {
  rows.push({ metric: `${kind}: issued / acknowledged / in flight at a kill`, value: t.issued, unit: 'ops', note: `${t.acked} acknowledged, ${t.inFlightAtKill} in flight when killed` });
}
for (const [kind, list] of totals.findings) {
  rows.push({ metric: FINDINGS[kind], value: list.length, unit: 'found', target: '0', pass: list.length === 0, note: list.slice(0, 3).join('; ') });
}
rows.push({ metric: 'resent Completes: slowest', value: max(totals.completeMs), unit: 'ms', note: `${totals.completeMs.length} resent, median ${median(totals.completeMs) ?? '—'} ms` });
rows.push({ metric: 'restart to swept (nothing left behind): slowest', value: max(totals.sweptMs), unit: 'ms', note: `median ${median(totals.sweptMs) ?? '—'} ms; the sweeps first run 5 s after start-up` });
rows.push({ metric: 'uploads cut off before their Complete (aborted by the check)', value: totals.orphanUploads, unit: 'uploads' });
if (flags['inject-faults']) {
  const found = injected ? [
    totals.findings.get('lost')!.some((f) => f.includes(`: ${injected!.lost} holds nothing`)),
    totals.findings.get('mixed')!.some((f) => f.includes(`GET ${PLAIN}/${injected!.torn}:`)),
  ].filter(Boolean).length : 0;
  rows.push({ metric: 'self-check: faults put in by hand that the checks found', value: found, unit: 'of 2', target: '2', pass: found === 2,
    note: injected ? `${injected.lost} removed, ${injected.torn} torn (the lost and mixed rows count them)` : 'not injected: fewer than two untouched keys in the last trial' });
}
rows.push({ metric: 'removals in progress at the end, within the multipart sweep\'s grace', value: totals.pendingRemovals, unit: 'dirs' });
rows.push({ metric: 'temporaries and locks among the versions at the end, their key not written since', value: totals.versionLeftoversWaiting, unit: 'files',
  note: 'swept by the next write of their key (under its lock), not by a job' });

const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1);
console.log('\n' + formatConsoleTable(rows));
for (const [kind, list] of totals.findings) for (const f of list.slice(0, 20)) console.log(`${kind}: ${f}`);
const section = `## Crash trials of ${new Date(startedAt).toISOString()}\n\n\`npm run crash-trials -- ${process.argv.slice(2).join(' ')}\` (${minutes} min; seed ${SEED}).\n\n${formatMarkdownTable(rows)}\n`;
console.log('\n' + section);
if (flags.record) await appendRun(join(REPO_ROOT, 'bench', 'RESULTS.md'), section);
if (rows.some((r) => r.target && !r.pass)) process.exitCode = 1;
