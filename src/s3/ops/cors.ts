/** Bucket CORS configuration: GetBucketCors (NoSuchCORSConfiguration when none), PutBucketCors, DeleteBucketCors. */
import { corsConfigurationXml, parseCorsConfiguration } from '../cors/config.js';
import { S3Error } from '../../errors/s3-error.js';
import type { Handler } from '../types.js';

export const GetBucketCors: Handler = async (req) => {
  const rules = await req.backend.getBucketConfig({ bucket: req.bucket, name: 'cors' });
  if (!rules?.length) throw new S3Error('NoSuchCORSConfiguration', undefined, { BucketName: req.bucket });
  return { xml: { root: 'CORSConfiguration', body: corsConfigurationXml(rules) } };
};

export const PutBucketCors: Handler = async (req) => {
  const rules = parseCorsConfiguration((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'));
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'cors', value: rules });
  return {};
};

export const DeleteBucketCors: Handler = async (req) => {
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'cors', value: undefined });
  return { status: 204 };
};
