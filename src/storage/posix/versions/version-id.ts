/**
 * Version ids: 20 characters of base32hex (0-9, a-v), a time in microseconds then 45 bits of randomness or of a
 * hash. Fixed width, in an alphabet whose ASCII order is its digit order, so ids sort as strings by their time.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { S3Error } from '../../../errors/s3-error.js';

/** The id S3 gives the version written while versioning was off or suspended. */
export const NULL_VERSION_ID = 'null';

const ALPHABET = '0123456789abcdefghijklmnopqrstuv';
const TIME_CHARS = 11; // 55 bits of microseconds: until the year 3111
const TAIL_CHARS = 9; // 45 bits
/** The length of every version id but 'null'. */
export const VERSION_ID_LENGTH = TIME_CHARS + TAIL_CHARS;
const ID = /^[0-9a-v]{20}$/;

// The last time this process handed out: ids made by one process strictly increase, even within a microsecond.
let lastIssued = 0n;

/** Whether `id` has the shape of an id this gateway makes ('null' excluded). */
export function isVersionId(id: string): boolean {
  return ID.test(id);
}

/**
 * A version id as a request names it: 'null' or an id of ours. Anything else is malformed, InvalidArgument as
 * S3 answers; a well-formed id that names no version is for the store to answer (NoSuchVersion).
 */
export function parseVersionId(id: string): string {
  if (id === NULL_VERSION_ID || isVersionId(id)) return id;
  throw new S3Error('InvalidArgument', 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: id });
}

/** The time of an id, in microseconds since the epoch. */
export function timeOfId(id: string): bigint {
  return decode(id.slice(0, TIME_CHARS));
}

/** The id's time as a Date (millisecond precision). */
export function dateOfId(id: string): Date {
  return new Date(Number(timeOfId(id) / 1000n));
}

/**
 * A fresh id: now, but later than `after` (the key's newest version) and than any id this process made, so a
 * key's ids rise in the order versions became current even when hosts' clocks disagree. The tail is random:
 * two hosts making an id in the same microsecond do not make the same one.
 */
export function newVersionId(after?: string): string {
  // Microseconds from the monotonic clock, but never behind the wall clock (which may have been set forward).
  const wall = BigInt(Date.now()) * 1000n;
  const fine = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
  let t = fine > wall ? fine : wall;
  if (t <= lastIssued) t = lastIssued + 1n;
  if (after !== undefined && isVersionId(after) && t <= timeOfId(after)) t = timeOfId(after) + 1n;
  lastIssued = t;
  return encode(t, TIME_CHARS) + encode(BigInt('0x' + randomBytes(6).toString('hex')), TAIL_CHARS);
}

/** The stats a NAS-made version's id is derived from: none of them changes when the gateway links the file. */
export type IdentityStats = Pick<BigIntStats, 'ino' | 'size' | 'mtimeNs' | 'birthtimeNs'>;

/**
 * The id of a file that appeared at a key outside S3 (created, replaced, rewritten in place). A pure function
 * of the file's identity and of the key's newest version, so every gateway that looks agrees. Its time is the
 * file's own (mtime or birth, the later) but never before `after`: rsync and `cp -p` set old mtimes, yet the
 * file became current after every version already kept.
 */
export function derivedVersionId(stats: IdentityStats, after?: string): string {
  const fileTime = (stats.mtimeNs > stats.birthtimeNs ? stats.mtimeNs : stats.birthtimeNs) / 1000n;
  const floor = after !== undefined && isVersionId(after) ? timeOfId(after) + 1n : 0n;
  const basis = `file:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.birthtimeNs}`;
  return encode(fileTime > floor ? fileTime : floor, TIME_CHARS) + hashTail(basis);
}

/**
 * The id of the delete marker a NAS delete or rename-away implies: just after `newest`, the version that went.
 * Deterministic, so the marker reads the same from every gateway before one of them writes it down.
 */
export function impliedMarkerId(newest: string): string {
  return encode(timeOfId(newest) + 1n, TIME_CHARS) + hashTail(`gone:${newest}`);
}

function hashTail(basis: string): string {
  return encode(BigInt('0x' + createHash('sha256').update(basis).digest('hex').slice(0, 12)), TAIL_CHARS);
}

function encode(n: bigint, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    s = ALPHABET[Number(n & 31n)] + s;
    n >>= 5n;
  }
  return s;
}

function decode(s: string): bigint {
  let n = 0n;
  for (const c of s) n = (n << 5n) | BigInt(ALPHABET.indexOf(c));
  return n;
}
