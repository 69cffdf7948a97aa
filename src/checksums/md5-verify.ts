/**
 * A pass-through transform that hashes the body and, at its end, compares with the MD5 a Signature V2 request
 * signed in Content-MD5. A mismatch is an error before 'end', so whoever consumes the body never commits bytes
 * the signature did not cover.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../errors/s3-error.js';

/** Passes bytes through; fails with BadDigest at the end when their MD5 is not the declared one (InvalidDigest when it is no MD5 at all). */
export class Md5Verify extends Transform {
  readonly #expected: string;
  readonly #hash = createHash('md5');

  /** `expectedBase64`: the Content-MD5 header's value. */
  constructor(expectedBase64: string) {
    super();
    if (!/^[A-Za-z0-9+/]{22}==$/.test(expectedBase64)) throw new S3Error('InvalidDigest');
    this.#expected = expectedBase64;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const actual = this.#hash.digest('base64');
    done(actual === this.#expected ? undefined : new S3Error('BadDigest'));
  }
}
