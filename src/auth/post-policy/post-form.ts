/**
 * Reading a POST Object body (multipart/form-data) with @fastify/busboy: the fields before the file, then
 * the file as a stream the caller consumes (never buffered whole). S3 ignores fields after the file, and
 * limits what precedes it to 20 KB.
 */
import { Busboy, type BusboyHeaders } from '@fastify/busboy';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { S3Error } from '../../errors/s3-error.js';

/** S3's limit on the size of the fields before the file. */
export const MAX_PRE_DATA_BYTES = 20 * 1024;

/** The form as far as the file: its fields (lower-case names, first value kept) and the file's stream. */
export interface PostFormStart {
  fields: Map<string, string>;
  file: { filename?: string; contentType: string; stream: Readable };
  /** Settles when the whole body has been parsed (after the file stream ends); rejects on a malformed body. */
  done: Promise<void>;
}

/**
 * Parse `body` up to the start of its `file` part. Rejects with MalformedPOSTRequest for a body that is
 * not multipart/form-data, MaxPostPreDataLengthExceededError when the fields before the file pass 20 KB,
 * and IncorrectNumberOfFilesInPostRequest when the body ends without a file.
 */
export function readPostForm(body: Readable, headers: IncomingHttpHeaders): Promise<PostFormStart> {
  return new Promise((resolve, reject) => {
    let parser: InstanceType<typeof Busboy>;
    try {
      parser = new Busboy({ headers: headers as BusboyHeaders, limits: { fieldSize: MAX_PRE_DATA_BYTES, files: 1, parts: 1000 } });
    } catch {
      reject(new S3Error('MalformedPOSTRequest'));
      return;
    }
    const fields = new Map<string, string>();
    let preData = 0;
    let started = false;
    let failed = false;
    let settleDone!: { resolve: () => void; reject: (e: unknown) => void };
    const done = new Promise<void>((res, rej) => (settleDone = { resolve: res, reject: rej }));
    done.catch(() => undefined);
    const fail = (e: S3Error): void => {
      if (failed) return;
      failed = true;
      if (started) settleDone.reject(e);
      else reject(e);
      body.unpipe(parser);
      body.resume();
    };
    parser.on('field', (name: string, value: string) => {
      if (started) return;
      preData += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (preData > MAX_PRE_DATA_BYTES) return fail(new S3Error('MaxPostPreDataLengthExceededError'));
      const key = name.toLowerCase();
      if (!fields.has(key)) fields.set(key, value);
    });
    parser.on('file', (name: string, stream: Readable, filename: string | undefined, _encoding: string, mimeType: string) => {
      if (started || failed || name.toLowerCase() !== 'file') {
        // Parts after the file, and file parts under another name, are read past: S3 ignores them.
        stream.resume();
        return;
      }
      started = true;
      resolve({ fields, file: { filename: filename || undefined, contentType: mimeType, stream }, done });
    });
    parser.on('error', () => fail(new S3Error('MalformedPOSTRequest')));
    parser.on('finish', () => {
      if (!started) fail(new S3Error('IncorrectNumberOfFilesInPostRequest'));
      else if (!failed) settleDone.resolve();
    });
    body.on('error', (e) => fail(new S3Error('IncompleteBody', e instanceof Error ? e.message : undefined)));
    body.pipe(parser);
  });
}
