/**
 * The start of the bench's reference servers (loopback-server.ts, bare-server.ts), run as children: listen on an
 * ephemeral loopback port, print the endpoint line spawnWithEndpoint waits for, stop on SIGTERM.
 */
import type http from 'node:http';

/** Starts `server` as a reference server child. */
export function serveAsChild(server: http.Server): void {
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address && typeof address === 'object') console.log(`Endpoint: http://127.0.0.1:${address.port}`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
