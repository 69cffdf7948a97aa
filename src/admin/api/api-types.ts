/** The admin API's shapes: what the composition root provides, what a route sees, and what it returns. */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Principal } from '../../accounts/principal.js';
import type { SignedBy } from '../../s3/access/request-facts.js';
import type { FrontEnd } from '../../s3/handle-request.js';
import type { Session, SessionStore } from '../session.js';

/** One listener of the server, for GET /admin/v1/server. */
export interface ListenerReport {
  name: 's3' | 'admin';
  endpoint: string;
}

/** A directory the server stores in, with what its file system can do. */
export interface FileSystemReport {
  what: string;
  dir: string;
  /** The file system type (statfs), e.g. ext4, xfs, nfs. */
  type: string;
  network: boolean;
  /** Metadata in extended attributes (user.*); false: in sidecar files. */
  xattrs: boolean;
  /** Copies share blocks (FICLONE). */
  reflink: boolean;
  /** The immutable attribute can be set (object lock enforced by the file system). */
  immutable: boolean;
  /** Why the capabilities could not be probed (they read false). */
  problem?: string;
}

/** One background job's record, for GET /admin/v1/jobs. */
export interface JobReport {
  name: string;
  intervalMs: number;
  /** Where the jobs run: here, or in another process of the host (--workers: the worker in slot 0). */
  runsHere: boolean;
  running: boolean;
  lastRun?: { started: string; ended: string; ok: boolean; ms: number; error?: string };
  lastFailure?: { at: string; error: string };
  nextRun?: string;
  runs: number;
  failures: number;
}

/** What the admin API reads and changes, provided by the composition root (serve). */
export interface ApiSources {
  /** The S3 front end: storage, accounts and settings, for bucket operations run as their S3 operation. */
  frontEnd: FrontEnd;
  /** The users file (state directory): users, keys and grants. */
  usersFile: string;
  /** Called after the API changed the users file, so that the next request sees the change at once. */
  usersChanged(): Promise<void>;
  sessions: SessionStore;
  version: string;
  startedAt: Date;
  /** 'root' (every subdirectory of --root is a bucket) or 'mapped' (configured buckets), and the root. */
  storage: { root?: string; buckets: number };
  /**
   * Whether the gateway may give files to other identities (root, or CAP_CHOWN): false under `--without-chown
   * own-identity`, when only users and buckets acting as the gateway's own identity are served.
   */
  chown: boolean;
  listeners(): ListenerReport[];
  fileSystems(): Promise<FileSystemReport[]>;
  /** As `dirbucket cert status --json` describes them; empty for plain HTTP. */
  certificates(): unknown[];
  jobs(): JobReport[];
  log: Logger;
}

/** An authenticated admin API request, as a route sees it. */
export interface ApiRequest {
  method: string;
  /** The path's segments after /admin/v1/, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The body parsed as JSON (undefined when there was none). */
  body: unknown;
  principal: Principal;
  /** How the request proved who it is. */
  via: { kind: 'sigv4'; signedBy: SignedBy } | { kind: 'session'; session: Session; token: string };
  http: IncomingMessage;
  id: string;
  sources: ApiSources;
}

/** What a route returns; the API app writes it as JSON. */
export interface ApiResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Instead of `body`: values written as they come, one JSON line each (application/x-ndjson), for progress. */
  lines?: AsyncIterable<unknown>;
}

/** One route: a method and a path pattern (`:name` segments become params). */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  run(req: ApiRequest): Promise<ApiResult>;
  /** Reached without authentication (signing in). */
  open?: true;
}
