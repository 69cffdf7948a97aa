/**
 * The dirbucket benchmark: starts the real server on a fresh temporary directory, measures small-object
 * rates, large-object throughput, listing and memory, prints a table with PASS/FAIL against the targets,
 * writes bench/last-run.json and appends the run to bench/RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine, type Machine } from './machine.js';
import { measureMd5 } from './md5-reference.js';
import { PHASES, SIZES, runPhase, type Phase, type MeasuredPhase, RERUNNABLE } from './phases.js';
import { formatConsoleTable, formatMarkdownTable, type Row } from './report.js';
import { appendRun } from './results-file.js';
import { BenchS3Client } from './s3-client.js';
import { REPO_ROOT, peakRssBytes, startServer, type RunningServer } from './server-process.js';
import { checkSignerAgainstSdk } from './signer-check.js';
import { parseIdentity, prepareIdentityUser } from './identity-user.js';
import { hostBusySeconds } from './cpu-meter.js';
import { measureLoopbackCeiling } from './loopback-ceiling.js';
import { waitForQuiet, type QuietResult } from './wait-for-quiet.js';

const RSS_TARGET_BYTES = 200e6;
/** Below this many busy cores of other work the host counts as quiet. */
const QUIET_CORES = 0.25;
/** A phase during which other processes used more than this is run again (up to --attempts). */
const RERUN_ABOVE_CORES = 0.3;

const { values: flags } = parseArgs({
  options: {
    'no-record': { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'string' },
    'server-bin': { type: 'string', default: 'bin/dirbucket.js' },
    'server-arg': { type: 'string', multiple: true, default: [] },
    'wait-quiet': { type: 'string', default: '180' },
    attempts: { type: 'string', default: '3' },
    identity: { type: 'string' },
  },
});

const phases = selectPhases(flags.only);
const credentials = { accessKeyId: 'BENCH' + randomBytes(8).toString('hex').toUpperCase(), secretAccessKey: randomBytes(30).toString('base64') };
const date = new Date();
const root = await mkdtemp(join(tmpdir(), 'dirbucket-bench-'));
const rows: Row[] = [];
const raw: Record<string, unknown> = {};
let machine: Machine | undefined;
let server: RunningServer | undefined;
let client: BenchS3Client | undefined;
let stopped = '';
let quiet: QuietResult | undefined;

try {
  machine = await describeMachine(root);
  await checkSignerAgainstSdk(credentials);
  const waitSeconds = Number(flags['wait-quiet']);
  if (waitSeconds > 0) {
    log(`waiting up to ${waitSeconds} s for the host to be idle…`);
    quiet = await waitForQuiet({ maxBusyCores: QUIET_CORES, windowMs: 3_000, maxWaitMs: waitSeconds * 1000 });
  }
  log('measuring single-core MD5 (the PUT reference)…');
  const host0 = await hostBusySeconds();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  const md5 = measureMd5();
  const own = process.cpuUsage(own0);
  const md5Others = ((await hostBusySeconds()) - host0 - (own.user + own.system) / 1e6) / ((performance.now() - t0) / 1000);
  raw['md5'] = md5;
  rows.push({ metric: 'MD5, one core (node:crypto, 256 MiB in 1 MiB updates)', value: md5.mibPerSecond, unit: 'MiB/s',
    note: `median of ${md5.samples.length}: ${md5.samples.map((v) => Math.round(v)).join(', ')}; others ${Math.max(0, md5Others).toFixed(2)} cores` });

  log('measuring the loopback ceiling (bare node:http server, body from memory)…');
  const ceiling = await measureLoopbackCeiling(
    { sizeMiB: SIZES.largeMiB, warmups: SIZES.largeWarmups, iterations: SIZES.largeIterations, timeLimitMs: SIZES.phaseTimeLimitMs },
    credentials,
  );
  raw['loopbackCeiling'] = ceiling;
  for (const [op, t] of [['GET', ceiling.get], ['PUT', ceiling.put]] as const) {
    rows.push({ metric: `loopback ceiling: ${SIZES.largeMiB} MiB ${op}, bare node:http server, body in memory`, value: t.mibPerSecond, unit: 'MiB/s',
      note: `median of ${t.samples.length}: ${t.samples.map((v) => Math.round(v)).join(', ')}` });
  }

  const nodeArgs = flags.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(flags.profile)}`] : [];
  // --identity: the client signs as an ordinary user with that POSIX identity; the server keeps the admin key.
  const clientCredentials = flags.identity ? await prepareIdentityUser(root, parseIdentity(flags.identity)) : credentials;
  server = await startServer({ root, credentials, script: flags['server-bin'], nodeArgs, serverArgs: flags['server-arg'], startTimeoutMs: 15_000 });
  log(`server pid ${server.pid} at ${server.endpoint}`);
  // A request slower than a whole phase means something is stuck; fail it rather than hang.
  client = new BenchS3Client({ endpoint: server.endpoint, credentials: clientCredentials, maxSockets: SIZES.concurrency, timeoutMs: 60_000 });
  const ctx = { client, endpoint: server.endpoint, serverPid: server.pid, credentials: clientCredentials, root, md5 };
  const attempts = Math.max(1, Number(flags.attempts));
  for (const phase of phases) {
    // Other work on the host skews a phase's figures: rerun it (bounded) after waiting for quiet, keep the cleanest.
    let best: MeasuredPhase | undefined;
    const tries: string[] = [];
    for (let attempt = 1; attempt <= (RERUNNABLE.has(phase) ? attempts : 1); attempt++) {
      if (attempt > 1) {
        log(`phase ${phase}: other processes used ${best!.othersCores.toFixed(2)} cores; waiting for quiet to run it again…`);
        await waitForQuiet({ maxBusyCores: QUIET_CORES, windowMs: 3_000, maxWaitMs: 120_000 });
      }
      log(`phase ${phase}${attempt > 1 ? ` (attempt ${attempt})` : ''}…`);
      const out = await runPhase(phase, ctx);
      tries.push(out.othersCores.toFixed(2));
      if (out.failed) {
        best = out;
        break;
      }
      if (!best || out.othersCores < best.othersCores) best = out;
      if (best.othersCores <= RERUN_ABOVE_CORES) break;
    }
    if (tries.length > 1) best!.rows[0]!.note = `cleanest of ${tries.length} runs (others' cores per run: ${tries.join(', ')}); ${best!.rows[0]!.note ?? ''}`;
    rows.push(...best!.rows);
    raw[phase] = { ...(best!.raw as object), othersCores: best!.othersCores, othersCoresPerRun: tries };
  }
  const rss = await peakRssBytes(server.pid);
  raw['peakRssBytes'] = rss;
  rows.push({ metric: 'server peak RSS (VmHWM)', value: rss / 1e6, unit: 'MB', target: '< 200 MB', pass: rss < RSS_TARGET_BYTES,
    note: `${(rss / 2 ** 20).toFixed(1)} MiB` });
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  rows.push({ metric: 'bench aborted', value: null, unit: '', note: `error: ${message.slice(0, 500)}` });
  raw['error'] = message;
  process.exitCode = 1;
} finally {
  client?.close();
  if (server) stopped = await server.stop(10_000);
  await rm(root, { recursive: true, force: true });
}

