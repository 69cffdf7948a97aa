/**
 * The aws-chunked content decoder: strips the chunk framing of STREAMING-* uploads, checks each chunk's
 * signature when the chunks are signed, collects trailing headers and checks their signature.
 *
 *   hex-size[;chunk-signature=sig]\r\n <size bytes> \r\n  …  0[;chunk-signature=sig]\r\n
 *   [name:value\r\n …] [x-amz-trailer-signature:sig\r\n] \r\n
 *
 * Streaming and constant-memory: data bytes are passed on as subarrays of the incoming buffers (never
 * copied, never scanned byte by byte); only header lines and the trailer section are accumulated, both
 * bounded. Data is pushed before its chunk's signature is known (chunks may be megabytes); every check
 * fails the stream before 'end', and writers commit only at 'end', so unverified bytes never land.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../../errors/s3-error.js';
import {
  canonicalTrailers, chunkSignature, EMPTY_SHA256, trailerSignature, type ChunkSigning,
} from '../sigv4/chunk-signature.js';
import { sha256Hex, signaturesEqual } from '../sigv4/signature.js';

/** A chunk header line (size and extensions) may not be longer than this. */
export const MAX_CHUNK_HEADER_LINE = 4096;
/** The trailer section (after the last chunk) may not be longer than this. */
export const MAX_TRAILER_SECTION = 16 * 1024;

export interface AwsChunkedOptions {
  /** For signed chunks: the key, date, scope and the request's seed signature the chain starts from. */
  signing?: ChunkSigning & { seedSignature: string };
  /** Trailing headers are part of this body (…-TRAILER modes); when signed, they must be signed too. */
  trailer: boolean;
  /** x-amz-decoded-content-length: the decoded byte count must be exactly this. */
  decodedLength?: number;
  /** The trailing headers x-amz-trailer declares (lower case): any other is refused. */
  declared?: readonly string[];
}

const enum State { Header, Data, DataCr, DataLf, Trailer }

function invalid(message: string): S3Error {
  return new S3Error('InvalidRequest', `Malformed aws-chunked body: ${message}`);
}

function malformedTrailer(message: string): S3Error {
  return new S3Error('MalformedTrailerError', `Malformed aws-chunked trailer: ${message}.`);
}

/** Decodes one aws-chunked body; payload bytes out, trailers in `trailers` after the end. */
export class AwsChunkedDecoder extends Transform {
  readonly #opts: AwsChunkedOptions;
  #state = State.Header;
  #line: Buffer[] = [];
  #lineLength = 0;
  #remaining = 0;
  #hash: Hash | undefined;
  #chunkSignature = '';
  #previousSignature: string;
  #decoded = 0;
  #trailer: Buffer[] = [];
  #trailerLength = 0;
  #trailers: Record<string, string> = {};

  constructor(opts: AwsChunkedOptions) {
    super({ readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024 });
    this.#opts = opts;
    this.#previousSignature = opts.signing?.seedSignature ?? '';
  }

