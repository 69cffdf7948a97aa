/** One request from arrival to its one access line: request id, timing, bytes in and out, and what the app learned. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { writeAnswer, type Answer } from './send.js';

/**
 * Created by the listener for each request and handed to the app; the app answers through send() and fills in
 * what it knows (operation, access key, bucket, key, error code); the listener calls finish() once the app is done.
 */
export class Exchange {
  /** 16 hex digits naming this request in its answer and in every log line about it. */
  readonly id = randomBytes(8).toString('hex').toUpperCase();
  /** The status answered; 0 until there is one. */
  status = 0;
  /** The operation the app recognised. */
  operation?: string;
  /** The access key that signed the request. */
  accessKey?: string;
  bucket?: string;
  key?: string;
  /** The error code answered, when the answer is an error. */
  error?: string;
  private readonly started = process.hrtime.bigint();
  // The socket's counters, since a keep-alive socket carries many requests.
  private readonly bytesRead0: number;
  private readonly bytesWritten0: number;
  private finished = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** The client sent `Expect: 100-continue` and waits for it before sending its body. */
    readonly expectContinue: boolean,
    private readonly log: Logger,
  ) {
    this.bytesRead0 = req.socket.bytesRead;
    this.bytesWritten0 = req.socket.bytesWritten;
    res.setHeader('Server', 'dirbucket');
  }

  /** Writes `answer` (no body for HEAD) and records its status; resolves when sent, rejects if streaming failed. */
  send(answer: Answer): Promise<void> {
    this.status = answer.status;
    return writeAnswer(this.res, answer, this.req.method === 'HEAD');
  }

  /** Writes the access line (once). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const socket = this.req.socket;
    this.log.info(
      {
        req_id: this.id,
        access_key: this.accessKey,
        op: this.operation,
        bucket: this.bucket,
        key: this.key,
        status: this.status,
        error: this.error,
        bytes_in: socket.bytesRead - this.bytesRead0,
        bytes_out: socket.bytesWritten - this.bytesWritten0,
        ms: Number(process.hrtime.bigint() - this.started) / 1e6,
      },
      'request',
    );
  }
}
