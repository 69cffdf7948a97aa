/**
 * A bucket's lifecycle rules as the storage keeps them (bucket.json): the checked form of a
 * <LifecycleConfiguration>. Dates are ISO 8601 strings, so the shapes go into JSON unchanged.
 */
import type { Tag } from './bucket-config.js';

/**
 * Which objects a rule applies to: all of the given conditions hold. `form` keeps how the request said it, so that
 * GetBucketLifecycleConfiguration answers in the same shape: the old top-level <Prefix>, a <Filter> with one
 * condition (or none), or a <Filter><And>.
 */
export interface LifecycleFilter {
  form: 'prefix' | 'filter' | 'and';
  prefix?: string;
  tags: Tag[];
  /** Bytes: only objects larger than this. */
  sizeGreaterThan?: number;
  /** Bytes: only objects smaller than this. */
  sizeLessThan?: number;
}

/** A move of the current version to another storage class, after Days or on a Date (exactly one). */
export interface LifecycleTransition {
  days?: number;
  date?: string;
  storageClass: string;
}

/** A move of noncurrent versions to another storage class, NoncurrentDays after they became noncurrent. */
export interface NoncurrentTransition {
  noncurrentDays: number;
  /** Keep this many newer noncurrent versions where they are. */
  newerNoncurrentVersions?: number;
  storageClass: string;
}

/** One rule: its filter and the actions it takes. */
export interface LifecycleRule {
  id: string;
  /** Status Enabled; a Disabled rule is kept and shown, never applied. */
  enabled: boolean;
  filter: LifecycleFilter;
  /** Current versions: expire Days after their modification or on Date; or remove delete markers left alone. */
  expiration?: { days?: number; date?: string; expiredObjectDeleteMarker?: boolean };
  transitions: LifecycleTransition[];
  noncurrentExpiration?: { noncurrentDays: number; newerNoncurrentVersions?: number };
  noncurrentTransitions: NoncurrentTransition[];
  /** Abort multipart uploads this many days after they were initiated. */
  abortIncompleteMultipartUploadDays?: number;
}