  /** Trailing headers (lower-case names, without x-amz-trailer-signature); complete once the stream has ended. */
  get trailers(): Record<string, string> {
    return this.#trailers;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.#consume(chunk);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.#finish();
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  #consume(buf: Buffer): void {
    let pos = 0;
    while (pos < buf.length) {
      switch (this.#state) {
        case State.Header: {
          const nl = buf.indexOf(0x0a, pos);
          const end = nl < 0 ? buf.length : nl;
          this.#lineLength += end - pos;
          if (this.#lineLength > MAX_CHUNK_HEADER_LINE) throw invalid(`chunk header line longer than ${MAX_CHUNK_HEADER_LINE} bytes`);
          this.#line.push(buf.subarray(pos, end));
          pos = end;
          if (nl < 0) break;
          pos = nl + 1;
          const line = Buffer.concat(this.#line, this.#lineLength).toString('latin1');
          this.#line = [];
          this.#lineLength = 0;
          this.#startChunk(line.endsWith('\r') ? line.slice(0, -1) : line);
          break;
        }
        case State.Data: {
          const n = Math.min(this.#remaining, buf.length - pos);
          const piece = buf.subarray(pos, pos + n);
          this.#hash?.update(piece);
          this.#decoded += n;
          if (this.#opts.decodedLength !== undefined && this.#decoded > this.#opts.decodedLength) {
            throw new S3Error('IncompleteBody', 'The decoded body is longer than x-amz-decoded-content-length.');
          }
          this.push(piece);
          this.#remaining -= n;
          pos += n;
          if (this.#remaining === 0) {
            this.#endChunk(this.#hash ? this.#hash.digest('hex') : EMPTY_SHA256);
            this.#state = State.DataCr;
          }
          break;
        }
        case State.DataCr:
          if (buf[pos] !== 0x0d) throw invalid('chunk data not followed by CRLF');
          pos++;
          this.#state = State.DataLf;
          break;
        case State.DataLf:
          if (buf[pos] !== 0x0a) throw invalid('chunk data not followed by CRLF');
          pos++;
          this.#state = State.Header;
          break;
        case State.Trailer: {
          this.#trailerLength += buf.length - pos;
          if (this.#trailerLength > MAX_TRAILER_SECTION) throw invalid(`trailer section longer than ${MAX_TRAILER_SECTION} bytes`);
          this.#trailer.push(buf.subarray(pos));
          pos = buf.length;
          break;
        }
      }
    }
  }

  /** A chunk header line, without its line end: `hex-size[;name=value]*`. */
  #startChunk(line: string): void {
    const parts = line.split(';');
    const sizeText = parts[0].trim();
    if (!/^[0-9a-fA-F]{1,13}$/.test(sizeText)) throw invalid(`bad chunk size "${sizeText.slice(0, 32)}"`);
    const size = parseInt(sizeText, 16);
    let signature: string | undefined;
    for (const ext of parts.slice(1)) {
      const eq = ext.indexOf('=');
      if (eq > 0 && ext.slice(0, eq).trim() === 'chunk-signature') signature = ext.slice(eq + 1).trim();
    }
    if (this.#opts.signing) {
      if (signature === undefined) throw new S3Error('SignatureDoesNotMatch', 'A chunk of a signed aws-chunked body has no chunk-signature.');
      this.#chunkSignature = signature;
      this.#hash = size > 0 ? createHash('sha256') : undefined;
    }
    if (size === 0) {
      this.#endChunk(EMPTY_SHA256);
      this.#state = State.Trailer;
      return;
    }
    this.#remaining = size;
    this.#state = State.Data;
  }

  /** A chunk's data is complete: check its signature and move the chain on. */
  #endChunk(dataSha256: string): void {
    const signing = this.#opts.signing;
    if (!signing) return;
    const expected = chunkSignature(signing, this.#previousSignature, dataSha256);
    if (!signaturesEqual(expected, this.#chunkSignature)) {
      throw new S3Error('SignatureDoesNotMatch', 'The chunk signature we calculated does not match the signature you provided.');
    }
    this.#previousSignature = expected;
    this.#hash = undefined;
  }

  /** End of input: the body must be complete, trailers well-formed and (when signed) correctly signed. */
  #finish(): void {
    if (this.#state !== State.Trailer) {
      throw new S3Error('IncompleteBody', 'The aws-chunked body ended before its final chunk.');
    }
    // `name:value` lines, then the empty line that ends the body, and nothing after it. Why so strict: a body
    // cut just before that empty line is incomplete (S3 answers IncompleteBody), not a body with fewer trailers.
    const lines = Buffer.concat(this.#trailer, this.#trailerLength).toString('latin1').split('\n')
      .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (lines.length < 2 || lines[lines.length - 1] !== '' || lines[lines.length - 2] !== '') {
      throw new S3Error('IncompleteBody', 'The aws-chunked body ended before the empty line that closes it.');
    }
    const trailers: [string, string][] = [];
    let signature: string | undefined;
    for (const line of lines.slice(0, -2)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw malformedTrailer(line === '' ? 'bytes after the end of the body' : 'a trailer line without a name and a colon');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'x-amz-trailer-signature') {
        if (signature !== undefined) throw malformedTrailer('x-amz-trailer-signature twice');
        signature = value;
      } else {
        if (trailers.some(([n]) => n === name)) throw malformedTrailer(`the trailer ${name} twice`);
        if (this.#opts.declared && !this.#opts.declared.includes(name)) throw malformedTrailer(`the trailer ${name}, which x-amz-trailer does not declare`);
        trailers.push([name, value]);
      }
    }
    if (!this.#opts.trailer && (trailers.length > 0 || signature !== undefined)) {
      throw malformedTrailer('trailing headers in a body that declared none');
    }
    const signing = this.#opts.signing;
    if (signing && this.#opts.trailer && (trailers.length > 0 || signature !== undefined)) {
      if (signature === undefined) throw new S3Error('SignatureDoesNotMatch', 'The trailing headers are not signed (no x-amz-trailer-signature).');
      const expected = trailerSignature(signing, this.#previousSignature,
        sha256Hex(Buffer.from(canonicalTrailers(trailers), 'latin1')));
      if (!signaturesEqual(expected, signature)) {
        throw new S3Error('SignatureDoesNotMatch', 'The trailer signature we calculated does not match the signature you provided.');
      }
    }
    if (this.#opts.decodedLength !== undefined && this.#decoded !== this.#opts.decodedLength) {
      throw new S3Error('IncompleteBody', `The decoded body has ${this.#decoded} bytes; x-amz-decoded-content-length says ${this.#opts.decodedLength}.`);
    }
    this.#trailers = Object.fromEntries(trailers);
  }
}
