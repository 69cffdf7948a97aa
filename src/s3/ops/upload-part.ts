/** UploadPart: one part's body, in any SigV4 payload mode (the front end decodes it), checked as it is stored. */
import type { Handler } from '../types.js';
import { contentMd5, payloadLength, requestedChecksum } from '../write/options.js';
import { partNumberOf, uploadIdOf } from './multipart-params.js';

export const UploadPart: Handler = async (req) => {
  // Everything that can refuse the part is checked before a byte of the body is read.
  const partNumber = partNumberOf(req.query.get('partNumber'));
  const result = await req.backend.uploadPart({
    bucket: req.bucket,
    key: req.key,
    identity: req.identity,
    uploadId: uploadIdOf(req.query),
    partNumber,
    size: payloadLength(req.headers),
    contentMd5: contentMd5(req.headers),
    checksum: requestedChecksum(req.headers, () => req.trailers()),
    body: req.body(),
  });
  const headers: Record<string, string> = { ETag: `"${result.etag}"` };
  if (result.checksum) headers[`x-amz-checksum-${result.checksum.algorithm.toLowerCase()}`] = result.checksum.value;
  return { headers };
};
