/** The one place that writes a response to HTTP: every app hands its answers here (through the exchange). */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writesItself } from '../storage/backend.js';
import type { Answer } from '../http/exchange.js';

export type { Answer } from '../http/exchange.js';

/** Writes `a` to `res`; resolves when the body is sent (rejects if streaming failed). HEAD answers send no body. */
export async function writeAnswer(res: ServerResponse, a: Answer, head: boolean): Promise<void> {
  res.statusCode = a.status;
  for (const [name, value] of Object.entries(a.headers ?? {})) {
    if (value !== undefined) res.setHeader(name, value);
  }
  const body = typeof a.body === 'string' ? Buffer.from(a.body, 'utf8') : a.body;
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
  // A HEAD answer keeps the length of the body it would have sent.
  if (!res.hasHeader('Content-Length')) res.setHeader('Content-Length', body ? body.length : 0);
  res.end(head || !body ? undefined : body);
}
