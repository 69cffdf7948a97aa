/** `dirbucket key create|list|revoke`: access keys of users, with optional expiry; several per user for rotation. */
import { ConfigError } from '../config/config.js';
import { parseKeyLifetime } from '../config/duration.js';
import { createKey, keyStatus, revokeKey, userOf } from '../accounts/user-admin.js';
import { readUsers, updateUsers } from '../accounts/users-file.js';
import { table } from './user-command.js';
import { answeredHelp, asUsageError, parseUsersArgs, words } from './users-args.js';

export const KEY_HELP = `Usage: dirbucket key <action> (--root DIR | --config FILE) ...

  create USER [--expires DURATION]
            a new access key and secret for USER, printed once (with --json as JSON); DURATION is a
            number and a unit: s, m, h, d, w, y (e.g. 90d). A user may hold several keys (rotation).
  list [USER]
            keys with their user and status (active, expired, revoked); never the secrets
  revoke ACCESS_KEY_ID
            refuse the key from now on (every running gateway, within seconds)
`;

/** Runs `dirbucket key ...`. */
export async function keyCommand(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (answeredHelp(action, KEY_HELP)) return;
  const args = parseUsersArgs(rest, { expires: { type: 'string' } });
  if (args.values.help) {
    process.stdout.write(KEY_HELP);
    return;
  }
  const json = args.values.json === true;
  switch (action) {
    case 'create': {
      const [name] = words(args, 1, 'dirbucket key create USER [--expires 90d]');
      const expires = typeof args.values.expires === 'string' ? await asUsageError(() => parseKeyLifetime(args.values.expires as string)) : undefined;
      const key = await asUsageError(() => updateUsers(args.file, (doc) => createKey(doc, name!, expires)));
      if (json) {
        process.stdout.write(JSON.stringify({ user: name, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, ...(key.expires ? { expires: key.expires } : {}) }, null, 2) + '\n');
      } else {
        process.stdout.write(`User:       ${name}\nAccess key: ${key.accessKeyId}\nSecret key: ${key.secretAccessKey}\n` +
          `Expires:    ${key.expires ?? 'never'}\nThe secret is shown only now; keep it safe.\n`);
      }
      return;
    }
    case 'list': {
      if (args.positionals.length > 1) throw new ConfigError('usage: dirbucket key list [USER]');
      const doc = await readUsers(args.file);
      const users = args.positionals[0] !== undefined ? [await asUsageError(() => userOf(doc, args.positionals[0]!))] : Object.values(doc.users);
      const keys = users.flatMap((u) => u.keys.map((k) => ({ user: u.name, accessKeyId: k.accessKeyId, status: keyStatus(k), created: k.created, expires: k.expires, revoked: k.revoked })));
      if (json) process.stdout.write(JSON.stringify(keys, null, 2) + '\n');
      else if (keys.length === 0) process.stdout.write('No keys.\n');
      else process.stdout.write(table([['ACCESS KEY', 'USER', 'STATUS', 'CREATED', 'EXPIRES'], ...keys.map((k) => [k.accessKeyId, k.user, k.status, k.created, k.expires ?? 'never'])]));
      return;
    }
    case 'revoke': {
      const [id] = words(args, 1, 'dirbucket key revoke ACCESS_KEY_ID');
      const { user } = await asUsageError(() => updateUsers(args.file, (doc) => revokeKey(doc, id!)));
      process.stdout.write(json ? JSON.stringify({ revoked: id, user: user.name }) + '\n' : `Revoked key ${id} of user ${user.name}.\n`);
      return;
    }
    default:
      throw new ConfigError(`unknown action "key ${action}" (try dirbucket key --help)`);
  }
}
