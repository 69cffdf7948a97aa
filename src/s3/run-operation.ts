/**
 * An S3 operation run on behalf of another front end (the admin API): the same row of the operation table, the
 * same authorization (bucket policy, rights, ACL grants) and the same handler as an S3 request, with the
 * request's headers and small body given as values instead of read from the wire.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { S3Error } from '../errors/s3-error.js';
import { headerOf } from '../http/headers.js';
import { authorizeRequest } from './access/authorize-request.js';
import { requestFactsOf, type SignedBy } from './access/request-facts.js';
import type { FrontEnd } from './handle-request.js';
import { operationRow, type OperationName } from './operations.js';
import { identitySources, requestIdentity } from './rights/acting-identity.js';
import type { Principal, S3Request, S3Response } from './types.js';

/** One operation to run: what it is, on which bucket, for whom, with which headers and body. */
export interface OperationCall {
  operation: OperationName;
  bucket: string;
  principal: Principal;
  /** The request that asked for it: its client address and transport are the facts policy conditions see. */
  via: IncomingMessage;
  /** How the asking request was signed (policies' s3:signatureversion, s3:authType). */
  signedBy?: SignedBy;
  /** The S3 request headers the operation reads (lower-case names), e.g. x-amz-bucket-object-lock-enabled. */
  headers?: Record<string, string>;
  /** The request body (an XML document or a policy), for operations that read one. */
  body?: string;
  /** The S3 request's query parameters (ListObjectsV2's continuation-token, max-keys, …). */
  query?: Record<string, string>;
  requestId: string;
}

/** Authorizes and runs `call` as its S3 request would be; throws the S3Error an S3 client would get. */
export async function runOperation(fe: FrontEnd, call: OperationCall): Promise<S3Response> {
  const row = operationRow(call.operation);
  if (!row.handler) throw new S3Error('NotImplemented', `${call.operation} is not implemented.`);
  const body = Buffer.from(call.body ?? '', 'utf8');
  // The body is whole in hand (the asking request's own signature covered it): its Content-MD5 is the digest
  // S3 requires of object-lock changes, given as a client would send it.
  const headers = body.length ? { 'content-md5': createHash('md5').update(body).digest('base64'), ...call.headers } : { ...call.headers };
  const query = new URLSearchParams(call.query);
  const authorizeOp = (operation: OperationName, key: string | undefined, principal = call.principal): Promise<void> => authorizeRequest({
    operation, bucket: call.bucket, key, principal, backend: fe.backend, headers,
    facts: () => requestFactsOf(call.via, query, operationRow(operation).action, call.signedBy, headers),
  });
  await authorizeOp(call.operation, undefined);
  const identities = await requestIdentity(identitySources(fe), call.bucket, call.principal, { creating: call.operation === 'CreateBucket' });
  const req: S3Request = {
    requestId: call.requestId,
    operation: call.operation,
    method: row.method,
    bucket: call.bucket,
    key: '',
    query,
    header: (name) => headerOf(headers, name),
    headers,
    principal: call.principal,
    ...identities,
    accounts: fe.credentials,
    backend: fe.backend,
    settings: fe.settings,
    log: fe.log,
    body: () => Readable.from([body]),
    trailers: () => ({}),
    readBody: async (limit) => {
      if (body.length > limit) throw new S3Error('MalformedXML', `The request body exceeds ${limit} bytes.`);
      return body;
    },
    authorize: (operation, key, as) => authorizeOp(operation, key, as?.principal),
    // Forms are an S3 listener's business only.
    formSigner: () => { throw new S3Error('NotImplemented', 'POST Object is not available here.'); },
  };
  const response = await row.handler(req);
  await response.cleanup?.();
  return response;
}
