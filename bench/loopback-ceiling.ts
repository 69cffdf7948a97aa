/**
 * What this machine's loopback allows a node:http server and the bench client: 64 MiB GET and PUT against a
 * server that does nothing else, with the same raw client. It is the ceiling the dirbucket figures should be
 * read against.
 */
import { join } from 'node:path';
import { RawS3Connection } from './raw-connection.js';
import { REPO_ROOT, spawnWithEndpoint } from './server-process.js';
import type { Credentials } from '../test/helpers/sigv4.js';
import { timeIterations, type IterationOptions, type Throughput } from './time-iterations.js';

export interface LoopbackCeiling {
  get: Throughput;
  put: Throughput;
}

/** Runs the bare server as a child and times GETs and PUTs of `sizeMiB` the same way the real ones are timed. */
export async function measureLoopbackCeiling(o: IterationOptions, credentials: Credentials): Promise<LoopbackCeiling> {
  const script = join(REPO_ROOT, 'dist', 'bench', 'loopback-server.js');
  const server = await spawnWithEndpoint([script, String(o.sizeMiB)], {}, 15_000);
  const client = new RawS3Connection({ endpoint: server.endpoint, credentials, timeoutMs: 60_000 });
  try {
    const body = Buffer.alloc(o.sizeMiB * 1024 * 1024, 0xa5);
    const get = await timeIterations(o, async () => {
      const res = await client.expectOk({ method: 'GET', bucket: 'loopback', key: 'x' });
      if (res.bytes !== body.length) throw new Error(`loopback GET: ${res.bytes} bytes`);
    });
    const put = await timeIterations(o, async () => {
      await client.expectOk({ method: 'PUT', bucket: 'loopback', key: 'x', body, signPayload: false });
    });
    return { get, put };
  } finally {
    client.close();
    await server.stop(5_000);
  }
}
