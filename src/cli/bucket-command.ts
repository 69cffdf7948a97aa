/** `dirbucket bucket grant|revoke`: a user's S3 access to a bucket (read-only or read-write). */
import { ConfigError } from '../config/config.js';
import { grantBucket, parseAccess, revokeBucket } from '../accounts/user-admin.js';
import { updateUsers } from '../accounts/users-file.js';
import { knownBuckets } from './known-buckets.js';
import { isValidBucketName } from '../config/bucket-name.js';
import { answeredHelp, asUsageError, parseUsersArgs, REMOTE_HELP, words } from './users-args.js';
import { seg } from './admin-client.js';

export const BUCKET_HELP = `Usage: dirbucket bucket <action> (--root DIR | --config FILE | --endpoint URL) ...

  grant USER BUCKET read|read-write
            give USER read-only or read-write access to BUCKET (the file system's permissions
            for the user's identity still apply to every request)
  revoke USER BUCKET
            take USER's access to BUCKET away

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
  const args = parseUsersArgs(rest);
  if (args.values.help) {
    process.stdout.write(BUCKET_HELP);
    return;
  }
  switch (action) {
    case 'grant': {
      const [user, bucket, level] = words(args, 3, 'dirbucket bucket grant USER BUCKET read|read-write');
      const access = await asUsageError(() => parseAccess(level!));
      if (args.remote) await args.remote.call('PUT', `grants/${seg(user!)}/${seg(bucket!)}`, { access });
      else {
        refuseUnknownBucket(bucket!, args.values);
        await asUsageError(() => updateUsers(args.file, (doc) => grantBucket(doc, user!, bucket!, access)));
      }
      process.stdout.write(`User ${user} has ${access} access to bucket ${bucket}.\n`);
      return;
    }
    case 'revoke': {
      const [user, bucket] = words(args, 2, 'dirbucket bucket revoke USER BUCKET');
      if (args.remote) await args.remote.call('DELETE', `grants/${seg(user!)}/${seg(bucket!)}`);
      else await asUsageError(() => updateUsers(args.file, (doc) => revokeBucket(doc, user!, bucket!)));
      process.stdout.write(`User ${user} has no access to bucket ${bucket} any more.\n`);
      return;
    }
    default:
      throw new ConfigError(`unknown action "bucket ${action}" (try dirbucket bucket --help)`);
  }
}
