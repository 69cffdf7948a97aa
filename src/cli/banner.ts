/** The start-up banner of `serve`: where to connect and with which key, printed once (by the primary with --workers). */
import path from 'node:path';
import type { AdminCredentials } from '../accounts/admin-credentials.js';
import { describeIdentity, type Identity } from '../accounts/identity.js';
import type { Config } from '../config/config.js';
import type { Logger } from 'pino';

/** What the banner tells. */
export interface BannerFacts {
  config: Config;
  admin: AdminCredentials;
  /** `scheme://host:port` of the S3 listener, and of the admin listener when there is one. */
  endpoint: string;
  adminEndpoint?: string;
  /** Whether this process may change file ownership; as `self` when not. */
  chown: boolean;
  self: Identity;
  /** The workers' process ids, with --workers above 1. */
  workerPids?: number[];
  /** Buckets with object lock, and what enforces it (a line each). */
  lockedBuckets?: { name: string; enforcement: 'file-system' | 'gateway' }[];
  /** Directories at the root that are not buckets: their names are not valid bucket names. */
  notBuckets?: string[];
}

/** How a bucket's object locks are enforced, in words (banner and log). */
export function lockEnforcementText(e: 'file-system' | 'gateway'): string {
  return e === 'file-system'
    ? 'enforced by the file system (locked versions are immutable files)'
    : 'enforced by the gateway only (not running as root on a file system with the immutable attribute: NAS users with access to the bucket\'s internal state could remove locked versions)';
}

/** Logs how each lock-enabled bucket's locks are enforced (a line each), beside the banner's lines. */
export function logLockEnforcement(log: Logger, locked: readonly { name: string; enforcement: 'file-system' | 'gateway' }[]): void {
  for (const b of locked) log.info({ bucket: b.name, enforcement: b.enforcement }, `object lock on bucket ${b.name}: ${lockEnforcementText(b.enforcement)}`);
}

/** Mapped buckets named one a line up to this many; more are counted. */
const MAPPED_SHOWN = 10;

/** What is served: the root (each directory a bucket) and each mapped bucket with its directory. */
function servingLines(config: Config): string {
  const mapped = config.buckets;
  const head = config.root !== undefined
    ? `dirbucket serving ${config.root}${mapped.length ? ` and ${mapped.length} mapped bucket${mapped.length === 1 ? '' : 's'}` : ''}\n`
    : `dirbucket serving ${mapped.length} mapped bucket${mapped.length === 1 ? '' : 's'}\n`;
  const lines = mapped.slice(0, MAPPED_SHOWN).map((b) => `Bucket: ${b.name} -> ${b.path}${b.readOnly ? ' (read-only)' : ''}\n`);
  if (mapped.length > MAPPED_SHOWN) lines.push(`Bucket: ... and ${mapped.length - MAPPED_SHOWN} more (see the configuration file)\n`);
  return head + lines.join('');
}

/** The banner's text. */
export function banner(f: BannerFacts): string {
  const { config, admin, endpoint } = f;
  const shownSecret = admin.source === 'created'
    ? `${admin.secretAccessKey} (shown this once)`
    : admin.source === 'environment' ? '(from DIRBUCKET_SECRET_KEY)' : `(kept in ${path.join(config.stateDir!, 'credentials.json')})`;
  const keyNote = admin.source === 'environment' ? ' (from DIRBUCKET_ACCESS_KEY)' : admin.source === 'created' ? ' (new; stored in ' + config.stateDir + ')' : '';
  return (
    servingLines(config) +
    `Endpoint: ${endpoint}\n` +
    `Access key: ${admin.accessKeyId}${keyNote}\n` +
    // Secrets never reach a log: shown once, when just made; afterwards the banner says where it is kept.
    `Secret key: ${shownSecret}\n` +
    `Region: ${config.region}\n` +
    (f.adminEndpoint ? `Admin: ${f.adminEndpoint} (the web console at /; /health/live, /health/ready, /metrics, /admin/v1/)\n` : '') +
    (f.workerPids ? `Workers: ${f.workerPids.length} (pids ${f.workerPids.join(', ')})\n` : '') +
    (f.notBuckets?.length ? `Not buckets (S3 does not allow these names): ${f.notBuckets.map((n) => JSON.stringify(n)).join(', ')}\n` : '') +
    (f.lockedBuckets ?? []).map((b) => `Object lock: bucket ${b.name} is ${lockEnforcementText(b.enforcement)}\n`).join('') +
    (f.chown ? '' : `Ownership: this process (${describeIdentity(f.self)}) may not change file ownership; serving only users with this identity\n`) +
    `Try: AWS_ACCESS_KEY_ID=${admin.accessKeyId} AWS_SECRET_ACCESS_KEY=${admin.source === 'created' ? `'${admin.secretAccessKey}'` : '...'} ` +
    `AWS_DEFAULT_REGION=${config.region} aws --endpoint-url ${endpoint} s3 ls\n`
  );
}
