/**
 * The web console's files (built by console/build.mjs into dist/console): index.html at `/`, and the bundle under
 * `/assets/`, named by content hash and so cached for good. Read once, from that directory only: a request names
 * a file by a pattern, never by a path.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { AdminAnswer } from './admin-exchange.js';

/** dist/console, seen from dist/src/admin/. */
const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));
const ASSET = /^\/assets\/(app-[0-9a-f]{12}\.(js|css))$/;
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/**
 * Headers of the page: scripts, styles and requests from this origin only, no framing (clickjacking), no referrer
 * (the hash route can name buckets and keys).
 */
const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-cache',
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const files = new Map<string, Promise<Buffer | undefined>>();

/** A file of the built console, cached; undefined when it is not there. */
function consoleFile(name: string): Promise<Buffer | undefined> {
  let f = files.get(name);
  if (!f) {
    f = readFile(CONSOLE_DIR + name).catch(() => undefined);
    files.set(name, f);
  }
  return f;
}

/** Whether `path` is the console's (the page or one of its assets). */
export function isConsolePath(path: string): boolean {
  return path === '/' || path === '/index.html' || path.startsWith('/assets/');
}

/** The answer for a console path: the page, an asset (gzipped when the client takes it), or 404/405/503. */
export async function consoleAnswer(method: string, path: string, acceptEncoding: string | undefined): Promise<AdminAnswer> {
  const text = (status: number, body: string, headers: Record<string, string> = {}): AdminAnswer =>
    ({ status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers }, body });
  if (method !== 'GET' && method !== 'HEAD') return text(405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  if (path === '/' || path === '/index.html') {
    const page = await consoleFile('index.html');
    // Built by `npm install` (prepare), `npm test` and `npm start`; a checkout compiled by tsc alone has none.
    if (!page) return text(503, 'The web console is not built: run `npm run build:console` in the dirbucket checkout.\n');
    return { status: 200, headers: PAGE_HEADERS, body: page };
  }
  const m = ASSET.exec(path);
  const plain = m && (await consoleFile(`assets/${m[1]}`));
  if (!m || !plain) return text(404, 'not found\n');
  const gz = /\bgzip\b/.test(acceptEncoding ?? '') ? await consoleFile(`assets/${m[1]}.gz`) : undefined;
  return {
    status: 200,
    headers: {
      'Content-Type': TYPES[m[2]!], 'Cache-Control': 'public, max-age=31536000, immutable', 'Vary': 'Accept-Encoding',
      'X-Content-Type-Options': 'nosniff', ...(gz ? { 'Content-Encoding': 'gzip' } : {}),
    },
    body: gz ?? plain,
  };
}
