/** The version fields a metadata record carries, and what they say about the file they sit on. */
import type { BigIntStats } from 'node:fs';
import { sameContent, type MetaRecord } from '../metadata/record.js';
import { isVersionId, NULL_VERSION_ID } from './version-id.js';

/**
 * A record with its version: the id, and for the `null` version its place in the key's order. (To be merged
 * into MetaRecord when versioning is wired in; JSON records already keep fields they do not declare.)
 */
export interface VersionedRecord extends MetaRecord {
  versionId?: string;
  /** Set for the `null` version only: every other version's place is its id. */
  versionSeq?: string;
}

/** A version's id and its place in the order. */
export interface VersionStamp {
  id: string;
  seq: string;
}

/**
 * The version the record names, when the record still describes the file's content (inode, size, mtime as
 * written); undefined otherwise: a file changed outside S3 is another version than the one recorded.
 */
export function stampOf(record: VersionedRecord | undefined, stats: Pick<BigIntStats, 'ino' | 'size' | 'mtimeNs'>): VersionStamp | undefined {
  if (!record || !sameContent(record, stats)) return undefined;
  return recordedStamp(record);
}

/** The version the record names, whether or not it still describes its file. */
export function recordedStamp(record: VersionedRecord | undefined): VersionStamp | undefined {
  const id = record?.versionId;
  if (id === NULL_VERSION_ID) return isVersionId(record!.versionSeq ?? '') ? { id, seq: record!.versionSeq! } : undefined;
  return id !== undefined && isVersionId(id) ? { id, seq: id } : undefined;
}

/** `record` stamped with a version. */
export function stamped(record: MetaRecord, stamp: VersionStamp): VersionedRecord {
  const r: VersionedRecord = { ...record, versionId: stamp.id };
  if (stamp.id === NULL_VERSION_ID) r.versionSeq = stamp.seq;
  else delete r.versionSeq;
  return r;
}

/** The record of a file that appeared outside S3: its identity and its version, nothing the gateway cannot vouch for. */
export function foundRecord(stats: Pick<BigIntStats, 'ino' | 'size' | 'mtimeNs'>, stamp: VersionStamp): VersionedRecord {
  return stamped({ v: 1, ino: String(stats.ino), size: Number(stats.size), mtimeNs: String(stats.mtimeNs) }, stamp);
}
