/**
 * The shared set-up of browser tests: a dirbucket with one bucket, a page server on another loopback port (another
 * origin), and headless Chromium (Debian's chromium, driven by playwright-core) with a fresh profile, every step
 * bounded. Under CI=true a missing chromium fails (requires.ts); elsewhere the suite is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { requireTool, type Tool } from './requires.js';
import { startServer, type TestServer } from './server.js';

/** Chromium, or why browser suites skip: pass `CHROMIUM.skip` as the describe's `skip`. */
export const CHROMIUM: Tool = requireTool('chromium');

/** Bounds every browser step: a hung browser fails the test instead of hanging the suite. */
export const STEP_MS = 30_000;

/** A browser suite's server, page origin and page, set once before() has run. */
export interface BrowserSession {
  readonly server: TestServer;
  /** The page server's origin (`http://127.0.0.1:PORT`): not the S3 server's. */
  readonly pageOrigin: string;
  readonly page: Page;
}

/** What the page server answers: `session` is ready (server and pageOrigin set) by the time a request comes. */
export type PageHandler = (req: IncomingMessage, res: ServerResponse, session: Omit<BrowserSession, 'page'>) => void;

/**
 * Registers on the suite being defined: before(), a server with `bucket`, the page server answering with
 * `handler`, and Chromium on a blank page; after(), all of them stopped and the profile removed.
 */
export function browserSession(bucket: string, handler: PageHandler): BrowserSession {
  let server: TestServer | undefined;
  let pages: Server | undefined;
  let pageOrigin: string | undefined;
  let profile: string | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const ready = {
    get server() {
      assert.ok(server, 'the server is started in before()');
      return server;
    },
    get pageOrigin() {
      assert.ok(pageOrigin, 'the page server is started in before()');
      return pageOrigin;
    },
  };
  before(async () => {
    server = await startServer();
    await server.client().send(new CreateBucketCommand({ Bucket: bucket }));
    pages = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      handler(req, res, ready);
    });
    await new Promise<void>((resolve) => pages!.listen(0, '127.0.0.1', resolve));
    pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    profile = await mkdtemp(join(tmpdir(), 'dirbucket-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM.path,
      headless: true,
      timeout: STEP_MS,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    context.setDefaultTimeout(STEP_MS);
    page = context.pages()[0] ?? (await context.newPage());
  });
  after(async () => {
    await context?.close().catch(() => {});
    if (profile) await rm(profile, { recursive: true, force: true });
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
    await server?.stop();
  });
  return {
    get server() {
      return ready.server;
    },
    get pageOrigin() {
      return ready.pageOrigin;
    },
    get page() {
      assert.ok(page, 'the browser is started in before()');
      return page;
    },
  };
}
