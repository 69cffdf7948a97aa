/**
 * `serve --workers N` in the primary process: checks what start-up must check once (directories, the administrator's
 * key, certificates), starts the workers, prints the banner once they all listen, and stays to supervise them: it
 * serves nothing itself.
 */
import type { Config } from '../config/config.js';
import { createLogger } from '../server/logger.js';
import { superviseWorkers, WorkerStartError } from '../server/workers/supervisor.js';
import { banner, logLockEnforcement } from './banner.js';
import { notBucketsAtRoot } from './not-buckets.js';
import { loadCertificates } from './load-certificates.js';
import { startChecks } from './start-checks.js';

// Longer than a worker's own 10 s for the requests under way, so a worker ends them itself.
const DRAIN_MS = 15_000;

/** Runs `count` workers until SIGTERM or SIGINT; a worker that fails during start-up stops the lot with its exit code. */
export async function servePrimary(config: Config, count: number): Promise<void> {
  const { admin, self, chown } = startChecks(config);
  const log = createLogger(config.logLevel).child({ role: 'primary' });
  // Checked here so a bad certificate gives one message, and its expiry one warning; the workers load their own.
  (await loadCertificates(config, log, { warn: true, watch: false }))?.close();
  const supervisor = await superviseWorkers({ count, log, drainMs: DRAIN_MS }).catch((e: unknown) => {
    // The worker has said why; the primary ends as it did.
    if (e instanceof WorkerStartError) process.exit(e.exitCode);
    throw e;
  });
  const { endpoint, admin: adminEndpoint } = supervisor.ready;
  const { lockedBuckets } = supervisor.ready;
  if (lockedBuckets) logLockEnforcement(log, lockedBuckets);
  process.stdout.write(banner({ config, admin, endpoint, adminEndpoint, chown, self, workerPids: supervisor.pids(), lockedBuckets, notBuckets: notBucketsAtRoot(config, log) }));
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping the workers');
    void supervisor.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // Every worker serves HTTPS with its own copy of the certificates: each reloads them.
  process.on('SIGHUP', () => {
    log.info({ signal: 'SIGHUP' }, 'passing SIGHUP on to the workers');
    supervisor.signal('SIGHUP');
  });
}
