/** UploadPartCopy: a part made of (a range of) another object, with the x-amz-copy-source-if-* conditions. */
import type { Handler } from '../types.js';
import { S3Error } from '../../errors/s3-error.js';
import { checkCopySource } from '../conditional.js';
import { parseCopySource } from './copy.js';
import { partNumberOf, uploadIdOf } from './multipart-params.js';

/** Parses x-amz-copy-source-range: exactly `bytes=first-last`, else InvalidArgument as S3 words it. */
export function copySourceRange(value: string | undefined): { start: number; end: number } | undefined {
  if (value === undefined) return undefined;
  const m = /^bytes=(\d{1,15})-(\d{1,15})$/.exec(value.trim());
  if (!m) {
    throw new S3Error('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: value });
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}

export const UploadPartCopy: Handler = async (req) => {
  const partNumber = partNumberOf(req.query.get('partNumber'));
  const source = parseCopySource(req.header('x-amz-copy-source') ?? '');
  if (source.versionId !== undefined && source.versionId !== 'null') {
    throw new S3Error('NoSuchVersion', undefined, { Key: source.key, VersionId: source.versionId });
  }
  const range = copySourceRange(req.header('x-amz-copy-source-range'));
  const result = await req.backend.uploadPartCopy({
    bucket: req.bucket,
    key: req.key,
    uploadId: uploadIdOf(req.query),
    partNumber,
    identity: req.identity,
    // Read as its own bucket's identity (identity mode `bucket`), written as this one's.
    sourceIdentity: await req.identityIn(source.bucket),
    source: { bucket: source.bucket, key: source.key },
    ...(range ? { range } : {}),
    checkSource: (info) => checkCopySource(req.headers, info),
  });
  return {
    xml: {
      root: 'CopyPartResult',
      body: {
        ETag: `"${result.etag}"`,
        LastModified: result.lastModified,
        ...(result.checksum ? { [`Checksum${result.checksum.algorithm}`]: result.checksum.value } : {}),
      },
    },
  };
};
