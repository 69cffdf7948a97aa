/**
 * The admin listener's app: /health/live, /health/ready, /metrics (Prometheus text), /certificates (JSON), the
 * admin API under /admin/v1/ (api/api-app.ts) with the console's S3 proxy under /admin/v1/s3/, and the web
 * console at / (console-assets.ts).
 */
import type { AdminExchange, AdminAnswer } from './admin-exchange.js';
import { API_PREFIX, handleApi } from './api/api-app.js';
import { proxyS3, S3_PROXY_PREFIX } from './api/s3-proxy.js';
import { consoleAnswer, isConsolePath } from './console-assets.js';
import { headerOf } from '../http/headers.js';
import type { ApiSources } from './api/api-types.js';
import { json, liveAnswer, readyAnswer, type ReadinessCheck } from './health.js';

/** What the admin app reports on, provided by the composition root. */
export interface AdminSources {
  ready: ReadinessCheck;
  /** The metrics in Prometheus text format, with their content type. */
  metrics(): Promise<{ contentType: string; text: string }>;
  /** The certificates served (as `dirbucket cert status --json` describes them); empty for plain HTTP. */
  certificates(): unknown[];
  /** What the admin API needs; without it, /admin/v1/ is not served. */
  api?: ApiSources;
}

/** The admin app: answers GET and HEAD on its few paths, 404 elsewhere. */
export function adminApp(sources: AdminSources): { handle: (ex: AdminExchange) => Promise<void> } {
  return {
    handle: async (ex) => {
      const path = (ex.req.url ?? '/').split('?')[0];
      if (sources.api && path!.startsWith(S3_PROXY_PREFIX)) return proxyS3(sources.api, ex);
      if (sources.api && path!.startsWith(API_PREFIX)) return handleApi(sources.api, ex);
      // The console signs in through the admin API: without it there is nothing for the page to do.
      if (sources.api && isConsolePath(path!)) {
        ex.operation = 'admin:console';
        return ex.send(await consoleAnswer(ex.req.method ?? 'GET', path!, headerOf(ex.req.headers, 'accept-encoding')));
      }
      ex.operation = `admin:${ROUTES.has(path!) ? path : 'other'}`;
      await ex.send(await answer(sources, ex.req.method ?? 'GET', path!));
    },
  };
}

const ROUTES = new Set(['/health/live', '/health/ready', '/metrics', '/certificates']);

async function answer(sources: AdminSources, method: string, path: string): Promise<AdminAnswer> {
  if (!ROUTES.has(path)) return json(404, { error: 'not found', paths: [...ROUTES] });
  if (method !== 'GET' && method !== 'HEAD') return { ...json(405, { error: 'method not allowed' }), headers: { Allow: 'GET, HEAD', 'Content-Type': 'application/json' } };
  switch (path) {
    case '/health/live':
      return liveAnswer();
    case '/health/ready':
      return readyAnswer(sources.ready);
    case '/metrics': {
      const m = await sources.metrics();
      return { status: 200, headers: { 'Content-Type': m.contentType, 'Cache-Control': 'no-store' }, body: m.text };
    }
    default:
      return json(200, sources.certificates());
  }
}
