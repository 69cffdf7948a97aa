/** An object's attachments (owner, grants, tags) as records keep them: only the fields that say something. */
import type { ObjectAttachments } from '../../backend.js';

/** The owner, grants and tags of `from` that are set (tags: non-empty), copied, without undefined fields. */
export function attachmentsOf(from: ObjectAttachments): ObjectAttachments {
  const out: ObjectAttachments = {};
  if (from.owner !== undefined) out.owner = from.owner;
  if (from.grants !== undefined) out.grants = from.grants.map((g) => ({ grantee: { ...g.grantee }, permission: g.permission }));
  if (from.tags !== undefined && from.tags.length > 0) out.tags = from.tags.map((t) => ({ key: t.key, value: t.value }));
  return out;
}
