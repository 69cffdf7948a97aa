/**
 * /admin/v1/buckets/:bucket/identity: the identity a bucket's requests act as on the file system — what `dirbucket
 * bucket identity` sets in the users file (GET, PUT, DELETE), an administrator's. GET also says what is in force:
 * the mode (the server's --identity-mode, or a mapped bucket's own), a mapped bucket's configured identity (which
 * the users file's does not override), and the identity requests act as now (null: each user's own).
 */
import type { Identity } from '../../accounts/identity.js';
import { parseIdentitySpec } from '../../accounts/identity-spec.js';
import { clearBucketIdentity, setBucketIdentity } from '../../accounts/user-admin.js';
import { readUsers, updateUsers } from '../../accounts/users-file.js';
import { isS3Error, S3Error } from '../../errors/s3-error.js';
import { bucketIdentity, identitySources } from '../../s3/rights/acting-identity.js';
import { asClientError, objectBody, requireAdmin, stringField } from './api-checks.js';
import type { ApiRequest, Route } from './api-types.js';

/** An identity as JSON: numbers, groups without the primary group. */
const plain = (i: Identity) => ({ uid: i.uid, gid: i.gid, groups: i.groups });

/**
 * Throws NoSuchBucket unless the bucket exists (an identity for a typo is refused, as the command line does). Asked
 * of the storage, not by HeadBucket: that would act as the bucket's identity, which may be what is being mended.
 */
async function checkBucket(req: ApiRequest): Promise<void> {
  await req.sources.frontEnd.backend.headBucket({ bucket: req.params.bucket! });
}

/** The routes of /admin/v1/buckets/:bucket/identity. */
export const BUCKET_IDENTITY_ROUTES: Route[] = [
  {
    method: 'GET', path: 'buckets/:bucket/identity',
    run: async (req) => {
      requireAdmin(req, 'see bucket identities');
      await checkBucket(req);
      const bucket = req.params.bucket!;
      const set = (await readUsers(req.sources.usersFile)).bucketIdentities?.[bucket];
      const src = identitySources(req.sources.frontEnd);
      const mapped = src?.mapped.get(bucket);
      let actsAs: Identity | null = null;
      let problem: string | undefined;
      try {
        actsAs = (src && (await bucketIdentity(src, bucket))) ?? null;
      } catch (e) {
        // A gateway without the right to chown refuses a bucket acting as another identity: said, not failed.
        if (!isS3Error(e)) throw e;
        problem = e.message;
      }
      return {
        body: {
          bucket, mode: mapped?.mode ?? src?.mode ?? 'user', identity: set ?? null,
          ...(mapped?.identity ? { configured: plain(mapped.identity) } : {}),
          actsAs: actsAs && plain(actsAs), ...(problem ? { problem } : {}),
        },
      };
    },
  },
  {
    method: 'PUT', path: 'buckets/:bucket/identity',
    run: async (req) => {
      requireAdmin(req, 'set bucket identities');
      const spec = stringField(objectBody(req), 'identity');
      await checkBucket(req);
      // UID:GID, or a login looked up on the server's host (where the files are).
      const named = await asClientError(async () => parseIdentitySpec(spec));
      const stored = await asClientError(() => updateUsers(req.sources.usersFile, (d) => setBucketIdentity(d, req.params.bucket!, named)));
      await req.sources.usersChanged();
      return { body: { bucket: req.params.bucket, identity: stored } };
    },
  },
  {
    method: 'DELETE', path: 'buckets/:bucket/identity',
    run: async (req) => {
      requireAdmin(req, 'unset bucket identities');
      const bucket = req.params.bucket!;
      if (!(await readUsers(req.sources.usersFile)).bucketIdentities?.[bucket]) throw new S3Error('NoSuchEntity', `Bucket "${bucket}" has no identity set.`);
      await asClientError(() => updateUsers(req.sources.usersFile, (d) => clearBucketIdentity(d, bucket)));
      await req.sources.usersChanged();
      return { status: 204 };
    },
  },
];
