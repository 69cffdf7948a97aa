/** CreateMultipartUpload: the upload's id, and what the completed object will carry (headers, metadata, checksum). */
import type { Handler } from '../types.js';
import { metaFromHeaders } from '../object-headers.js';
import { refuseUnsupported, storageClassOf } from '../write/options.js';
import { writeAttachments } from '../write/attachments.js';
import { uploadChecksumOf } from './multipart-params.js';
import { lockOf } from './objects.js';

export const CreateMultipartUpload: Handler = async (req) => {
  refuseUnsupported(req.headers);
  const checksum = uploadChecksumOf(req.headers);
  const { uploadId } = await req.backend.createMultipartUpload({
    bucket: req.bucket,
    key: req.key,
    identity: req.identity,
    meta: metaFromHeaders(req.headers),
    ...(await writeAttachments(req)),
    ...lockOf(req),
    ...(checksum ? { checksum } : {}),
    storageClass: storageClassOf(req.headers).storageClass ?? 'STANDARD',
    initiator: req.principal.user,
  });
  return {
    headers: checksum ? { 'x-amz-checksum-algorithm': checksum.algorithm, 'x-amz-checksum-type': checksum.type } : {},
    xml: { root: 'InitiateMultipartUploadResult', body: { Bucket: req.bucket, Key: req.key, UploadId: uploadId } },
  };
};
