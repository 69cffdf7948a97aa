/**
 * Bucket configurations this gateway cannot set (encryption, website, logging, replication, notification,
 * transfer acceleration, request payment): their GETs answer what S3 answers for a bucket where none is set, so
 * tools that read every setting of a bucket work; their PUTs stay 501 NotImplemented (operations.ts).
 */
import { S3Error } from '../../errors/s3-error.js';
import type { Handler, S3Request } from '../types.js';

/** Answers NoSuchBucket for a missing bucket, as every bucket operation does. */
async function existing(req: S3Request): Promise<void> {
  await req.backend.headBucket({ bucket: req.bucket });
}

/** A "none set" that S3 answers with an error (404). */
function notFound(code: 'ServerSideEncryptionConfigurationNotFoundError' | 'NoSuchWebsiteConfiguration' | 'ReplicationConfigurationNotFoundError'): Handler {
  return async (req) => {
    await existing(req);
    throw new S3Error(code, undefined, { BucketName: req.bucket });
  };
}

/** A "none set" that S3 answers with an empty (or default) document. */
function emptyDocument(root: string, body: Record<string, string> = {}): Handler {
  return async (req) => {
    await existing(req);
    return { xml: { root, body } };
  };
}

// No default encryption at rest: the files are stored as sent, so nothing may claim SSE-S3.
export const GetBucketEncryption = notFound('ServerSideEncryptionConfigurationNotFoundError');
export const GetBucketWebsite = notFound('NoSuchWebsiteConfiguration');
export const GetBucketReplication = notFound('ReplicationConfigurationNotFoundError');
/** Logging off: an empty BucketLoggingStatus. */
export const GetBucketLogging = emptyDocument('BucketLoggingStatus');
/** No notifications: an empty NotificationConfiguration. */
export const GetBucketNotificationConfiguration = emptyDocument('NotificationConfiguration');
/** Never enabled: an AccelerateConfiguration without a Status. */
export const GetBucketAccelerateConfiguration = emptyDocument('AccelerateConfiguration');
/** The bucket owner pays, the one setting there is here. */
export const GetBucketRequestPayment = emptyDocument('RequestPaymentConfiguration', { Payer: 'BucketOwner' });
