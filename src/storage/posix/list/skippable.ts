/** File-system errors that a listing treats as "this entry is not there", as `ls -R` does. */

const CODES = new Set([
  'ENOENT', // vanished between readdir and the next look
  'ENOTDIR', // replaced by a file meanwhile
  'EACCES', // no permission to read or search it
  'EPERM',
  'ELOOP', // a link loop
]);

/** True when `err` means the entry should be left out of a listing rather than fail it. */
export function isSkippable(err: unknown): boolean {
  return CODES.has((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}
