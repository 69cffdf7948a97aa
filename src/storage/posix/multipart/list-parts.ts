/** ListParts: one page of an upload's current parts, by part number, reading only the records on the page. */
import type { ListPartsInput, ListPartsResult, PartInfo } from '../../backend.js';
import type { Bucket } from '../buckets/bucket.js';
import { errnoOf } from '../paths/errno.js';
import { noSuchUpload } from './no-such-upload.js';
import { partNumbers, readParts } from './part-files.js';
import { uploadInfo } from './upload-info.js';
import { isUploadId } from './upload-id.js';
import { UploadPaths } from './upload-paths.js';
import { readUploadState, type UploadState } from './upload-state.js';

/** The parts after `partNumberMarker`, at most `maxParts`; an upload being completed is still listed. */
export async function listParts(bucket: Bucket, input: ListPartsInput): Promise<ListPartsResult> {
  if (!isUploadId(input.uploadId)) throw noSuchUpload(input.uploadId);
  const paths = UploadPaths.of(bucket);
  for (const dir of [paths.upload(input.uploadId), paths.completing(input.uploadId)]) {
    let state: UploadState;
    let numbers: number[];
    try {
      state = await readUploadState(dir, input.uploadId, input.key);
      numbers = await partNumbers(dir);
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || (e as { code?: string }).code === 'NoSuchUpload') continue; // moved meanwhile: look at the other name
      throw e;
    }
    const after = numbers.filter((n) => n > input.partNumberMarker);
    const page = after.slice(0, input.maxParts);
    const stored = await readParts(dir, new Set(page));
    const parts: PartInfo[] = [];
    for (const n of page) {
      const p = stored.get(n);
      if (!p) continue; // superseded and removed between the two reads: its newer version is on a later call
      parts.push({
        partNumber: n, etag: p.etag, size: p.size, lastModified: new Date(p.lastModified), ...(p.checksum ? { checksum: p.checksum } : {}),
      });
    }
    return { upload: uploadInfo(state), parts, isTruncated: after.length > page.length };
  }
  throw noSuchUpload(input.uploadId);
}
