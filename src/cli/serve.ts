/** `dirbucket serve`: load the configuration, open the storage, listen, print where and how to connect. */
import path from 'node:path';
import { adminCredentials } from '../accounts/admin-credentials.js';
import { checkPaths } from '../config/check-paths.js';
import { serveOptionsHelp, parseServeArgs } from '../config/command-line.js';
import { ConfigError, type Config } from '../config/config.js';
import { prestartHashWorkers } from '../checksums/hash-worker.js';
import { startYoungCollections } from '../storage/posix/write/young-gc.js';
import { PosixBackend } from '../storage/posix/posix-backend.js';
import { createAccessLog, createLogger } from '../server/logger.js';
import { listen, type Listener } from '../server/listener.js';
import { Metrics } from '../server/metrics.js';
import { trustedProxies } from '../server/client-address.js';
import { adminApp } from '../admin/admin-app.js';
import { withMinioHealth } from '../admin/minio-health.js';
import { access, constants } from 'node:fs/promises';
import { Jobs } from '../server/jobs.js';
import { CertificateStore } from '../server/tls/certificate-store.js';
import { CertificateError } from '../server/tls/certificate-pair.js';
import { expiryWarningJob } from '../server/tls/expiry-job.js';
import { tlsPairs } from '../config/tls-pairs.js';
import { s3App } from '../s3/app.js';
import { RESERVED_NAME } from '../storage/posix/paths/reserved.js';
import { canChown } from '../storage/posix/permissions/can-chown.js';
import { describeIdentity, processIdentity } from '../accounts/identity.js';
import { UserDirectory } from '../accounts/user-directory.js';
import { USERS_FILE } from '../accounts/users-file.js';
import { defaultStateDir } from './state-dir.js';
import { anonymousIdentityOf } from '../s3/rights/anonymous.js';

export const SERVE_HELP = `Usage: dirbucket serve [options]

Serve a directory tree as S3 buckets.

Options:
${serveOptionsHelp()}
Credentials: DIRBUCKET_ACCESS_KEY and DIRBUCKET_SECRET_KEY, or a key pair created on first start and
kept in the state directory (<root>/${RESERVED_NAME}/credentials.json, readable only by its owner): the
administrator. More users and keys: dirbucket user --help, dirbucket key --help (read from
<state>/users.json, changes take effect within seconds).
`;

/** Merges command-line options over the configuration file over the defaults (or prints the help and exits). */
function configFrom(argv: string[]): Config {
  const args = parseServeArgs(argv);
  if (args.help) {
    process.stdout.write(SERVE_HELP);
    process.exit(0);
  }
  const { config } = args;
  config.stateDir = defaultStateDir(config.root, args.configFile, config.stateDir);
  return config;
}

