/** What a user checks about a certificate: who it names, who issued it, and when it expires. */
import type { X509Certificate } from 'node:crypto';

/** A certificate described for `cert status`, the admin endpoint and the logs. */
export interface CertificateInfo {
  /** The certificate file. */
  file: string;
  subject: string;
  /** The DNS names and IP addresses it is valid for (subjectAltName, else the subject's CN). */
  names: string[];
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** Whole days until notAfter; negative once expired. */
  daysLeft: number;
}

/** A certificate expiring within this many days is warned about, at start-up and daily. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

/** The names a certificate serves: its subjectAltName DNS and IP entries, or its subject's CN when it has none. */
export function certificateNames(x: X509Certificate): string[] {
  const alt = (x.subjectAltName ?? '').split(/,\s*/).flatMap((entry) => {
    const m = /^(DNS|IP Address):(.+)$/.exec(entry);
    return m ? [m[2]!.toLowerCase()] : [];
  });
  if (alt.length) return alt;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(x.subject);
  return cn ? [cn[1]!.toLowerCase()] : [];
}

/** Describes `x`, read from `file`, as of `now`. */
export function describeCertificate(file: string, x: X509Certificate, now = Date.now()): CertificateInfo {
  const notAfter = new Date(x.validTo);
  return {
    file,
    subject: x.subject.replace(/\n/g, ', '),
    names: certificateNames(x),
    issuer: x.issuer.replace(/\n/g, ', '),
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now) / DAY_MS),
  };
}
