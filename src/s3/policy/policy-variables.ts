/**
 * Policy variables: `${aws:username}` and friends in Resource and condition values, replaced by the
 * request's value of that key before matching (Version 2012-10-17 only). `${*}`, `${?}` and `${$}` stand for
 * the literal characters, and `${key, 'default'}` gives a value for a key the request lacks.
 */
import type { ConditionValues } from './request-conditions.js';

const VARIABLE = /\$\{([^}]*)\}/g;
const WITH_DEFAULT = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/;

/** Characters that stand for themselves in a pattern once a variable is expanded. */
const LITERALS: Readonly<Record<string, string>> = { '*': '*', '?': '?', '$': '$' };

/**
 * `text` with its variables replaced by the request's values (a multi-valued key's first value), or
 * undefined when a variable has no value and no default: AWS then treats the element as not matching.
 * With `escapeWildcards` (for patterns), a `*` or `?` that comes from a variable's value or from `${*}` is
 * returned marked (markWildcards), so it matches only the same character in a marked request value.
 */
export function expandVariables(text: string, values: ConditionValues, opts: { escapeWildcards?: boolean } = {}): string | undefined {
  let missing = false;
  const mark = (s: string): string => (opts.escapeWildcards ? markWildcards(s) : s);
  const out = text.replace(VARIABLE, (_all, inner: string) => {
    if (inner in LITERALS) return mark(LITERALS[inner]);
    const withDefault = WITH_DEFAULT.exec(inner);
    const key = (withDefault ? withDefault[1] : inner).trim();
    const value = values.get(key.toLowerCase())?.[0] ?? withDefault?.[2];
    if (value === undefined) {
      missing = true;
      return '';
    }
    return mark(value);
  });
  return missing ? undefined : out;
}

/**
 * `*` and `?` as private-use characters that wildcard matching treats as plain characters. Marking both a
 * pattern's literal parts and the value compared with it keeps `${*}` and variables' values literal.
 */
export function markWildcards(text: string): string {
  return text.replaceAll('*', '\uE000').replaceAll('?', '\uE001');
}

/** Whether a string holds a policy variable (a value that is not fixed, for the public-policy rule). */
export function hasVariable(text: string): boolean {
  return /\$\{[^}]*\}/.test(text);
}
