/**
 * ListMultipartUploads: the uploads in progress in S3 order (key by UTF-8 bytes, then initiation; upload ids
 * sort by initiation), with prefix, delimiter roll-up and the key/upload-id markers, as S3 pages them.
 */
import { readdir } from 'node:fs/promises';
import type { ListMultipartUploadsInput, ListMultipartUploadsResult } from '../../backend.js';
import { fsAccessFor } from '../permissions/fs-access.js';
import type { Bucket } from '../buckets/bucket.js';
import { compareUtf8 } from '../list/byte-order.js';
import { errnoOf } from '../paths/errno.js';
import { readJsonFile } from '../../../fsutil/json-file.js';
import { uploadInfo } from './upload-info.js';
import { classifyEntry, UploadPaths } from './upload-paths.js';
import { UPLOAD_FILE, type UploadState } from './upload-state.js';

const READ_BATCH = 64;

/** One page of the bucket's uploads (an upload being completed is still in progress). */
export async function listMultipartUploads(bucket: Bucket, input: ListMultipartUploadsInput): Promise<ListMultipartUploadsResult> {
  const result: ListMultipartUploadsResult = { uploads: [], commonPrefixes: [], isTruncated: false };
  const access = fsAccessFor(input.identity);
  // As a listing shows only what the identity could list with `ls -R`, uploads under directories it may not
  // list are left out (their keys would reveal names in them).
  const states = (await uploadsOf(UploadPaths.of(bucket), input.prefix))
    .filter((s) => !access || access.canListDown(bucket.dir, s.key.split('/').slice(0, -1)));
  states.sort((a, b) => compareUtf8(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0));
  const { keyMarker, uploadIdMarker, prefix } = input;
  const delimiter = input.delimiter || undefined;
  let lastPrefix: string | undefined;
  for (const s of states) {
    if (keyMarker) {
      const c = compareUtf8(s.key, keyMarker);
      // Without an upload-id marker the key marker's own uploads are behind us; with one, those after it are not.
      if (c < 0 || (c === 0 && (!uploadIdMarker || s.uploadId <= uploadIdMarker))) continue;
    }
    const cut = delimiter ? s.key.indexOf(delimiter, prefix.length) : -1;
    const rolled = cut >= 0 ? s.key.slice(0, cut + delimiter!.length) : undefined;
    // A prefix already returned (on this page, or as the marker that ended the last one) is not repeated.
    if (rolled !== undefined && (rolled === lastPrefix || rolled === keyMarker)) continue;
    if (result.uploads.length + result.commonPrefixes.length >= input.maxUploads) {
      result.isTruncated = input.maxUploads > 0;
      break;
    }
    if (rolled !== undefined) {
      result.commonPrefixes.push(rolled);
      lastPrefix = rolled;
      result.nextKeyMarker = rolled;
      result.nextUploadIdMarker = undefined;
    } else {
      result.uploads.push(uploadInfo(s));
      result.nextKeyMarker = s.key;
      result.nextUploadIdMarker = s.uploadId;
    }
  }
  return result;
}

/** The state of every upload whose key starts with `prefix`, read a batch at a time. */
async function uploadsOf(paths: UploadPaths, prefix: string): Promise<UploadState[]> {
  let names: string[];
  try {
    names = await readdir(paths.root);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return [];
    throw e;
  }
  const dirs = new Map<string, string>();
  for (const name of names) {
    const entry = classifyEntry(name);
    if (entry?.kind === 'upload') dirs.set(entry.uploadId, paths.upload(entry.uploadId));
    else if (entry?.kind === 'completing' && !dirs.has(entry.uploadId)) dirs.set(entry.uploadId, paths.completing(entry.uploadId));
  }
  const all = [...dirs];
  const states: UploadState[] = [];
  for (let i = 0; i < all.length; i += READ_BATCH) {
    const batch = await Promise.all(all.slice(i, i + READ_BATCH).map(([id, dir]) =>
      readJsonFile<UploadState>(`${dir}/${UPLOAD_FILE}`).then((s) => (s?.v === 1 && s.uploadId === id ? s : undefined))));
    for (const s of batch) if (s && s.key.startsWith(prefix)) states.push(s);
  }
  return states;
}
