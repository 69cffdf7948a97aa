/**
 * A bucket's public access block: GetPublicAccessBlock (NoSuchPublicAccessBlockConfiguration when never set),
 * PutPublicAccessBlock, DeletePublicAccessBlock. What the four settings do is enforced where the things they
 * block are decided: ACL writes (acl/context.ts), ACL grants (acl/authorize.ts), PutBucketPolicy, and the
 * policy's decision (access/authorize-request.ts).
 */
import type { PublicAccessBlock } from '../../storage/backend.js';
import { S3Error } from '../../errors/s3-error.js';
import type { Handler } from '../types.js';
import { parseXml, textOf } from '../xml.js';

/** The XML element of each setting. */
const ELEMENTS: ReadonlyArray<[keyof PublicAccessBlock, string]> = [
  ['blockPublicAcls', 'BlockPublicAcls'],
  ['ignorePublicAcls', 'IgnorePublicAcls'],
  ['blockPublicPolicy', 'BlockPublicPolicy'],
  ['restrictPublicBuckets', 'RestrictPublicBuckets'],
];

/** Parses a <PublicAccessBlockConfiguration> body: each setting true or false, an absent one false (as S3 reads it). */
export function parsePublicAccessBlock(body: string): PublicAccessBlock {
  const doc = parseXml(body, 'PublicAccessBlockConfiguration');
  const out = {} as PublicAccessBlock;
  for (const [field, element] of ELEMENTS) {
    const text = textOf(doc[element])?.trim().toLowerCase();
    if (text !== undefined && text !== 'true' && text !== 'false') throw new S3Error('MalformedXML', `${element} must be true or false.`);
    out[field] = text === 'true';
  }
  return out;
}

export const GetPublicAccessBlock: Handler = async (req) => {
  const block = await req.backend.getBucketConfig({ bucket: req.bucket, name: 'publicAccessBlock' });
  if (!block) throw new S3Error('NoSuchPublicAccessBlockConfiguration', undefined, { BucketName: req.bucket });
  return { xml: { root: 'PublicAccessBlockConfiguration', body: Object.fromEntries(ELEMENTS.map(([field, element]) => [element, block[field]])) } };
};

export const PutPublicAccessBlock: Handler = async (req) => {
  const block = parsePublicAccessBlock((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'));
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'publicAccessBlock', value: block });
  return {};
};

export const DeletePublicAccessBlock: Handler = async (req) => {
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'publicAccessBlock', value: undefined });
  return { status: 204 };
};
