/**
 * The test runner behind `npm test`: runs exactly the compiled `*.test.js` files under the given directories
 * (default: this one), two files at a time. Why not `node --test DIR`: Node 20 runs every .js file under a
 * directory, so helper modules would count as passing tests; and it has no glob support to say otherwise.
 *
 * Usage: node dist/test/run.js [DIR or FILE...] [--node-test-option=VALUE...]. Fails when no test file is found.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url)); // dist/test
const repo = resolve(here, '../..');

/** The `*.test.js` files under `path` (or `path` itself), sorted so runs are repeatable. */
function testFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return path.endsWith('.test.js') ? [path] : [];
  const found: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(child));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(child);
  }
  return found.sort();
}

/**
 * Whether the compiled file still has its TypeScript source. Why: tsc never deletes output, so a test file
 * moved or removed in test/ would otherwise keep running from dist/ with its old content.
 */
function hasSource(file: string): boolean {
  const rel = relative(repo, resolve(file));
  if (!rel.startsWith('dist/')) return true;
  return existsSync(join(repo, rel.slice('dist/'.length).replace(/\.js$/, '.ts')));
}

const args = process.argv.slice(2);
const options = args.filter((a) => a.startsWith('--'));
const roots = args.filter((a) => !a.startsWith('--'));
const files: string[] = [];
for (const root of roots.length ? roots : [here]) {
  if (!existsSync(root)) {
    console.error(`test runner: ${root} does not exist`);
    process.exit(2);
  }
  for (const file of testFiles(root)) {
    if (hasSource(file)) files.push(file);
    else console.error(`test runner: skipping ${file}: its source is gone (a stale build output)`);
  }
}
if (files.length === 0) {
  console.error(`test runner: no *.test.js files under ${(roots.length ? roots : [here]).join(', ')}`);
  process.exit(2);
}
console.error(`test runner: ${files.length} test files`);

const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...options, ...files], { stdio: 'inherit' });
// Why forward: a time limit (CI's `timeout`) or ^C that reaches only this process must still stop the tests.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
