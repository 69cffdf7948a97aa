/**
 * The shared set-up of the tests that drive real S3 clients (aws cli, rclone, s3cmd, boto3): a scratch directory
 * and a server per suite, and each client configured for that server from files in the scratch directory and
 * its environment only, so nothing of the machine's own configuration (profiles, remotes, proxies) leaks in.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { makeTempDir, removeDir } from './files.js';
import { startServer, type TestServer } from './server.js';
import { cleanEnv, describeRun, run, type RunResult } from './tool.js';

/** A client suite's server and scratch directory (its working directory and HOME), set once before() has run. */
export interface ClientSession {
  readonly server: TestServer;
  readonly work: string;
}

/** Runs the client with `args` (bounded by `timeoutMs`, or the runner's default) to completion. */
export type ClientRun = (args: string[], timeoutMs?: number) => Promise<RunResult>;

/**
 * Registers on the suite being defined: before(), a scratch directory named from `prefix` and a server;
 * after(), the server stopped and the directory removed. Call it before the suite's own before().
 */
export function clientSession(prefix: string): ClientSession {
  let server: TestServer | undefined;
  let work: string | undefined;
  before(async () => {
    work = await makeTempDir(prefix);
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
    if (work) await removeDir(work);
  });
  return {
    get server() {
      assert.ok(server, 'the server is started in before()');
      return server;
    },
    get work() {
      assert.ok(work, 'the scratch directory is made in before()');
      return work;
    },
  };
}

/** Options for awsCli. */
export interface AwsCliOptions {
  /** Lines for the config file's `s3 =` section, before addressing_style (e.g. multipart thresholds). */
  s3?: string[];
  /** Arguments before each call's own (after --endpoint-url). */
  args?: string[];
  timeoutMs: number;
}

/**
 * The AWS CLI at `path` for the session's server: credentials from the environment, a config file with region,
 * path-style addressing, its own transfer defaults unless `s3` sets them, and max_attempts 2 (so server errors
 * are not retried away).
 */
export async function awsCli(path: string, s: ClientSession, o: AwsCliOptions): Promise<ClientRun> {
  const { server, work } = s;
  const config = join(work, 'aws-config');
  const s3 = [...(o.s3 ?? []), 'addressing_style = path'].map((l) => `  ${l}\n`).join('');
  await writeFile(config, `[default]\nregion = us-east-1\nmax_attempts = 2\ns3 =\n${s3}`);
  const env = cleanEnv({
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    HOME: work,
  });
  const before = ['--endpoint-url', server.endpoint, ...(o.args ?? [])];
  return (args, timeoutMs = o.timeoutMs) => run(path, [...before, ...args], { env, cwd: work, timeoutMs });
}

/**
 * rclone at `path` with the remote `db:` for the session's server. Why env only: the remote is defined by
 * RCLONE_CONFIG_DB_*, and RCLONE_CONFIG points at a file that does not exist, so nothing from the machine's own
 * rclone.conf can leak in. `flags` go after each call's arguments.
 */
export function rclone(path: string, s: ClientSession, o: { flags: string[]; timeoutMs: number }): ClientRun {
  const { server, work } = s;
  const env = cleanEnv({
    RCLONE_CONFIG: join(work, 'no-rclone.conf'),
    RCLONE_CONFIG_DB_TYPE: 's3',
    RCLONE_CONFIG_DB_PROVIDER: 'Other',
    RCLONE_CONFIG_DB_ENDPOINT: server.endpoint,
    RCLONE_CONFIG_DB_ACCESS_KEY_ID: server.accessKeyId,
    RCLONE_CONFIG_DB_SECRET_ACCESS_KEY: server.secretAccessKey,
    RCLONE_CONFIG_DB_REGION: server.region,
    RCLONE_CONFIG_DB_FORCE_PATH_STYLE: 'true',
    HOME: work,
  });
  return (args, timeoutMs = o.timeoutMs) => run(path, [...args, ...o.flags], { env, cwd: work, timeoutMs });
}

/**
 * s3cmd at `path` for the session's server: a config file (work/s3cfg) for SigV4 over plain HTTP, path style
 * (host_bucket without %(bucket)s), plus `config` lines.
 */
export async function s3cmd(path: string, s: ClientSession, o: { config?: string[]; timeoutMs: number }): Promise<ClientRun> {
  const { server, work } = s;
  const file = join(work, 's3cfg');
  const hostPort = `127.0.0.1:${server.port}`;
  await writeFile(file, [
    '[default]', `access_key = ${server.accessKeyId}`, `secret_key = ${server.secretAccessKey}`, `host_base = ${hostPort}`,
    `host_bucket = ${hostPort}`, 'bucket_location = us-east-1', 'use_https = False', 'signature_v2 = False', 'progress_meter = False',
    ...(o.config ?? []), '',
  ].join('\n'));
  const env = cleanEnv({ HOME: work });
  return (args, timeoutMs = o.timeoutMs) => run(path, ['--config', file, '--no-progress', ...args], { env, cwd: work, timeoutMs });
}

/** Runs one phase of a boto3 script against a bucket; resolves with the JSON value of its last output line. */
export type Boto3Phase = (phase: string, bucket?: string) => Promise<unknown>;

/** Options for boto3Script. */
export interface Boto3Options {
  /** The python source; it reads DB_ENDPOINT, DB_KEY, DB_SECRET, DB_BUCKET and `env` from its environment. */
  script: string;
  /** The bucket a phase works on unless it names another. */
  bucket: string;
  env?: Record<string, string>;
  timeoutMs: number;
}

/**
 * A boto3 script, written to the scratch directory and run with the python at `python`, one phase per run
 * (`python script.py PHASE`). A phase that exits non-zero fails the test with its output.
 */
export async function boto3Script(python: string, s: ClientSession, o: Boto3Options): Promise<Boto3Phase> {
  const { server, work } = s;
  const script = join(work, 'boto3_client.py');
  await writeFile(script, o.script);
  return async (phase, bucket = o.bucket) => {
    const env = cleanEnv({
      DB_ENDPOINT: server.endpoint,
      DB_KEY: server.accessKeyId,
      DB_SECRET: server.secretAccessKey,
      DB_BUCKET: bucket,
      ...o.env,
      AWS_CONFIG_FILE: join(work, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      HOME: work,
    });
    const r = await run(python, [script, phase], { env, cwd: work, timeoutMs: o.timeoutMs });
    assert.equal(r.code, 0, describeRun(`boto3 ${phase}`, r));
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  };
}
