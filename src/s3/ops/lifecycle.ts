/**
 * Bucket lifecycle configuration: GetBucketLifecycleConfiguration (NoSuchLifecycleConfiguration when none),
 * PutBucketLifecycleConfiguration (replaces every rule), DeleteBucketLifecycle.
 */
import { S3Error } from '../../errors/s3-error.js';
import { lifecycleConfigurationXml } from '../lifecycle/configuration-xml.js';
import { parseLifecycleConfiguration } from '../lifecycle/parse-configuration.js';
import type { Handler } from '../types.js';

export const GetBucketLifecycleConfiguration: Handler = async (req) => {
  const rules = await req.backend.getBucketConfig({ bucket: req.bucket, name: 'lifecycle' });
  if (!rules?.length) throw new S3Error('NoSuchLifecycleConfiguration', undefined, { BucketName: req.bucket });
  return { xml: { root: 'LifecycleConfiguration', body: lifecycleConfigurationXml(rules) } };
};

export const PutBucketLifecycleConfiguration: Handler = async (req) => {
  const rules = parseLifecycleConfiguration((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'));
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'lifecycle', value: rules });
  return {};
};

export const DeleteBucketLifecycle: Handler = async (req) => {
  await req.backend.putBucketConfig({ bucket: req.bucket, name: 'lifecycle', value: undefined });
  return { status: 204 };
};
