/**
 * S3 Object Ownership: GetBucketOwnershipControls (OwnershipControlsNotFoundError when never set),
 * PutBucketOwnershipControls, DeleteBucketOwnershipControls.
 */
import type { ObjectOwnership } from '../../storage/backend.js';
import { aclContextOf, bucketAcl, isBucketOwnerFullControl } from '../acl/context.js';
import { S3Error } from '../../errors/s3-error.js';
import type { Handler } from '../types.js';
import { asArray, parseXml, textOf } from '../xml.js';

const OWNERSHIPS: readonly ObjectOwnership[] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];

/** Parses an <OwnershipControls> body: exactly one Rule with a known ObjectOwnership. */
export function parseOwnershipControls(body: string): ObjectOwnership {
  const doc = parseXml(body, 'OwnershipControls');
  const rules = asArray(doc['Rule']);
  if (rules.length !== 1 || typeof rules[0] !== 'object' || rules[0] === null) {
    throw new S3Error('MalformedXML', 'OwnershipControls must hold exactly one Rule.');
  }
  const value = textOf((rules[0] as Record<string, unknown>)['ObjectOwnership'])?.trim() as ObjectOwnership | undefined;
  if (value === undefined || !OWNERSHIPS.includes(value)) {
    throw new S3Error('MalformedXML', `ObjectOwnership must be one of ${OWNERSHIPS.join(', ')}.`);
  }
  return value;
}

export const GetBucketOwnershipControls: Handler = async (req) => {
  const ownership = await req.backend.getBucketConfig({ bucket: req.bucket, name: 'ownership' });
  if (!ownership) throw new S3Error('OwnershipControlsNotFoundError', undefined, { BucketName: req.bucket });
  return { xml: { root: 'OwnershipControls', body: { Rule: { ObjectOwnership: ownership } } } };
};

export const PutBucketOwnershipControls: Handler = async (req) => {
  const ownership = parseOwnershipControls((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'));
  if (ownership === 'BucketOwnerEnforced') {
    // As S3: ACLs cannot be disabled while the bucket ACL still grants anybody but its owner.
    const ctx = await aclContextOf(req);
    const stored = await req.backend.getBucketConfig({ bucket: req.bucket, name: 'acl' });
    if (!isBucketOwnerFullControl(bucketAcl(stored, { ...ctx, ownership: 'ObjectWriter' }).grants, ctx.bucketOwner)) {
      throw new S3Error('InvalidBucketAclWithObjectOwnership', 'Bucket cannot have ACLs set with ObjectOwnership\'s BucketOwnerEnforced setting: its ACL grants others; set it to private first.');
    }
  }
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'ownership', value: ownership });
  return {};
};

export const DeleteBucketOwnershipControls: Handler = async (req) => {
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'ownership', value: undefined });
  return { status: 204 };
};
