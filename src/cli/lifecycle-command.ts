/** `dirbucket lifecycle run`: one lifecycle pass now, from the command line, printing what it did or would do. */
import { parseServeArgs } from '../config/command-line.js';
import { ConfigError } from '../config/config.js';
import { S3Error } from '../errors/s3-error.js';
import { PosixBackend } from '../storage/posix/posix-backend.js';
import { lifecyclePass, type LifecyclePassOptions } from '../server/lifecycle/lifecycle-pass.js';
import { LEASE_STALE_MS, underLease } from '../server/lifecycle/lifecycle-job.js';
import { defaultStateDir } from './state-dir.js';

export const LIFECYCLE_HELP = `Usage: dirbucket lifecycle run [--bucket B] [--dry-run] (--root DIR | --config FILE) [serve options]

  run       apply the buckets' lifecycle rules once, now, and print each action
            --bucket B   only bucket B
            --dry-run    print what would be done, and do nothing
The tree is named as for dirbucket serve (--root, --config, --lifecycle-day-seconds...). A gateway's
lifecycle job and this command never run at once: whichever holds the lease runs, the other waits its turn.
`;

/** What one action line says. */
function actionLine(bucket: string, a: Parameters<NonNullable<NonNullable<LifecyclePassOptions['listener']>['action']>>[1], outcome: string): string {
  const version = 'versionId' in a && a.versionId !== undefined ? ` (version ${a.versionId})` : 'uploadId' in a ? ` (upload ${a.uploadId})` : '';
  const to = 'storageClass' in a && a.storageClass ? ` to ${a.storageClass}` : '';
  const what = outcome === 'dry-run' ? 'would' : outcome === 'done' ? 'did' : outcome;
  return `${what}: ${a.kind}${to} ${bucket}/${a.key}${version} (rule ${a.rule})\n`;
}

/** --bucket and --dry-run; every other argument names the tree, as for serve. */
function ownOptions(argv: string[]): { bucket?: string; dryRun: boolean; serveArgs: string[] } {
  const out: { bucket?: string; dryRun: boolean; serveArgs: string[] } = { dryRun: false, serveArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--dry-run') out.dryRun = true;
    else if (a === '--bucket') {
      out.bucket = argv[++i];
      if (out.bucket === undefined) throw new ConfigError('--bucket needs a bucket name');
    } else if (a.startsWith('--bucket=')) out.bucket = a.slice('--bucket='.length);
    else out.serveArgs.push(a);
  }
  return out;
}

/** Runs `dirbucket lifecycle ...`. */
export async function lifecycleCommand(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') {
    process.stdout.write(LIFECYCLE_HELP);
    return;
  }
  if (action !== 'run') throw new ConfigError(`unknown lifecycle action "${action}" (try dirbucket lifecycle --help)`);
  const { bucket, dryRun, serveArgs } = ownOptions(rest);
  const args = parseServeArgs(serveArgs);
  if (args.help) {
    process.stdout.write(LIFECYCLE_HELP);
    return;
  }
  const { config } = args;
  const stateDir = defaultStateDir(config.root, args.configFile, config.stateDir);
  if (!stateDir || (!config.root && !config.buckets.length)) throw new ConfigError('give --root DIR or --config FILE (the same as for dirbucket serve)');
  const backend = new PosixBackend({
    root: config.root, buckets: config.buckets, metadata: config.metadata, fsync: config.fsync, followSymlinks: config.followSymlinks,
    multipartExpiryMs: 0, archiveDir: config.archiveDir, lifecycleDaySeconds: config.lifecycleDaySeconds,
  });
  const started = Date.now();
  const pass: LifecyclePassOptions = {
    backend, daySeconds: config.lifecycleDaySeconds, bucket, dryRun,
    listener: {
      action: (bucket, a, outcome, err) => process.stdout.write(actionLine(bucket, a, outcome).replace(/\n$/, err && outcome !== 'done' && outcome !== 'dry-run' ? `: ${(err as Error).message}\n` : '\n')),
      progress: (bucket, scanned) => process.stderr.write(`lifecycle: ${scanned} keys scanned in ${bucket} (${Math.round((Date.now() - started) / 1000)} s)\n`),
      bucketFailed: (bucket, err) => process.stderr.write(`lifecycle: bucket ${bucket} failed: ${(err as Error).message}\n`),
    },
  };
  try {
    // A dry run changes nothing, so it needs no lease; a real one waits for a running gateway pass to end.
    const result = dryRun ? await lifecyclePass(pass) : await waitForLease(stateDir, (stillHeld) => lifecyclePass({ ...pass, stillHeld }));
    process.stdout.write(`${dryRun ? 'Dry run: ' : ''}${result.buckets} bucket(s) with rules, ${result.scanned} keys scanned in ${((Date.now() - started) / 1000).toFixed(2)} s, ${result.actions} action(s) done.\n`);
  } catch (e) {
    // A bucket that does not exist (or a setting that cannot be read): a message, not a stack.
    if (e instanceof S3Error) throw new ConfigError(`lifecycle run: ${e.code}: ${e.message}${bucket !== undefined ? ` (bucket ${bucket})` : ''}`);
    throw e;
  } finally {
    await backend.close();
  }
}

/** Runs `fn` under the lifecycle lease, waiting (up to 10 minutes) while a gateway's pass holds it. */
async function waitForLease<R>(stateDir: string, fn: (stillHeld: () => Promise<boolean>) => Promise<R>): Promise<R> {
  const deadline = Date.now() + 600_000;
  for (let said = false; ; ) {
    const r = await underLease(stateDir, LEASE_STALE_MS, async (stillHeld) => ({ value: await fn(stillHeld) }));
    if (r) return r.value;
    if (Date.now() > deadline) throw new ConfigError(`another lifecycle pass holds ${stateDir}/lifecycle.lease; try again later`);
    if (!said) process.stderr.write('lifecycle: a gateway is running a pass; waiting for it to end\n');
    said = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
