/** Object lock of a bucket: PutObjectLockConfiguration, GetObjectLockConfiguration. */
import type { Handler } from '../types.js';
import { S3Error } from '../../errors/s3-error.js';
import { lockConfigurationXml, parseLockConfiguration } from '../lock/lock-xml.js';
import { readDigestedBody } from '../lock/digested-body.js';

export const PutObjectLockConfiguration: Handler = async (req) => {
  const config = parseLockConfiguration((await readDigestedBody(req, req.settings.maxXmlBytes)).toString('utf8'));
  await req.backend.putObjectLockConfiguration({ bucket: req.bucket, config });
  return {};
};

export const GetObjectLockConfiguration: Handler = async (req) => {
  const config = await req.backend.getObjectLockConfiguration({ bucket: req.bucket });
  if (!config) throw new S3Error('ObjectLockConfigurationNotFoundError', undefined, { BucketName: req.bucket });
  return { xml: { root: 'ObjectLockConfiguration', body: lockConfigurationXml(config) } };
};
