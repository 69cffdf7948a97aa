/**
 * /admin/v1/keys: create (the secret in that answer only), list and revoke access keys, with optional expiry —
 * what `dirbucket key` does. An administrator's; a user may list their own keys.
 */
import { S3Error } from '../../errors/s3-error.js';
import { parseKeyLifetime } from '../../config/duration.js';
import { publicUser } from '../../accounts/public-user.js';
import { createKey, revokeKey } from '../../accounts/user-admin.js';
import { readUsers, updateUsers } from '../../accounts/users-file.js';
import { asClientError, objectBody, requireAdmin, stringField } from './api-checks.js';
import type { Route } from './api-types.js';

/** The routes of /admin/v1/keys. */
export const KEY_ROUTES: Route[] = [
  {
    method: 'GET', path: 'keys',
    run: async (req) => {
      const only = req.query.get('user') ?? undefined;
      if (only !== req.principal.user) requireAdmin(req, only === undefined ? 'list every key (add ?user=YOURNAME for your own)' : 'list other users\' keys');
      const doc = await readUsers(req.sources.usersFile);
      if (only !== undefined && !Object.hasOwn(doc.users, only)) throw new S3Error('NoSuchEntity', `No user "${only}".`);
      const users = only !== undefined ? [doc.users[only]!] : Object.values(doc.users);
      const keys = users.flatMap((u) => publicUser(u).keys.map((k) => ({ user: u.name, ...k })));
      return { body: { keys } };
    },
  },
  {
    method: 'POST', path: 'keys',
    run: async (req) => {
      requireAdmin(req, 'create keys');
      const o = objectBody(req);
      const user = stringField(o, 'user');
      const expiresIn = stringField(o, 'expiresIn', true);
      let ms: number | undefined;
      if (expiresIn !== undefined) {
        try {
          ms = parseKeyLifetime(expiresIn);
        } catch (e) {
          throw new S3Error('InvalidArgument', `expiresIn: ${(e as Error).message}`);
        }
      }
      if (!Object.hasOwn((await readUsers(req.sources.usersFile)).users, user)) throw new S3Error('NoSuchEntity', `No user "${user}".`);
      const key = await asClientError(() => updateUsers(req.sources.usersFile, (d) => createKey(d, user, ms)));
      await req.sources.usersChanged();
      // The one answer that carries the secret: it is kept nowhere the API can show it again.
      return { status: 201, body: { user, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, created: key.created, ...(key.expires ? { expires: key.expires } : {}) } };
    },
  },
  {
    method: 'DELETE', path: 'keys/:key',
    run: async (req) => {
      requireAdmin(req, 'revoke keys');
      const id = req.params.key!;
      const doc = await readUsers(req.sources.usersFile);
      if (!Object.values(doc.users).some((u) => u.keys.some((k) => k.accessKeyId === id))) throw new S3Error('NoSuchEntity', `No key ${id}.`);
      const { user, key } = await asClientError(() => updateUsers(req.sources.usersFile, (d) => revokeKey(d, id)));
      await req.sources.usersChanged();
      return { body: { revoked: id, user: user.name, at: key.revoked } };
    },
  },
];
