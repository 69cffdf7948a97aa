/**
 * Signing a request with SigV4 (Authorization header), for the gateway's own clients (the command line's
 * --endpoint): the same canonicalization steps the verifier runs, so the two can never disagree on a request
 * either side builds. Interoperability with other signers is the tests' business (@smithy/signature-v4).
 */
import { formatAmzDate } from './amz-date.js';
import { canonicalHeaders } from './canonical-headers.js';
import { canonicalQuery } from './canonical-query.js';
import { canonicalRequest } from './canonical-request.js';
import { canonicalUri } from './canonical-uri.js';
import { ALGORITHM, credentialScope, sha256Hex, sign, stringToSign } from './signature.js';
import { signingKey } from './signing-key.js';

/** What to sign: the request target as sent (path and query, percent-encoded), its headers and body. */
export interface RequestToSign {
  method: string;
  /** Path and query as they go on the wire, e.g. `/admin/v1/users/alice?x=1`. */
  target: string;
  /** Host (with port) and any other headers to sign; lower-case names. */
  headers: Record<string, string>;
  body: Uint8Array;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  now?: Date;
}

/** The headers to send: the given ones plus x-amz-date, x-amz-content-sha256 and Authorization. */
export function signRequest(r: RequestToSign): Record<string, string> {
  const amzDate = formatAmzDate(r.now ?? new Date());
  const payloadHash = sha256Hex(r.body);
  const headers: Record<string, string> = { ...r.headers, 'x-amz-date': amzDate, 'x-amz-content-sha256': payloadHash };
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
  const q = r.target.indexOf('?');
  const canonical = canonicalRequest({
    method: r.method,
    canonicalUri: canonicalUri(q < 0 ? r.target : r.target.slice(0, q)),
    canonicalQuery: canonicalQuery(q < 0 ? '' : r.target.slice(q + 1)),
    canonicalHeaders: canonicalHeaders(names, (n) => [headers[n]!]),
    signedHeaders: names.join(';'),
    payloadHash,
  });
  const date = amzDate.slice(0, 8);
  const scope = credentialScope(date, r.region, r.service);
  const signature = sign(signingKey(r.secretAccessKey, date, r.region, r.service), stringToSign(amzDate, scope, canonical));
  headers.authorization = `${ALGORITHM} Credential=${r.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}
