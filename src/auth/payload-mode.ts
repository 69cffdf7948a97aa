/** What x-amz-content-sha256 declares about the body, and so how the body must be read and checked. */
import { S3Error } from '../errors/s3-error.js';

export type PayloadMode =
  /** UNSIGNED-PAYLOAD, or a presigned URL: the body is taken as it comes. */
  | { kind: 'unsigned' }
  /** A hex SHA-256 of the body: the body must match it. */
  | { kind: 'sha256'; hash: string }
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]: aws-chunked with signed chunks (and a signed trailer). */
  | { kind: 'streaming-signed'; trailer: boolean }
  /** STREAMING-UNSIGNED-PAYLOAD-TRAILER: aws-chunked without signatures, with trailing headers. */
  | { kind: 'streaming-unsigned-trailer' }
  /** A Signature V2 request that signed Content-MD5 (base64): the body must match it, or the signature covers nothing of it. */
  | { kind: 'md5'; digest: string };

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

/** Read an x-amz-content-sha256 value. SigV4a streaming is NotImplemented; anything else unknown is InvalidArgument. */
export function parsePayloadMode(value: string): PayloadMode {
  switch (value) {
    case UNSIGNED_PAYLOAD: return { kind: 'unsigned' };
    case STREAMING_SIGNED: return { kind: 'streaming-signed', trailer: false };
    case STREAMING_SIGNED_TRAILER: return { kind: 'streaming-signed', trailer: true };
    case STREAMING_UNSIGNED_TRAILER: return { kind: 'streaming-unsigned-trailer' };
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD':
    case 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER':
      throw new S3Error('NotImplemented', 'Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not supported.');
  }
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { kind: 'sha256', hash: value.toLowerCase() };
  throw new S3Error('InvalidArgument',
    'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, '
    + 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, '
    + 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
    { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value });
}
