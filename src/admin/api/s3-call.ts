/** An admin API route's way into the S3 operations: the operation run for the API's signer, as its S3 request would be. */
import type { OperationName } from '../../s3/operations.js';
import { runOperation } from '../../s3/run-operation.js';
import type { S3Response } from '../../s3/types.js';
import type { ApiRequest } from './api-types.js';

/** Runs `operation` on `bucket` for `req`'s principal (authorized by the same rules as over S3). */
export function s3Call(req: ApiRequest, operation: OperationName, bucket: string, opts: { headers?: Record<string, string>; body?: string; query?: Record<string, string> } = {}): Promise<S3Response> {
  return runOperation(req.sources.frontEnd, {
    operation, bucket, principal: req.principal, via: req.http, requestId: req.id,
    // A session stands for a SigV4 sign-in: policies see it as header-signed.
    signedBy: req.via.kind === 'sigv4' ? req.via.signedBy : { signatureVersion: 'AWS4-HMAC-SHA256', authType: 'REST-HEADER' },
    ...opts,
  });
}
