/**
 * The CORS side of every request, called from handle-request.ts: preflight (OPTIONS) answers, made before
 * authentication since browsers send no credentials on them, and the CORS headers of actual responses —
 * errors included, so a page can read why its request failed.
 */
import type { ServerResponse } from 'node:http';
import { headerOf, type HeaderBag } from '../../http/headers.js';
import type { Backend, CorsRule } from '../../storage/backend.js';
import { CORS_METHODS } from './config.js';
import { corsResponseHeaders, headerList, matchRule, type CorsAsk } from './rules.js';
import { S3Error } from '../../errors/s3-error.js';
import { resolveRequest } from '../resolve.js';
import type { S3Response } from '../types.js';


async function rulesOf(backend: Backend, bucket: string): Promise<CorsRule[] | undefined> {
  return backend.getBucketConfig({ bucket, name: 'cors' });
}

/**
 * Answers a preflight for the bucket the URL addresses (its query is ignored: it belongs to the request being
 * prepared). 400 without Origin or with an unknown Access-Control-Request-Method; 403 when the bucket has no
 * CORS configuration or no rule allows the origin, method and headers; else 200 with the rule's headers.
 */
export async function corsPreflight(backend: Backend, url: string, headers: HeaderBag, domain?: string): Promise<S3Response> {
  const origin = headerOf(headers, 'origin');
  if (!origin) throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
  const method = headerOf(headers, 'access-control-request-method');
  if (!method || !CORS_METHODS.includes(method)) throw new S3Error('BadRequest', `Invalid Access-Control-Request-Method: ${method ?? 'null'}`);
  const q = url.indexOf('?');
  const { bucket } = resolveRequest('GET', q < 0 ? url : url.slice(0, q), headerOf(headers, 'host'), domain);
  const rules = bucket ? await rulesOf(backend, bucket).catch(() => undefined) : undefined;
  if (!rules?.length) throw new S3Error('AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.');
  const ask: CorsAsk = { origin, method, headers: headerList(headerOf(headers, 'access-control-request-headers')) };
  const rule = matchRule(rules, ask);
  if (!rule) {
    throw new S3Error('AccessForbidden', 'CORSResponse: This CORS request is not allowed. This is usually because the evaluation of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.');
  }
  return { status: 200, headers: corsResponseHeaders(rule, ask, true) };
}

/**
 * Sets the CORS headers of an actual request's response, when it has an Origin that a rule of its bucket allows
 * for its method. Never throws: a bucket that cannot be read simply gives no CORS headers.
 */
export async function addCorsHeaders(backend: Backend, res: ServerResponse, method: string, bucket: string | undefined,
  headers: HeaderBag): Promise<void> {
  const origin = headerOf(headers, 'origin');
  if (!origin || !bucket) return;
  const rules = await rulesOf(backend, bucket).catch(() => undefined);
  if (!rules?.length) return;
  const ask: CorsAsk = { origin, method, headers: [] };
  const rule = matchRule(rules, ask);
  if (!rule) return;
  for (const [name, value] of Object.entries(corsResponseHeaders(rule, ask, false))) res.setHeader(name, value);
}
