/**
 * What the S3 app needs of the exchange the server hands it. Apps sit below server/ and cannot import its
 * Exchange, so they name the shape here; cli/serve.ts, mounting the app, has TypeScript check the two agree.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/** A response value as the server writes it. */
export interface Answer {
  status: number;
  headers?: Record<string, string | number | undefined>;
  body?: Buffer | string | Readable;
}

/** One request: its id, the HTTP request and response, and the fields of its access line. */
export interface S3Exchange {
  readonly id: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The client waits for 100 Continue before sending its body. */
  readonly expectContinue: boolean;
  /** The one writer: sends `answer` (no body for HEAD); rejects if streaming failed. */
  send(answer: Answer): Promise<void>;
  status: number;
  operation?: string;
  accessKey?: string;
  /** The user the access key belongs to. */
  user?: string;
  bucket?: string;
  key?: string;
  /** The S3 error code answered. */
  error?: string;
}
