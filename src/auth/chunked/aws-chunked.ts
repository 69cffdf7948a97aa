/**
 * The request body as the storage layer needs it, whatever the client's payload mode: aws-chunked framing
 * removed, signatures and declared hashes and lengths checked, trailing headers exposed. Each check fails
 * the stream (an S3Error as 'error') before its 'end'.
 */
import type { Readable, Transform } from 'node:stream';
import type { AuthResult, PayloadMode } from '../authenticate.js';
import { parsePayloadMode } from '../payload-mode.js';
import { S3Error, isS3Error } from '../../errors/s3-error.js';
import { AwsChunkedDecoder } from './aws-chunked-decoder.js';
import { headerOf } from '../../http/headers.js';
import { Sha256Verify } from '../../checksums/sha256-verify.js';
import { Md5Verify } from '../../checksums/md5-verify.js';

type Headers = Record<string, string | string[] | undefined>;

export interface DecodedBody {
  /** The payload bytes only: no chunk framing ever. */
  body: Readable;
  /** Trailing headers (lower-case names), available after `body` has ended. */
  trailers(): Record<string, string>;
}

/** What an unauthenticated request's x-amz-content-sha256 asks for; signed streaming cannot be checked without a signature. */
function anonymousMode(headers: Headers): PayloadMode {
  const declared = headerOf(headers, 'x-amz-content-sha256')?.trim();
  if (declared === undefined) return { kind: 'unsigned' };
  const mode = parsePayloadMode(declared);
  if (mode.kind === 'streaming-signed') {
    throw new S3Error('InvalidRequest', 'A signed aws-chunked payload needs a signed request.');
  }
  return mode;
}

function decodedLengthOf(headers: Headers): number | undefined {
  const v = headerOf(headers, 'x-amz-decoded-content-length')?.trim();
  if (v === undefined) return undefined;
  if (!/^\d{1,16}$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new S3Error('InvalidArgument', 'x-amz-decoded-content-length is not a valid length.',
      { ArgumentName: 'x-amz-decoded-content-length', ArgumentValue: v });
  }
  return Number(v);
}

/**
 * Wire the raw request into a transform. The raw stream's failures (client gone) become IncompleteBody on
 * the decoded body. The raw stream is left to its owner (the server decides whether to drain or close it
 * after an error is answered).
 */
function connect(raw: Readable, t: Transform): void {
  const fail = (e?: unknown): void => {
    if (!t.destroyed) t.destroy(isS3Error(e) ? e : new S3Error('IncompleteBody'));
  };
  raw.on('error', fail);
  raw.on('close', () => {
    if (!raw.readableEnded) fail();
  });
  // The body may fail (client gone, bad signature) when no consumer listens any more, e.g. after a
  // handler answered early: an 'error' without listeners would take the process down. Consumers that do
  // listen (or use pipeline / for await) still get it.
  t.on('error', () => {});
  raw.pipe(t);
}

/**
 * Wraps the raw request stream per the payload mode: verifies sha256 (XAmzContentSHA256Mismatch at end of
 * stream) or a V2-signed Content-MD5 (BadDigest), decodes aws-chunked (every chunk signature checked: SignatureDoesNotMatch; malformed framing:
 * IncompleteBody or InvalidRequest), checks the trailer signature in the signed-trailer mode, and checks
 * x-amz-decoded-content-length against the decoded byte count (IncompleteBody). Header-level problems
 * (a bad x-amz-decoded-content-length) throw at once.
 */
export function decodeBody(raw: Readable, auth: AuthResult | undefined, headers: Headers): DecodedBody {
  const mode = auth?.payload ?? anonymousMode(headers);
  switch (mode.kind) {
    case 'unsigned':
      return { body: raw, trailers: () => ({}) };
    case 'sha256': {
      const t = new Sha256Verify(mode.hash);
      connect(raw, t);
      return { body: t, trailers: () => ({}) };
    }
    case 'md5': {
      const t = new Md5Verify(mode.digest);
      connect(raw, t);
      return { body: t, trailers: () => ({}) };
    }
    case 'streaming-signed':
    case 'streaming-unsigned-trailer': {
      const signing = mode.kind === 'streaming-signed' && auth ? auth.signing : undefined;
      const t = new AwsChunkedDecoder({
        signing,
        trailer: mode.kind === 'streaming-unsigned-trailer' || mode.trailer,
        decodedLength: decodedLengthOf(headers),
        declared: (headerOf(headers, 'x-amz-trailer') ?? '').split(',').map((n) => n.trim().toLowerCase()).filter(Boolean),
      });
      connect(raw, t);
      return { body: t, trailers: () => t.trailers };
    }
  }
}
