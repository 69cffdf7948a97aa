/** Reading request headers by name: Node keeps them lower-case, so names are typed lower-case too. */

/** A header name as Node stores it: lower-case (`'x-amz-copy-source'`, never `'X-Amz-Copy-Source'`). */
export type HeaderName = Lowercase<string>;

/** Request headers as Node hands them out (IncomingHttpHeaders, or a plain record in tests). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/**
 * One header as a single string, undefined when absent. Node already joins repeated headers with ', ' (and
 * drops repeats of single-valued ones); only a few, such as set-cookie, stay arrays: their values are joined
 * with ',' as HTTP lists are.
 */
export function headerOf(headers: HeaderBag, name: HeaderName): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
