/** The admin API's answers, as docs/admin-api.md describes them. */

/** GET /session, POST /session. */
export interface Me {
  user: string;
  accessKeyId: string;
  admin: boolean;
  canCreateBuckets: boolean;
  expires: string;
  csrfToken: string;
}

export interface Bucket {
  name: string;
  creationDate: string;
  access: 'read-only' | 'read-write' | 'none' | string;
}

export interface Key {
  user?: string;
  accessKeyId: string;
  created: string;
  expires?: string;
  revoked?: string;
  status: 'active' | 'expired' | 'revoked';
}

export interface User {
  name: string;
  uid: number;
  gid: number;
  groups: number[];
  systemUser?: string;
  admin: boolean;
  canCreateBuckets: boolean;
  buckets: Record<string, string>;
  keys: Key[];
  created: string;
}

/** POST /keys: the one answer with the secret. */
export interface NewKey {
  user: string;
  accessKeyId: string;
  secretAccessKey: string;
  created: string;
  expires?: string;
}

export interface Grant {
  user: string;
  bucket: string;
  access: string;
}

export interface Certificate {
  file: string;
  subject: string;
  names: string[];
  issuer: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  status: 'valid' | 'expiring' | 'expired';
  listener?: string;
}

export interface ServerInfo {
  version: string;
  startedAt: string;
  uptimeSeconds: number;
  region: string;
  identityMode: 'user' | 'bucket';
  chown: boolean;
  storage: { root?: string; buckets: number };
  listeners: { name: string; endpoint: string }[];
  fileSystems: { what: string; dir: string; type: string; network: boolean; xattrs: boolean; reflink: boolean; immutable: boolean; problem?: string }[];
}

export interface Job {
  name: string;
  intervalMs: number;
  runsHere: boolean;
  running: boolean;
  runs: number;
  failures: number;
  nextRun?: string;
  lastRun?: { started: string; ended: string; ok: boolean; ms: number; error?: string };
  lastFailure?: { at: string; error: string };
}

/** A lifecycle rule, as GET /buckets/:b/lifecycle answers (docs/admin-api.md). */
export interface LifecycleRule {
  id?: string;
  enabled: boolean;
  filter: { form: 'prefix' | 'filter' | 'and'; prefix?: string; tags: { key: string; value: string }[]; sizeGreaterThan?: number; sizeLessThan?: number };
  expiration?: { days?: number; date?: string; expiredObjectDeleteMarker?: boolean };
  transitions: { days?: number; date?: string; storageClass: string }[];
  noncurrentExpiration?: { noncurrentDays: number; newerNoncurrentVersions?: number };
  noncurrentTransitions: { noncurrentDays: number; newerNoncurrentVersions?: number; storageClass: string }[];
  abortIncompleteMultipartUploadDays?: number;
}

/** GET /buckets/:b. */
export interface BucketDetails {
  name: string;
  creationDate: string;
  owner?: string;
  access: string;
  /** The storage classes usable in the bucket (the archive ones with an archive tier). */
  storageClasses: string[];
}
