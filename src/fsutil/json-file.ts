/** Small JSON state files: written whole or not at all (atomic-write.ts), read back leniently. */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic, writeFileAtomicSync, type AtomicWriteOptions } from './atomic-write.js';

/** How a JSON file is written: atomically, and either compact or for people to read. */
export interface JsonWriteOptions extends AtomicWriteOptions {
  /** Two-space indentation and a final newline, for files people read and edit (default compact). */
  pretty?: boolean;
}

/** The text of `value` as written. */
export function jsonText(value: unknown, pretty = false): string {
  return pretty ? JSON.stringify(value, null, 2) + '\n' : JSON.stringify(value);
}

/** Writes `value` as JSON to `path` atomically (see writeFileAtomic). */
export function writeJsonFile(path: string, value: unknown, opts: JsonWriteOptions = {}): Promise<void> {
  return writeFileAtomic(path, jsonText(value, opts.pretty), opts);
}

/** writeJsonFile, blocking: for start-up. */
export function writeJsonFileSync(path: string, value: unknown, opts: Omit<JsonWriteOptions, 'syncDir'> = {}): void {
  writeFileAtomicSync(path, jsonText(value, opts.pretty), opts);
}

/** The parsed JSON at `path`, or undefined when the file is missing (or its directory is) or unreadable as JSON. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // a torn file cannot exist (atomic writes); anything else is not ours to trust
  }
}
