/**
 * The body of a 200 answer to a long operation, as S3 sends a slow CompleteMultipartUpload: the XML declaration
 * at once, a space every few seconds while the work goes on (idle connections are not cut by clients and load
 * balancers), then the result's root element, or an <Error> element when the work failed. Whitespace between
 * the declaration and the root element is legal XML, so every parser reads the document as usual.
 */
import { Readable } from 'node:stream';

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Strips the declaration from a whole XML document (the body already sent one). */
function rootOnly(doc: string): string {
  return doc.replace(/^<\?xml[^>]*\?>\s*/, '');
}

/**
 * A stream for `work`, which resolves with the whole result document or rejects; `errorDocument` turns a
 * rejection into a whole <Error> document. Nothing is left running if the client goes away.
 */
export function keepAliveBody(work: Promise<string>, opts: { intervalMs: number; errorDocument: (err: unknown) => string }): Readable {
  let timer: ReturnType<typeof setInterval> | undefined;
  const body = new Readable({
    read() {},
    destroy(err, callback) {
      clearInterval(timer);
      callback(err);
    },
  });
  body.push(DECLARATION);
  timer = setInterval(() => body.push(' '), opts.intervalMs);
  work.then(
    (doc) => rootOnly(doc),
    (err: unknown) => rootOnly(opts.errorDocument(err)),
  ).then((tail) => {
    clearInterval(timer);
    if (body.destroyed) return;
    body.push(tail);
    body.push(null);
  }, () => clearInterval(timer));
  return body;
}
