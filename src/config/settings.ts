/**
 * Every setting of `serve`, one entry each: the configuration file, the command line, the defaults and
 * `--help` are read off this list, so a new setting (TLS files, an archive folder, workers) is one entry here.
 */
import { parseDaySeconds, parseExpiry } from './duration.js';
import { parseListen } from './listen.js';
import { mappedBuckets } from './mapped-buckets.js';
import { parseProxies } from './proxies.js';
import { parseTlsPairs, pathList } from './tls-pairs.js';
import { parseWorkers } from './workers.js';
import { oneOf, pathIn, setting, text, yesNo, type Origin } from './setting.js';

export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export const METADATA_MODES = ['auto', 'xattr', 'sidecar'] as const;
export const WITHOUT_CHOWN = ['own-identity', 'refuse'] as const;
export const IDENTITY_MODES = ['user', 'bucket'] as const;

/** The settings, in the order `--help` lists them. */
export const SETTINGS = [
  setting({
    field: 'root', flag: 'root', arg: 'DIR', parse: pathIn,
    help: 'serve every subdirectory of DIR with a valid bucket name as a bucket (created if missing; CreateBucket makes new subdirectories)',
  }),
  setting({ field: 'buckets', default: [], parse: mappedBuckets }),
  setting({
    field: 'listen', flag: 'listen', arg: 'HOST:PORT', default: { host: '127.0.0.1', port: 9000 },
    parse: (v: unknown, at: Origin) => parseListen(text(v, at), at.name),
    help: 'address to listen on (default 127.0.0.1:9000; port 0 picks a free port)',
  }),
  setting({
    field: 'adminListen', flag: 'admin-listen', arg: 'HOST:PORT', default: { host: '127.0.0.1', port: 9001 } as { host: string; port: number } | null,
    parse: (v: unknown, at: Origin) => (v === 'off' || v === false ? null : parseListen(text(v, at), at.name)),
    help: 'address of the admin listener: /health/live, /health/ready, /metrics (Prometheus), /certificates (default 127.0.0.1:9001; off: none)',
  }),
  setting({
    field: 'adminTls', flag: 'admin-tls', sets: true, parse: yesNo,
    help: 'serve the admin listener (console and admin API) over HTTPS too, with the S3 listener\'s certificates (reloaded with them); the session cookie is then Secure',
  }),
  setting({
    field: 'tlsCert', key: null, flag: 'tls-cert', arg: 'FILE', multiple: true, parse: pathList,
    help: 'serve HTTPS (TLS 1.2 and 1.3) with the certificate chain in FILE (PEM); one certificate and one key per name served, chosen by SNI (the first one for clients without); the files are reloaded when they change and on SIGHUP',
  }),
  setting({ field: 'tlsKey', key: null, flag: 'tls-key', arg: 'FILE', multiple: true, parse: pathList, help: "the private key (PEM) of the certificate given at the same position" }),
  // In the file: `tls: {cert, key}` or a list of them.
  setting({ field: 'tls', parse: parseTlsPairs }),
  setting({
    field: 'accessLog', flag: 'access-log', arg: 'FILE', parse: pathIn,
    help: 'write the access lines (one JSON line per request) to FILE, appended, apart from the server log',
  }),
  setting({
    field: 'trustedProxies', flag: 'trusted-proxies', arg: 'LIST', default: [] as string[], parse: parseProxies,
    help: 'addresses or CIDR ranges (comma-separated) of proxies whose X-Forwarded-For names the client in access lines',
  }),
  setting({
    field: 'workers', flag: 'workers', arg: 'N', default: 1 as number | 'auto', parse: parseWorkers,
    help: 'serve with N processes sharing the listeners (default 1; auto: one per core); a process that dies is restarted, background jobs run in one of them',
  }),
  setting({ field: 'region', flag: 'region', arg: 'NAME', default: 'us-east-1', parse: text, help: 'region reported to clients (default us-east-1)' }),
  setting({
    field: 'domain', flag: 'domain', arg: 'NAME', parse: (v: unknown, at: Origin) => text(v, at).toLowerCase(),
    help: 'enable virtual-hosted-style requests: BUCKET.NAME addresses BUCKET',
  }),
  setting({
    field: 'logLevel', flag: 'log-level', arg: 'LEVEL', default: 'info', parse: oneOf(LOG_LEVELS),
    help: 'silent, error, warn, info (default: one JSON access line per request), debug',
  }),
  setting({
    field: 'metadata', flag: 'metadata', arg: 'MODE', default: 'auto', parse: oneOf(METADATA_MODES),
    help: "where object metadata is kept: auto (extended attributes where the file system has them, else the bucket's state directory), xattr, or sidecar",
  }),
  setting({ field: 'fsync', flag: 'no-fsync', sets: false, default: true, parse: yesNo, help: 'do not fsync data before answering a write (faster, not durable)' }),
  setting({
    field: 'followSymlinks', flag: 'follow-symlinks', sets: true, default: false, parse: yesNo,
    help: 'follow symbolic links that stay inside the bucket (default: not followed)',
  }),
  setting({
    field: 'withoutChown', flag: 'without-chown', arg: 'WHAT', default: 'own-identity', parse: oneOf(WITHOUT_CHOWN),
    help: "when not allowed to change file ownership (not root, no CAP_CHOWN): serve only users whose identity is the gateway's own (own-identity, the default), or refuse to start (refuse)",
  }),
  setting({
    field: 'multipartExpiryMs', key: 'multipartExpiry', flag: 'multipart-expiry', arg: 'D', default: 7 * 24 * 60 * 60 * 1000,
    // The file may give seconds as a number.
    parse: (v: unknown, at: Origin) => parseExpiry(typeof v === 'number' ? String(v) : typeof v === 'string' ? v : JSON.stringify(v), at.name),
    help: 'remove multipart uploads not completed after D (7d by default; 12h, 30m, 90s; 0: never); the background sweep is safe with several gateways on one tree',
  }),
  setting({
    field: 'identityMode', flag: 'identity-mode', arg: 'MODE', default: 'user', parse: oneOf(IDENTITY_MODES),
    help: "whom requests act as on the file system: user (default: each user's own identity, so the file system's permissions apply to every user), or bucket (every request to a bucket acts as the bucket's identity: the one set for it, else its creator's, else the gateway's own; S3 rights, ACLs and policies decide among users). A bucket with an identity set (dirbucket bucket identity, or identity in a mapped bucket's entry) acts as it in either mode; a mapped bucket's identityMode is its own",
  }),
  setting({
    field: 'anonymousIdentity', flag: 'anonymous-identity', arg: 'WHO', default: 'nobody', parse: text,
    help: 'the identity (login, or UID:GID) unsigned requests act as on the file system (default nobody); they get only what ACL grants to everyone allow',
  }),
  setting({
    field: 'sigv2', flag: 'no-sigv2', sets: false, default: true, parse: yesNo,
    help: 'refuse Signature Version 2 requests (deprecated by AWS; on by default for older clients, s3cmd and boto3 presigned URLs)',
  }),
  setting({
    field: 'archiveDir', flag: 'archive-dir', arg: 'DIR', parse: pathIn,
    help: 'the archive tier: where the data of GLACIER, DEEP_ARCHIVE and GLACIER_IR objects goes (any directory, typically a mount of cheaper storage); without it those storage classes are refused',
  }),
  setting({
    field: 'lifecycleDaySeconds', flag: 'lifecycle-day-seconds', arg: 'N', default: 86_400, parse: parseDaySeconds,
    help: 'how many seconds a day lasts for lifecycle ages, transitions and restore expiry (default 86400; for tests and demos)',
  }),
  // Where the gateway keeps its own state (credentials, users): `<root>/.dirbucket` in root mode when unset.
  setting({ field: 'stateDir', key: 'state', parse: pathIn }),
] as const;
