/** `dirbucket bucket grant|revoke`: a user's S3 access to a bucket (read-only or read-write). */
import { ConfigError } from '../config/config.js';
import { grantBucket, parseAccess, revokeBucket } from '../accounts/user-admin.js';
import { updateUsers } from '../accounts/users-file.js';
import { asUsageError, parseUsersArgs, REMOTE_HELP, words } from './users-args.js';
import { seg } from './admin-client.js';

export const BUCKET_HELP = `Usage: dirbucket bucket <action> (--root DIR | --config FILE | --endpoint URL) ...

  grant USER BUCKET read|read-write
            give USER read-only or read-write access to BUCKET (the file system's permissions
            for the user's identity still apply to every request)
  revoke USER BUCKET
            take USER's access to BUCKET away

${REMOTE_HELP}`;

/** Runs `dirbucket bucket ...`. */
export async function bucketCommand(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') {
    process.stdout.write(BUCKET_HELP);
    return;
  }
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
      else await asUsageError(() => updateUsers(args.file, (doc) => grantBucket(doc, user!, bucket!, access)));
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
