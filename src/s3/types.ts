/** The shapes every handler sees and returns: a typed request in, a response value out. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { AccountBook, Principal } from '../accounts/principal.js';
import type { Backend } from '../storage/backend.js';
import type { Identity } from '../accounts/identity.js';
import type { HeaderBag, HeaderName } from '../http/headers.js';
import type { SignedBy } from './access/request-facts.js';
import type { OperationName } from './operations.js';
import type { IdentitySources } from './rights/acting-identity.js';
import type { XmlObject } from './xml.js';
import type { Logger } from 'pino';

export type { AccountBook, Accounts, Principal } from '../accounts/principal.js';

/** Settings of the front end that handlers read. */
export interface FrontEndSettings {
  region: string;
  /** limit for XML request bodies */
  maxXmlBytes: number;
  /** The identity anonymous requests act as on the file system; without one, anonymous requests are refused. */
  anonymousIdentity?: Identity;
  /** Accept Signature Version 2 (false: refused, as with --no-sigv2). */
  sigv2?: boolean;
  /** How long a lifecycle day lasts, in seconds (86,400 unless --lifecycle-day-seconds shortens it). */
  lifecycleDaySeconds?: number;
  /** Whom requests act as on the file system (rights/acting-identity.ts); absent: identity mode `user`. */
  identities?: Pick<IdentitySources, 'mode' | 'mapped' | 'gateway' | 'ownIdentityOnly'>;
}

export interface S3Request {
  requestId: string;
  operation: OperationName;
  method: string;
  /** Present for every bucket and object operation. */
  bucket: string;
  /** Present for object operations. */
  key: string;
  query: URLSearchParams;
  /** A request header as one string (lower-case name); undefined when absent. */
  header(name: HeaderName): string | undefined;
  /** Every header, for what reads them by prefix (x-amz-meta-*, x-amz-grant-*). */
  headers: IncomingHttpHeaders;
  principal: Principal;
  /**
   * The POSIX identity this request acts as on the file system, resolved once (rights/acting-identity.ts): its
   * principal's own, or in identity mode `bucket` its bucket's. Every storage call that touches files passes it.
   */
  identity: Identity;
  /** The identity `principal` (a POST form's signer) acts as in this request. */
  identityOf(principal: Principal): Identity;
  /** The identity this request's principal acts as in another bucket: a copy's source bucket. */
  identityIn(bucket: string): Promise<Identity>;
  accounts: AccountBook;
  backend: Backend;
  settings: FrontEndSettings;
  log: Logger;
  /** The payload, decoded (aws-chunked framing removed, signatures checked as it streams). */
  body(): Readable;
  /** Trailing headers of an aws-chunked payload, after the body ended. */
  trailers(): Record<string, string>;
  /**
   * Authorization of `operation` on `key` in this bucket for this request (by default its own principal),
   * for operations authorized by their handler (operations.ts `authorizedBy`). Throws AccessDenied.
   */
  authorize(operation: OperationName, key: string, as?: AuthorizeAs): Promise<void>;
  /**
   * Who signed a POST Object form (`fields`: lower-case names) and how: its signer's principal, or the anonymous
   * principal for an unsigned form. Throws the signature's errors, or AccessDenied when anonymous requests are off.
   */
  formSigner(fields: ReadonlyMap<string, string>): FormSigner;
  /** The whole payload, for small XML bodies; over `limit` bytes is an error. */
  readBody(limit: number): Promise<Buffer>;
}

/** Whom S3Request.authorize decides for, when not the request's own signer: a form's signer and its fields. */
export interface AuthorizeAs {
  principal: Principal;
  signedBy?: SignedBy;
  /** Form fields standing in for headers in condition keys (s3:x-amz-acl, …). */
  fields?: HeaderBag;
}

/** The signer of a POST Object form. */
export interface FormSigner {
  principal: Principal;
  /** Undefined for an unsigned (anonymous) form. */
  signedBy?: SignedBy;
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
