/** `dirbucket bucket grant|revoke|identity`: a user's S3 access to a bucket, and the identity a bucket acts as. */
import { ConfigError } from '../config/config.js';
import { clearBucketIdentity, grantBucket, parseAccess, revokeBucket, setBucketIdentity } from '../accounts/user-admin.js';
import { parseIdentitySpec, type NamedIdentity } from '../accounts/identity-spec.js';
import { describeIdentity, type Identity } from '../accounts/identity.js';
import { grantWarning } from './grant-warning.js';
import { updateUsers } from '../accounts/users-file.js';
import { knownBuckets } from './known-buckets.js';
import { isValidBucketName } from '../config/bucket-name.js';
import { bucketStatusCommand } from './bucket-status.js';
import { answeredHelp, asUsageError, parseUsersArgs, REMOTE_HELP, words } from './users-args.js';
import { seg } from './admin-client.js';

export const BUCKET_HELP = `Usage: dirbucket bucket <action> (--root DIR | --config FILE | --endpoint URL) ...

  grant USER BUCKET read|read-write
            give USER read-only or read-write access to BUCKET (the file system's permissions
            for the user's identity still apply to every request)
  revoke USER BUCKET
            take USER's access to BUCKET away
  identity BUCKET UID:GID|LOGIN
            every request to BUCKET acts on the file system as this identity, whoever sends it
            (S3 rights, ACLs and policies still decide who may); a mapped bucket's identity in
            the configuration file comes first
  identity BUCKET --unset
            back to the default: each user's own identity, or with serve --identity-mode bucket
            the identity of the user who created the bucket, else the gateway's own
  status [BUCKET] [--json]
            each bucket's versioning and object lock, and who enforces its locks: the file
            system (locked versions are immutable files) or the gateway alone; with its file
            system's type

${REMOTE_HELP}`;

/**
 * A grant on a bucket that does not exist is a typo far more often than a plan: refused, naming the buckets there
 * are. (A bucket created later through S3 starts without grants anyway: its creator grants then.)
 */
function refuseUnknownBucket(bucket: string, v: Record<string, string | boolean | undefined>): void {
  if (!isValidBucketName(bucket)) return; // grantBucket says why the name is not one
  const known = knownBuckets({ root: v.root as string | undefined, config: v.config as string | undefined });
  if (known.includes(bucket)) return;
  throw new ConfigError(`no bucket "${bucket}" here; ${known.length ? `the buckets are: ${known.join(', ')}` : 'there are no buckets yet'}`);
}

/** Runs `dirbucket bucket ...`. */
export async function bucketCommand(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (answeredHelp(action, BUCKET_HELP)) return;
  const args = parseUsersArgs(rest, action === 'identity' ? { unset: { type: 'boolean' } } : {});
  if (args.values.help) {
    process.stdout.write(BUCKET_HELP);
    return;
  }
  switch (action) {
    case 'status':
      return bucketStatusCommand(args);
    case 'grant': {
      const [user, bucket, level] = words(args, 3, 'dirbucket bucket grant USER BUCKET read|read-write');
      const access = await asUsageError(() => parseAccess(level!));
      // The granted user's identity, read where the grant is written (not through --endpoint: no tree here to check).
      const granted: { identity?: Identity; bucketHasIdentity?: boolean } = {};
      if (args.remote) await args.remote.call('PUT', `grants/${seg(user!)}/${seg(bucket!)}`, { access });
      else {
        refuseUnknownBucket(bucket!, args.values);
        await asUsageError(() => updateUsers(args.file, (doc) => {
          grantBucket(doc, user!, bucket!, access);
          const u = doc.users[user!]!;
          granted.identity = { uid: u.uid, gid: u.gid, groups: u.groups };
          granted.bucketHasIdentity = doc.bucketIdentities !== undefined && Object.hasOwn(doc.bucketIdentities, bucket!);
        }));
      }
      process.stdout.write(`User ${user} has ${access} access to bucket ${bucket}.\n`);
      const warning = granted.identity && grantWarning({ root: args.values.root as string | undefined, config: args.values.config as string | undefined,
        bucket: bucket!, user: user!, identity: granted.identity, access, bucketHasIdentity: granted.bucketHasIdentity === true });
      if (warning) process.stderr.write(warning);
      return;
    }
    case 'revoke': {
      const [user, bucket] = words(args, 2, 'dirbucket bucket revoke USER BUCKET');
      if (args.remote) await args.remote.call('DELETE', `grants/${seg(user!)}/${seg(bucket!)}`);
      else await asUsageError(() => updateUsers(args.file, (doc) => revokeBucket(doc, user!, bucket!)));
      process.stdout.write(`User ${user} has no access to bucket ${bucket} any more.\n`);
      return;
    }
    case 'identity': {
      if (args.values.unset === true) {
        const [bucket] = words(args, 1, 'dirbucket bucket identity BUCKET --unset');
        if (args.remote) await args.remote.call('DELETE', `buckets/${seg(bucket!)}/identity`);
        else await asUsageError(() => updateUsers(args.file, (doc) => clearBucketIdentity(doc, bucket!)));
        process.stdout.write(`Bucket ${bucket} has no identity of its own any more: requests act as the identity mode says.\n`);
        return;
      }
      const [bucket, spec] = words(args, 2, 'dirbucket bucket identity BUCKET UID:GID|LOGIN');
      let named: NamedIdentity;
      if (args.remote) {
        // A login is looked up on the server's host, where the files are.
        const { identity } = await args.remote.call<{ identity: Identity & { systemUser?: string } }>('PUT', `buckets/${seg(bucket!)}/identity`, { identity: spec });
        named = { identity, ...(identity.systemUser ? { systemUser: identity.systemUser } : {}) };
      } else {
        refuseUnknownBucket(bucket!, args.values);
        named = await asUsageError(() => parseIdentitySpec(spec!));
        await asUsageError(() => updateUsers(args.file, (doc) => void setBucketIdentity(doc, bucket!, named)));
      }
      process.stdout.write(`Requests to bucket ${bucket} act as ${describeIdentity(named.identity)}${named.systemUser ? ` (${named.systemUser})` : ''}.\n`);
      return;
    }
    default:
      throw new ConfigError(`unknown action "bucket ${action}" (try dirbucket bucket --help)`);
  }
}
