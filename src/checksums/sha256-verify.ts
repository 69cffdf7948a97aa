/**
 * A pass-through transform that hashes the body and, at its end, compares with the SHA-256 the client
 * declared in x-amz-content-sha256. A mismatch is an error before 'end', so whoever consumes the body
 * never commits bytes the signature did not cover.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../errors/s3-error.js';

/** Passes bytes through; fails with XAmzContentSHA256Mismatch at the end when their SHA-256 is not the declared one. */
export class Sha256Verify extends Transform {
  readonly #expected: string;
  readonly #hash = createHash('sha256');

  /** `expectedHex`: the declared hash, hex (any case). */
  constructor(expectedHex: string) {
    super();
    this.#expected = expectedHex.toLowerCase();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const actual = this.#hash.digest('hex');
    if (actual !== this.#expected) {
      done(new S3Error('XAmzContentSHA256Mismatch', undefined, {
        ClientComputedContentSHA256: this.#expected,
        S3ComputedContentSHA256: actual,
      }));
      return;
    }
    done();
  }
}
