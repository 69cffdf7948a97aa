/** ListMultipartUploads: the uploads in progress, paged by key and upload-id markers as S3 pages them. */
import type { Handler } from '../types.js';
import { encodingOf, maxKeysOf, nameEncoder } from '../list-params.js';
import { ownerOf } from '../owner.js';

export const ListMultipartUploads: Handler = async (req) => {
  const q = req.query;
  const encoding = encodingOf(q);
  const enc = nameEncoder(encoding);
  const maxUploads = maxKeysOf(q, 'max-uploads');
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') || undefined;
  const keyMarker = q.get('key-marker') ?? '';
  // S3 ignores the upload-id marker without a key marker.
  const uploadIdMarker = keyMarker ? q.get('upload-id-marker') ?? '' : '';
  const page = await req.backend.listMultipartUploads({
    bucket: req.bucket, identity: req.identity, prefix, delimiter, keyMarker: keyMarker || undefined, uploadIdMarker: uploadIdMarker || undefined, maxUploads,
  });
  return {
    xml: {
      root: 'ListMultipartUploadsResult',
      body: {
        Bucket: req.bucket,
        KeyMarker: enc(keyMarker),
        UploadIdMarker: uploadIdMarker,
        NextKeyMarker: page.isTruncated ? enc(page.nextKeyMarker) : undefined,
        NextUploadIdMarker: page.isTruncated ? page.nextUploadIdMarker : undefined,
        Delimiter: enc(delimiter),
        Prefix: enc(prefix),
        MaxUploads: maxUploads,
        IsTruncated: page.isTruncated,
        Upload: page.uploads.map((u) => ({
          Key: enc(u.key),
          UploadId: u.uploadId,
          Initiator: ownerOf(u.initiator),
          Owner: ownerOf(u.initiator),
          StorageClass: u.storageClass,
          Initiated: u.initiated,
          ChecksumAlgorithm: u.checksum?.algorithm,
          ChecksumType: u.checksum?.type,
        })),
        CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
        EncodingType: encoding,
      },
    },
  };
};
