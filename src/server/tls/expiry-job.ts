/** The daily look at certificate expiry: a warning in the log from 30 days before a certificate expires. */
import type { Logger } from 'pino';
import type { Job } from '../jobs.js';
import type { CertificateStore } from './certificate-store.js';

const DAY_MS = 86_400_000;

/** A job warning once a day about each certificate of `store` close to expiry (start-up warns by itself). */
export function expiryWarningJob(store: CertificateStore, log: Logger): Job {
  return { name: 'certificate-expiry', intervalMs: DAY_MS, run: async () => store.warnOfExpiry(log) };
}
