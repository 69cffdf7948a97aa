#!/usr/bin/env -S node --initial-old-space-size=64
// The flag (read by bench/server-process.ts too): every large request body arrives as ~1,000 separate 64 KiB
// buffers per 64 MiB, and with V8's small initial old-generation limit that external memory set off several
// full collections per 64 MiB upload on the main thread. A larger starting limit removes them (uploads ~25% faster;
// peak memory unchanged). Starting the server as `node bin/dirbucket.js` works too, without that gain.
import { main } from '../dist/src/cli/main.js';

await main(process.argv.slice(2));
