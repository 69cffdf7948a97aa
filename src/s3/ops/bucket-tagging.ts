/** Bucket tagging: GetBucketTagging (NoSuchTagSet when none), PutBucketTagging, DeleteBucketTagging. */
import { S3Error } from '../../errors/s3-error.js';
import { parseTagging, taggingXml } from '../tags.js';
import type { Handler } from '../types.js';

export const GetBucketTagging: Handler = async (req) => {
  const tags = await req.backend.getBucketConfig({ bucket: req.bucket, name: 'tags' });
  if (!tags?.length) throw new S3Error('NoSuchTagSet', undefined, { BucketName: req.bucket });
  return { xml: { root: 'Tagging', body: taggingXml(tags) } };
};

export const PutBucketTagging: Handler = async (req) => {
  const tags = parseTagging((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'), 'bucket');
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'tags', value: tags.length ? tags : undefined });
  return { status: 204 };
};

export const DeleteBucketTagging: Handler = async (req) => {
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'tags', value: undefined });
  return { status: 204 };
};
