/** Request timestamps: the ISO 8601 basic form of x-amz-date (20130524T000000Z); HTTP dates are in http/http-date.ts. */

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parse `YYYYMMDDTHHMMSSZ`; undefined when malformed or not a real date. */
export function parseAmzDate(s: string): Date | undefined {
  const m = AMZ_DATE.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  // Date.UTC rolls 20130231 over into March: refuse what does not round-trip.
  if (t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return undefined;
  return t;
}

/** Format an instant as `YYYYMMDDTHHMMSSZ`. */
export function formatAmzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
