/**
 * Driving the web console in headless Chromium (Debian's chromium through playwright-core): a browser with a fresh
 * context at 1280×800, sign-in by keyboard, screenshots kept under test-output/console/ for review, and the
 * upload progress a page showed. Under CI=true a missing chromium fails (browser.ts, requires.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, STEP_MS } from './browser.js';
import { repoRoot } from './repo-root.js';

export { CHROMIUM, STEP_MS };

/** Where screenshots go: one PNG per page a test looked at, named by the test. */
export const SCREENSHOT_DIR = join(repoRoot(), 'test-output', 'console');

/** A browser and one page in a fresh context (no cookies), every step bounded. */
export interface ConsoleBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Saves a screenshot of the whole page as SCREENSHOT_DIR/`name`.png; returns its path. */
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts Chromium with one page on `origin` (nothing loaded yet); confirm() dialogs are accepted. */
export async function openConsoleBrowser(): Promise<ConsoleBrowser> {
  assert.ok(CHROMIUM.path, 'chromium is required (the suite is skipped without it)');
  const browser = await chromium.launch({
    executablePath: CHROMIUM.path, headless: true, timeout: STEP_MS,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    browser, context, page,
    shot: async (name) => {
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: () => browser.close(),
  };
}

/** Signs in on the console's page at `admin` with the keyboard only (the access key field has the focus). */
export async function signInByKeyboard(page: Page, admin: string, accessKeyId: string, secretAccessKey: string): Promise<void> {
  await page.goto(admin + '/');
  await page.getByLabel('Access key').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'access-key', 'the access key field has the focus');
  await page.keyboard.type(accessKeyId);
  await page.keyboard.press('Tab');
  await page.keyboard.type(secretAccessKey);
  await page.keyboard.press('Enter');
}

/**
 * Starts recording, in the page, every value the upload progress bars show (their data-progress attribute as the
 * page sets it); progressSeen() returns them in order.
 */
export async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { progressSeen: string[] };
    w.progressSeen = [];
    const note = (el: Element) => {
      const v = el.getAttribute('data-progress');
      if (v !== null && w.progressSeen.at(-1) !== v) w.progressSeen.push(v);
    };
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') note(r.target as Element);
        for (const n of Array.from(r.addedNodes)) if (n instanceof Element) n.querySelectorAll('[data-progress]').forEach(note);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-progress'] });
  });
}

/** The progress values recorded since recordProgress(), as numbers. */
export async function progressSeen(page: Page): Promise<number[]> {
  return (await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen)).map(Number);
}

/** The HTTP status an S3 SDK call answered: 200 when it succeeded, the error's status otherwise (-1 without one). */
export async function s3Status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? -1;
  }
}
