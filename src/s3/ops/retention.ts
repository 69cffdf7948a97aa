/** Object lock of a version: PutObjectRetention, GetObjectRetention, PutObjectLegalHold, GetObjectLegalHold. */
import type { Handler, S3Request } from '../types.js';
import { S3Error } from '../../errors/s3-error.js';
import { bypassGovernance } from '../lock/bypass.js';
import { parseLegalHold, parseRetention } from '../lock/lock-xml.js';
import { readDigestedBody } from '../lock/digested-body.js';

function versionOf(req: S3Request): string | undefined {
  return req.query.get('versionId') ?? undefined;
}

export const PutObjectRetention: Handler = async (req) => {
  const retention = parseRetention((await readDigestedBody(req, req.settings.maxXmlBytes)).toString('utf8'));
  const done = await req.backend.putObjectRetention({
    bucket: req.bucket, key: req.key, versionId: versionOf(req), identity: req.identity, retention,
    bypassGovernance: await bypassGovernance(req),
  });
  return { headers: { 'x-amz-version-id': done.versionId } };
};

export const GetObjectRetention: Handler = async (req) => {
  const { lock } = await req.backend.getObjectLock({ bucket: req.bucket, key: req.key, versionId: versionOf(req), identity: req.identity });
  if (!lock.retention) throw new S3Error('NoSuchObjectLockConfiguration');
  return { xml: { root: 'Retention', body: { Mode: lock.retention.mode, RetainUntilDate: lock.retention.retainUntil } } };
};

export const PutObjectLegalHold: Handler = async (req) => {
  const legalHold = parseLegalHold((await readDigestedBody(req, req.settings.maxXmlBytes)).toString('utf8'));
  const done = await req.backend.putObjectLegalHold({ bucket: req.bucket, key: req.key, versionId: versionOf(req), identity: req.identity, legalHold });
  return { headers: { 'x-amz-version-id': done.versionId } };
};

export const GetObjectLegalHold: Handler = async (req) => {
  const { lock } = await req.backend.getObjectLock({ bucket: req.bucket, key: req.key, versionId: versionOf(req), identity: req.identity });
  if (lock.legalHold === undefined) throw new S3Error('NoSuchObjectLockConfiguration');
  return { xml: { root: 'LegalHold', body: { Status: lock.legalHold ? 'ON' : 'OFF' } } };
};
