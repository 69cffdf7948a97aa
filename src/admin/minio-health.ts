/**
 * MinIO's health paths on the S3 port, so probes written for MinIO work unchanged: unsigned GET or HEAD of
 * /minio/health/live and /minio/health/ready, recognised before the S3 app (and its authentication) sees them.
 */
import type { AdminExchange } from './admin-exchange.js';
import { liveAnswer, readyAnswer, type ReadinessCheck } from './health.js';

/** `app` with MinIO's two health paths answered in front of it; every other request goes to `app`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any app whose exchange is at least an AdminExchange
export function withMinioHealth<A extends { handle: (ex: any) => Promise<void> }>(app: A, ready: ReadinessCheck): A {
  return {
    ...app,
    handle: async (ex: Parameters<A['handle']>[0] & AdminExchange) => {
      const method = ex.req.method;
      const path = (ex.req.url ?? '').split('?')[0];
      if ((method === 'GET' || method === 'HEAD') && (path === '/minio/health/live' || path === '/minio/health/ready')) {
        ex.operation = path === '/minio/health/live' ? 'HealthLive' : 'HealthReady';
        await ex.send(path === '/minio/health/live' ? liveAnswer() : await readyAnswer(ready));
        return;
      }
      return app.handle(ex);
    },
  };
}
