/** The secondary PUT figure: the AWS SDK with default settings (a streamed body goes aws-chunked with a CRC32 trailer). */
import { Readable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Credentials } from '../test/helpers/sigv4.js';
import { timeIterations, type IterationOptions, type Throughput } from './time-iterations.js';

const MIB = 1024 * 1024;

export interface SdkPutOptions extends IterationOptions {
  endpoint: string;
  credentials: Credentials;
  bucket: string;
}

export interface SdkPutResult extends Throughput {
  /** The framing headers the SDK actually sent, so the report says what was measured. */
  wire: Record<string, string>;
}

/** Times PutObject of a streamed body (as from a file) with ContentLength; checks the ETag is the MD5. */
export async function measureSdkPut(o: SdkPutOptions): Promise<SdkPutResult> {
  const body = randomBytes(o.sizeMiB * MIB);
  const md5 = createHash('md5').update(body).digest('hex');
  const client = new S3Client({ region: 'us-east-1', endpoint: o.endpoint, forcePathStyle: true, credentials: o.credentials });
  const wire: Record<string, string> = {};
  // The deserialize step sees the request exactly as it goes on the wire, after checksums and signing.
  client.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
      for (const name of ['content-encoding', 'transfer-encoding', 'x-amz-content-sha256', 'x-amz-trailer']) {
        if (headers[name] !== undefined) wire[name] = headers[name];
      }
      return next(args);
    },
    { step: 'deserialize', name: 'benchWireRecorder' },
  );
  try {
    const timed = await timeIterations(o, async (i) => {
      const chunks = Array.from({ length: o.sizeMiB }, (_, c) => body.subarray(c * MIB, (c + 1) * MIB));
      const out = await client.send(
        new PutObjectCommand({ Bucket: o.bucket, Key: `sdk/obj-${i}`, Body: Readable.from(chunks), ContentLength: body.length }),
      );
      if (out.ETag !== `"${md5}"`) throw new Error(`SDK PUT sdk/obj-${i}: ETag ${out.ETag}, expected "${md5}"`);
    });
    return { ...timed, wire };
  } finally {
    client.destroy();
  }
}
