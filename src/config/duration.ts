/**
 * The one duration grammar, for the configuration file and every command line: a whole number and a unit,
 * `90s 30m 12h 7d 2w 1y`, a bare number of seconds (`45`), or `0`. Each setting says which of these it takes.
 */
import { ConfigError } from './config-error.js';

/** A duration unit and its length in ms. */
export const DURATION_UNITS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 } as const;

export type DurationUnit = keyof typeof DURATION_UNITS;

/** What a setting takes beyond the grammar, and how it words a refusal. */
export interface DurationRules {
  /** Units allowed (default all). */
  units?: readonly DurationUnit[];
  /** Whether `0` is allowed (default true: "never" for an expiry). */
  zero?: boolean;
  /** Whether a number without a unit (seconds) is allowed (default true). */
  bare?: boolean;
  /** The refusal's message for `text` (default: a generic one). */
  message?: (text: string) => string;
}

/**
 * The ms of `text` under the grammar, or undefined when it is not a duration. Spaces around and between the
 * number and its unit are allowed; at most 9 digits, so the product stays a safe integer.
 */
export function durationMs(text: string): { ms: number; unit: DurationUnit | undefined } | undefined {
  const m = /^\s*(\d{1,9})\s*([smhdwy]?)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = (m[2] || undefined) as DurationUnit | undefined;
  return { ms: Number(m[1]) * DURATION_UNITS[unit ?? 's'], unit };
}

/** The ms of `text`, or a ConfigError (with `rules.message`) when it is not a duration this setting takes. */
export function parseDuration(text: string, rules: DurationRules = {}): number {
  const d = durationMs(text);
  const ok = d !== undefined &&
    (d.unit === undefined ? rules.bare !== false || d.ms === 0 : (rules.units ?? UNIT_LIST).includes(d.unit)) &&
    (d.ms > 0 || rules.zero !== false);
  if (!ok) throw new ConfigError(rules.message?.(text) ?? `"${text}" is not a duration: expected a number and a unit (${(rules.units ?? UNIT_LIST).join(', ')}), e.g. 90d`);
  return d.ms;
}

const UNIT_LIST = Object.keys(DURATION_UNITS) as DurationUnit[];

/** An access key's lifetime (`dirbucket key create --expires`): positive, with a unit. */
export function parseKeyLifetime(text: string): number {
  return parseDuration(text, { zero: false, bare: false, message: (t) => `"${t}" is not a duration: expected a positive number and a unit (s, m, h, d, w, y), e.g. 90d` });
}

/** How long an unfinished multipart upload is kept (`--multipart-expiry`, `multipartExpiry`); 0 is never. */
export function parseExpiry(text: string, field: string): number {
  return parseDuration(text, { units: ['s', 'm', 'h', 'd'], message: (t) => `${field}: expected a duration such as 7d, 12h, 30m or 90s (or 0 for never), got "${t}"` });
}

/** The length of a lifecycle day in seconds (`--lifecycle-day-seconds`, `lifecycleDaySeconds`): a whole number from 1. */
export function parseDaySeconds(v: unknown, at: { name: string }): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{1,9}\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new ConfigError(`${at.name}: expected a whole number of seconds from 1, got ${JSON.stringify(v)}`);
  return n;
}