/** Runs the server until SIGTERM or SIGINT. */
export async function serve(argv: string[]): Promise<void> {
  const config = configFrom(argv);
  checkPaths(config);
  const log = createLogger(config.logLevel);
  const admin = adminCredentials(config.stateDir!);
  const self = processIdentity();
  const chown = canChown();
  if (!chown && config.withoutChown === 'refuse') {
    throw new ConfigError(`this process (${describeIdentity(self)}) may not change file ownership (no CAP_CHOWN), so new files cannot belong to other users; run as root, or with --without-chown own-identity to serve only users with this identity`);
  }
  const credentials = await UserDirectory.open({
    file: path.join(config.stateDir!, USERS_FILE),
    admin,
    self,
    ownIdentityOnly: !chown,
    onError: (err) => log.warn({ err }, 'cannot read the users file; the users read before stay in force'),
  }).catch((e: unknown) => {
    // A damaged users file stops start-up with its message, not a stack.
    throw (e as NodeJS.ErrnoException).code === undefined ? new ConfigError((e as Error).message) : e;
  });
  let anonymousIdentity;
  try {
    anonymousIdentity = anonymousIdentityOf(config.anonymousIdentity);
  } catch (e) {
    throw new ConfigError(`anonymousIdentity: ${(e as Error).message}`);
  }
  const backend = new PosixBackend({
    root: config.root,
    buckets: config.buckets,
    metadata: config.metadata,
    fsync: config.fsync,
    followSymlinks: config.followSymlinks,
    multipartExpiryMs: config.multipartExpiryMs,
  });
  prestartHashWorkers();
  startYoungCollections();
  const tls = await loadCertificates(config, log);
  const metrics = new Metrics({ openMultipartUploads: () => backend.openMultipartUploads(), certificates: tls && (() => tls.status()) });
  const ready = readinessCheck(backend, config.stateDir!);
  const s3 = withMinioHealth(
    s3App({ backend, credentials, settings: { region: config.region, domain: config.domain, maxXmlBytes: 2 * 1024 * 1024, anonymousIdentity, sigv2: config.sigv2 }, log }),
    ready,
  );
  const accessLog = config.accessLog ? createAccessLog(config.accessLog) : undefined;
  const running = await listen(s3, {
    host: config.listen.host, port: config.listen.port, tls, log, metrics, accessLog,
    trustedProxies: config.trustedProxies.length ? trustedProxies(config.trustedProxies) : undefined,
  });
  let adminListener: Listener | undefined;
  if (config.adminListen) {
    const app = adminApp({
      ready,
      metrics: async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() }),
      certificates: () => tls?.status().map((c) => ({ ...c, listener: endpointOf(running) })) ?? [],
    });
    adminListener = await listen(app, { ...config.adminListen, log: log.child({ listener: 'admin' }, { level: 'warn' }) }).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'EADDRINUSE' ? new ConfigError(`--admin-listen ${config.adminListen!.host}:${config.adminListen!.port}: address already in use (off disables the admin listener)`) : e;
    });
  }
  // Background work belongs to this process, not to the storage it tidies.
  const jobs = new Jobs(log, (job, ok) => metrics.jobRan(job, ok));
  if (tls) jobs.add(expiryWarningJob(tls, log));
  const sweep = backend.multipartSweepJob();
  if (sweep) jobs.add(sweep);
  jobs.add(backend.lockExpiryJob());
  jobs.add(backend.stagingSweepJob());
  // Said plainly at start-up: a WORM bucket whose locks only the gateway enforces is weaker than one the kernel does.
  const locked = await backend.lockedBuckets().catch(() => []);
  for (const b of locked) log.info({ bucket: b.name, enforcement: b.enforcement }, `object lock on bucket ${b.name}: ${lockEnforcementText(b.enforcement)}`);
  // Cross-gateway consistency on a network file system depends on its mount's cache options: say where to look.
  for (const { what, dir, kind } of await backend.networkFileSystems()) {
    log.warn({ dir, fs: kind }, `${what} is on a network file system (${kind}): gateways sharing it need the mount options in the README ("Several gateways on one network file system")`);
  }
  const endpoint = endpointOf(running);
  const shownSecret = admin.source === 'created'
    ? `${admin.secretAccessKey} (shown this once)`
    : admin.source === 'environment' ? '(from DIRBUCKET_SECRET_KEY)' : `(kept in ${path.join(config.stateDir!, 'credentials.json')})`;
  const keyNote = admin.source === 'environment' ? ' (from DIRBUCKET_ACCESS_KEY)' : admin.source === 'created' ? ' (new; stored in ' + config.stateDir + ')' : '';
  process.stdout.write(
    `dirbucket serving ${config.root ?? ''}${config.buckets.length ? ` (${config.buckets.length} mapped bucket(s))` : ''}\n` +
      `Endpoint: ${endpoint}\n` +
      `Access key: ${admin.accessKeyId}${keyNote}\n` +
      // Secrets never reach a log: shown once, when just made; afterwards the banner says where it is kept.
      `Secret key: ${shownSecret}\n` +
      `Region: ${config.region}\n` +
      (adminListener ? `Admin: ${endpointOf(adminListener)} (/health/live, /health/ready, /metrics)\n` : '') +
      locked.map((b) => `Object lock: bucket ${b.name} is ${lockEnforcementText(b.enforcement)}\n`).join('') +
      (chown ? '' : `Ownership: this process (${describeIdentity(self)}) may not change file ownership; serving only users with this identity\n`) +
      `Try: AWS_ACCESS_KEY_ID=${admin.accessKeyId} AWS_SECRET_ACCESS_KEY=${admin.source === 'created' ? `'${admin.secretAccessKey}'` : '...'} ` +
      `AWS_DEFAULT_REGION=${config.region} aws --endpoint-url ${endpoint} s3 ls\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    tls?.close();
    void Promise.all([running.stop(), adminListener?.stop(1000), jobs.stop()])
      .then(() => {
        credentials.close();
        accessLog?.flush();
        return backend.close();
      })
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    log.info({ signal: 'SIGHUP' }, tls ? 'reloading certificates' : 'SIGHUP: nothing to reload');
    void tls?.reload(log);
  });
}

/** The certificates to serve HTTPS with, checked (a bad one stops start-up naming its file) and watched; none: HTTP. */
async function loadCertificates(config: Config, log: ReturnType<typeof createLogger>): Promise<CertificateStore | undefined> {
  const pairs = tlsPairs(config);
  if (!pairs.length) return undefined;
  const store = await CertificateStore.load(pairs).catch((e: unknown) => {
    throw e instanceof CertificateError ? new ConfigError(e.message) : e;
  });
  store.warnOfExpiry(log);
  store.watch(log);
  return store;
}

/** `scheme://host:port` of a listener that is up. */
function endpointOf(l: Listener): string {
  return `${l.scheme}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`;
}

/** Ready when the storage is (every bucket directory reachable, writable where writes are expected) and the state directory is writable. */
function readinessCheck(backend: PosixBackend, stateDir: string): () => Promise<string[]> {
  return async () => {
    const problems = await backend.readinessProblems();
    const rwx = constants.R_OK | constants.W_OK | constants.X_OK;
    // Not made yet (credentials from the environment, no users): ready if it can be made.
    await access(stateDir, rwx)
      .catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? access(path.dirname(stateDir), rwx) : Promise.reject(e)))
      .catch((e: NodeJS.ErrnoException) => problems.push(`state directory (${stateDir}): ${e.code ?? e.message}`));
    return problems;
  };
}

/** How a bucket's object locks are enforced, in words (banner and log). */
export function lockEnforcementText(e: 'file-system' | 'gateway'): string {
  return e === 'file-system'
    ? 'enforced by the file system (locked versions are immutable files)'
    : 'enforced by the gateway only (not running as root on a file system with the immutable attribute: NAS users with access to the bucket\'s internal state could remove locked versions)';
}
