/** The body of a GetBucketLifecycleConfiguration answer: the rules in the shape they were given. */
import type { LifecycleFilter, LifecycleRule, Tag } from '../../storage/backend.js';
import type { XmlObject } from '../xml.js';

const tagXml = (t: Tag): XmlObject => ({ Key: t.key, Value: t.value });
/** A stored date at midnight, written as S3 writes it (2026-01-01T00:00:00.000Z). */
const dateXml = (d: string | undefined): string | undefined => d;

function conditionsXml(f: LifecycleFilter): XmlObject {
  return {
    Prefix: f.prefix,
    Tag: f.tags.map(tagXml),
    ObjectSizeGreaterThan: f.sizeGreaterThan,
    ObjectSizeLessThan: f.sizeLessThan,
  };
}

function ruleXml(r: LifecycleRule): XmlObject {
  const f = r.filter;
  const e = r.expiration;
  return {
    ID: r.id,
    ...(f.form === 'prefix' ? { Prefix: f.prefix ?? '' } : { Filter: f.form === 'and' ? { And: conditionsXml(f) } : conditionsXml(f) }),
    Status: r.enabled ? 'Enabled' : 'Disabled',
    Expiration: e && { Days: e.days, Date: dateXml(e.date), ExpiredObjectDeleteMarker: e.expiredObjectDeleteMarker },
    Transition: r.transitions.map((t) => ({ Days: t.days, Date: dateXml(t.date), StorageClass: t.storageClass })),
    NoncurrentVersionTransition: r.noncurrentTransitions.map((t) => ({
      NoncurrentDays: t.noncurrentDays, StorageClass: t.storageClass, NewerNoncurrentVersions: t.newerNoncurrentVersions,
    })),
    NoncurrentVersionExpiration: r.noncurrentExpiration && {
      NoncurrentDays: r.noncurrentExpiration.noncurrentDays, NewerNoncurrentVersions: r.noncurrentExpiration.newerNoncurrentVersions,
    },
    AbortIncompleteMultipartUpload: r.abortIncompleteMultipartUploadDays === undefined ? undefined : { DaysAfterInitiation: r.abortIncompleteMultipartUploadDays },
  };
}

/** The <LifecycleConfiguration> body for `rules`. */
export function lifecycleConfigurationXml(rules: readonly LifecycleRule[]): XmlObject {
  return { Rule: rules.map(ruleXml) };
}
