/** CORS: rule matching (origins with wildcards, methods, headers), response headers, and the configuration document. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { S3Error } from '../../src/errors/s3-error.js';
import { corsConfigurationXml, parseCorsConfiguration } from '../../src/s3/cors/config.js';
import { corsResponseHeaders, headerList, matchRule, wildcardMatch } from '../../src/s3/cors/rules.js';
import { encodeXml } from '../../src/s3/xml.js';
import type { CorsRule } from '../../src/storage/backend.js';

const rule = (r: Partial<CorsRule>): CorsRule => ({ allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [], ...r });

test('wildcards match any run of characters, anchored at both ends', () => {
  assert.ok(wildcardMatch('*', 'http://x'));
  assert.ok(wildcardMatch('http://*.example.com', 'http://a.b.example.com'));
  assert.ok(!wildcardMatch('http://*.example.com', 'http://example.com'));
  assert.ok(!wildcardMatch('http://*.example.com', 'http://a.example.com.evil.net'));
  assert.ok(wildcardMatch('http://127.0.0.1:*', 'http://127.0.0.1:8080'));
  assert.ok(!wildcardMatch('http://127.0.0.1:*', 'https://127.0.0.1:8080'));
  assert.ok(wildcardMatch('x-amz-*', 'x-amz-date'));
  assert.ok(wildcardMatch('a*b*c', 'abc') && wildcardMatch('a*b*c', 'aXbYc') && !wildcardMatch('a*b*c', 'acb'));
  assert.ok(wildcardMatch('exact', 'exact') && !wildcardMatch('exact', 'exactly'));
});

test('a rule matches when the origin, the method and every requested header are allowed; the first match wins', () => {
  const rules = [
    rule({ id: 'one', allowedOrigins: ['http://a.test'], allowedMethods: ['PUT'], allowedHeaders: ['Content-Type', 'x-amz-*'] }),
    rule({ id: 'two', allowedOrigins: ['http://*.test'], allowedMethods: ['GET', 'PUT'], allowedHeaders: ['*'] }),
  ];
  assert.equal(matchRule(rules, { origin: 'http://a.test', method: 'PUT', headers: ['content-type', 'x-amz-date'] })?.id, 'one');
  assert.equal(matchRule(rules, { origin: 'http://a.test', method: 'PUT', headers: ['authorization'] })?.id, 'two');
  assert.equal(matchRule(rules, { origin: 'http://a.test', method: 'GET', headers: [] })?.id, 'two');
  assert.equal(matchRule(rules, { origin: 'http://b.test', method: 'DELETE', headers: [] }), undefined);
  assert.equal(matchRule(rules, { origin: 'http://other', method: 'GET', headers: [] }), undefined);
  assert.equal(matchRule([rule({ allowedHeaders: [] })], { origin: 'x', method: 'GET', headers: ['x-custom'] }), undefined);
  assert.deepEqual(headerList(' Content-Type, X-Amz-Date ,,'), ['content-type', 'x-amz-date']);
});

test('response headers: a specific origin is echoed with credentials; `*` answers `*` without them', () => {
  const ask = { origin: 'http://a.test', method: 'PUT', headers: ['content-type'] };
  const specific = corsResponseHeaders(rule({ allowedOrigins: ['http://a.test'], allowedMethods: ['GET', 'PUT'], exposeHeaders: ['ETag', 'x-amz-request-id'], maxAgeSeconds: 600 }), ask, true);
  assert.deepEqual(specific, {
    'Access-Control-Allow-Origin': 'http://a.test',
    'Access-Control-Allow-Methods': 'GET, PUT',
    'Access-Control-Allow-Credentials': 'true',
    'Access-Control-Allow-Headers': 'content-type',
    'Access-Control-Expose-Headers': 'ETag, x-amz-request-id',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  });
  const any = corsResponseHeaders(rule({}), ask, false);
  assert.equal(any['Access-Control-Allow-Origin'], '*');
  assert.equal(any['Access-Control-Allow-Credentials'], undefined);
  assert.equal(any['Access-Control-Allow-Headers'], undefined, 'only a preflight answer names allowed headers');
});

function refuses(body: string, code: string, message: RegExp): void {
  assert.throws(() => parseCorsConfiguration(body), (e: unknown) => e instanceof S3Error && e.code === code && message.test(e.message), body);
}

const cfg = (rules: string) => `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules}</CORSConfiguration>`;

test('a CORS configuration parses every field and writes back the same rules', () => {
  const rules = parseCorsConfiguration(cfg(
    '<CORSRule><ID>r1</ID><AllowedOrigin>http://*.test</AllowedOrigin><AllowedOrigin>http://b</AllowedOrigin><AllowedMethod>GET</AllowedMethod>'
    + '<AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule>'
    + '<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>'));
  assert.deepEqual(rules, [
    { id: 'r1', allowedOrigins: ['http://*.test', 'http://b'], allowedMethods: ['GET', 'PUT'], allowedHeaders: ['*'], exposeHeaders: ['ETag'], maxAgeSeconds: 3000 },
    { allowedOrigins: ['*'], allowedMethods: ['HEAD'], allowedHeaders: [], exposeHeaders: [] },
  ]);
  const xml = encodeXml('CORSConfiguration', corsConfigurationXml(rules));
  assert.deepEqual(parseCorsConfiguration(xml), rules);
});

test('S3 refuses unknown methods, a second wildcard, rules without origin or method, and an empty configuration', () => {
  refuses(cfg('<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule>'), 'InvalidRequest', /Unsupported method is PATCH/);
  refuses(cfg('<CORSRule><AllowedOrigin>http://*.*.test</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>'), 'InvalidRequest', /more than one wildcard/);
  refuses(cfg('<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>x-*-*</AllowedHeader></CORSRule>'), 'InvalidRequest', /AllowedHeader .* more than one wildcard/);
  refuses(cfg('<CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule>'), 'MalformedXML', /AllowedOrigin/);
  refuses(cfg('<CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule>'), 'MalformedXML', /AllowedMethod/);
  refuses(cfg(''), 'MalformedXML', /at least one CORSRule/);
  refuses(cfg('<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>-1</MaxAgeSeconds></CORSRule>'), 'MalformedXML', /MaxAgeSeconds/);
  const many = '<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>'.repeat(101);
  refuses(cfg(many), 'InvalidRequest', /at most 100 rules/);
});
