/** Object metadata ⇄ HTTP headers: what PUT stores from a request and what GET/HEAD send back. */
import { lockHeaders } from './lock/lock-headers.js';
import { headerOf, type HeaderBag } from '../http/headers.js';
import type { ChecksumValue, ObjectInfo, ObjectMeta } from '../storage/backend.js';
import { S3Error } from '../errors/s3-error.js';

/** S3 limits user-defined metadata to 2 KB: the UTF-8 bytes of every name and value, summed. */
export const MAX_USER_METADATA_BYTES = 2048;

/** Reads the standard headers and x-amz-meta-* of a PUT, POST (multipart) or copy with REPLACE. */
export function metaFromHeaders(headers: HeaderBag): ObjectMeta {
  const userMetadata: Record<string, string> = {};
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const key = name.slice('x-amz-meta-'.length);
    const v = Array.isArray(value) ? value.join(',') : value;
    userMetadata[key] = v;
    size += Buffer.byteLength(key) + Buffer.byteLength(v);
  }
  if (size > MAX_USER_METADATA_BYTES) {
    throw new S3Error('MetadataTooLarge', `Your metadata headers exceed the maximum allowed metadata size (${size} > ${MAX_USER_METADATA_BYTES} bytes).`, {
      Size: String(size),
      MaxSizeAllowed: String(MAX_USER_METADATA_BYTES),
    });
  }
  return {
    contentType: headerOf(headers, 'content-type'),
    contentEncoding: stripAwsChunked(headerOf(headers, 'content-encoding')),
    contentDisposition: headerOf(headers, 'content-disposition'),
    contentLanguage: headerOf(headers, 'content-language'),
    cacheControl: headerOf(headers, 'cache-control'),
    expires: headerOf(headers, 'expires'),
    userMetadata,
  };
}

/** `aws-chunked` is transfer framing, not a property of the object: S3 drops it from Content-Encoding. */
function stripAwsChunked(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const rest = v.split(',').map((s) => s.trim()).filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
  return rest.length ? rest.join(', ') : undefined;
}

/** Headers of a GET or HEAD answer for an object. */
export function objectHeaders(info: ObjectInfo, withChecksum: boolean): Record<string, string | number | undefined> {
  const m = info.meta;
  const h: Record<string, string | number | undefined> = {
    'Last-Modified': info.lastModified.toUTCString(),
    ETag: `"${info.etag}"`,
    'Content-Type': m.contentType ?? 'application/octet-stream',
    'Content-Encoding': m.contentEncoding,
    'Content-Disposition': m.contentDisposition,
    'Content-Language': m.contentLanguage,
    'Cache-Control': m.cacheControl,
    Expires: m.expires,
    'Accept-Ranges': 'bytes',
    'x-amz-version-id': info.versionId,
  };
  for (const [k, v] of Object.entries(m.userMetadata)) h[`x-amz-meta-${k}`] = v;
  if (info.storageClass !== 'STANDARD') h['x-amz-storage-class'] = info.storageClass;
  if (info.restore) h['x-amz-restore'] = restoreHeader(info.restore);
  if (info.tags?.length) h['x-amz-tagging-count'] = info.tags.length;
  if (withChecksum && info.checksum) Object.assign(h, checksumHeaders(info.checksum));
  Object.assign(h, lockHeaders(info.lock));
  return h;
}

/** x-amz-checksum-<alg> and x-amz-checksum-type for a stored checksum. */
export function checksumHeaders(c: ChecksumValue): Record<string, string> {
  return { [`x-amz-checksum-${c.algorithm.toLowerCase()}`]: c.value, 'x-amz-checksum-type': c.type };
}

/** The checksum as the Checksum* fields of an XML result (CopyObjectResult, CompleteMultipartUploadResult...). */
export function checksumFields(c: ChecksumValue | undefined): Record<string, string> {
  if (!c) return {};
  return { [`Checksum${c.algorithm}`]: c.value, ChecksumType: c.type };
}

/** The `response-*` query parameters of a GET that override response headers. */
export const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

/** x-amz-restore: `ongoing-request="true"` while a restore runs, then the restored copy's expiry (S3's form). */
export function restoreHeader(r: NonNullable<ObjectInfo['restore']>): string {
  return r.ongoing ? 'ongoing-request="true"' : `ongoing-request="false", expiry-date="${r.expiry.toUTCString()}"`;
}
