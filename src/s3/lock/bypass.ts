/**
 * x-amz-bypass-governance-retention: whether a request may, and asks to, shorten or remove GOVERNANCE retention
 * or delete a version under it. Here the bucket's owner and an administrator may (S3's
 * s3:BypassGovernanceRetention; bucket policies do not grant it here yet); COMPLIANCE is bypassed by nobody.
 */
import type { S3Request } from '../types.js';

/**
 * True when the header asks to bypass and the requester may. Asking without the right bypasses nothing: a
 * version under GOVERNANCE retention is then refused by the lock check (AccessDenied naming the lock), and
 * anything unlocked goes ahead, as S3 does.
 */
export async function bypassGovernance(req: S3Request): Promise<boolean> {
  const asked = req.header('x-amz-bypass-governance-retention');
  if (asked === undefined || asked.trim().toLowerCase() !== 'true') return false;
  if (req.principal.admin) return true;
  const { owner } = await req.backend.headBucket({ bucket: req.bucket });
  return owner !== undefined && owner === req.principal.user;
}
