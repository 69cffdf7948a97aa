/** `dirbucket key create|list|revoke`: access keys of users, with optional expiry; several per user for rotation. */
import { ConfigError } from '../config/config.js';
import { parseKeyLifetime } from '../config/duration.js';
import { createKey, keyStatus, revokeKey, userOf } from '../accounts/user-admin.js';
import { readUsers, updateUsers } from '../accounts/users-file.js';
import { table } from './user-command.js';
import { answeredHelp, asUsageError, parseUsersArgs, REMOTE_HELP, words } from './users-args.js';
import { seg } from './admin-client.js';
import type { PublicKey } from '../accounts/public-user.js';

export const KEY_HELP = `Usage: dirbucket key <action> (--root DIR | --config FILE | --endpoint URL) ...

  create USER [--expires DURATION]
            a new access key and secret for USER, printed once (with --json as JSON); DURATION is a
            number and a unit: s, m, h, d, w, y (e.g. 90d). A user may hold several keys (rotation).
  list [USER]
            keys with their user and status (active, expired, revoked); never the secrets
  revoke ACCESS_KEY_ID
            refuse the key from now on (every running gateway, within seconds)

${REMOTE_HELP}`;

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
      const key = args.remote
        ? await args.remote.call<{ accessKeyId: string; secretAccessKey: string; expires?: string }>('POST', 'keys', { user: name, ...(typeof args.values.expires === 'string' ? { expiresIn: args.values.expires } : {}) })
        : await asUsageError(() => updateUsers(args.file, (doc) => createKey(doc, name!, expires)));
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
      const only = args.positionals[0];
      let listed: (PublicKey & { user: string })[];
      if (args.remote) {
        listed = (await args.remote.call<{ keys: (PublicKey & { user: string })[] }>('GET', `keys${only !== undefined ? `?user=${seg(only)}` : ''}`)).keys;
      } else {
        const doc = await readUsers(args.file);
        const users = only !== undefined ? [await asUsageError(() => userOf(doc, only))] : Object.values(doc.users);
        listed = users.flatMap((u) => u.keys.map((k) => ({ user: u.name, ...k, status: keyStatus(k) })));
      }
      const keys = listed.map((k) => ({ user: k.user, accessKeyId: k.accessKeyId, status: k.status, created: k.created, expires: k.expires, revoked: k.revoked }));
      if (json) process.stdout.write(JSON.stringify(keys, null, 2) + '\n');
      else if (keys.length === 0) process.stdout.write('No keys.\n');
      else process.stdout.write(table([['ACCESS KEY', 'USER', 'STATUS', 'CREATED', 'EXPIRES'], ...keys.map((k) => [k.accessKeyId, k.user, k.status, k.created, k.expires ?? 'never'])]));
      return;
    }
    case 'revoke': {
      const [id] = words(args, 1, 'dirbucket key revoke ACCESS_KEY_ID');
      const user = args.remote ? (await args.remote.call<{ user: string }>('DELETE', `keys/${seg(id!)}`)).user
        : (await asUsageError(() => updateUsers(args.file, (doc) => revokeKey(doc, id!)))).user.name;
      process.stdout.write(json ? JSON.stringify({ revoked: id, user }) + '\n' : `Revoked key ${id} of user ${user}.\n`);
      return;
    }
    default:
      throw new ConfigError(`unknown action "key ${action}" (try dirbucket key --help)`);
  }
}
