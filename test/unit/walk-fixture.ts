/** Shared by the walk tests: real temp trees, a collecting walk, and the brute-force reference listing. */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { walk, type WalkItem, type WalkOptions } from '../../src/storage/posix/list/walk.js';
import { RESERVED_NAME } from '../../src/storage/posix/paths/reserved.js';

/** Makes a temp directory holding `paths` (ending in '/': a directory, else a file holding its own path). */
export function makeTree(paths: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'walk-'));
  try {
    addToTree(root, paths);
  } catch (err) {
    removeTree(root);
    throw err;
  }
  return root;
}

/** Adds `paths` (as in makeTree) under `root`. */
export function addToTree(root: string, paths: readonly string[]): void {
  for (const p of paths) {
    if (p.endsWith('/')) mkdirSync(join(root, p), { recursive: true });
    else {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), p);
    }
  }
}

/** Removes a tree made by makeTree. */
export function removeTree(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** An item as a plain string: the key, or the common prefix marked with 'P:'. */
export function itemName(item: WalkItem): string {
  return item.type === 'object' ? item.key : `P:${item.prefix}`;
}

/** Walks to the end and returns the item names; directory objects are the keys in `dirObjects`. */
export async function list(
  root: string,
  opts: Partial<Omit<WalkOptions, 'root' | 'isDirectoryObject'>> = {},
  dirObjects: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const out: string[] = [];
  const items = walk({
    root,
    prefix: '',
    followSymlinks: false,
    isDirectoryObject: (_abs, key) => dirObjects.has(key),
    ...opts,
  });
  for await (const item of items) {
    out.push(itemName(item));
    if (out.length > 100_000) throw new Error('walk did not end');
  }
  return out;
}

/** Orders strings by their UTF-8 bytes: the outside truth for S3 order. */
export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Every key in a plain tree (no links or specials), found the simplest way: all files, plus directory objects. */
export function allKeys(root: string, dirObjects: ReadonlySet<string>): string[] {
  const keys: string[] = [];
  const visit = (dir: string, key: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (d.name === RESERVED_NAME) continue;
      if (d.isFile()) keys.push(key + d.name);
      else if (d.isDirectory()) {
        if (dirObjects.has(key + d.name + '/')) keys.push(key + d.name + '/');
        visit(join(dir, d.name), key + d.name + '/');
      }
    }
  };
  visit(root, '');
  return keys;
}

/**
 * The reference listing, straight from the S3 rules: sort all keys by bytes, keep those under the prefix,
 * roll each up to prefix + remainder through the first delimiter, drop repeats, keep items after startAfter.
 */
export function reference(keys: readonly string[], prefix: string, delimiter?: string, startAfter?: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const key of [...keys].sort(byBytes)) {
    if (!key.startsWith(prefix)) continue;
    const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const item = at < 0 ? key : `P:${key.slice(0, at + delimiter!.length)}`;
    if (seen.has(item)) continue;
    seen.add(item);
    if (startAfter && byBytes(sortable(item), startAfter) <= 0) continue;
    out.push(item);
  }
  return out;
}

/** The string an item name sorts by: the key, or the common prefix. */
export function sortable(item: string): string {
  return item.startsWith('P:') ? item.slice(2) : item;
}