const setup = describeSetup();
console.log('\n' + formatConsoleTable(rows));
console.log(`\n${setup}\nserver stopped: ${stopped || 'never started'}`);
if (server && !/exit code 0|signal SIGTERM/.test(stopped)) console.log(`server stderr tail:\n${server.stderrTail()}`);
if (!flags['no-record']) {
  const benchDir = join(REPO_ROOT, 'bench');
  await writeFile(join(benchDir, 'last-run.json'), JSON.stringify({ date: date.toISOString(), machine, flags, sizes: SIZES, rows, raw }, null, 2) + '\n');
  await appendRun(join(benchDir, 'RESULTS.md'), `## Run of ${date.toISOString()}\n\n${setup}\n\n${formatMarkdownTable(rows)}\n`);
  log('wrote bench/last-run.json and appended bench/RESULTS.md');
}
if (rows.some((r) => r.target && !r.pass)) process.exitCode = 1;

function describeSetup(): string {
  const m = machine;
  const lines = [
    m ? `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB RAM, ${m.kernel}, data on ${m.fileSystem}, node ${m.node}.`
      : 'Machine: unknown (the bench failed before describing it).',
    `Client and server share these ${m?.cpus ?? '?'} cores (client, in the bench process: own SigV4; node:http keep-alive pool for small requests and listing, one raw socket for 64 MiB transfers).`,
    quiet
      ? `Host before the run: ${quiet.busyCores.toFixed(2)} cores busy with other work after waiting ${Math.round(quiet.waitedSeconds)} s` +
        `${quiet.quiet ? '' : ' (NOT quiet: figures are skewed by other processes)'}; "others" in the notes is that load during each phase.`
      : 'Host load before the run: not checked (--wait-quiet 0).',
    `Server at commit ${gitCommit()}: \`node ${flags.profile ? '--cpu-prof ' : ''}${flags['server-bin']} serve --log-level warn` +
      `${flags['server-arg'].map((a) => ' ' + a).join('')}\` (defaults otherwise, fsync on); phases: ${phases.join(', ')}.`,
    flags.identity ? `Client: an ordinary user with identity ${flags.identity} (S3-rights and file-system checks on every request).`
      : 'Client: the administrator (the gateway\'s own identity, root: no file-system checks needed).',
  ];
  return lines.join('\n');
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 5_000 }).trim();
  } catch {
    return 'unknown';
  }
}

function selectPhases(only: string | undefined): Phase[] {
  if (!only) return [...PHASES];
  const wanted = only.split(',').map((s) => s.trim());
  for (const w of wanted) if (!(PHASES as readonly string[]).includes(w)) throw new Error(`unknown phase ${w}; phases: ${PHASES.join(', ')}`);
  return PHASES.filter((p) => wanted.includes(p));
}

function log(message: string): void {
  console.error(`[bench] ${message}`);
}
