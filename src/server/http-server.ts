/** The node:http listener: keep-alive, Expect: 100-continue, malformed requests answered in S3 XML, graceful stop. */
import http from 'node:http';
import type { Socket } from 'node:net';
import { handleRequest, type FrontEnd } from '../s3/handle-request.js';
import { S3Error } from '../errors/s3-error.js';
import { errorXml } from '../s3/send.js';

export interface RunningServer {
  server: http.Server;
  /** The address actually bound (port 0 picks a free port). */
  host: string;
  port: number;
  /** Stops accepting, lets requests under way finish (up to `graceMs`), then closes what is left. */
  stop(graceMs?: number): Promise<void>;
}

/** Answers a request node:http could not parse (e.g. headers too large) with an S3 error, then closes. */
function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const e = err.code === 'HPE_HEADER_OVERFLOW'
    ? new S3Error('RequestHeaderSectionTooLarge')
    : new S3Error('InvalidRequest', 'The HTTP request could not be parsed.');
  const body = errorXml(e, '/', '0');
  socket.end(
    `HTTP/1.1 ${e.status} ${http.STATUS_CODES[e.status]}\r\nContent-Type: application/xml\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Starts serving `fe` on host:port. */
export async function startHttpServer(fe: FrontEnd, host: string, port: number): Promise<RunningServer> {
  const server = http.createServer({ keepAlive: true, requestTimeout: 0, headersTimeout: 60_000, maxHeaderSize: 16 * 1024 });
  server.keepAliveTimeout = 65_000;
  server.on('request', (req, res) => void handleRequest(fe, req, res, false));
  // Listening for checkContinue stops node from sending 100 Continue by itself: the handler sends it once the
  // request is authenticated and routed, so a refused upload never transfers its body.
  server.on('checkContinue', (req, res) => void handleRequest(fe, req, res, true));
  server.on('clientError', onClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr : { address: host, port };
  return {
    server,
    host: bound.address,
    port: bound.port,
    stop: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
