/** One server at a time on a tree that outlives it, for crash tests: started, killed with SIGKILL, started again. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, type TestServer } from './server.js';
import { waitUntil } from './wait.js';

/** Servers taking turns on `root`, all with the first one's credentials (the harness makes fresh ones per server). */
export class ServerOnTree {
  #current?: TestServer;
  #credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly #retired: TestServer[] = [];

  constructor(readonly root: string) {}

  /** Starts a server on the tree; its accessKeyId, secretAccessKey and client() are the shared credentials. */
  async start(): Promise<TestServer> {
    const server = await startServer({ root: this.root, credentials: this.#credentials });
    this.#credentials ??= { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey };
    if (this.#current) this.#retired.push(this.#current);
    this.#current = server;
    return server;
  }

  /** kill -9 the running server, and wait (bounded) until its port no longer answers. */
  async crash(): Promise<void> {
    const server = this.#current;
    assert.ok(server, 'no server is running');
    server.kill();
    const down = await waitUntil(() => new Promise<boolean>((resolve) => {
      const req = http.get(server.endpoint, () => resolve(false));
      req.on('error', () => resolve(true));
      req.setTimeout(500, () => req.destroy());
    }), { timeoutMs: 10_000, intervalMs: 50 });
    assert.ok(down, 'the killed server still answers');
  }

  /** Stops every server started (a killed one is only waited for); the tree stays. */
  async stopAll(): Promise<void> {
    for (const s of [...this.#retired, this.#current]) await s?.stop();
  }
}
