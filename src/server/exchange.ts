/** One request from arrival to its one access line: request id, timing, bytes in and out, and what the app learned. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { BlockList } from 'node:net';
import { clientAddress } from './client-address.js';
import type { Metrics } from './metrics.js';
import { writeAnswer } from './send.js';
import type { AppExchange, Answer } from '../http/exchange.js';

// Request ids: a random half per process (workers differ) and a counter, so an id costs no call into the random
// source (a request id names a request; it is no secret).
const ID_PREFIX = randomBytes(4).toString('hex').toUpperCase();
let idCounter = randomBytes(4).readUInt32BE(0);

function nextRequestId(): string {
  idCounter = (idCounter + 1) >>> 0;
  return ID_PREFIX + idCounter.toString(16).toUpperCase().padStart(8, '0');
}

// How much of each socket the requests before the current one read.
const socketMark = new WeakMap<object, number>();

/**
 * Created by the listener for each request and handed to the app; the app answers through send() and fills in
 * what it knows (operation, access key, bucket, key, error code); the listener calls finish() once the app is done.
 */
export class Exchange implements AppExchange {
  /** 16 hex digits naming this request in its answer and in every log line about it. */
  readonly id = nextRequestId();
  /** The status answered; 0 until there is one. */
  status = 0;
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
    /** Counts this request, when the listener keeps metrics. */
    private readonly metrics?: Metrics,
    /** Proxies whose X-Forwarded-For names the client. */
    private readonly proxies?: BlockList,
  ) {
    metrics?.started();
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
    const bytesIn = socket.bytesRead - this.bytesRead0;
    const bytesOut = socket.bytesWritten - this.bytesWritten0;
    const ms = Number(process.hrtime.bigint() - this.started) / 1e6;
    if (this.metrics) {
      // Counted from the socket's previous request on: a small body arrives with its headers, before this
      // exchange begins, so bytesIn (what came after the headers) would miss it.
      const wire = socket.bytesRead - (socketMark.get(socket) ?? 0);
      socketMark.set(socket, socket.bytesRead);
      this.metrics.finished({ operation: this.operation, status: this.status, error: this.error, bytesIn: wire, bytesOut, seconds: ms / 1000 });
    }
    this.log.info(
      {
        req_id: this.id,
        access_key: this.accessKey,
        user: this.user,
        client: clientAddress(this.req, this.proxies),
        // Bounded: a header of 16 KiB would otherwise go into every line.
        user_agent: this.req.headers['user-agent']?.slice(0, 256),
        op: this.operation,
        bucket: this.bucket,
        key: this.key,
        status: this.status,
        error: this.error,
        bytes_in: bytesIn,
        bytes_out: bytesOut,
        ms,
      },
      'request',
    );
  }
}
