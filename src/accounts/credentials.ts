/** Access keys as authentication sees them: who owns a key, its secret, and when it stops working. */

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  /** The user the key belongs to. */
  user: string;
  /** After this instant the key is refused. */
  expires?: Date;
  /** Set when the key was revoked: it is refused, with a message saying so. */
  revoked?: Date;
}

/** Where authentication looks up access keys. */
export interface CredentialStore {
  lookup(accessKeyId: string): Credential | undefined;
}
