/**
 * HTTP dates (RFC 7231 section 7.1.1.1): IMF-fixdate, which every client sends today, and the two obsolete
 * forms a recipient must still accept (RFC 850 and asctime). Like S3, we also take the RFC 1123 numeric zone
 * (`+0000`, as in AWS's own SigV2 examples) and a missing weekday.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\\s+';
const TIME = '(\\d{1,2}):(\\d{2}):(\\d{2})';
const ZONE = '(gmt|utc|ut|z|[+-]\\d{4})';

/** `Sun, 06 Nov 1994 08:49:37 GMT` (IMF-fixdate / RFC 1123), optionally without the weekday or with a numeric zone. */
const IMF = new RegExp(`^(?:${DAY})?(\\d{1,2})\\s+([a-z]{3})\\s+(\\d{4})\\s+${TIME}\\s+${ZONE}$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT` (RFC 850): a two-digit year. */
const RFC850 = new RegExp(`^(?:${DAY})?(\\d{1,2})-([a-z]{3})-(\\d{2}|\\d{4})\\s+${TIME}\\s+${ZONE}$`);
/** `Sun Nov  6 08:49:37 1994` (asctime): always UTC. */
const ASCTIME = new RegExp(`^(?:${DAY})?([a-z]{3})\\s+(\\d{1,2})\\s+${TIME}\\s+(\\d{4})$`);

/** The instant, or undefined when a field is out of range (Date.UTC would roll 31 Feb into March). */
function instant(year: number, month: string, day: number, h: number, mi: number, s: number, zone: string): Date | undefined {
  const mo = MONTHS.indexOf(month);
  if (mo < 0 || h > 23 || mi > 59 || s > 60) return undefined;
  const t = new Date(Date.UTC(year, mo, day, h, mi, Math.min(s, 59)));
  if (t.getUTCMonth() !== mo || t.getUTCDate() !== day) return undefined;
  if (/^[+-]/.test(zone)) {
    const minutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5));
    t.setTime(t.getTime() - (zone[0] === '-' ? -1 : 1) * minutes * 60_000);
  }
  return t;
}

/** RFC 850's two-digit year: within 50 years of now, as RFC 7231 asks. */
function fullYear(yy: string): number {
  if (yy.length === 4) return Number(yy);
  const now = new Date().getUTCFullYear();
  let y = Math.floor(now / 100) * 100 + Number(yy);
  if (y > now + 50) y -= 100;
  return y;
}

/** Parses an HTTP date; undefined when it is none of the accepted forms (callers then ignore the header). */
export function parseHttpDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const s = value.trim().toLowerCase();
  let m = IMF.exec(s);
  if (m) return instant(Number(m[3]), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), m[7]!);
  m = RFC850.exec(s);
  if (m) return instant(fullYear(m[3]!), m[2]!, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), m[7]!);
  m = ASCTIME.exec(s);
  if (m) return instant(Number(m[6]), m[1]!, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), 'gmt');
  return undefined;
}
