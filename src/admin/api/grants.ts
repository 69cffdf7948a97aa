/** /admin/v1/grants: users' access to buckets (read-only or read-write) — what `dirbucket bucket grant|revoke` does; an administrator's. */
import { S3Error } from '../../errors/s3-error.js';
import { grantBucket, parseAccess, revokeBucket } from '../../accounts/user-admin.js';
import { readUsers, updateUsers } from '../../accounts/users-file.js';
import { asClientError, objectBody, requireAdmin, stringField } from './api-checks.js';
import type { ApiRequest, Route } from './api-types.js';

/** Throws NoSuchEntity unless the user named in the path exists. */
async function checkUser(req: ApiRequest): Promise<void> {
  if (!Object.hasOwn((await readUsers(req.sources.usersFile)).users, req.params.user!)) throw new S3Error('NoSuchEntity', `No user "${req.params.user}".`);
}

/** The routes of /admin/v1/grants. */
export const GRANT_ROUTES: Route[] = [
  {
    method: 'GET', path: 'grants',
    run: async (req) => {
      requireAdmin(req, 'list grants');
      const doc = await readUsers(req.sources.usersFile);
      const grants = Object.values(doc.users).flatMap((u) => Object.entries(u.buckets).map(([bucket, access]) => ({ user: u.name, bucket, access })));
      return { body: { grants } };
    },
  },
  {
    method: 'PUT', path: 'grants/:user/:bucket',
    run: async (req) => {
      requireAdmin(req, 'grant bucket access');
      const access = await asClientError(async () => parseAccess(stringField(objectBody(req), 'access')));
      await checkUser(req);
      await asClientError(() => updateUsers(req.sources.usersFile, (d) => grantBucket(d, req.params.user!, req.params.bucket!, access)));
      await req.sources.usersChanged();
      return { body: { user: req.params.user, bucket: req.params.bucket, access } };
    },
  },
  {
    method: 'DELETE', path: 'grants/:user/:bucket',
    run: async (req) => {
      requireAdmin(req, 'revoke bucket access');
      await checkUser(req);
      const doc = await readUsers(req.sources.usersFile);
      if (!Object.hasOwn(doc.users[req.params.user!]!.buckets, req.params.bucket!)) throw new S3Error('NoSuchEntity', `User "${req.params.user}" has no grant on bucket "${req.params.bucket}".`);
      await asClientError(() => updateUsers(req.sources.usersFile, (d) => revokeBucket(d, req.params.user!, req.params.bucket!)));
      await req.sources.usersChanged();
      return { status: 204 };
    },
  },
];
