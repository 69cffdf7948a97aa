/**
 * Where a bucket's multipart uploads live: `<bucket>/.dirbucket/multipart/`, on the bucket's own file system so
 * that every rename below is atomic and every gateway instance serving the tree sees the same uploads.
 *
 *   <id>/                  an upload: upload.json and its parts (see part-files.ts)
 *   <id>.completing/       the same directory while one Complete holds it (the lock, see completion-lock.ts)
 *   <id>.recovering-<r>/   a crashed Complete's directory being sorted out (recover.ts)
 *   <id>.aborting-<r>/ <id>.expired-<r>/ <id>.done-<r>/   being removed (abort, sweep, after a Complete)
 *   <id>.completed.json    the result of a finished Complete, kept a while for retries (completion-marker.ts)
 *   .new-<id>.<owner>/     an upload being created (renamed to <id> once upload.json is in it), named with its
 *                          creator (lock-owner.ts ownerTag) so that the sweep can tell when it was cut short
 */
import { randomBytes } from 'node:crypto';
import type { Bucket } from '../buckets/bucket.js';
import { isUploadId } from './upload-id.js';
import { ownerTag } from '../../../fsutil/lock-owner.js';

/** What an entry of the multipart directory is, by its name. */
export type UploadEntry =
  | { kind: 'upload' | 'completing' | 'marker'; uploadId: string }
  | { kind: 'creating'; uploadId: string; owner?: string }
  | { kind: 'recovering' | 'removing'; uploadId: string };

/** The paths of one bucket's multipart state. */
export class UploadPaths {
  constructor(readonly root: string) {}

  /** The multipart directory of `bucket`. */
  static of(bucket: Bucket): UploadPaths {
    return new UploadPaths(`${bucket.stateDir}/multipart`);
  }

  upload(uploadId: string): string {
    return `${this.root}/${uploadId}`;
  }

  completing(uploadId: string): string {
    return `${this.root}/${uploadId}.completing`;
  }

  marker(uploadId: string): string {
    return `${this.root}/${uploadId}.completed.json`;
  }

  creating(uploadId: string): string {
    return `${this.root}/.new-${uploadId}.${ownerTag()}`;
  }

  /** A fresh name to move an upload directory to before deleting it: only one mover can win the rename. */
  removing(uploadId: string, why: 'aborting' | 'expired' | 'done'): string {
    return `${this.root}/${uploadId}.${why}-${randomBytes(6).toString('hex')}`;
  }

  /** A fresh name for taking over a crashed Complete's directory. */
  recovering(uploadId: string): string {
    return `${this.root}/${uploadId}.recovering-${randomBytes(6).toString('hex')}`;
  }
}

/** Classifies a name found in the multipart directory; undefined for anything the gateway did not make. */
export function classifyEntry(name: string): UploadEntry | undefined {
  if (name.startsWith('.new-')) {
    // `.new-<id>.<owner>`; `.new-<id>` from gateways before the owner was named.
    const [uploadId, owner] = name.slice(5).split('.', 2) as [string, string | undefined];
    if (!isUploadId(uploadId)) return undefined;
    return owner === undefined ? { kind: 'creating', uploadId } : { kind: 'creating', uploadId, owner };
  }
  const dot = name.indexOf('.');
  const uploadId = dot < 0 ? name : name.slice(0, dot);
  if (!isUploadId(uploadId)) return undefined;
  const rest = dot < 0 ? '' : name.slice(dot + 1);
  if (rest === '') return { kind: 'upload', uploadId };
  if (rest === 'completing') return { kind: 'completing', uploadId };
  if (rest === 'completed.json') return { kind: 'marker', uploadId };
  if (/^recovering-[0-9a-f]{12}$/.test(rest)) return { kind: 'recovering', uploadId };
  if (/^(aborting|expired|done)-[0-9a-f]{12}$/.test(rest)) return { kind: 'removing', uploadId };
  return undefined;
}
