/** Start-up's one note on the root's directories that are not buckets: in the banner, and as a log line for service logs. */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { notBucketDirectories } from './known-buckets.js';

/** The root's directories with names S3 does not allow (none in mapped mode), logged once; for the banner. */
export function notBucketsAtRoot(config: Config, log: Logger): string[] {
  if (config.root === undefined) return [];
  const names = notBucketDirectories(config.root);
  if (names.length) log.warn({ directories: names }, `not served as buckets: ${names.length} director${names.length === 1 ? 'y' : 'ies'} at the root with names S3 does not allow as bucket names (3-63 characters of a-z, 0-9, dots and dashes)`);
  return names;
}
