/**
 * Request → operation: the S3 operation name follows from the method, whether a bucket and key are addressed,
 * and the subresource in the query — as in the S3 API reference, so the name also says which handler runs.
 * The rows it recognises are those of operations.ts.
 */
import { headerOf, type HeaderBag } from '../http/headers.js';
import { S3Error } from '../errors/s3-error.js';
import { decodePath } from './decode-path.js';
import { OPERATIONS, operationRow, type Operation, type OperationName } from './operations.js';

export interface ResolvedRequest {
  operation: OperationName;
  bucket?: string;
  key?: string;
  query: URLSearchParams;
  /** the path as sent, still encoded (for SigV4) */
  rawPath: string;
  /** The bucket came from the Host header (virtual-hosted style): SigV2 then signs it as `/bucket`. */
  hostStyle: boolean;
}

type Target = Operation['target'];
type Row = Operation & { name: OperationName };

const ROWS: readonly Row[] = (Object.keys(OPERATIONS) as OperationName[]).map((name) => ({ ...operationRow(name), name }));

/** Each target's subresources in the order they are recognised (table order), then '' for the resource itself. */
const SUBRESOURCES: Readonly<Record<Target, readonly string[]>> = {
  service: subresourcesOf('service'),
  bucket: subresourcesOf('bucket'),
  object: subresourcesOf('object'),
};

function subresourcesOf(target: Target): string[] {
  const subs = new Set<string>();
  for (const r of ROWS) if (r.target === target && r.sub !== undefined) subs.add(r.sub);
  return [...subs, ''];
}

/** The rows a request with this target and subresource (or '') may be. */
function rowsAt(target: Target, sub: string): Row[] {
  return ROWS.filter((r) => r.target === target && (r.sub ?? '') === sub);
}

function pick(target: Target, method: string, query: URLSearchParams): OperationName {
  for (const sub of SUBRESOURCES[target]) {
    if (sub !== '' && !query.has(sub)) continue;
    // Header refinements (copies) come later, in refineOperation: the headers are not at hand here.
    const rows = rowsAt(target, sub).filter((r) => r.method === method && !(r.when && 'header' in r.when));
    const refined = rows.find((r) => r.when && 'query' in r.when && query.get(r.when.query) === r.when.is);
    const row = refined ?? rows.find((r) => !r.when);
    if (row) return row.name;
    throw new S3Error('MethodNotAllowed', `The specified method is not allowed against this resource.`, {
      Method: method,
      ResourceType: sub === '' ? 'BUCKET' : sub.toUpperCase(),
    });
  }
  throw new S3Error('MethodNotAllowed');
}

/**
 * Names the operation of a request. `domain` enables virtual-hosted-style addressing: a Host of
 * `bucket.domain` addresses that bucket, and the whole path is the key.
 */
export function resolveRequest(method: string, url: string, host: string | undefined, domain?: string): ResolvedRequest {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  if (!rawPath.startsWith('/')) throw new S3Error('InvalidURI');

  let bucket: string | undefined;
  let keyPart: string;
  let hostStyle = false;
  const hostname = host?.replace(/:\d+$/, '').toLowerCase();
  if (domain && hostname && hostname !== domain && hostname.endsWith('.' + domain)) {
    bucket = hostname.slice(0, -(domain.length + 1));
    keyPart = rawPath.slice(1);
    hostStyle = true;
  } else {
    const slash = rawPath.indexOf('/', 1);
    const first = slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash);
    // `//x`: an empty bucket name followed by more path is no request S3 can route.
    if (first === '' && rawPath.length > 1) throw new S3Error('InvalidURI', `Couldn't parse the specified URI: ${rawPath}`);
    bucket = first === '' ? undefined : decodePath(first);
    keyPart = slash < 0 ? '' : rawPath.slice(slash + 1);
  }
  const key = keyPart === '' ? undefined : decodePath(keyPart);
  const operation = pick(!bucket ? 'service' : key === undefined ? 'bucket' : 'object', method, query);
  return { operation, bucket, key, query, rawPath, hostStyle };
}

/** Refinements that depend on headers: copies are PUTs with x-amz-copy-source. */
export function refineOperation(operation: OperationName, headers: HeaderBag): OperationName {
  const base = operationRow(operation);
  const refined = rowsAt(base.target, base.sub ?? '').find((r) => r.method === base.method && r.when && 'header' in r.when
    && headerOf(headers, r.when.header) !== undefined);
  return refined?.name ?? operation;
}
