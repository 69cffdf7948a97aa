/**
 * CORS rule matching, as S3 evaluates a bucket's rules: the first rule whose origins, methods and (for a
 * preflight) headers all allow the request wins, and its settings make the response headers. Pure functions.
 */
import type { CorsRule } from '../../storage/bucket-config.js';

/** What a browser asks: its Origin, the method (for a preflight, Access-Control-Request-Method), and headers. */
export interface CorsAsk {
  origin: string;
  method: string;
  /** Access-Control-Request-Headers of a preflight, lower-case; empty for actual requests. */
  headers: readonly string[];
}

/** Whether `value` matches `pattern`, where each `*` in the pattern stands for any run of characters. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = value.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

/** Splits a comma-separated header list (Access-Control-Request-Headers) into lower-case names. */
export function headerList(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
}

// Origins compare as sent (browsers send scheme and host lower-case); header names case-insensitively.
function allows(rule: CorsRule, ask: CorsAsk): boolean {
  if (!rule.allowedOrigins.some((o) => wildcardMatch(o, ask.origin))) return false;
  if (!rule.allowedMethods.includes(ask.method)) return false;
  const allowed = rule.allowedHeaders.map((h) => h.toLowerCase());
  return ask.headers.every((h) => allowed.some((a) => wildcardMatch(a, h)));
}

/** The first rule allowing the request, or undefined. */
export function matchRule(rules: readonly CorsRule[], ask: CorsAsk): CorsRule | undefined {
  return rules.find((r) => allows(r, ask));
}

/**
 * The CORS response headers for a request that `rule` allows. A rule allowing any origin (`*`) answers `*` and
 * no credentials; otherwise the origin is echoed with credentials allowed, and caches must vary on it.
 * `preflight` adds the headers only a preflight answer carries.
 */
export function corsResponseHeaders(rule: CorsRule, ask: CorsAsk, preflight: boolean): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const h: Record<string, string> = {
    'Access-Control-Allow-Origin': anyOrigin ? '*' : ask.origin,
    'Access-Control-Allow-Methods': rule.allowedMethods.join(', '),
  };
  if (!anyOrigin) h['Access-Control-Allow-Credentials'] = 'true';
  if (preflight && ask.headers.length > 0) h['Access-Control-Allow-Headers'] = ask.headers.join(', ');
  if (rule.exposeHeaders.length > 0) h['Access-Control-Expose-Headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) h['Access-Control-Max-Age'] = String(rule.maxAgeSeconds);
  h['Vary'] = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';
  return h;
}
