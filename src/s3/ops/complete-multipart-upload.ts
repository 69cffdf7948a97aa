/**
 * CompleteMultipartUpload. A Complete that finishes quickly (or fails quickly: a wrong part list, a precondition)
 * is answered normally, with its status. One that takes longer — joining gigabytes, or waiting for a concurrent
 * Complete of the same upload — is answered as S3 does: 200 at once, spaces while working, then the result or
 * an <Error> element in the body (the SDKs read an error in a 200 body as an error).
 */
import { isS3Error, S3Error } from '../../errors/s3-error.js';
import { fileSystemFailure } from '../../errors/file-system-failure.js';
import { checksumFields } from '../object-headers.js';
import { urlEncodeKey } from '../list-params.js';
import { errorXml } from '../send.js';
import type { Handler, S3Request } from '../types.js';
import { writeConditions } from '../write/options.js';
import { encodeXml, type XmlObject } from '../xml.js';
import { keepAliveBody } from './keep-alive-body.js';
import { completionChecksumOf, parseCompleteBody, uploadIdOf } from './multipart-params.js';
import type { CompleteMultipartUploadResult } from '../../storage/backend.js';

/** Timing of the answer: how long to wait for a normal answer, and the space interval after that. */
export interface CompleteTiming {
  answerWithinMs: number;
  keepAliveMs: number;
}

/** The Complete handler with the given timing (the registered one waits 1 s, then sends a space every 5 s). */
export function completeHandler(timing: CompleteTiming): Handler {
  return async (req) => {
    const uploadId = uploadIdOf(req.query);
    const conditions = writeConditions(req.headers);
    const checksum = completionChecksumOf(req.headers);
    const parts = parseCompleteBody((await req.readBody(req.settings.maxXmlBytes)).toString('utf8'));
    const work = req.backend.completeMultipartUpload({
      bucket: req.bucket, key: req.key, uploadId, parts, identity: req.identity, ...(checksum ? { checksum } : {}), ...(conditions ? { conditions } : {}),
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const quick = await Promise.race([
      work.then((r) => ({ r }), (e: unknown) => ({ e })),
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timing.answerWithinMs))),
    ]);
    clearTimeout(timer);
    if (quick) {
      if ('e' in quick) throw quick.e;
      return { headers: { 'x-amz-version-id': quick.r.versionId }, xml: { root: 'CompleteMultipartUploadResult', body: resultBody(req, quick.r) } };
    }
    // The headers go before the result is known, so a slow Complete in a versioned bucket answers no version id:
    // S3 sends it only as the x-amz-version-id header (CompleteMultipartUploadResult has no VersionId element).
    const resource = `/${req.bucket}/${req.key}`;
    return {
      headers: { 'Content-Type': 'application/xml' },
      body: keepAliveBody(work.then((r) => encodeXml('CompleteMultipartUploadResult', resultBody(req, r))), {
        intervalMs: timing.keepAliveMs,
        errorDocument: (err) => {
          if (!isS3Error(err)) req.log.error({ err, req_id: req.requestId, op: req.operation }, 'unexpected failure');
          return errorXml(isS3Error(err) ? err : fileSystemFailure(err) ?? new S3Error('InternalError'), resource, req.requestId);
        },
      }),
    };
  };
}

function resultBody(req: S3Request, r: CompleteMultipartUploadResult): XmlObject {
  const host = req.header('host') ?? 'localhost';
  return {
    Location: `http://${host}/${urlEncodeKey(req.bucket)}/${urlEncodeKey(req.key)}`,
    Bucket: req.bucket,
    Key: req.key,
    ETag: `"${r.etag}"`,
    ...checksumFields(r.checksum),
  };
}

export const CompleteMultipartUpload: Handler = completeHandler({ answerWithinMs: 1000, keepAliveMs: 5000 });
