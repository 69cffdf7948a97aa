/** `dirbucket user add|list|show|remove`: the users of the gateway, kept in its state directory (or through a server's admin API). */
import { ConfigError } from '../config/config.js';
import { describeIdentity, type Identity } from '../accounts/identity.js';
import { lookupSystemUser } from '../accounts/system-user.js';
import { addUser, parseId, removeUser, userOf } from '../accounts/user-admin.js';
import { readUsers, updateUsers, type StoredUser } from '../accounts/users-file.js';
import { publicUser, type PublicUser } from '../accounts/public-user.js';
import { answeredHelp, asUsageError, parseUsersArgs, REMOTE_HELP, words, type UsersArgs } from './users-args.js';
import { seg } from './admin-client.js';

export const USER_HELP = `Usage: dirbucket user <action> (--root DIR | --config FILE | --endpoint URL) ...

  add NAME (--uid UID --gid GID [--groups G1,G2] | --system-user LOGIN) [--admin] [--can-create-buckets]
            a user acting on the file system as that POSIX identity (or that of system user LOGIN,
            looked up now with id(1)); --admin: read-write on every bucket, may create and delete any
  list      every user, with identity, rights and number of active keys
  show NAME one user: identity, bucket grants, keys (never their secrets)
  remove NAME
            the user and all their keys (refused from then on by every running gateway)

Options: --json (machine-readable output of list and show); --init: set up the state directory when no
gateway has run there yet (otherwise refused, so that a mistyped --root creates nothing). Changes reach
running gateways within seconds.

${REMOTE_HELP}`;

/** Runs `dirbucket user ...`. */
export async function userCommand(argv: string[]): Promise<void> {
  const [action, ...rest] = argv;
  if (answeredHelp(action, USER_HELP)) return;
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
      const admin = args.values.admin === true;
      const canCreateBuckets = args.values['can-create-buckets'] === true;
      let user: PublicUser;
      if (args.remote) {
        // The server looks a system user up itself: the login is its host's, not this one's.
        const login = args.values['system-user'];
        const body = typeof login === 'string' && args.values.uid === undefined && args.values.gid === undefined && args.values.groups === undefined
          ? { systemUser: login } : (await asUsageError(() => identityFrom(args.values))).identity;
        user = await args.remote.call<PublicUser>('POST', 'users', { name, ...body, admin, canCreateBuckets });
      } else {
        const { identity, systemUser } = await asUsageError(() => identityFrom(args.values));
        user = publicUser(await asUsageError(() => updateUsers(args.file, (doc) => addUser(doc, { name: name!, identity, systemUser, admin, canCreateBuckets }))));
      }
      process.stdout.write(json ? JSON.stringify(user, null, 2) + '\n'
        : `Added user ${user.name} (${describeIdentity(identityOf(user))})${user.admin ? ', administrator' : ''}${user.canCreateBuckets ? ', may create buckets' : ''}.\nCreate a key: dirbucket key create ${user.name}${args.where}\n`);
      return;
    }
    case 'list': {
      words(args, 0, 'dirbucket user list');
      const users = await allUsers(args);
      if (json) {
        process.stdout.write(JSON.stringify(users, null, 2) + '\n');
        return;
      }
      if (users.length === 0) {
        process.stdout.write('No users yet (the start-up administrator aside): dirbucket user add NAME ...\n');
        return;
      }
      const rows = users.map((u) => [u.name, String(u.uid), String(u.gid), u.groups.join(',') || '-', u.admin ? 'admin' : u.canCreateBuckets ? 'create-buckets' : '-',
        String(u.keys.filter((k) => k.status === 'active').length), Object.keys(u.buckets).length ? Object.entries(u.buckets).map(([b, a]) => `${b}:${a === 'read-write' ? 'rw' : 'r'}`).join(',') : '-']);
      process.stdout.write(table([['USER', 'UID', 'GID', 'GROUPS', 'RIGHTS', 'KEYS', 'BUCKETS'], ...rows]));
      return;
    }
    case 'show': {
      const [name] = words(args, 1, 'dirbucket user show NAME');
      const user = args.remote ? await args.remote.call<PublicUser>('GET', `users/${seg(name!)}`)
        : publicUser(await asUsageError(async () => userOf(await readUsers(args.file), name!)));
      if (json) {
        process.stdout.write(JSON.stringify(user, null, 2) + '\n');
        return;
      }
      const lines = [
        `User:     ${user.name}${user.admin ? ' (administrator)' : ''}`,
        `Identity: ${describeIdentity(identityOf(user))}${user.systemUser ? ` (system user ${user.systemUser}, as of ${user.created})` : ''}`,
        `Buckets:  ${user.admin ? 'read-write on every bucket' : Object.entries(user.buckets).map(([b, a]) => `${b} (${a})`).join(', ') || 'none'}`,
        `Create buckets: ${user.admin || user.canCreateBuckets ? 'yes' : 'no'}`,
        `Keys:${user.keys.length ? '' : '     none (dirbucket key create ' + user.name + ')'}`,
        ...user.keys.map((k) => `  ${k.accessKeyId}  ${k.status.padEnd(7)}  created ${k.created}${k.expires ? `, expires ${k.expires}` : ''}${k.revoked ? `, revoked ${k.revoked}` : ''}`),
      ];
      process.stdout.write(lines.join('\n') + '\n');
      return;
    }
    case 'remove': {
      const [name] = words(args, 1, 'dirbucket user remove NAME');
      const removed = args.remote ? await args.remote.call<{ removed: string; keys: number }>('DELETE', `users/${seg(name!)}`)
        : await asUsageError(() => updateUsers(args.file, (doc) => removeUser(doc, name!))).then((u) => ({ removed: u.name, keys: u.keys.length }));
      process.stdout.write(json ? JSON.stringify({ removed: removed.removed }) + '\n' : `Removed user ${removed.removed} and ${removed.keys} key(s).\n`);
      return;
    }
    default:
      throw new ConfigError(`unknown action "user ${action}" (try dirbucket user --help)`);
  }
}

/** Every user, by name, without secrets: from the users file, or from the server. */
async function allUsers(args: UsersArgs): Promise<PublicUser[]> {
  if (args.remote) return (await args.remote.call<{ users: PublicUser[] }>('GET', 'users')).users;
  return Object.values((await readUsers(args.file)).users).sort((a, b) => (a.name < b.name ? -1 : 1)).map(publicUser);
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

function identityOf(u: Pick<StoredUser, 'uid' | 'gid' | 'groups'>): Identity {
  return { uid: u.uid, gid: u.gid, groups: u.groups };
}


/** Left-aligned columns. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
