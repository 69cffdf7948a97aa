/** Durations as the command line takes them: a number and a unit, `90d`, `12h`, `30m`, `45s`, `2w`, `1y`. */

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, y: 365 * 86_400_000 };

/** Milliseconds of `text`; throws an Error that says what is accepted. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,9})([smhdwy])$/.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]!]! : NaN;
  if (!m || !(ms > 0)) throw new Error(`"${text}" is not a duration: expected a positive number and a unit (s, m, h, d, w, y), e.g. 90d`);
  return ms;
}
