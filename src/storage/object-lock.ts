/**
 * Object lock as the storage interface speaks of it: a bucket's lock configuration and one version's retention
 * and legal hold. Dates are ISO 8601 strings, so the same shapes go into JSON files unchanged.
 */

/** GOVERNANCE: a user allowed to bypass may shorten or remove it; COMPLIANCE: nobody may, until it ends. */
export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

/** A version's retention: it may not be deleted or overwritten in place before `retainUntil`. */
export interface Retention {
  mode: RetentionMode;
  /** ISO 8601, to the millisecond. */
  retainUntil: string;
}

/** The lock of one version: retention, legal hold, both or neither. */
export interface ObjectLock {
  retention?: Retention;
  /** ON while true: no deletion, whatever the retention. */
  legalHold?: boolean;
}

/** The retention a lock-enabled bucket stamps on each new version written without its own: Days or Years. */
export interface DefaultRetention {
  mode: RetentionMode;
  days?: number;
  years?: number;
}

/** A bucket's object lock configuration: lock is enabled (for good), with or without a default retention. */
export interface ObjectLockConfiguration {
  enabled: true;
  defaultRetention?: DefaultRetention;
}

/** How a bucket's locks are enforced: by the file system too (immutable files, as root), or by the gateway alone. */
export type LockEnforcement = 'file-system' | 'gateway';
