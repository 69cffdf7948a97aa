/**
 * /admin/v1/buckets/:bucket/{versioning,lock,cors,policy,tags,lifecycle}: a bucket's settings as JSON, each read and
 * written by its S3 operation (GetBucketCors, PutBucketCors, …), so the same rights, policy and checks apply.
 * A JSON body is turned into the operation's XML document and parsed by the operation itself: one validation.
 * A setting the bucket does not have reads as empty (S3's NoSuch… is for clients that need to tell).
 */
import { isS3Error, S3Error, type S3ErrorCode } from '../../errors/s3-error.js';
import { corsConfigurationXml, parseCorsConfiguration } from '../../s3/cors/config.js';
import { lifecycleConfigurationXml } from '../../s3/lifecycle/configuration-xml.js';
import { parseLifecycleConfiguration } from '../../s3/lifecycle/parse-configuration.js';
import { lockConfigurationXml, parseLockConfiguration } from '../../s3/lock/lock-xml.js';
import type { OperationName } from '../../s3/operations.js';
import { parseTagging, taggingXml } from '../../s3/tags.js';
import type { S3Response } from '../../s3/types.js';
import { encodeXml, type XmlObject } from '../../s3/xml.js';
import type { CorsRule } from '../../storage/bucket-config.js';
import type { LifecycleRule } from '../../storage/lifecycle-rules.js';
import type { ObjectLockConfiguration, Tag } from '../../storage/backend.js';
import { objectBody } from './api-checks.js';
import type { ApiRequest, Route } from './api-types.js';
import { s3Call } from './s3-call.js';

/** One setting: its operations, what its absence is called, and how its JSON and its S3 document map. */
interface Setting {
  path: string;
  get: OperationName;
  put: OperationName;
  del?: OperationName;
  /** The S3 error that means "none set". */
  none?: S3ErrorCode;
  /** The JSON of a GET answer (undefined: none set). */
  read(r: S3Response | undefined): unknown;
  /** The S3 request body for a PUT of this JSON object. */
  write(o: Record<string, unknown>): string;
}

/** The XML text of an operation's answer. */
function xmlOf(r: S3Response): string {
  return encodeXml(r.xml!.root, r.xml!.body);
}

/** The XML document of `body`; a JSON value the builder cannot take (a number for a list...) is MalformedJSON. */
function document(root: string, build: () => XmlObject): string {
  try {
    return encodeXml(root, build());
  } catch (e) {
    if (isS3Error(e)) throw e;
    throw new S3Error('MalformedJSON', `The body does not have the shape of a ${root}: ${(e as Error).message}`);
  }
}

const SETTINGS: Setting[] = [
  {
    path: 'versioning', get: 'GetBucketVersioning', put: 'PutBucketVersioning',
    read: (r) => ({ status: ((r!.xml!.body as XmlObject).Status as string | undefined) ?? null }),
    write: (o) => document('VersioningConfiguration', () => ({ Status: o.status as string })),
  },
  {
    path: 'lock', get: 'GetObjectLockConfiguration', put: 'PutObjectLockConfiguration', none: 'ObjectLockConfigurationNotFoundError',
    read: (r) => (r ? parseLockConfiguration(xmlOf(r)) : { enabled: false }),
    // enabled: false cannot be asked for: S3 refuses to turn lock off, and the operation's parser says so.
    write: (o) => document('ObjectLockConfiguration', () => (o.enabled === false
      ? { ObjectLockEnabled: 'Disabled' }
      : lockConfigurationXml({ enabled: true, ...(o.defaultRetention !== undefined ? { defaultRetention: o.defaultRetention } : {}) } as ObjectLockConfiguration))),
  },
  {
    path: 'cors', get: 'GetBucketCors', put: 'PutBucketCors', del: 'DeleteBucketCors', none: 'NoSuchCORSConfiguration',
    read: (r) => ({ rules: r ? parseCorsConfiguration(xmlOf(r)) : [] }),
    write: (o) => document('CORSConfiguration', () => {
      if (!Array.isArray(o.rules)) throw new S3Error('MalformedJSON', '"rules" must be an array of CORS rules.');
      return corsConfigurationXml((o.rules as Partial<CorsRule>[]).map((r) => ({ allowedHeaders: [], exposeHeaders: [], ...r }) as CorsRule));
    }),
  },
  {
    path: 'tags', get: 'GetBucketTagging', put: 'PutBucketTagging', del: 'DeleteBucketTagging', none: 'NoSuchTagSet',
    read: (r) => ({ tags: r ? parseTagging(xmlOf(r), 'bucket') : [] }),
    write: (o) => document('Tagging', () => {
      if (!Array.isArray(o.tags)) throw new S3Error('MalformedJSON', '"tags" must be an array of {key, value}.');
      return taggingXml(o.tags as Tag[]);
    }),
  },
  {
    path: 'policy', get: 'GetBucketPolicy', put: 'PutBucketPolicy', del: 'DeleteBucketPolicy', none: 'NoSuchBucketPolicy',
    read: (r) => ({ policy: r ? JSON.parse(String(r.body)) as unknown : null }),
    // The policy as an object, or as the text to keep (whose layout S3 returns as given).
    write: (o) => {
      if (typeof o.policy === 'string') return o.policy;
      if (typeof o.policy !== 'object' || o.policy === null) throw new S3Error('MalformedJSON', '"policy" must be a policy document (an object, or its text).');
      return JSON.stringify(o.policy, null, 2);
    },
  },
  {
    path: 'lifecycle', get: 'GetBucketLifecycleConfiguration', put: 'PutBucketLifecycleConfiguration', del: 'DeleteBucketLifecycle',
    none: 'NoSuchLifecycleConfiguration',
    read: (r) => ({ rules: r ? parseLifecycleConfiguration(xmlOf(r)) : [] }),
    // The rules in the shape GET answers; lists and a filter left out are empty (every object), as in S3's XML.
    write: (o) => document('LifecycleConfiguration', () => {
      if (!Array.isArray(o.rules)) throw new S3Error('MalformedJSON', '"rules" must be an array of lifecycle rules.');
      return lifecycleConfigurationXml((o.rules as Partial<LifecycleRule>[]).map((r) => ({
        transitions: [], noncurrentTransitions: [], ...r, filter: { form: 'filter', ...r.filter, tags: r.filter?.tags ?? [] },
      }) as LifecycleRule));
    }),
  },
];

/** The GET answer of `s`, empty where the bucket has none. */
async function readSetting(req: ApiRequest, s: Setting): Promise<unknown> {
  try {
    return s.read(await s3Call(req, s.get, req.params.bucket!));
  } catch (e) {
    if (isS3Error(e) && e.code === s.none) return s.read(undefined);
    throw e;
  }
}

/** The routes of every setting: GET and PUT, and DELETE where S3 has one. */
export const BUCKET_SETTING_ROUTES: Route[] = SETTINGS.flatMap((s): Route[] => [
  { method: 'GET', path: `buckets/:bucket/${s.path}`, run: async (req) => ({ body: await readSetting(req, s) }) },
  {
    method: 'PUT', path: `buckets/:bucket/${s.path}`,
    run: async (req) => {
      await s3Call(req, s.put, req.params.bucket!, { body: s.write(objectBody(req)) });
      return { status: 204 };
    },
  },
  ...(s.del ? [{
    method: 'DELETE' as const, path: `buckets/:bucket/${s.path}`,
    run: async (req: ApiRequest) => {
      await s3Call(req, s.del!, req.params.bucket!);
      return { status: 204 };
    },
  }] : []),
]);
