/**
 * One request as an app sees it: the exchange the server hands every app, and the answer value it writes.
 * Declared here, below the apps and the server, so that s3/ and admin/ use it and server/ implements it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/** A response value: status, headers (undefined values are left out) and a body of bytes, text or a stream. */
export interface Answer {
  status: number;
  headers?: Record<string, string | number | undefined>;
  body?: Buffer | string | Readable;
}

/** One request: its id, the HTTP request and response, the one writer, and the fields of its access line. */
export interface AppExchange {
  /** 16 hex digits naming this request in its answer and in every log line about it. */
  readonly id: string;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The client waits for 100 Continue before sending its body. */
  readonly expectContinue: boolean;
  /** The one writer: sends `answer` (no body for HEAD); rejects if streaming failed. */
  send(answer: Answer): Promise<void>;
  /** The status answered; 0 until there is one. */
  status: number;
  /** The operation the app recognised. */
  operation?: string;
  /** The access key that signed the request. */
  accessKey?: string;
  /** The user the access key belongs to. */
  user?: string;
  bucket?: string;
  key?: string;
  /** The error code answered, when the answer is an error. */
  error?: string;
}
