/** The one error every multipart operation answers for an upload that does not exist (or no longer does). */
import { S3Error } from '../../../errors/s3-error.js';

/** NoSuchUpload naming the upload id, as S3 sends it. */
export function noSuchUpload(uploadId: string): S3Error {
  return new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
}
