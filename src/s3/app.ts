/** The S3 app: what a listener mounts to serve the S3 API (the work itself is in handle-request.ts). */
import { S3Error } from '../errors/s3-error.js';
import { handleRequest, type FrontEnd } from './handle-request.js';
import type { Answer, S3Exchange } from './exchange.js';
import { errorXml } from './send.js';

/** The S3 API as an app for the server's listener. */
export interface S3App {
  handle: (ex: S3Exchange) => Promise<void>;
  unparsable: (err: NodeJS.ErrnoException) => Answer & { body: string };
}

/** The S3 app over `fe`'s storage, accounts and settings. */
export function s3App(fe: FrontEnd): S3App {
  return {
    handle: (ex) => {
      ex.res.setHeader('x-amz-request-id', ex.id);
      ex.res.setHeader('x-amz-id-2', ex.id);
      return handleRequest(fe, ex);
    },
    // A request node:http could not parse gets an S3 error document too, so clients show its code.
    unparsable: (err) => {
      const e = err.code === 'HPE_HEADER_OVERFLOW'
        ? new S3Error('RequestHeaderSectionTooLarge')
        // Its headers did not all come in time (node:http's headersTimeout): S3's answer to a socket left idle.
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? new S3Error('RequestTimeout')
        : new S3Error('InvalidRequest', 'The HTTP request could not be parsed.');
      return { status: e.status, headers: { 'Content-Type': 'application/xml' }, body: errorXml(e, '/', '0') };
    },
  };
}
