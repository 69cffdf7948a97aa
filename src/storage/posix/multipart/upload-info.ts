/** An upload's state as the storage interface shows it. */
import type { UploadInfo } from '../../backend.js';
import type { UploadState } from './upload-state.js';

/** The UploadInfo of a stored upload state. */
export function uploadInfo(state: UploadState): UploadInfo {
  return {
    key: state.key, uploadId: state.uploadId, initiated: new Date(state.initiated), initiator: state.initiator,
    storageClass: state.storageClass, ...(state.checksum ? { checksum: state.checksum } : {}),
  };
}
