/** The one place that writes S3 responses — success values and errors — to HTTP. */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writesItself } from '../storage/backend.js';
import type { S3Response } from './types.js';
import { encodeXml, escapeXml } from './xml.js';
import type { S3Error } from '../errors/s3-error.js';

/** Writes a handler's response value; resolves when the body is sent (rejects if streaming failed). */
export async function sendResponse(res: ServerResponse, r: S3Response, head: boolean): Promise<void> {
  res.statusCode = r.status ?? 200;
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    if (value !== undefined) res.setHeader(name, value);
  }
  let body: Buffer | Readable | undefined;
  if (r.xml) {
    body = Buffer.from(encodeXml(r.xml.root, r.xml.body), 'utf8');
    res.setHeader('Content-Type', 'application/xml');
  } else if (typeof r.body === 'string') body = Buffer.from(r.body, 'utf8');
  else body = r.body;

  if (body instanceof Readable) {
    if (head) {
      body.destroy();
      res.end();
      return;
    }
    if (writesItself(body)) await body.writeTo(res);
    else await pipeline(body, res);
    return;
  }
  if (!res.hasHeader('Content-Length')) res.setHeader('Content-Length', body ? body.length : 0);
  res.end(head || !body ? undefined : body);
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

/** Writes an S3 error answer; HEAD answers carry no body. */
export function sendError(res: ServerResponse, err: S3Error, resource: string, requestId: string, head: boolean): void {
  res.statusCode = err.status;
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  if (err.status === 304 || head) {
    res.setHeader('Content-Length', 0);
    res.end();
    return;
  }
  const body = Buffer.from(errorXml(err, resource, requestId), 'utf8');
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
