/** S3 owners: a stable canonical id and display name per user. */
import { createHash } from 'node:crypto';

export type Owner = { ID: string; DisplayName: string };

/** 64 hex digits, like an S3 canonical user id, derived from the user name so it is the same everywhere. */
export function ownerOf(user: string): Owner {
  return { ID: createHash('sha256').update(`dirbucket-user:${user}`).digest('hex'), DisplayName: user };
}
