/** S3 answers as response values — success values and errors — handed to the exchange's one writer. */
import type { S3Response } from './types.js';
import { encodeXml, escapeXml } from './xml.js';
import type { S3Error } from '../errors/s3-error.js';
import type { S3Exchange } from './exchange.js';

/** Sends a handler's response value; resolves when the body is sent (rejects if streaming failed). */
export async function sendResponse(ex: S3Exchange, r: S3Response): Promise<void> {
  const status = r.status ?? 200;
  if (r.xml) {
    const body = Buffer.from(encodeXml(r.xml.root, r.xml.body), 'utf8');
    await ex.send({ status, headers: { ...r.headers, 'Content-Type': 'application/xml' }, body });
  } else {
    await ex.send({ status, headers: r.headers, body: r.body });
  }
}

/** The <Error> document of an S3 error. */
export function errorXml(err: S3Error, resource: string, requestId: string): string {
  const extra = Object.entries(err.fields).map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    `<Code>${err.code}</Code><Message>${escapeXml(err.message)}</Message>${extra}` +
    `<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`
  );
}

/**
 * Sends an S3 error answer; 304 and HEAD answers carry no body. Its length is always set: a success answer that
 * failed before sending anything may have set one already.
 */
export function sendError(ex: S3Exchange, err: S3Error, resource: string): Promise<void> {
  if (err.status === 304 || ex.req.method === 'HEAD') return ex.send({ status: err.status, headers: { ...err.headers, 'Content-Length': 0 } });
  const body = Buffer.from(errorXml(err, resource, ex.id), 'utf8');
  return ex.send({ status: err.status, headers: { ...err.headers, 'Content-Type': 'application/xml', 'Content-Length': body.length }, body });
}
