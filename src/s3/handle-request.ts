/**
 * One S3 request, start to end: resolve the operation, authenticate, run its handler, send the answer, fill in
 * the exchange's access line. Every path — success, S3 error, unexpected failure, client disconnect — ends here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { authenticate, type AuthResult } from '../auth/authenticate.js';
import { anonymousPrincipal } from './rights/anonymous.js';
import { identitySources, requestIdentity } from './rights/acting-identity.js';
import { decodeBody, type DecodedBody } from '../auth/chunked/aws-chunked.js';
import type { Backend } from '../storage/backend.js';
import { headerOf } from '../http/headers.js';
import { isS3Error, S3Error } from '../errors/s3-error.js';
import { fileSystemFailure } from '../errors/file-system-failure.js';
import { parseCopySource } from './ops/copy.js';
import { operationRow, type OperationName } from './operations.js';
import { refineOperation, resolveRequest, type ResolvedRequest } from './resolve.js';
import { sendError, sendResponse } from './send.js';
import { addCorsHeaders, corsPreflight } from './cors/response.js';
import { authorizeRequest } from './access/authorize-request.js';
import { requestFactsOf, type SignedBy } from './access/request-facts.js';
import { checkExpectedOwner } from './access/expected-owner.js';
import type { Accounts, AuthorizeAs, FrontEndSettings, Principal, S3Request, S3Response } from './types.js';
import { verifyPostSignature } from '../auth/post-policy/verify-post-signature.js';
import type { S3Exchange } from './exchange.js';

export interface FrontEnd {
  backend: Backend;
  /** Keys, users and their rights. */
  credentials: Accounts;
  settings: FrontEndSettings & { domain?: string };
  log: Logger;
}

/**
 * The principal of a request whose signer only its handler learns (a POST Object form): it has no rights, and
 * the handler replaces it with the form's signer before anything is authorized or written.
 */
const ANONYMOUS_PLACEHOLDER: Principal = {
  user: '*form*', accessKeyId: '', identity: { uid: -1, gid: -1, groups: [] }, admin: false, canCreateBuckets: false, access: () => 'none', anonymous: true,
};

/** Bodies larger than this are not drained after an early error: the connection is closed instead. */
const DRAIN_LIMIT = 1024 * 1024;

function ignore(): void {}

