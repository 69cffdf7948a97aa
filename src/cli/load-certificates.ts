/** The certificates `serve` gives its HTTPS listener: loaded and checked (a bad one stops start-up, naming its file), warned of, watched. */
import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config/config.js';
import { tlsPairs } from '../config/tls-pairs.js';
import { CertificateError } from '../server/tls/certificate-pair.js';
import { CertificateStore } from '../server/tls/certificate-store.js';

/**
 * The certificates to serve HTTPS with, or undefined for plain HTTP. `warn`: log those close to expiry (once per
 * host: the primary of --workers does, its workers do not); `watch`: reload them when their files change.
 */
export async function loadCertificates(config: Config, log: Logger, opts: { warn: boolean; watch: boolean }): Promise<CertificateStore | undefined> {
  const pairs = tlsPairs(config);
  if (!pairs.length) return undefined;
  const store = await CertificateStore.load(pairs).catch((e: unknown) => {
    throw e instanceof CertificateError ? new ConfigError(e.message) : e;
  });
  if (opts.warn) store.warnOfExpiry(log);
  if (opts.watch) store.watch(log);
  return store;
}
