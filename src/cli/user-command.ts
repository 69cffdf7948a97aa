/** `dirbucket user add|list|show|remove`: the users of the gateway, kept in its state directory. */
import { ConfigError } from '../config/config.js';
import { describeIdentity, type Identity } from '../accounts/identity.js';
import { lookupSystemUser } from '../accounts/system-user.js';
import { addUser, keyStatus, parseId, removeUser, userOf } from '../accounts/user-admin.js';
import { readUsers, updateUsers, type StoredUser } from '../accounts/users-file.js';
import { publicUser } from '../accounts/public-user.js';
import { asUsageError, parseUsersArgs, words } from './users-args.js';

export const USER_HELP = `Usage: dirbucket user <action> (--root DIR | --config FILE) ...

  add NAME (--uid UID --gid GID [--groups G1,G2] | --system-user LOGIN) [--admin] [--can-create-buckets]
            a user acting on the file system as that POSIX identity (or that of system user LOGIN,
            looked up now with id(1)); --admin: read-write on every bucket, may create and delete any
  list      every user, with identity, rights and number of active keys
  show NAME one user: identity, bucket grants, keys (never their secrets)
  remove NAME
            the user and all their keys (refused from then on by every running gateway)

Options: --json (machine-readable output of list and show). Changes reach running gateways within seconds.
`;

/** Runs `dirbucket user ...`. */
export async function userCommand(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') {
    process.stdout.write(USER_HELP);
    return;
  }
  const args = parseUsersArgs(rest, {
    uid: { type: 'string' }, gid: { type: 'string' }, groups: { type: 'string' }, 'system-user': { type: 'string' },
    admin: { type: 'boolean' }, 'can-create-buckets': { type: 'boolean' },
  });
  if (args.values.help) {
    process.stdout.write(USER_HELP);
    return;
  }
  const json = args.values.json === true;
  switch (action) {
    case 'add': {
      const [name] = words(args, 1, 'dirbucket user add NAME (--uid UID --gid GID [--groups G1,G2] | --system-user LOGIN)');
      const { identity, systemUser } = await asUsageError(() => identityFrom(args.values));
      const user = await asUsageError(() => updateUsers(args.file, (doc) => addUser(doc, {
        name: name!, identity, systemUser, admin: args.values.admin === true, canCreateBuckets: args.values['can-create-buckets'] === true,
      })));
      process.stdout.write(json ? JSON.stringify(publicUser(user), null, 2) + '\n'
        : `Added user ${user.name} (${describeIdentity(identityOf(user))})${user.admin ? ', administrator' : ''}${user.canCreateBuckets ? ', may create buckets' : ''}.\nCreate a key: dirbucket key create ${user.name}\n`);
      return;
    }
    case 'list': {
      words(args, 0, 'dirbucket user list');
      const users = Object.values((await readUsers(args.file)).users).sort((a, b) => (a.name < b.name ? -1 : 1));
      if (json) {
        process.stdout.write(JSON.stringify(users.map(publicUser), null, 2) + '\n');
        return;
      }
      if (users.length === 0) {
        process.stdout.write('No users yet (the start-up administrator aside): dirbucket user add NAME ...\n');
        return;
      }
      const rows = users.map((u) => [u.name, String(u.uid), String(u.gid), u.groups.join(',') || '-', u.admin ? 'admin' : u.canCreateBuckets ? 'create-buckets' : '-',
        String(u.keys.filter((k) => keyStatus(k) === 'active').length), Object.keys(u.buckets).length ? Object.entries(u.buckets).map(([b, a]) => `${b}:${a === 'read-write' ? 'rw' : 'r'}`).join(',') : '-']);
      process.stdout.write(table([['USER', 'UID', 'GID', 'GROUPS', 'RIGHTS', 'KEYS', 'BUCKETS'], ...rows]));
      return;
    }
    case 'show': {
      const [name] = words(args, 1, 'dirbucket user show NAME');
      const user = await asUsageError(async () => userOf(await readUsers(args.file), name!));
      if (json) {
        process.stdout.write(JSON.stringify(publicUser(user), null, 2) + '\n');
        return;
      }
      const lines = [
        `User:     ${user.name}${user.admin ? ' (administrator)' : ''}`,
        `Identity: ${describeIdentity(identityOf(user))}${user.systemUser ? ` (system user ${user.systemUser}, as of ${user.created})` : ''}`,
        `Buckets:  ${user.admin ? 'read-write on every bucket' : Object.entries(user.buckets).map(([b, a]) => `${b} (${a})`).join(', ') || 'none'}`,
        `Create buckets: ${user.admin || user.canCreateBuckets ? 'yes' : 'no'}`,
        `Keys:${user.keys.length ? '' : '     none (dirbucket key create ' + user.name + ')'}`,
        ...user.keys.map((k) => `  ${k.accessKeyId}  ${keyStatus(k).padEnd(7)}  created ${k.created}${k.expires ? `, expires ${k.expires}` : ''}${k.revoked ? `, revoked ${k.revoked}` : ''}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
      return;
    }
    case 'remove': {
      const [name] = words(args, 1, 'dirbucket user remove NAME');
      const user = await asUsageError(() => updateUsers(args.file, (doc) => removeUser(doc, name!)));
      process.stdout.write(json ? JSON.stringify({ removed: user.name }) + '\n' : `Removed user ${user.name} and ${user.keys.length} key(s).\n`);
      return;
    }
    default:
      throw new ConfigError(`unknown action "user ${action}" (try dirbucket user --help)`);
  }
}

function identityFrom(v: Record<string, string | boolean | undefined>): { identity: Identity; systemUser?: string } {
  const login = v['system-user'];
  if (typeof login === 'string') {
    if (v.uid !== undefined || v.gid !== undefined || v.groups !== undefined) throw new Error('give either --system-user or --uid/--gid/--groups, not both');
    return { identity: lookupSystemUser(login), systemUser: login };
  }
  if (typeof v.uid !== 'string' || typeof v.gid !== 'string') throw new Error('give the identity: --uid UID --gid GID [--groups G1,G2], or --system-user LOGIN');
  const groups = typeof v.groups === 'string' && v.groups !== '' ? v.groups.split(',').map((g) => parseId(g, '--groups')) : [];
  return { identity: { uid: parseId(v.uid, '--uid'), gid: parseId(v.gid, '--gid'), groups } };
}

function identityOf(u: StoredUser): Identity {
  return { uid: u.uid, gid: u.gid, groups: u.groups };
}


/** Left-aligned columns. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
