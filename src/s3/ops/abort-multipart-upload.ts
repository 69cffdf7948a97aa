/** AbortMultipartUpload: 204 once the parts are gone. */
import type { Handler } from '../types.js';
import { uploadIdOf } from './multipart-params.js';

export const AbortMultipartUpload: Handler = async (req) => {
  await req.backend.abortMultipartUpload({ bucket: req.bucket, key: req.key, identity: req.identity, uploadId: uploadIdOf(req.query) });
  return { status: 204 };
};
