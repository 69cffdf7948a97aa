/** ListParts: one page of an upload's parts, with S3's markers, initiator, owner, storage class and checksums. */
import type { Handler } from '../types.js';
import { encodingOf, maxKeysOf, nameEncoder } from '../list-params.js';
import { ownerOf } from '../owner.js';
import { partMarkerOf, uploadIdOf } from './multipart-params.js';

export const ListParts: Handler = async (req) => {
  const q = req.query;
  const maxParts = maxKeysOf(q, 'max-parts');
  const marker = partMarkerOf(q.get('part-number-marker'), 'part-number-marker');
  const encoding = encodingOf(q);
  const enc = nameEncoder(encoding);
  const uploadId = uploadIdOf(q);
  const page = await req.backend.listParts({ bucket: req.bucket, key: req.key, identity: req.identity, uploadId, maxParts, partNumberMarker: marker });
  const owner = ownerOf(page.upload.initiator);
  const last = page.parts[page.parts.length - 1];
  return {
    xml: {
      root: 'ListPartsResult',
      body: {
        Bucket: req.bucket,
        Key: enc(req.key),
        UploadId: uploadId,
        PartNumberMarker: marker,
        NextPartNumberMarker: last ? last.partNumber : undefined,
        MaxParts: maxParts,
        IsTruncated: page.isTruncated,
        Part: page.parts.map((p) => ({
          PartNumber: p.partNumber,
          LastModified: p.lastModified,
          ETag: `"${p.etag}"`,
          Size: p.size,
          ...(p.checksum ? { [`Checksum${p.checksum.algorithm}`]: p.checksum.value } : {}),
        })),
        Initiator: owner,
        Owner: owner,
        StorageClass: page.upload.storageClass,
        ChecksumAlgorithm: page.upload.checksum?.algorithm,
        ChecksumType: page.upload.checksum?.type,
        EncodingType: encoding,
      },
    },
  };
};
