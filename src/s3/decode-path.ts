/** Percent-decoding of request paths (bucket, key, x-amz-copy-source). */
import { S3Error } from '../errors/s3-error.js';

/** Decodes a percent-encoded path; a malformed escape is InvalidURI. */
export function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new S3Error('InvalidURI');
  }
}
