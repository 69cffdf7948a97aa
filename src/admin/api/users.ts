/**
 * /admin/v1/users: list, add, show and remove users — what `dirbucket user` does on the server itself, so an
 * administrator's only (a user may show themselves). Never a secret in an answer.
 */
import { S3Error } from '../../errors/s3-error.js';
import type { Identity } from '../../accounts/identity.js';
import { publicUser } from '../../accounts/public-user.js';
import { lookupSystemUser } from '../../accounts/system-user.js';
import { addUser, removeUser } from '../../accounts/user-admin.js';
import { readUsers, updateUsers } from '../../accounts/users-file.js';
import { asClientError, booleanField, objectBody, requireAdmin, stringField } from './api-checks.js';
import type { ApiRequest, Route } from './api-types.js';

/** A uid or gid from JSON: an integer from 0 to 2^32 - 2. */
function idValue(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xfffffffe) throw new S3Error('MalformedJSON', `"${name}" must hold integers from 0 to 4294967294.`);
  return v;
}

/** The new user's identity: uid, gid and groups, or a system user looked up on the server. */
function identityOf(o: Record<string, unknown>): { identity: Identity; systemUser?: string } {
  const login = stringField(o, 'systemUser', true);
  if (login !== undefined) {
    if (o.uid !== undefined || o.gid !== undefined || o.groups !== undefined) throw new S3Error('MalformedJSON', 'Give either "systemUser" or "uid"/"gid"/"groups", not both.');
    try {
      return { identity: lookupSystemUser(login), systemUser: login };
    } catch (e) {
      throw new S3Error('InvalidArgument', (e as Error).message);
    }
  }
  if (o.uid === undefined || o.gid === undefined) throw new S3Error('MalformedJSON', 'Give the identity: "uid" and "gid" (and "groups"), or "systemUser".');
  const groups = o.groups ?? [];
  if (!Array.isArray(groups)) throw new S3Error('MalformedJSON', '"groups" must be an array of gids.');
  return { identity: { uid: idValue(o.uid, 'uid'), gid: idValue(o.gid, 'gid'), groups: groups.map((g) => idValue(g, 'groups')) } };
}

/** The user named in the path, from a fresh read of the users file; NoSuchEntity when absent. */
async function namedUser(req: ApiRequest) {
  const doc = await readUsers(req.sources.usersFile);
  const name = req.params.user!;
  if (!Object.hasOwn(doc.users, name)) throw new S3Error('NoSuchEntity', `No user "${name}".`);
  return doc.users[name]!;
}

/** The routes of /admin/v1/users. */
export const USER_ROUTES: Route[] = [
  {
    method: 'GET', path: 'users',
    run: async (req) => {
      requireAdmin(req, 'list users');
      const users = Object.values((await readUsers(req.sources.usersFile)).users).sort((a, b) => (a.name < b.name ? -1 : 1));
      return { body: { users: users.map(publicUser) } };
    },
  },
  {
    method: 'POST', path: 'users',
    run: async (req) => {
      requireAdmin(req, 'add users');
      const o = objectBody(req);
      const name = stringField(o, 'name');
      const { identity, systemUser } = identityOf(o);
      const admin = booleanField(o, 'admin');
      const canCreateBuckets = booleanField(o, 'canCreateBuckets');
      const doc = await readUsers(req.sources.usersFile);
      if (Object.hasOwn(doc.users, name)) throw new S3Error('EntityAlreadyExists', `User "${name}" already exists.`);
      const user = await asClientError(() => updateUsers(req.sources.usersFile, (d) => addUser(d, { name, identity, systemUser, admin, canCreateBuckets })));
      await req.sources.usersChanged();
      return { status: 201, body: publicUser(user) };
    },
  },
  {
    method: 'GET', path: 'users/:user',
    run: async (req) => {
      // Users may see themselves (their grants and keys): the console shows it; anyone else is an administrator's.
      if (req.params.user !== req.principal.user) requireAdmin(req, 'show other users');
      return { body: publicUser(await namedUser(req)) };
    },
  },
  {
    method: 'DELETE', path: 'users/:user',
    run: async (req) => {
      requireAdmin(req, 'remove users');
      await namedUser(req);
      const user = await asClientError(() => updateUsers(req.sources.usersFile, (d) => removeUser(d, req.params.user!)));
      await req.sources.usersChanged();
      return { body: { removed: user.name, keys: user.keys.length } };
    },
  },
];
