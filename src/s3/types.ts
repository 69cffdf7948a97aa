/** The shapes every handler sees and returns: a typed request in, a response value out. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Credential, CredentialStore } from '../auth/credentials.js';
import type { Backend } from '../storage/backend.js';
import type { Identity } from '../identity/identity.js';
import type { BucketAccess } from '../identity/users-file.js';
import type { XmlObject } from './xml.js';
import type { Logger } from 'pino';

/** Who is asking: the user behind the access key, with the identity and rights requests run with. */
export interface Principal {
  user: string;
  accessKeyId: string;
  /** The POSIX identity the file-system checks are made for, and new files belong to. */
  identity: Identity;
  /** Read-write on every bucket, may create buckets and delete any bucket (file-system checks still apply). */
  admin: boolean;
  canCreateBuckets: boolean;
  /** The user's S3 rights on a bucket (an administrator: read-write everywhere). */
  access(bucket: string): BucketAccess | 'none';
  /** An unsigned request: no rights of its own, only what ACL grants to everyone allow (identity/anonymous.ts). */
  anonymous?: boolean;
}

/** Where handlers record what an S3 operation changes in users' rights (bucket creation and deletion). */
export interface AccountBook {
  /** `user` created `bucket`: read-write for them, no earlier grants of that name for anybody else. */
  bucketCreated(user: string, bucket: string): Promise<void>;
  /** `bucket` was deleted: grants on it go too. */
  bucketDeleted(bucket: string): Promise<void>;
}

/** Users and keys as the front end needs them: key lookup, who a key acts for, and the account book. */
export interface Accounts extends CredentialStore, AccountBook {
  /** The principal of an authenticated key; throws AccessDenied when its user cannot be served. */
  principal(credential: Credential): Principal;
}

/** Settings of the front end that handlers read. */
export interface FrontEndSettings {
  region: string;
  /** limit for XML request bodies */
  maxXmlBytes: number;
  /** The identity anonymous requests act as on the file system; without one, anonymous requests are refused. */
  anonymousIdentity?: Identity;
}

export interface S3Request {
  requestId: string;
  operation: string;
  method: string;
  /** Present for every bucket and object operation. */
  bucket: string;
  /** Present for object operations. */
  key: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  principal: Principal;
  accounts: AccountBook;
  backend: Backend;
  settings: FrontEndSettings;
  log: Logger;
  /** The payload, decoded (aws-chunked framing removed, signatures checked as it streams). */
  body(): Readable;
  /** Trailing headers of an aws-chunked payload, after the body ended. */
  trailers(): Record<string, string>;
  /** The whole payload, for small XML bodies; over `limit` bytes is an error. */
  readBody(limit: number): Promise<Buffer>;
}

export interface S3Response {
  status?: number;
  headers?: Record<string, string | number | undefined>;
  xml?: { root: string; body: XmlObject | string };
  body?: Buffer | string | Readable;
  /** Called once when the response is finished or failed: release handles here. */
  cleanup?: () => Promise<void> | void;
}

export type Handler = (req: S3Request) => Promise<S3Response>;
