/**
 * Builds the web console (console/src) into dist/console: one minified JavaScript bundle and one stylesheet, each
 * named by its content hash and written with a gzip copy beside it, and index.html naming them. Run by `npm run
 * build:console`, and so by `prepare` (npm install / npm ci), `npm test` and `npm start`: the admin listener serves
 * these files and nothing from elsewhere (no CDN). Why plain JavaScript: it must run before anything is compiled.
 */
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'console');
/** Issue #18: under 300 KB of JavaScript, compressed. Checked here so that a build over it fails. */
const MAX_GZIP_BYTES = 300 * 1024;

const result = await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  write: false,
  outdir: 'out',
  legalComments: 'none',
  logLevel: 'warning',
});

await rm(out, { recursive: true, force: true });
await mkdir(join(out, 'assets'), { recursive: true });
const names = {};
for (const file of result.outputFiles) {
  const ext = file.path.endsWith('.css') ? 'css' : 'js';
  const hash = createHash('sha256').update(file.contents).digest('hex').slice(0, 12);
  const name = `app-${hash}.${ext}`;
  const gz = gzipSync(file.contents, { level: 9 });
  if (ext === 'js' && gz.length > MAX_GZIP_BYTES) throw new Error(`console bundle is ${gz.length} bytes gzipped, over ${MAX_GZIP_BYTES}`);
  await writeFile(join(out, 'assets', name), file.contents);
  await writeFile(join(out, 'assets', `${name}.gz`), gz);
  names[ext] = name;
}
const html = (await readFile(join(here, 'index.html'), 'utf8'))
  .replace('{{js}}', `/assets/${names.js}`)
  .replace('{{css}}', names.css ? `<link rel="stylesheet" href="/assets/${names.css}">` : '');
await writeFile(join(out, 'index.html'), html);
await writeFile(join(out, 'manifest.json'), JSON.stringify(names, null, 2) + '\n');
