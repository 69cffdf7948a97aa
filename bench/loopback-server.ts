/**
 * The loopback ceiling's server: a bare node:http server that answers every GET with the same in-memory body
 * and drains every PUT, doing no file, hash or auth work. Run as a child: `node loopback-server.js SIZE_MIB`.
 */
import http from 'node:http';

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
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') console.log(`Endpoint: http://127.0.0.1:${address.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
