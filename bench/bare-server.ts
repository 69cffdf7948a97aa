/**
 * The small-object ceiling's server (issue #15): a bare node:http server over a directory that does per request
 * only what the file system part of an S3 request needs, with the node calls any server would use — GET opens,
 * stats, reads and closes the file; HEAD is one stat; PUT writes a temporary file, fsyncs it and renames it into
 * place (the MD5 of the body as its ETag, which an S3 PUT must answer too); DELETE is one unlink. No signature,
 * no metadata, no rights. Run as a child: `node bare-server.js ROOT`; `/bucket/key` is `ROOT/bucket/key`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import http from 'node:http';
import { serveAsChild } from './child-server.js';

const root = process.argv[2];
if (!root) throw new Error('usage: bare-server.js ROOT');

/** The file of a request path; undefined for anything that could leave the root. */
function fileOf(url: string): string | undefined {
  const path = decodeURIComponent(url.split('?')[0]!);
  if (path.includes('..') || path.includes('\0')) return undefined;
  return `${root}${path}`;
}

async function answer(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const file = fileOf(req.url ?? '/');
  if (!file) {
    res.writeHead(400, { 'content-length': 0 }).end();
    return;
  }
  switch (req.method) {
    case 'GET': {
      const fh = await open(file, 'r');
      try {
        const { size } = await fh.stat();
        const buf = Buffer.allocUnsafe(size);
        const { bytesRead } = await fh.read(buf, 0, size, 0);
        res.writeHead(200, { 'content-length': bytesRead }).end(buf.subarray(0, bytesRead));
      } finally {
        await fh.close();
      }
      return;
    }
    case 'HEAD': {
      const st = await stat(file);
      res.writeHead(200, { 'content-length': st.size }).end();
      return;
    }
    case 'PUT': {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      const fh = await open(tmp, 'wx');
      try {
        await fh.write(body, 0, body.length, 0);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
      res.writeHead(200, { 'content-length': 0, etag: `"${createHash('md5').update(body).digest('hex')}"` }).end();
      return;
    }
    case 'DELETE':
      await unlink(file).catch(() => {});
      res.writeHead(204).end();
      return;
    default:
      res.writeHead(405, { 'content-length': 0 }).end();
  }
}

const server = http.createServer((req, res) => {
  answer(req, res).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (!res.headersSent) res.writeHead(code === 'ENOENT' ? 404 : 500, { 'content-length': 0 });
    res.end();
  });
});
serveAsChild(server);
