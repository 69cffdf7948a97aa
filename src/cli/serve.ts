/** `dirbucket serve`: load the configuration, open the storage, listen, print where and how to connect. */
import cluster from 'node:cluster';
import path from 'node:path';
import { serveOptionsHelp, parseServeArgs } from '../config/command-line.js';
import { ConfigError, type Config } from '../config/config.js';
import { workerCount } from '../config/workers.js';
import { prestartHashWorkers } from '../checksums/hash-worker.js';
import { startYoungCollections } from '../storage/posix/write/young-gc.js';
import { PosixBackend } from '../storage/posix/posix-backend.js';
import { createAccessLog, createLogger } from '../server/logger.js';
import { listen, type Listener } from '../server/listener.js';
import { Metrics } from '../server/metrics.js';
import { trustedProxies } from '../server/client-address.js';
import { adminApp } from '../admin/admin-app.js';
import { withMinioHealth } from '../admin/minio-health.js';
import { ADMIN_SESSIONS_DIR, SessionStore } from '../admin/session.js';
import { version } from './version.js';
import { access, constants } from 'node:fs/promises';
import { Jobs } from '../server/jobs.js';
import { expiryWarningJob } from '../server/tls/expiry-job.js';
import { lifecycleJob } from '../server/lifecycle/lifecycle-job.js';
import { s3App } from '../s3/app.js';
import { RESERVED_NAME } from '../storage/posix/paths/reserved.js';
import { announceReady, clusterMetrics, onPrimaryGone, workerRole, type WorkerRole } from '../server/workers/worker-link.js';
import { banner, logLockEnforcement } from './banner.js';
import { notBucketsAtRoot } from './not-buckets.js';
import { servePrimary } from './serve-primary.js';
import { loadCertificates } from './load-certificates.js';
import { startChecks } from './start-checks.js';
import { UserDirectory } from '../accounts/user-directory.js';
import { USERS_FILE } from '../accounts/users-file.js';
import { defaultStateDir } from './state-dir.js';
import { anonymousIdentityOf } from '../s3/rights/anonymous.js';
import { parseIdentitySpec } from '../accounts/identity-spec.js';
import type { BucketIdentitySetting } from '../s3/rights/acting-identity.js';

export const SERVE_HELP = `Usage: dirbucket serve [options]

Serve a directory tree as S3 buckets.

Options:
${serveOptionsHelp()}
Credentials: DIRBUCKET_ACCESS_KEY and DIRBUCKET_SECRET_KEY, or a key pair created on first start and
kept in the state directory (<root>/${RESERVED_NAME}/credentials.json, readable only by its owner): the
administrator. More users and keys: dirbucket user --help, dirbucket key --help (read from
<state>/users.json, changes take effect within seconds).
`;

/** What mapped buckets' entries set of identity: `identity` (UID:GID or a login, looked up once, here) and `identityMode`. */
function mappedIdentities(config: Config): Map<string, BucketIdentitySetting> {
  const out = new Map<string, BucketIdentitySetting>();
  for (const b of config.buckets) {
    if (b.identity === undefined && b.identityMode === undefined) continue;
    try {
      out.set(b.name, { ...(b.identity !== undefined && { identity: parseIdentitySpec(b.identity).identity }), ...(b.identityMode && { mode: b.identityMode }) });
    } catch (e) {
      throw new ConfigError(`buckets: ${b.name}: identity: ${(e as Error).message}`);
    }
  }
  return out;
}

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

/** Runs the server until SIGTERM or SIGINT: this process alone, or with --workers a primary and its workers. */
export async function serve(argv: string[]): Promise<void> {
  const config = configFrom(argv);
  // A worker is forked with the same arguments: it serves, as one of the primary's workers.
  if (workerCount(config.workers) > 1 && cluster.isPrimary) return servePrimary(config, workerCount(config.workers));
  return serveHere(config, workerRole());
}

