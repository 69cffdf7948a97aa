/**
 * The parts of an upload, as files in its directory. Each upload of a part is a version of its own:
 * `p<NNNNN>-<version>` (the bytes, unless they were written in place: see in-place.ts) and
 * `p<NNNNN>-<version>.json` (its record, renamed into place last, so a record only ever describes whole,
 * durable bytes). The version sorts by completion time: the newest
 * recorded version of a part number is the part, and re-uploading a part replaces it atomically. Older versions
 * are removed by the writer that superseded them; a crash leaves at most a data file without a record, which
 * no reader takes for a part and which goes with the upload.
 */
import { randomBytes } from 'node:crypto';
import { readdir, unlink } from 'node:fs/promises';
import type { ChecksumAlgorithm } from '../../backend.js';
import { errnoOf } from '../paths/errno.js';
import { ASSEMBLY_FILE } from './in-place.js';
import { readJsonFile } from '../../../fsutil/json-file.js';

/** What is known of one uploaded part. */
export interface PartRecord {
  v: 1;
  partNumber: number;
  /** MD5 of the part's bytes, hex: its ETag. */
  etag: string;
  size: number;
  /** ISO time the part was stored. */
  lastModified: string;
  /** The part's checksum (base64), when the upload or the request had an algorithm. */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
  /** Where the bytes start in the upload's assembly file, for a part written in place; else they are a file of their own. */
  at?: number;
}

/** A part as found on disk: its record and the path of the file holding its bytes (from `at`, when set). */
export interface StoredPart extends PartRecord {
  path: string;
}

const PART_NAME = /^p(\d{5})-([0-9a-f]{20})(\.json)?$/;
// Reading records races with writers removing superseded versions: a vanished record means "look again".
const SCAN_ATTEMPTS = 5;

/** A new version string: 12 hex digits of milliseconds, then 8 random ones (a tie between writers is arbitrary but total). */
export function newPartVersion(now = Date.now()): string {
  return now.toString(16).padStart(12, '0') + randomBytes(4).toString('hex');
}

/** The data file name of a version of a part (the record adds `.json`). */
export function partFileName(partNumber: number, version: string): string {
  return `p${String(partNumber).padStart(5, '0')}-${version}`;
}

/** The newest recorded version of each part number among directory entry `names`. */
export function currentVersions(names: readonly string[]): Map<number, string> {
  const current = new Map<number, string>();
  for (const name of names) {
    const m = PART_NAME.exec(name);
    if (!m || !m[3]) continue; // only a record makes a version real
    const n = Number(m[1]);
    const v = m[2]!;
    const seen = current.get(n);
    if (seen === undefined || v > seen) current.set(n, v);
  }
  return current;
}

/**
 * The current parts of the upload in `dir`, by part number: all of them, or those in `wanted`. Throws the
 * readdir error (ENOENT: the upload is gone) for the caller to map.
 */
export async function readParts(dir: string, wanted?: ReadonlySet<number>): Promise<Map<number, StoredPart>> {
  for (let attempt = 1; ; attempt++) {
    const versions = currentVersions(await readdir(dir));
    const parts = new Map<number, StoredPart>();
    let vanished = false;
    const entries = [...versions].filter(([n]) => !wanted || wanted.has(n));
    // Bounded parallelism: an upload may have 10,000 parts, each one small file to read.
    for (let i = 0; i < entries.length && !vanished; i += 64) {
      await Promise.all(entries.slice(i, i + 64).map(async ([n, v]) => {
        const name = partFileName(n, v);
        const record = await readJsonFile<PartRecord>(`${dir}/${name}.json`);
        if (!record) vanished = true;
        else parts.set(n, { ...record, path: `${dir}/${record.at === undefined ? name : ASSEMBLY_FILE}` });
      }));
    }
    if (!vanished || attempt >= SCAN_ATTEMPTS) return parts;
  }
}

/** The part numbers present in `dir`, ascending, from names alone (no record is read). */
export async function partNumbers(dir: string): Promise<number[]> {
  return [...currentVersions(await readdir(dir)).keys()].sort((a, b) => a - b);
}

/**
 * Removes the versions of `partNumber` older than its newest recorded one (data and record). Versions newer than
 * that, still being written by another request, are left alone. Never throws: a vanished upload is fine.
 */
export async function pruneOldVersions(dir: string, partNumber: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const newest = currentVersions(names).get(partNumber);
  if (newest === undefined) return;
  for (const name of names) {
    const m = PART_NAME.exec(name);
    if (!m || Number(m[1]) !== partNumber || m[2]! >= newest) continue;
    await unlink(`${dir}/${name}`).catch((e: unknown) => {
      if (errnoOf(e) !== 'ENOENT') throw e;
    }).catch(() => {});
  }
}
