/** Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation. */
import type { Handler } from '../types.js';
import { ownerOf } from '../owner.js';
import { parseXml, textOf } from '../xml.js';
import { S3Error } from '../../errors/s3-error.js';
import { bucketNameProblem } from '../../config/bucket-name.js';
import { creationSettingsOf } from './acl.js';

export const ListBuckets: Handler = async (req) => {
  // Each user sees only the buckets they have access to (an administrator: all).
  const p = req.principal;
  const buckets = (await req.backend.listBuckets()).filter((b) => p.admin || p.access(b.name) !== 'none');
  buckets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    xml: {
      root: 'ListAllMyBucketsResult',
      body: {
        Owner: { ...ownerOf(req.principal.user) },
        Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: b.creationDate })) },
      },
    },
  };
};

export const CreateBucket: Handler = async (req) => {
  // The name is checked before the body: a bad name is InvalidBucketName whatever else the request says.
  const problem = bucketNameProblem(req.bucket);
  if (problem) throw new S3Error('InvalidBucketName', problem, { BucketName: req.bucket });
  const body = await req.readBody(req.settings.maxXmlBytes);
  if (body.length > 0) {
    // Only LocationConstraint is meaningful here; a malformed body is still refused, as S3 does.
    const conf = parseXml(body.toString('utf8'), 'CreateBucketConfiguration');
    textOf(conf.LocationConstraint);
  }
  const settings = creationSettingsOf(req);
  const objectLock = objectLockAsked(req.header('x-amz-bucket-object-lock-enabled'));
  await req.backend.createBucket({ bucket: req.bucket, owner: req.principal.user, identity: req.principal.identity, ...(objectLock ? { objectLock } : {}) });
  // The creator owns the bucket and has read-write on it; nobody else has access until granted.
  await req.accounts.bucketCreated(req.principal.user, req.bucket);
  await settings.apply();
  return { headers: { Location: `/${req.bucket}` } };
};

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
