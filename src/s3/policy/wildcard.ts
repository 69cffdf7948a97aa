/** IAM wildcard matching: `*` is any run of characters (including none and `/`), `?` exactly one character. */

/**
 * Whether `value` matches `pattern`. Linear backtracking on the last `*` seen, so a hostile pattern such
 * as `*a*a*a*b` costs O(pattern × value), never exponential time.
 */
export function wildcardMatch(pattern: string, value: string, opts: { ignoreCase?: boolean } = {}): boolean {
  const p = opts.ignoreCase ? pattern.toLowerCase() : pattern;
  const v = opts.ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let resume = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      resume = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** Whether a pattern holds a wildcard at all. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
