/** CopyObject: within and across buckets, metadata directive COPY or REPLACE, copy-source conditions. */
import type { Handler } from '../types.js';
import { S3Error } from '../../errors/s3-error.js';
import { checkCopySource } from '../conditional.js';
import { checksumFields, metaFromHeaders } from '../object-headers.js';
import { decodePath } from '../decode-path.js';
import { refuseUnsupported, storageClassOf, writeConditions } from '../write/options.js';
import { copyAttachments } from '../write/attachments.js';
import { lockOf } from './objects.js';

/** Parses x-amz-copy-source: `bucket/key` or `/bucket/key`, URL-encoded, with an optional `?versionId=`. */
export function parseCopySource(v: string): { bucket: string; key: string; versionId?: string } {
  let s = v;
  let versionId: string | undefined;
  const q = s.indexOf('?');
  if (q >= 0) {
    versionId = new URLSearchParams(s.slice(q + 1)).get('versionId') ?? undefined;
    s = s.slice(0, q);
  }
  s = decodePath(s);
  if (s.startsWith('/')) s = s.slice(1);
  const slash = s.indexOf('/');
  if (slash <= 0 || slash === s.length - 1) {
    throw new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', {
      ArgumentName: 'x-amz-copy-source',
      ArgumentValue: v,
    });
  }
  return { bucket: s.slice(0, slash), key: s.slice(slash + 1), versionId };
}

export const CopyObject: Handler = async (req) => {
  refuseUnsupported(req.headers);
  const source = parseCopySource(req.header('x-amz-copy-source') ?? '');
  const directive = (req.header('x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive });
  }
  // Copying an older version onto its own key is how a version is restored: allowed, as S3 does.
  if (source.bucket === req.bucket && source.key === req.key && directive !== 'REPLACE' && source.versionId === undefined &&
    req.header('x-amz-storage-class') === undefined) {
    throw new S3Error('InvalidRequest', 'This copy request is illegal because it is trying to copy an object to itself without changing the object\'s metadata, storage class, website redirect location or encryption attributes.');
  }
  const result = await req.backend.copyObject({
    source: { bucket: source.bucket, key: source.key, ...(source.versionId !== undefined ? { versionId: source.versionId } : {}) },
    bucket: req.bucket,
    key: req.key,
    identity: req.identity,
    // Read as its own bucket's identity (identity mode `bucket`), written as this one's.
    sourceIdentity: await req.identityIn(source.bucket),
    meta: directive === 'REPLACE' ? metaFromHeaders(req.headers) : undefined,
    ...(await copyAttachments(req)),
    checkSource: (info) => checkCopySource(req.headers, info),
    conditions: writeConditions(req.headers),
    ...lockOf(req),
    ...storageClassOf(req.headers),
  });
  return {
    headers: { 'x-amz-version-id': result.versionId, 'x-amz-copy-source-version-id': result.sourceVersionId },
    xml: {
      root: 'CopyObjectResult',
      body: { ETag: `"${result.etag}"`, LastModified: result.lastModified, ...checksumFields(result.checksum) },
    },
  };
};