/** Reads a whole (small) body, refusing more than `limit` bytes. */
async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n > limit) throw new S3Error('MalformedXML', `The request body exceeds ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The bucket and key named by x-amz-copy-source, parsed as the copy handlers parse it; undefined when absent or malformed. */
function copySourceOf(headers: IncomingMessage['headers']): { bucket: string; key: string } | undefined {
  const v = headerOf(headers, 'x-amz-copy-source');
  if (v === undefined) return undefined;
  try {
    const { bucket, key } = parseCopySource(v);
    return { bucket, key };
  } catch {
    return undefined; // the handler refuses the header with its own error
  }
}

/**
 * A refusal (`refusal`), unless the request addresses a bucket that does not exist: then NoSuchBucket, as S3
 * answers whoever asks (anonymous and unauthorized requests too). Asked only on the refusal path, so an allowed
 * request pays nothing for it.
 */
async function missingBucketOr(backend: Backend, resolved: ResolvedRequest | undefined, op: OperationName | undefined, refusal: unknown): Promise<unknown> {
  const bucket = resolved?.bucket;
  if (bucket === undefined || op === undefined || op === 'CreateBucket' || !isS3Error(refusal) || refusal.code !== 'AccessDenied') return refusal;
  try {
    await backend.headBucket({ bucket });
    return refusal;
  } catch (e) {
    return isS3Error(e) && e.code === 'NoSuchBucket' ? e : refusal;
  }
}

const DISCONNECT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Whether `e` is the client closing the connection, not a failure of ours. */
function clientWentAway(e: unknown, req: IncomingMessage, res: ServerResponse): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined && DISCONNECT_CODES.has(code)) && (req.socket.destroyed || res.destroyed || req.destroyed);
}

/**
 * A request whose signer another front end has already established (the console's S3 proxy, behind a session):
 * no signature is looked for, the request is path-style at `url` (the proxy's prefix taken off), and no CORS
 * applies (the proxy is same-origin only: a bucket's CORS rules must not open the console's origin to other sites).
 */
export interface SignedIn {
  principal: Principal;
  signedBy: SignedBy;
  /** The S3 request's path and query: `/bucket/key?query`. */
  url: string;
}

/** Handles one HTTP request as an S3 request (as `signedIn`'s principal, when given). Never throws. */
export async function handleRequest(fe: FrontEnd, ex: S3Exchange, signedIn?: SignedIn): Promise<void> {
  const { req, res, expectContinue, id } = ex;
  const method = req.method ?? 'GET';
  const url = signedIn?.url ?? req.url ?? '/';

  let resolved: ResolvedRequest | undefined;
  // For the access line: the operation, once named (preflights and unresolvable requests have their own names).
  let operation: OperationName | 'PreflightCorsRequest' | 'Unknown' = 'Unknown';
  let user: string | undefined;
  let accessKey: string | undefined;
  let bodyStarted = false;
  let cleanup: S3Response['cleanup'];
  let status = 0;
  try {
    if (method === 'OPTIONS' && !signedIn) {
      // CORS preflight: answered from the bucket's rules, before authentication (browsers send no credentials).
      operation = 'PreflightCorsRequest';
      const answer = await corsPreflight(fe.backend, url, req.headers, fe.settings.domain);
      status = answer.status ?? 200;
      await sendResponse(ex, answer);
      return;
    }
    let resolveError: unknown;
    let named: OperationName | undefined;
    try {
      resolved = resolveRequest(method, url, signedIn ? undefined : req.headers.host, fe.settings.domain);
      operation = named = refineOperation(resolved.operation, req.headers);
    } catch (e) {
      resolveError = e;
    }
    // Before authentication, so that errors (a refused signature too) carry them and the page can read them.
    if (!signedIn) await addCorsHeaders(fe.backend, res, method, resolved?.bucket, req.headers);
    const auth: AuthResult | undefined = signedIn ? undefined : authenticate({ method, url, headers: req.headers, headersDistinct: req.headersDistinct }, fe.credentials,
      { region: fe.settings.region, sigv2: fe.settings.sigv2, hostBucket: resolved?.hostStyle ? resolved.bucket : undefined });
    // Unsigned: anonymous, let in only by ACL grants to everyone or the bucket policy (and refused outright without an
    // identity to act as). A POST Object form carries its signature in the body: its handler decides.
    const formSigned = named !== undefined && operationRow(named).authorizedBy === 'handler';
    if (!auth && !signedIn && !fe.settings.anonymousIdentity && !formSigned) {
      throw await missingBucketOr(fe.backend, resolved, named, new S3Error('AccessDenied', 'Anonymous access is not allowed.'));
    }
    accessKey = signedIn?.principal.accessKeyId ?? auth?.credential.accessKeyId;
    if (resolveError) throw resolveError;
    const r = resolved!;
    const op = named!;
    const handler = operationRow(op).handler;
    if (!handler) throw new S3Error('NotImplemented', `${op} is not implemented.`);
    const anonymous = (): Principal => {
      if (!fe.settings.anonymousIdentity) throw new S3Error('AccessDenied', 'Anonymous access is not allowed.');
      return anonymousPrincipal(fe.settings.anonymousIdentity);
    };
    const principal = signedIn?.principal ?? (auth ? fe.credentials.principal(auth.credential) : formSigned ? ANONYMOUS_PLACEHOLDER : anonymous());
    user = auth || signedIn ? principal.user : undefined;
    // The S3 check (bucket policy, bucket rights, ACL grants); the file-system check follows in the back end, for the
    // identity the request acts as (rights/acting-identity.ts).
    const signedBy = signedIn ? signedIn.signedBy : auth ? { signatureVersion: auth.signatureVersion, authType: auth.presigned ? 'REST-QUERY-STRING' as const : 'REST-HEADER' as const } : undefined;
    const authorizeOp = (operation: OperationName, key: string | undefined, as: AuthorizeAs): Promise<void> => authorizeRequest({
      operation, bucket: r.bucket ?? '', key, principal: as.principal, backend: fe.backend, headers: req.headers,
      facts: () => requestFactsOf(req, r.query, operationRow(operation).action, as.signedBy, as.fields), copySource: copySourceOf(req.headers),
    });
    if (!formSigned) {
      try {
        await authorizeOp(op, r.key, { principal, signedBy });
      } catch (e) {
        throw await missingBucketOr(fe.backend, r, op, e);
      }
    }
    // CreateBucket names a bucket nobody owns yet: S3 takes no expected owner there.
    if (op !== 'CreateBucket') {
      await checkExpectedOwner({ backend: fe.backend, headers: req.headers, bucket: r.bucket ?? '', copySourceBucket: copySourceOf(req.headers)?.bucket });
    }

    const identities = await requestIdentity(identitySources(fe), r.bucket ?? '', principal, { creating: op === 'CreateBucket' });

    let decoded: DecodedBody | undefined;
    const body = (): Readable => {
      if (!decoded) {
        bodyStarted = true;
        // Only now that the request is authenticated and routed does the client get to send its body.
        if (expectContinue) res.writeContinue();
        decoded = decodeBody(req, auth, req.headers);
        // A handler may fail before it reads the body; the decoder's own error (bad chunk signature, hash
        // mismatch) must then not become an unhandled 'error' event that takes the process down.
        decoded.body.on('error', ignore);
      }
      return decoded.body;
    };
    const s3req: S3Request = {
      requestId: id,
      operation: op,
      method,
      bucket: r.bucket ?? '',
      key: r.key ?? '',
      query: r.query,
      header: (name) => headerOf(req.headers, name),
      headers: req.headers,
      principal,
      ...identities,
      accounts: fe.credentials,
      backend: fe.backend,
      settings: fe.settings,
      log: fe.log,
      body,
      trailers: () => (decoded ? decoded.trailers() : {}),
      readBody: (limit) => readAll(body(), limit),
      authorize: (operation, key, as = { principal, signedBy }) => authorizeOp(operation, key, as),
      formSigner: (fields) => {
        const signer = verifyPostSignature(fields, fe.credentials, { region: fe.settings.region, sigv2: fe.settings.sigv2 });
        if (!signer) return { principal: anonymous() };
        return { principal: fe.credentials.principal(signer.credential), signedBy: { signatureVersion: signer.signatureVersion, authType: 'POST' } };
      },
    };
    const response = await handler(s3req);
    cleanup = response.cleanup;
    status = response.status ?? 200;
    await sendResponse(ex, response);
  } catch (e) {
    const err = isS3Error(e) ? e : fileSystemFailure(e) ?? new S3Error('InternalError');
    if (!isS3Error(e)) {
      // A client that hangs up mid-body is routine (aborted downloads, range readers): no stack for it.
      if (clientWentAway(e, req, res)) fe.log.warn({ req_id: id, op: operation, reason: (e as Error)?.message }, 'client disconnected');
      else fe.log.error({ err: e, req_id: id, op: operation }, 'unexpected failure');
    }
    status = err.status;
    ex.error = err.code;
    if (res.headersSent) {
      // The answer was already under way (a read failed mid-stream): all we can do is cut the connection.
      res.destroy();
    } else if (!res.destroyed) {
      const unread = !req.complete && (bodyStarted || Number(headerOf(req.headers, 'content-length') ?? DRAIN_LIMIT + 1) > DRAIN_LIMIT);
      // A body left half-read cannot be skipped reliably: close rather than misparse the next request.
      if (unread && (bodyStarted || !expectContinue)) res.setHeader('Connection', 'close');
      const resource = resolved ? `/${[resolved.bucket, resolved.key].filter((x) => x !== undefined).join('/')}` : url;
      await sendError(ex, err, resource);
    }
  } finally {
    try {
      await cleanup?.();
    } catch (e) {
      fe.log.warn({ err: e, req_id: id }, 'cleanup failed');
    }
    ex.operation = operation;
    ex.accessKey = accessKey;
    ex.user = user;
    ex.bucket = resolved?.bucket;
    ex.key = resolved?.key;
    ex.status = status;
  }
}
