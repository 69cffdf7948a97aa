/**
 * The CanonicalURI line of an S3 canonical request. S3 signs the path as the client sent it, encoded once
 * and never normalised ('.', '..' and '//' stay). Clients differ in which characters they escape, so the
 * path is decoded to bytes and re-encoded by AWS's rule; `rawPathForm` is the second chance: the path
 * exactly as received, for clients whose own encoding the re-encoding does not reproduce.
 */
import { bytesOf, percentDecodeToBytes, uriEncodeBytes } from './uri-encode.js';

/** The path re-encoded per AWS (unreserved and '/' kept, the rest %XX); '' becomes '/'. */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  return uriEncodeBytes(percentDecodeToBytes(rawPath), true);
}

/** The path as received, one char per byte; '' becomes '/'. */
export function rawPathForm(rawPath: string): string {
  if (rawPath === '') return '/';
  return bytesOf(rawPath).toString('latin1');
}
