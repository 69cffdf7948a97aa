/**
 * The loopback ceiling's server: a bare node:http server that answers every GET with the same in-memory body
 * and drains every PUT, doing no file, hash or auth work. Run as a child: `node loopback-server.js SIZE_MIB`.
 */
import http from 'node:http';
import { serveAsChild } from './child-server.js';

const body = Buffer.alloc(Number(process.argv[2] ?? 64) * 1024 * 1024, 0x5a);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } else {
      res.writeHead(200, { 'content-length': 0, etag: '"loopback"' });
      res.end();
    }
  });
});
serveAsChild(server);
