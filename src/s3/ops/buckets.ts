/** Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation. */
import type { Handler, S3Request } from '../types.js';
import { ADMIN_USER } from '../../accounts/user-directory.js';
import { ownerOf } from '../owner.js';
import { parseXml, textOf } from '../xml.js';
import { S3Error } from '../../errors/s3-error.js';
import { bucketNameProblem } from '../../config/bucket-name.js';
import { creationSettingsOf } from './acl.js';
import { decodeToken, encodeToken, maxKeysOf } from '../list-params.js';

/** ListBuckets pages hold at most this many buckets (S3's max-buckets range and default page). */
const MAX_BUCKETS = 10_000;

export const ListBuckets: Handler = async (req) => {
  const q = req.query;
  // Unlike max-keys, a value out of range is refused rather than clamped, as S3 does for max-buckets.
  const max = maxKeysOf(q, 'max-buckets', Number.MAX_SAFE_INTEGER);
  if (q.get('max-buckets') && (max < 1 || max > MAX_BUCKETS)) {
    throw new S3Error('InvalidArgument', `max-buckets must be between 1 and ${MAX_BUCKETS}.`, { ArgumentName: 'max-buckets', ArgumentValue: q.get('max-buckets')! });
  }
  const prefix = q.get('prefix') ?? '';
  // An empty token is no token (clients send the last page's absent token back as '').
  const token = q.get('continuation-token') || undefined;
  const after = token === undefined ? undefined : decodeToken(token);
  const region = q.get('bucket-region');
  // Each user sees only the buckets they have access to (an administrator: all); every bucket is in our region.
  const p = req.principal;
  const buckets = region !== null && region !== req.settings.region ? [] : (await req.backend.listBuckets())
    .filter((b) => (p.admin || p.access(b.name) !== 'none') && b.name.startsWith(prefix) && (after === undefined || b.name > after));
  buckets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = buckets.slice(0, Math.min(max, MAX_BUCKETS));
  return {
    xml: {
      root: 'ListAllMyBucketsResult',
      body: {
        Owner: { ...ownerOf(req.principal.user) },
        Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: b.creationDate, BucketRegion: req.settings.region })) },
        ContinuationToken: buckets.length > page.length ? encodeToken(page[page.length - 1]!.name) : undefined,
        Prefix: q.has('prefix') ? prefix : undefined,
      },
    },
  };
};

export const CreateBucket: Handler = async (req) => {
  // The name is checked before the body: a bad name is InvalidBucketName whatever else the request says.
  const problem = bucketNameProblem(req.bucket);
  if (problem) throw new S3Error('InvalidBucketName', problem, { BucketName: req.bucket });
  const body = await req.readBody(req.settings.maxXmlBytes);
  if (body.length > 0) checkBucketConfiguration(parseXml(body.toString('utf8'), 'CreateBucketConfiguration'), req.settings.region);
  const settings = creationSettingsOf(req);
  const objectLock = objectLockAsked(req.header('x-amz-bucket-object-lock-enabled'));
  await req.backend.createBucket({ bucket: req.bucket, owner: req.principal.user, identity: req.identity, ...(objectLock ? { objectLock } : {}) })
    .catch((e: unknown) => whoseBucket(req, e));
  // The creator owns the bucket and has read-write on it; nobody else has access until granted.
  await req.accounts.bucketCreated(req.principal.user, req.bucket);
  await settings.apply();
  return { headers: { Location: `/${req.bucket}` } };
};

/**
 * A CreateBucketConfiguration body: its LocationConstraint must name this gateway's region (S3 answers
 * IllegalLocationConstraintException for another); what configures features this gateway does not have (a
 * directory bucket's Location and Bucket, Tags) is NotImplemented rather than silently dropped.
 */
function checkBucketConfiguration(conf: Record<string, unknown>, region: string): void {
  for (const name of Object.keys(conf)) {
    if (name === 'LocationConstraint' || name.startsWith('@')) continue;
    throw new S3Error('NotImplemented', `CreateBucketConfiguration ${name} is not implemented.`);
  }
  const asked = textOf(conf.LocationConstraint);
  // us-east-1 is the empty constraint; clients also send its name, and the old alias EU means eu-west-1.
  const name = asked === undefined || asked === '' ? 'us-east-1' : asked === 'EU' ? 'eu-west-1' : asked;
  if (name !== region) {
    throw new S3Error('IllegalLocationConstraintException',
      `The ${asked || 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to (${region}).`);
  }
}

/**
 * The backend's BucketAlreadyOwnedByYou is S3's answer only to the bucket's owner: a bucket another user owns is
 * BucketAlreadyExists (ownerless buckets, made on disk or mapped, are the administrator's, as their ACL shows).
 */
async function whoseBucket(req: S3Request, e: unknown): Promise<never> {
  if (!(e instanceof S3Error) || e.code !== 'BucketAlreadyOwnedByYou') throw e;
  const owner = await req.backend.headBucket({ bucket: req.bucket }).then((i) => i.owner ?? ADMIN_USER, () => undefined);
  if (owner !== undefined && owner !== req.principal.user) throw new S3Error('BucketAlreadyExists', undefined, { BucketName: req.bucket });
  throw e;
}

// x-amz-bucket-object-lock-enabled: true makes a lock-enabled bucket; anything but true or false is refused,
// never read as false (a user asking for WORM storage must get it, or an error).
function objectLockAsked(v: string | undefined): boolean {
  if (v === undefined) return false;
  const s = v.trim().toLowerCase();
  if (s !== 'true' && s !== 'false') {
    throw new S3Error('InvalidArgument', 'x-amz-bucket-object-lock-enabled must be true or false.', { ArgumentName: 'x-amz-bucket-object-lock-enabled', ArgumentValue: v });
  }
  return s === 'true';
}

export const HeadBucket: Handler = async (req) => {
  await req.backend.headBucket({ bucket: req.bucket });
  return { headers: { 'x-amz-bucket-region': req.settings.region } };
};

export const DeleteBucket: Handler = async (req) => {
  await req.backend.deleteBucket({ bucket: req.bucket });
  await req.accounts.bucketDeleted(req.bucket);
  return { status: 204 };
};

export const GetBucketLocation: Handler = async (req) => {
  await req.backend.headBucket({ bucket: req.bucket });
  // S3 answers an empty LocationConstraint for us-east-1.
  const region = req.settings.region === 'us-east-1' ? '' : req.settings.region;
  return { xml: { root: 'LocationConstraint', body: region } };
};
