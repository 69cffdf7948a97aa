/**
 * A listener: an HTTP or HTTPS server hosting one app, with keep-alive, Expect: 100-continue left to the app,
 * unparsable requests answered, and a graceful stop.
 */
import http from 'node:http';
import https from 'node:https';
import type { BlockList, Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { App } from './app.js';
import { Exchange } from './exchange.js';
import type { Metrics } from './metrics.js';
import { CertificateStore } from './tls/certificate-store.js';
import { watchBodyRate } from './slow-body.js';
import { CIPHERS, HANDSHAKE_TIMEOUT_MS, MIN_VERSION } from './tls/tls-settings.js';

/** A request's headers must all have come within this long of its first byte. */
export const HEADERS_TIMEOUT_MS = 20_000;
/**
 * The most bytes of header names and values a request may send (node:http counts those, not the separators); more is
 * answered 431, or the app's error (S3: 400 RequestHeaderSectionTooLarge), and the connection closed.
 */
export const MAX_HEADER_BYTES = 16 * 1024;

/** A certificate chain and its private key, PEM. */
export interface TlsCredentials {
  key: string | Buffer;
  cert: string | Buffer;
}

/** Where and how to listen. */
export interface ListenOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Serve HTTPS with these (a store: chosen by SNI, and reloaded); plain HTTP without. */
  tls?: TlsCredentials | CertificateStore;
  /** Access lines and failures go here. */
  log: Logger;
  /** Count this listener's requests here. */
  metrics?: Metrics;
  /** Access lines go here rather than to `log`. */
  accessLog?: Logger;
  /** Proxies whose X-Forwarded-For names the client in access lines. */
  trustedProxies?: BlockList;
}

/** A listener that is up. */
export interface Listener {
  server: http.Server | https.Server;
  scheme: 'http' | 'https';
  /** The address actually bound (port 0 picks a free port). */
  host: string;
  port: number;
  /** Stops accepting, lets requests under way finish (up to `graceMs`), then closes what is left. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * No limit on a whole request (uploads take as long as they take, a slow body is cut off by watchBodyRate); 20 s for
 * its headers from its first byte (a connection that sends none is closed too), 16 KiB of them. Why check every
 * second: node looks at the headers' deadline only that often (30 s by default), so a slow client would get up to
 * that much longer.
 */
const SERVER_OPTIONS = { keepAlive: true, requestTimeout: 0, headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000, maxHeaderSize: MAX_HEADER_BYTES };
// Longer than the 60 s idle timeout of common load balancers, so they close an idle connection first.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * An HTTP server, or HTTPS given `tls`, with our timeouts and limits; not yet listening nor handling. Given a
 * certificate store, each handshake asks it for the certificate (by SNI), and a reload replaces the default one
 * for new handshakes while open connections carry on.
 */
export function createServer(tls?: TlsCredentials | CertificateStore): http.Server | https.Server {
  let server: http.Server | https.Server;
  if (!tls) server = http.createServer(SERVER_OPTIONS);
  else {
    const store = tls instanceof CertificateStore ? tls : undefined;
    const pair = store ? store.defaultPair : (tls as TlsCredentials);
    const secure = https.createServer({
      ...SERVER_OPTIONS, key: pair.key, cert: pair.cert, minVersion: MIN_VERSION, ciphers: CIPHERS, handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      ...(store && { SNICallback: (name: string, cb: (err: Error | null, ctx?: SecureContext) => void) => cb(null, store.contextFor(name)) }),
    });
    // Clients without SNI get the default context, which only setSecureContext replaces.
    store?.onChange(() => secure.setSecureContext({ ...store.defaultPair, minVersion: MIN_VERSION, ciphers: CIPHERS }));
    server = secure;
  }
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

/** Runs one exchange through `app`, then writes its access line; never throws. */
async function serveOne(app: App, ex: Exchange, log: Logger): Promise<void> {
  try {
    await app.handle(ex);
  } catch (e) {
    // Apps answer their own failures; this is the backstop for one that did not.
    log.error({ err: e, req_id: ex.id }, 'unexpected failure');
    if (ex.res.headersSent || ex.res.destroyed) ex.res.destroy();
    else await ex.send({ status: 500 }).catch(() => ex.res.destroy());
  } finally {
    ex.finish();
  }
}

/** Answers a request node:http could not parse (e.g. headers too large) with the app's answer, then closes. */
function onClientError(app: App, err: NodeJS.ErrnoException, socket: Socket): void {
  // A TLS failure (handshake timed out, plain HTTP, no shared version) has no channel to answer on: an answer
  // would wait for a handshake that never comes.
  if (!socket.writable || /^ERR_(SSL|TLS)_/.test(err.code ?? '')) {
    socket.destroy();
    return;
  }
  const answer = app.unparsable?.(err) ?? { status: err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400 };
  const body = answer.body ?? '';
  const headers = Object.entries(answer.headers ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status]}\r\n${headers}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Starts serving `app` on host:port. */
export async function listen(app: App, opts: ListenOptions): Promise<Listener> {
  const server = createServer(opts.tls);
  const { log, metrics } = opts;
  const exchange = (req: http.IncomingMessage, res: http.ServerResponse, expectContinue: boolean) => {
    watchBodyRate(req);
    return new Exchange(req, res, expectContinue, opts.accessLog ?? log, metrics, opts.trustedProxies);
  };
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void serveOne(app, exchange(req, res, false), log));
  // Listening for checkContinue stops node from sending 100 Continue by itself: the app sends it once the request
  // is authenticated and routed, so a refused upload never transfers its body.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => void serveOne(app, exchange(req, res, true), log));
  // Any other expectation: node answers 417 unless someone listens. An empty Expect header expects nothing (some
  // clients send one), so it is served as if absent; a real expectation we cannot meet stays 417 (RFC 9110 10.1.1).
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if ((req.headers.expect ?? '').trim() === '') void serveOne(app, exchange(req, res, false), log);
    else {
      res.writeHead(417, { 'Content-Length': '0', Connection: 'close' });
      res.end();
    }
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => onClientError(app, err, socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr : { address: opts.host, port: opts.port };
  return {
    server,
    scheme: opts.tls ? 'https' : 'http',
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
