/** What `serve` checks and settles before it serves, in one process (the primary of --workers, then each worker again). */
import { adminCredentials, type AdminCredentials } from '../accounts/admin-credentials.js';
import { describeIdentity, processIdentity, type Identity } from '../accounts/identity.js';
import { checkPaths } from '../config/check-paths.js';
import { tlsPairs } from '../config/tls-pairs.js';
import { ConfigError, type Config } from '../config/config.js';
import { canChown } from '../storage/posix/permissions/can-chown.js';

/**
 * Checks the directories, reads (or makes, on first start) the administrator's key pair, and refuses to start
 * without CAP_CHOWN when told to. Why the primary of --workers runs it first: a new key pair is made once, and a
 * bad setting stops start-up with one message rather than one per worker.
 */
export function startChecks(config: Config): { admin: AdminCredentials; self: Identity; chown: boolean } {
  if (config.adminTls && !tlsPairs(config).length) {
    throw new ConfigError('--admin-tls serves the admin listener with the certificates of --tls-cert and --tls-key (tls in the configuration file): give them too');
  }
  checkPaths(config);
  const admin = adminCredentials(config.stateDir!);
  const self = processIdentity();
  const chown = canChown();
  if (!chown && config.withoutChown === 'refuse') {
    throw new ConfigError(`this process (${describeIdentity(self)}) may not change file ownership (no CAP_CHOWN), so new files cannot belong to other users; run as root, or with --without-chown own-identity to serve only users with this identity`);
  }
  return { admin, self, chown };
}
