/**
 * The request context a policy's conditions read: condition keys and their values. Keys compare
 * case-insensitively, so they are stored lower-cased; a key with no value is absent (not an empty list).
 */

/** Condition keys (lower-cased) → the request's values; multi-valued keys (s3:RequestObjectTagKeys) hold several. */
export type ConditionValues = ReadonlyMap<string, readonly string[]>;

/** Who asks, as policies name them; undefined for an anonymous request. */
export interface PolicyPrincipal {
  user: string;
  /** The user's canonical id (s3/owner.ts). */
  canonicalId: string;
}

/** What the S3 front end knows of a request, in typed form; every field is optional. */
export interface RequestFacts {
  principal?: PolicyPrincipal;
  /** The client's address (IPv4, IPv6 or IPv4-mapped IPv6). */
  sourceIp?: string;
  /** Whether the request came over TLS. */
  secure?: boolean;
  /** The TLS protocol version, e.g. 'TLSv1.3' (s3:TlsVersion takes the number, 1.3). */
  tlsVersion?: string;
  now?: Date;
  userAgent?: string;
  referer?: string;
  /** 'AWS' (V2) or 'AWS4-HMAC-SHA256' (V4); absent for anonymous requests. */
  signatureVersion?: 'AWS' | 'AWS4-HMAC-SHA256';
  /** How the request was authenticated. */
  authType?: 'REST-HEADER' | 'REST-QUERY-STRING' | 'POST';
  /** Further keys as S3 names them (s3:prefix, s3:x-amz-acl, s3:ExistingObjectTag/k, …), any case. */
  s3?: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** The condition keys of a request, from its facts (global aws:* keys and S3's s3:* keys). */
export function requestConditions(f: RequestFacts): ConditionValues {
  const map = new Map<string, readonly string[]>();
  const put = (key: string, value: string | readonly string[] | undefined): void => {
    if (value === undefined) return;
    map.set(key.toLowerCase(), typeof value === 'string' ? [value] : value);
  };
  const now = f.now ?? new Date();
  put('aws:CurrentTime', now.toISOString());
  put('aws:EpochTime', String(Math.floor(now.getTime() / 1000)));
  put('aws:SourceIp', f.sourceIp?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1'));
  put('aws:SecureTransport', f.secure === undefined ? undefined : String(f.secure));
  put('aws:UserAgent', f.userAgent);
  put('aws:Referer', f.referer);
  if (f.principal) {
    put('aws:username', f.principal.user);
    // IAM users' aws:userid is their unique id; the canonical id is ours.
    put('aws:userid', f.principal.canonicalId);
    put('aws:PrincipalType', 'User');
  } else {
    put('aws:PrincipalType', 'Anonymous');
    put('aws:userid', 'anonymous');
  }
  put('s3:signatureversion', f.signatureVersion);
  put('s3:authType', f.authType);
  put('s3:TlsVersion', f.tlsVersion?.replace(/^TLSv/i, ''));
  for (const [key, value] of Object.entries(f.s3 ?? {})) put(key, value);
  return map;
}
