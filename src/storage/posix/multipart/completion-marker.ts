/**
 * The result of a finished Complete, kept beside the uploads for a while: a client that resends Complete (its
 * first answer was lost to a timeout) gets the same success instead of NoSuchUpload, from any gateway instance.
 */
import { unlink } from 'node:fs/promises';
import type { ChecksumValue, CompletedPart } from '../../backend.js';
import { bareEtag } from '../../conditions/etag-match.js';
import { readJsonFile, writeJsonFile } from '../../../fsutil/json-file.js';
import type { UploadPaths } from './upload-paths.js';

/** How long a completion marker answers retries; the sweep removes older ones. */
export const MARKER_TTL_MS = 10 * 60 * 1000;

export interface CompletionMarker {
  v: 1;
  uploadId: string;
  key: string;
  etag: string;
  size: number;
  checksum?: ChecksumValue;
  /** The parts the object was made of: [part number, ETag]. */
  parts: [number, string][];
  /** ISO time of completion. */
  completed: string;
  /** The version the Complete made, in a versioned bucket. */
  versionId?: string;
}

/** The marker of `uploadId`, if a Complete finished recently. */
export async function readMarker(paths: UploadPaths, uploadId: string): Promise<CompletionMarker | undefined> {
  const m = await readJsonFile<CompletionMarker>(paths.marker(uploadId));
  return m?.v === 1 && m.uploadId === uploadId ? m : undefined;
}

/** Stores the marker (atomically; durable with `fsync`). */
export async function writeMarker(paths: UploadPaths, marker: CompletionMarker, fsync: boolean): Promise<void> {
  await writeJsonFile(paths.marker(marker.uploadId), marker, { fsync });
}

/** Removes a marker; a missing one is fine. */
export async function removeMarker(paths: UploadPaths, uploadId: string): Promise<void> {
  await unlink(paths.marker(uploadId)).catch(() => {});
}

/** Whether a resent Complete asks for exactly what was completed: same key, same parts with the same ETags. */
export function markerMatches(marker: CompletionMarker, key: string, parts: readonly CompletedPart[]): boolean {
  return marker.key === key && marker.parts.length === parts.length
    && marker.parts.every(([n, etag], i) => parts[i]!.partNumber === n && bareEtag(parts[i]!.etag) === etag);
}