/** Serves in this process: alone, or as the worker `role` of a primary (which then prints the banner and runs nothing else). */
async function serveHere(config: Config, role: WorkerRole | undefined): Promise<void> {
  const { admin, self, chown } = startChecks(config);
  const log = createLogger(config.logLevel);
  const credentials = await UserDirectory.open({
    file: path.join(config.stateDir!, USERS_FILE),
    admin,
    self,
    // In identity mode `bucket` users' identities are not acted as: the buckets' are checked instead.
    ownIdentityOnly: !chown && config.identityMode === 'user',
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
  const identities = { mode: config.identityMode, mapped: mappedIdentities(config), gateway: self, ownIdentityOnly: !chown };
  const backend = new PosixBackend({
    root: config.root,
    buckets: config.buckets,
    metadata: config.metadata,
    fsync: config.fsync,
    followSymlinks: config.followSymlinks,
    multipartExpiryMs: config.multipartExpiryMs,
    warn: (fields, message) => log.warn(fields, message),
    archiveDir: config.archiveDir,
    lifecycleDaySeconds: config.lifecycleDaySeconds,
  });
  prestartHashWorkers();
  startYoungCollections();
  // With --workers, the primary warned of expiry at start-up already.
  const tls = await loadCertificates(config, log, { warn: !role, watch: true });
  const metrics = new Metrics({ openMultipartUploads: () => backend.openMultipartUploads(), certificates: tls && (() => tls.status()) });
  const ready = readinessCheck(backend, config.stateDir!);
  // The S3 app's front end; the admin API runs bucket operations through the same one.
  const frontEnd = { backend, credentials, settings: { region: config.region, domain: config.domain, maxXmlBytes: 2 * 1024 * 1024, anonymousIdentity, sigv2: config.sigv2, lifecycleDaySeconds: config.lifecycleDaySeconds, identities }, log };
  const s3 = withMinioHealth(
    s3App(frontEnd),
    ready,
  );
  const accessLog = config.accessLog ? createAccessLog(config.accessLog) : undefined;
  const running = await listen(s3, {
    host: config.listen.host, port: config.listen.port, tls, log, metrics, accessLog,
    trustedProxies: config.trustedProxies.length ? trustedProxies(config.trustedProxies) : undefined,
  }).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'EADDRINUSE' ? new ConfigError(`--listen ${config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host}:${config.listen.port}: address already in use (another server is there; choose another address with --listen)`) : e;
  });
  // Background work belongs to this process, not to the storage it tidies. Once per host: with --workers, only the
  // worker in slot 0 runs the jobs (a restarted one takes its slot, and them, over).
  const jobs = new Jobs(log, (job, ok) => metrics.jobRan(job, ok), { elsewhere: role !== undefined && role.slot !== 0 });
  let adminListener: Listener | undefined;
  if (config.adminListen) {
    const certificates = () => tls?.status().map((c) => ({ ...c, listener: endpointOf(running) })) ?? [];
    const app = adminApp({
      ready,
      // A worker answers for all of them: the primary adds up every worker's metrics.
      metrics: role ? clusterMetrics(metrics.registry) : async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() }),
      certificates,
      api: {
        frontEnd,
        usersFile: path.join(config.stateDir!, USERS_FILE),
        usersChanged: () => credentials.reload(),
        // Under the state directory, so that every worker of --workers knows every session.
        sessions: new SessionStore(path.join(config.stateDir!, ADMIN_SESSIONS_DIR)),
        version: version(),
        startedAt: new Date(),
        storage: { ...(config.root !== undefined ? { root: config.root } : {}), buckets: config.buckets.length },
        chown,
        listeners: () => [{ name: 's3', endpoint: endpointOf(running) }, ...(adminListener ? [{ name: 'admin' as const, endpoint: endpointOf(adminListener) }] : [])],
        fileSystems: () => backend.fileSystems(),
        certificates,
        jobs: () => jobs.report(),
        log,
      },
    });
    // The S3 listener's certificate store: the same names, the same reloads (file changes, SIGHUP).
    adminListener = await listen(app, { ...config.adminListen, ...(config.adminTls && tls ? { tls } : {}), log: log.child({ listener: 'admin' }, { level: 'warn' }) }).catch((e: NodeJS.ErrnoException) => {
      throw e.code === 'EADDRINUSE' ? new ConfigError(`--admin-listen ${config.adminListen!.host}:${config.adminListen!.port}: address already in use (off disables the admin listener)`) : e;
    });
  }
  if (tls) jobs.add(expiryWarningJob(tls, log));
  const sweep = backend.multipartSweepJob();
  if (sweep) jobs.add(sweep);
  jobs.add(backend.lockExpiryJob());
  jobs.add(backend.stagingSweepJob());
  jobs.add(backend.archiveJob());
  // One gateway at a time across hosts runs the rules: the others skip their turn while its lease lasts.
  jobs.add(lifecycleJob({ backend, stateDir: config.stateDir!, daySeconds: config.lifecycleDaySeconds, log }));
  // Said plainly at start-up: a WORM bucket whose locks only the gateway enforces is weaker than one the kernel does.
  // With --workers the primary says it, once: every worker would find the same.
  const locked = await backend.lockedBuckets().catch(() => []);
  if (!role) logLockEnforcement(log, locked);
  // Cross-gateway consistency on a network file system depends on its mount's cache options: say where to look.
  for (const { what, dir, kind } of await backend.networkFileSystems()) {
    log.warn({ dir, fs: kind }, `${what} is on a network file system (${kind}): gateways sharing it need the mount options in the README ("Several gateways on one network file system")`);
  }
  const endpoint = endpointOf(running);
  const adminEndpoint = adminListener && endpointOf(adminListener);
  if (role) announceReady(endpoint, adminEndpoint, locked);
  else process.stdout.write(banner({ config, admin, endpoint, adminEndpoint, chown, self, lockedBuckets: locked, notBuckets: notBucketsAtRoot(config, log) }));
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
  if (role) onPrimaryGone(() => stop('primary gone'));
  process.on('SIGHUP', () => {
    log.info({ signal: 'SIGHUP' }, tls ? 'reloading certificates' : 'SIGHUP: nothing to reload');
    void tls?.reload(log);
  });
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
