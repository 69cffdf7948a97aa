/** `dirbucket serve`: load the configuration, open the storage, listen, print where and how to connect. */
import path from 'node:path';
import { adminCredentials } from '../accounts/admin-credentials.js';
import { checkPaths } from '../config/check-paths.js';
import { serveOptionsHelp, parseServeArgs } from '../config/command-line.js';
import { ConfigError, type Config } from '../config/config.js';
import { prestartHashWorkers } from '../checksums/hash-worker.js';
import { startYoungCollections } from '../storage/posix/write/young-gc.js';
import { PosixBackend } from '../storage/posix/posix-backend.js';
import { createLogger } from '../server/logger.js';
import { listen } from '../server/listener.js';
import { Jobs } from '../server/jobs.js';
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
  const s3 = s3App({ backend, credentials, settings: { region: config.region, domain: config.domain, maxXmlBytes: 2 * 1024 * 1024, anonymousIdentity, sigv2: config.sigv2 }, log });
  const running = await listen(s3, { host: config.listen.host, port: config.listen.port, log });
  // Background work belongs to this process, not to the storage it tidies.
  const jobs = new Jobs(log);
  const sweep = backend.multipartSweepJob();
  if (sweep) jobs.add(sweep);
  const host = running.host.includes(':') ? `[${running.host}]` : running.host;
  const endpoint = `${running.scheme}://${host}:${running.port}`;
  const keyNote = admin.source === 'environment' ? ' (from DIRBUCKET_ACCESS_KEY)' : admin.source === 'created' ? ' (new; stored in ' + config.stateDir + ')' : '';
  process.stdout.write(
    `dirbucket serving ${config.root ?? ''}${config.buckets.length ? ` (${config.buckets.length} mapped bucket(s))` : ''}\n` +
      `Endpoint: ${endpoint}\n` +
      `Access key: ${admin.accessKeyId}${keyNote}\n` +
      `Secret key: ${admin.secretAccessKey}\n` +
      `Region: ${config.region}\n` +
      (chown ? '' : `Ownership: this process (${describeIdentity(self)}) may not change file ownership; serving only users with this identity\n`) +
      `Try: AWS_ACCESS_KEY_ID=${admin.accessKeyId} AWS_SECRET_ACCESS_KEY='${admin.secretAccessKey}' ` +
      `AWS_DEFAULT_REGION=${config.region} aws --endpoint-url ${endpoint} s3 ls\n`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    void Promise.all([running.stop(), jobs.stop()])
      .then(() => {
        credentials.close();
        return backend.close();
      })
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
