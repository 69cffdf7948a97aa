/**
 * Signatures inside an aws-chunked body (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]): each chunk's
 * signature covers its data and the previous signature (the first one chains from the request's seed
 * signature), so chunks can be neither altered, dropped nor reordered; the trailer signature covers the
 * trailing headers and the last chunk's signature.
 */
import { sign } from './signature.js';

/** SHA-256 of the empty string, the fixed fifth line of a chunk's string to sign. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** What chunk and trailer signatures are computed with, from the request's own signature. */
export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
}

/** The string to sign of one chunk, given the hex SHA-256 of its data. */
export function chunkStringToSign(s: ChunkSigning, previousSignature: string, chunkSha256Hex: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${previousSignature}\n${EMPTY_SHA256}\n${chunkSha256Hex}`;
}

/** The signature of one chunk. */
export function chunkSignature(s: ChunkSigning, previousSignature: string, chunkSha256Hex: string): string {
  return sign(s.signingKey, chunkStringToSign(s, previousSignature, chunkSha256Hex));
}

/** The canonical form of trailing headers that the trailer signature covers: `name:value\n` each. */
export function canonicalTrailers(trailers: ReadonlyArray<readonly [string, string]>): string {
  return trailers.map(([n, v]) => `${n}:${v}\n`).join('');
}

/** The string to sign of the trailer, given the hex SHA-256 of its canonical form. */
export function trailerStringToSign(s: ChunkSigning, previousSignature: string, trailerSha256Hex: string): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${previousSignature}\n${trailerSha256Hex}`;
}

/** The trailer signature. */
export function trailerSignature(s: ChunkSigning, previousSignature: string, trailerSha256Hex: string): string {
  return sign(s.signingKey, trailerStringToSign(s, previousSignature, trailerSha256Hex));
}
