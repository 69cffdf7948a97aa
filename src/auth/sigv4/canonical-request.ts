/** The canonical request: the six lines both sides hash, so that equal requests give equal signatures. */

export interface CanonicalRequestParts {
  method: string;
  /** Already encoded (see canonical-uri.ts). */
  canonicalUri: string;
  /** Already encoded and sorted (see canonical-query.ts). */
  canonicalQuery: string;
  /** The `name:value\n` block (see canonical-headers.ts). */
  canonicalHeaders: string;
  /** Lower-case names joined by ';', as the client listed them. */
  signedHeaders: string;
  /** Hex SHA-256 of the body, or UNSIGNED-PAYLOAD / STREAMING-… as the client declared. */
  payloadHash: string;
}

/** Join the parts into the canonical request (a string of one char per byte). */
export function canonicalRequest(p: CanonicalRequestParts): string {
  return [p.method, p.canonicalUri, p.canonicalQuery, p.canonicalHeaders, p.signedHeaders, p.payloadHash].join('\n');
}
