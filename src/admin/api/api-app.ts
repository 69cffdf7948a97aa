/**
 * The admin API at /admin/v1/ on the admin listener: routes matched by method and path, the request
 * authenticated (api-auth.ts) unless the route is open, the body read as JSON, and every answer — errors
 * too, as {code, message, requestId} with the S3 error's status — written as JSON by one place here.
 */
import { Readable } from 'node:stream';
import { isS3Error, S3Error } from '../../errors/s3-error.js';
import { fileSystemFailure } from '../../errors/file-system-failure.js';
import { headerOf } from '../../http/headers.js';
import type { AdminAnswer, AdminExchange } from '../admin-exchange.js';
import { json } from '../health.js';
import { whoIsAsking } from './api-auth.js';
import type { ApiRequest, ApiResult, ApiSources, Route } from './api-types.js';
import { BUCKET_IDENTITY_ROUTES } from './bucket-identity.js';
import { BUCKET_ROUTES } from './buckets.js';
import { BUCKET_USAGE_ROUTES } from './bucket-usage.js';
import { BUCKET_SETTING_ROUTES } from './bucket-settings.js';
import { GRANT_ROUTES } from './grants.js';
import { KEY_ROUTES } from './keys.js';
import { PRESIGN_ROUTES } from './presign.js';
import { SERVER_ROUTES } from './server-info.js';
import { SESSION_ROUTES } from './session-routes.js';
import { USER_ROUTES } from './users.js';

/** Where the API lives on the admin listener. */
export const API_PREFIX = '/admin/v1/';
/** No admin API body needs more (a bucket policy is at most 20 KB). */
const MAX_BODY_BYTES = 1024 * 1024;

const ROUTES: Route[] = [...SESSION_ROUTES, ...SERVER_ROUTES, ...BUCKET_ROUTES, ...BUCKET_SETTING_ROUTES, ...BUCKET_IDENTITY_ROUTES, ...BUCKET_USAGE_ROUTES, ...USER_ROUTES, ...KEY_ROUTES, ...GRANT_ROUTES, ...PRESIGN_ROUTES];

/** The route for `method` and `segments`, with its params; or the methods the path allows (405), or nothing (404). */
function match(method: string, segments: string[]): { route: Route; params: Record<string, string> } | { allow: string[] } | undefined {
  const allow: string[] = [];
  for (const route of ROUTES) {
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    if (!pattern.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = segments[i]!), segments[i] !== '') : p === segments[i]))) continue;
    if (route.method === method) return { route, params };
    allow.push(route.method);
  }
  return allow.length ? { allow } : undefined;
}

/** The whole body, refusing more than MAX_BODY_BYTES. */
async function readBody(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n > MAX_BODY_BYTES) throw new S3Error('InvalidRequest', `The body exceeds ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The body as JSON: undefined when empty; it must say it is JSON (a cross-site form cannot, without a preflight). */
function parseJson(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return undefined;
  if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) throw new S3Error('InvalidRequest', 'The body must be JSON, sent with Content-Type: application/json.');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new S3Error('MalformedJSON', `The body is not valid JSON: ${(e as Error).message}`);
  }
}

/** One admin API request, answered; never throws. */
export async function handleApi(sources: ApiSources, ex: AdminExchange): Promise<void> {
  const method = ex.req.method ?? 'GET';
  const [rawPath, rawQuery] = (ex.req.url ?? '/').split('?', 2) as [string, string | undefined];
  let answer: AdminAnswer;
  let name = 'admin-api:unknown';
  try {
    let segments: string[];
    try {
      segments = rawPath.slice(API_PREFIX.length).split('/').map(decodeURIComponent);
    } catch {
      throw new S3Error('InvalidURI');
    }
    if (segments.at(-1) === '') segments.pop();
    const found = match(method, segments);
    if (!found) throw new S3Error('NoSuchEntity', `No such admin API path: ${rawPath} (docs/admin-api.md lists them).`);
    if ('allow' in found) throw new S3Error('MethodNotAllowed', `${method} is not allowed on ${rawPath}; allowed: ${found.allow.join(', ')}.`, {}, { Allow: found.allow.join(', ') });
    const { route, params } = found;
    name = `admin-api:${route.method} ${route.path}`;
    const raw = await readBody(ex.req);
    const who = route.open ? undefined : await whoIsAsking(ex.req, raw, sources);
    const req: ApiRequest = {
      method, params, query: new URLSearchParams(rawQuery ?? ''), body: parseJson(raw, headerOf(ex.req.headers, 'content-type')),
      // An open route (sign-in) runs before anyone is known: it never reads principal or via.
      principal: who?.principal as ApiRequest['principal'], via: who?.via as ApiRequest['via'], http: ex.req, id: ex.id, sources,
    };
    if (who) {
      ex.user = who.principal.user;
      ex.accessKey = who.principal.accessKeyId;
    }
    answer = resultAnswer(await route.run(req));
  } catch (e) {
    const err = isS3Error(e) ? e : fileSystemFailure(e) ?? new S3Error('InternalError');
    if (!isS3Error(e)) sources.log.error({ err: e, req_id: ex.id, op: name }, 'admin API: unexpected failure');
    ex.error = err.code;
    answer = json(err.status, { code: err.code, message: err.message, requestId: ex.id });
    answer.headers = { ...answer.headers, ...err.headers };
  }
  ex.operation = name;
  await ex.send(answer).catch(() => {});
}

/** A route's result as an answer: JSON, no caching (answers carry secrets and session tokens). */
function resultAnswer(r: ApiResult): AdminAnswer {
  if (r.lines) {
    const lines = r.lines;
    const text = async function* () {
      for await (const v of lines) yield JSON.stringify(v) + '\n';
    };
    return { status: r.status ?? 200, headers: { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store', ...r.headers }, body: Readable.from(text(), { objectMode: false }) };
  }
  if (r.body === undefined) return { status: r.status ?? 204, headers: { 'Cache-Control': 'no-store', ...r.headers } };
  const a = json(r.status ?? 200, r.body);
  return { ...a, headers: { ...a.headers, ...r.headers } };
}
