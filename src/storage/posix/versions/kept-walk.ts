/**
 * The ordered walk of the store of versions (`<bucket>/.dirbucket/versions`): the keys that have kept versions
 * or delete markers, and the common prefixes they roll up into, in S3 order, read lazily. The store mirrors
 * key paths as directories: the directory `s` stands both for the key `…s` (when it holds a `.dirbucket` of
 * versions) and for the keys below `…s/`; sorting `s` and `s/` among their siblings orders the whole tree as
 * if its keys were flat (as list/walk.ts does for the bucket).
 */
import { lstat, readdir } from 'node:fs/promises';
import { compareUtf8 } from '../list/byte-order.js';
import { isSkippable } from '../list/skippable.js';
import { RESERVED_NAME } from '../paths/reserved.js';

export interface KeptWalkOptions {
  /** The root of the store of versions. */
  root: string;
  prefix: string;
  /** '' or undefined: no roll-up. */
  delimiter?: string;
  /** Exclusive lower bound on the emitted items, UTF-8 byte order. */
  startAfter?: string;
}

export type KeptItem = { type: 'key'; key: string } | { type: 'prefix'; prefix: string };

/** One item of a directory: the key named like the subdirectory, or the keys below it. */
interface Slot {
  sortName: string;
  name: string;
  below: boolean;
}

interface Frame {
  abs: string;
  key: string;
  slots: Slot[];
  next: number;
}

/** Yields the keys with kept versions, and common prefixes, in S3 order after `startAfter`. */
export async function* walkKept(opts: KeptWalkOptions): AsyncGenerator<KeptItem> {
  const { prefix } = opts;
  const delimiter = opts.delimiter || undefined;
  const after = opts.startAfter || undefined;
  const isAfter = (s: string): boolean => after === undefined || compareUtf8(s, after) > 0;
  const cut = prefix.lastIndexOf('/') + 1;
  const startKey = prefix.slice(0, cut);
  if (startKey.split('/').slice(0, -1).some((s) => s === RESERVED_NAME || s === '.' || s === '..' || s === '')) return;
  const stack: Frame[] = [{ abs: `${opts.root}/${startKey}`.replace(/\/$/, ''), key: startKey, slots: [], next: 0 }];
  stack[0].slots = await slotsOf(stack[0].abs, prefix.slice(cut));
  let rolled: string | undefined;
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.next === f.slots.length) {
      stack.pop();
      continue;
    }
    const s = f.slots[f.next++];
    const key = f.key + s.sortName;
    if (rolled !== undefined && key.startsWith(rolled)) continue;
    const abs = `${f.abs}/${s.name}`;
    const common = delimiter === undefined ? undefined : rollUp(key, prefix.length, delimiter);
    if (common !== undefined) {
      if (!(await (s.below ? hasSubdirectory(abs) : hasVersionsDir(abs)))) continue;
      if (isAfter(common)) yield { type: 'prefix', prefix: common };
      rolled = common;
      continue;
    }
    if (s.below) {
      // Every key below sorts before startAfter: nothing to read there.
      if (after !== undefined && compareUtf8(key, after) <= 0 && !after.startsWith(key)) continue;
      stack.push({ abs, key, slots: await slotsOf(abs), next: 0 });
    } else if (isAfter(key) && (await hasVersionsDir(abs))) {
      yield { type: 'key', key };
    }
  }
}

/** Whether any key has a kept version or delete marker: DeleteBucket answers BucketNotEmpty while one does. */
export async function hasKeptVersions(root: string): Promise<boolean> {
  const walker = walkKept({ root, prefix: '' });
  try {
    return !(await walker.next()).done;
  } finally {
    await walker.return(undefined);
  }
}

/** The sorted slots of the directory `abs`: two per subdirectory (its key, and the keys below it). */
async function slotsOf(abs: string, namePrefix = ''): Promise<Slot[]> {
  let entries;
  try {
    entries = await readdir(abs, { withFileTypes: true });
  } catch (e) {
    if (isSkippable(e)) return [];
    throw e;
  }
  const slots: Slot[] = [];
  for (const d of entries) {
    if (!d.isDirectory() || d.name === RESERVED_NAME || !d.name.startsWith(namePrefix)) continue;
    slots.push({ sortName: d.name, name: d.name, below: false }, { sortName: `${d.name}/`, name: d.name, below: true });
  }
  return slots.sort((a, b) => compareUtf8(a.sortName, b.sortName));
}

// A directory of the store holds keys below it when it has a subdirectory other than its own versions'.
// (Emptied directories are pruned, so one is enough to know; a stale one costs only a phantom prefix.)
async function hasSubdirectory(abs: string): Promise<boolean> {
  return (await slotsOf(abs)).length > 0;
}

async function hasVersionsDir(abs: string): Promise<boolean> {
  return (await lstat(`${abs}/${RESERVED_NAME}`).catch(() => undefined))?.isDirectory() === true;
}

/** The common prefix `key` rolls up into: up to and including the first delimiter after the prefix. */
function rollUp(key: string, prefixLength: number, delimiter: string): string | undefined {
  const at = key.indexOf(delimiter, prefixLength);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}
